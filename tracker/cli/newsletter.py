"""``tracker newsletter build|send|list``: the weekly issue."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select

from tracker.cli.app import App
from tracker.store.tables.newsletter import Delivery, NewsletterIssue

if TYPE_CHECKING:  # the templates and the mailer are imported when a command needs them
    from tracker.newsletter.send import SendResult

WEEK_HELP = "ISO week YYYY-Www, e.g. 2026-W12 (default: the last complete week in newsletter.timezone)"


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "newsletter",
        help="build and send the weekly issue",
        description="Build the weekly digest (net changes of an ISO week) into the archive, and send it "
        "to confirmed subscribers over SMTP, exactly once per address.",
    )
    sub = parser.add_subparsers(dest="newsletter_command", metavar="ACTION")
    sub.required = True

    build = sub.add_parser(
        "build",
        help="render an issue into the archive",
        description="Render the subject, HTML and text parts of a week's issue and the data used into "
        "<archive_dir>/<YYYY-Www>/. An issue whose sending has begun is left as it is.",
    )
    build.add_argument("--week", metavar="YYYY-Www", help=WEEK_HELP)
    build.add_argument("--json", action="store_true", help="print the result as JSON")
    build.set_defaults(func=cmd_build)

    send = sub.add_parser(
        "send",
        help="send an issue to every confirmed subscriber",
        description="Send a week's issue (built first if needed) over SMTP (TRACKER_SMTP_HOST, _PORT, _SECURITY, "
        "_USER, _PASSWORD, TRACKER_MAIL_FROM). Every recipient gets it once: running again after a crash "
        "or a failure sends only to those who have not got it.",
    )
    send.add_argument("--week", metavar="YYYY-Www", help=WEEK_HELP)
    send.add_argument(
        "--dry-run", metavar="DIR", type=Path, help="write one .eml file per recipient into DIR instead of sending"
    )
    send.add_argument(
        "--resend-uncertain",
        action="store_true",
        help="also send to recipients whose earlier delivery was interrupted mid-transmission "
        "(they may get the issue twice)",
    )
    send.add_argument("--json", action="store_true", help="print the result as JSON")
    send.set_defaults(func=cmd_send)

    listing = sub.add_parser(
        "list",
        help="list built issues and their deliveries",
        description="Every built issue with its subject and how many deliveries are in each state.",
    )
    listing.add_argument("--json", action="store_true", help="print a JSON array")
    listing.set_defaults(func=cmd_list)


def cmd_build(app: App, args: argparse.Namespace) -> int:
    from tracker.newsletter.build import build_issue

    result = build_issue(app.sessions, app.settings, args.week)
    if args.json:
        app.print(json.dumps(result.to_dict(), indent=2, ensure_ascii=False))
        return 0
    state = "kept as sent (sending has begun)" if result.frozen else ("written" if result.written else "unchanged")
    app.print(f"{result.week}: {result.subject}")
    app.print(f"{result.items} items → {result.path}/ ({state})")
    return 0


def cmd_send(app: App, args: argparse.Namespace) -> int:
    from tracker.newsletter.send import send_issue

    def progress(result: SendResult) -> None:
        if not args.json and result.sent % 500 == 0:
            print(f"… {result.sent} sent", file=sys.stderr, flush=True)

    result = send_issue(
        app.sessions, app.settings, args.week, args.dry_run, resend_uncertain=args.resend_uncertain, progress=progress
    )
    if args.json:
        app.print(json.dumps(result.to_dict(), indent=2, ensure_ascii=False))
    else:
        for line in describe(result):
            app.print(line)
    return 1 if result.failed else 0


def describe(result: SendResult) -> list[str]:
    if result.dry_run:
        return [
            f"{result.week}: dry run: {result.written} .eml file(s) written to {result.path}/ "
            f"({result.skipped} already sent, not written); nothing sent, nothing recorded"
        ]
    lines = [
        f"{result.week}: sent {result.sent}, already sent before {result.skipped}, failed {result.failed}, "
        f"cancelled {result.cancelled}, still pending {result.pending} "
        f"({result.connections} SMTP connection{'' if result.connections == 1 else 's'})"
    ]
    lines.extend(f"  {error}" for error in result.errors)
    if result.uncertain:
        lines.append(
            f"  {result.uncertain} delivery(ies) were interrupted mid-transmission and may or may not have arrived; "
            "they are not sent again (use --resend-uncertain to send them anyway)"
        )
    return lines


def cmd_list(app: App, args: argparse.Namespace) -> int:
    with app.sessions() as session:
        issues = session.scalars(select(NewsletterIssue).order_by(NewsletterIssue.week)).all()
        counts: dict[int, dict[str, int]] = {}
        for issue_id, status, n in session.execute(
            select(Delivery.issue_id, Delivery.status, func.count(Delivery.id)).group_by(
                Delivery.issue_id, Delivery.status
            )
        ):
            counts.setdefault(issue_id, {})[status] = int(n)
    rows = [
        {
            "week": i.week,
            "subject": i.subject,
            "items": i.items,
            "path": i.path,
            "built_at": i.built_at.isoformat(),
            "first_sent_at": i.first_sent_at.isoformat() if i.first_sent_at else None,
            "deliveries": counts.get(i.id, {}),
        }
        for i in issues
    ]
    if args.json:
        app.print(json.dumps(rows, indent=2, ensure_ascii=False))
        return 0
    if not rows:
        app.print("no issues built yet (tracker newsletter build)")
    for row in rows:
        deliveries = ", ".join(f"{k} {v}" for k, v in sorted(row["deliveries"].items())) or "not sent"
        app.print(f"{row['week']}  {row['items']:>4} items  {deliveries}  {row['subject']}")
    return 0
