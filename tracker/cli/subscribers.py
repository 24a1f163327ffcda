"""``tracker subscribers add|confirm|remove|list``: who gets the newsletter."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from tracker.cli.app import App
from tracker.config import NewsletterSettings
from tracker.deliver import subscribers, tokens
from tracker.deliver.errors import AddressError, TokenError
from tracker.deliver.subscribers import Change
from tracker.store.db import session_scope

#: The secret shipped as the default (sending refuses it too).
DEFAULT_SECRET = NewsletterSettings().unsubscribe_secret


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "subscribers",
        help="add, confirm, remove and list newsletter subscribers",
        description="Manage newsletter subscribers. New addresses are pending until confirmed; only "
        "confirmed subscribers get the newsletter. Removing unsubscribes (the opt-out is remembered).",
    )
    sub = parser.add_subparsers(dest="subscribers_command", metavar="ACTION")
    sub.required = True

    add = sub.add_parser(
        "add",
        help="subscribe addresses (pending until confirmed)",
        description="Subscribe addresses. They stay pending until confirmed, unless --confirmed says that "
        "they were confirmed elsewhere (e.g. double opt-in on a sign-up form).",
    )
    add.add_argument("addresses", nargs="*", metavar="ADDRESS")
    add.add_argument("--file", type=Path, metavar="FILE", help="read addresses from FILE, one per line ('-': stdin)")
    add.add_argument("--confirmed", action="store_true", help="the addresses are already confirmed")
    add.add_argument("--json", action="store_true", help="print what changed as JSON")
    add.set_defaults(func=cmd_add)

    confirm = sub.add_parser("confirm", help="confirm pending addresses", description="Confirm subscribers.")
    confirm.add_argument("addresses", nargs="*", metavar="ADDRESS")
    confirm.add_argument("--token", help="a signed confirmation token instead of an address")
    confirm.add_argument("--json", action="store_true", help="print what changed as JSON")
    confirm.set_defaults(func=cmd_confirm)

    remove = sub.add_parser(
        "remove",
        help="unsubscribe addresses",
        description="Unsubscribe addresses, or the address of a signed one-click unsubscribe token "
        "(the token= value of the link in every issue).",
    )
    remove.add_argument("addresses", nargs="*", metavar="ADDRESS")
    remove.add_argument("--token", help="a signed unsubscribe token instead of an address")
    remove.add_argument("--json", action="store_true", help="print what changed as JSON")
    remove.set_defaults(func=cmd_remove)

    listing = sub.add_parser("list", help="list subscribers", description="List subscribers and their state.")
    listing.add_argument("--status", choices=subscribers.STATES, help="only subscribers in this state")
    listing.add_argument("--json", action="store_true", help="print a JSON array")
    listing.set_defaults(func=cmd_list)


def _addresses(args: argparse.Namespace) -> list[str]:
    found = list(args.addresses)
    path = getattr(args, "file", None)
    if path is not None:
        text = sys.stdin.read() if str(path) == "-" else path.read_text(encoding="utf-8")
        found.extend(line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#"))
    return found


def _from_token(app: App, args: argparse.Namespace, purpose: str) -> list[str]:
    found = _addresses(args)
    if args.token:
        secret = app.settings.newsletter.unsubscribe_secret
        if secret in ("", DEFAULT_SECRET):
            raise TokenError(
                "set TRACKER_UNSUBSCRIBE_SECRET (newsletter.unsubscribe_secret) before accepting tokens: "
                "tokens signed with the default or an empty secret could be forged by anyone"
            )
        found.append(tokens.read_token(secret, args.token, purpose))
    if not found:
        raise AddressError("give at least one address" + (" or --token" if purpose else ""))
    return found


def _report(app: App, changes: list[Change], as_json: bool) -> int:
    if as_json:
        app.print(json.dumps([c.to_dict() for c in changes], indent=2))
        return 0 if all(c.after is not None for c in changes) else 1
    for c in changes:
        if c.after is None:
            app.print(f"{c.email}: not a subscriber")
        elif c.before is None:
            app.print(f"{c.email}: added ({c.after})")
        elif c.changed:
            app.print(f"{c.email}: {c.before} → {c.after}")
        else:
            app.print(f"{c.email}: already {c.after}")
    return 0 if all(c.after is not None for c in changes) else 1


def cmd_add(app: App, args: argparse.Namespace) -> int:
    addresses = _addresses(args)
    if not addresses:
        raise AddressError("give at least one address (or --file)")
    with session_scope(app.sessions) as session:
        changes = subscribers.add(session, addresses, confirmed=args.confirmed)
    return _report(app, changes, args.json)


def cmd_confirm(app: App, args: argparse.Namespace) -> int:
    addresses = _from_token(app, args, "confirm")
    with session_scope(app.sessions) as session:
        changes = subscribers.confirm(session, addresses)
    return _report(app, changes, args.json)


def cmd_remove(app: App, args: argparse.Namespace) -> int:
    addresses = _from_token(app, args, "unsubscribe")
    with session_scope(app.sessions) as session:
        changes = subscribers.unsubscribe(session, addresses)
    return _report(app, changes, args.json)


def cmd_list(app: App, args: argparse.Namespace) -> int:
    with app.sessions() as session:
        rows = subscribers.list_subscribers(session, status=args.status)
        totals = subscribers.counts(session)
    if args.json:
        app.print(json.dumps(rows, indent=2))
        return 0
    for row in rows:
        since = (row["unsubscribed_at"] or row["confirmed_at"] or row["created_at"])[:10]
        app.print(f"{row['email']:<40} {row['status']:<13} since {since}")
    app.print(", ".join(f"{n} {state}" for state, n in totals.items()))
    return 0
