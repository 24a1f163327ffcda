"""The ``tracker`` command: thin subcommands over the library.

Each module in this package (except ``app``) defines ``register(subparsers)``
and is picked up automatically: add a module to add commands. Errors of the :class:`TrackerError`
tree become one-line messages and exit status 2.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import logging
import os
import pkgutil
import sys
from collections.abc import Sequence

from sqlalchemy.exc import SQLAlchemyError

from tracker import __version__
from tracker.cli.app import App
from tracker.errors import TrackerError

#: Modules registered first, in this order (the rest follow alphabetically).
FIRST = ("db", "crawl", "changes")


def command_modules() -> list[str]:
    helpers = {"app", "resolve"}  # shared by the commands, not commands
    names = [m.name for m in pkgutil.iter_modules(__path__) if m.name not in helpers and not m.name.startswith("_")]
    ordered = [n for n in FIRST if n in names] + sorted(n for n in names if n not in FIRST)
    return [f"{__name__}.{n}" for n in ordered]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="tracker",
        description="Track AI model releases, prices, licences and claims, with their sources.",
    )
    parser.add_argument("--version", action="version", version=f"tracker {__version__}")
    parser.add_argument("--config", metavar="FILE", help="TOML configuration file (default: $TRACKER_CONFIG)")
    parser.add_argument("-v", "--verbose", action="count", default=0, help="more log output (-vv for debug)")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    subparsers.required = True
    for name in command_modules():
        importlib.import_module(name).register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    level = logging.WARNING if args.verbose == 0 else logging.INFO if args.verbose == 1 else logging.DEBUG
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s")
    app = App(config_path=args.config, verbose=args.verbose)
    try:
        return int(args.func(app, args) or 0)
    except TrackerError as exc:
        print(f"tracker: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("tracker: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # the reader went away (`tracker models | head`): say so once, and do not fail again at exit
        with contextlib.suppress(OSError, ValueError, AttributeError):
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        print("tracker: error: the output was closed before everything was written", file=sys.stderr)
        return 2
    except SQLAlchemyError as exc:
        print(f"tracker: error: {database_problem(exc)}", file=sys.stderr)
        return 2
    finally:
        app.close()


def database_problem(exc: BaseException) -> str:
    """One line for a database that cannot be used (unreachable, not a database, locked…)."""
    cause = getattr(exc, "orig", None) or exc
    text = " ".join(str(cause).split()) or type(cause).__name__
    if "file is not a database" in text or "malformed" in text:
        return f"the database file is not a usable SQLite database ({text[:200]})"
    if "Connection refused" in text or "could not connect" in text or "connection failed" in text:
        return f"cannot connect to the database ({text[:200]})"
    return f"the database cannot be used: {text[:300]}"
