"""``tracker worker``: run crawl tasks from the shared Postgres queue (any number, on any number of machines)."""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import sys
from typing import Any

from tracker.cli.app import App
from tracker.errors import ConfigError

#: Defaults of the heartbeat options (Procrastinate's): a silent worker's task is retried after ``STALLED_SECONDS``.
HEARTBEAT_SECONDS = 10.0
STALLED_SECONDS = 30.0


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "worker",
        help="run crawl tasks from the shared queue (Postgres; docs/scaling.md)",
        description="Run in the foreground until SIGTERM or Ctrl-C: take crawl tasks (one unit of crawl work: a Hub "
        "organisation, the OpenRouter listing, the offers batch, the feeds, a peer catalog) from the task queue in "
        "the Postgres database and crawl them, one at a time unless --concurrency says more. `tracker schedule "
        "--workers` defers the tasks. No two tasks of one unit run at once on any worker; the task of a worker that "
        "stops sending heartbeats is given to another one. Needs Postgres and the `workers` extra "
        "(pip install 'tracker[workers]'); run `tracker init` once first.",
    )
    add_heartbeat_options(parser)
    parser.add_argument("--concurrency", type=int, default=1, metavar="N", help="crawls at once (default 1)")
    parser.add_argument("--name", help="this worker's name in the queue's logs (default: host:pid)")
    parser.set_defaults(func=cmd_worker)


def add_heartbeat_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--heartbeat-seconds",
        type=float,
        default=HEARTBEAT_SECONDS,
        metavar="S",
        help=f"how often a worker says it is alive (default {HEARTBEAT_SECONDS:g})",
    )
    parser.add_argument(
        "--stalled-seconds",
        type=float,
        default=STALLED_SECONDS,
        metavar="S",
        help=f"a worker silent this long is gone: its task goes to another worker (default {STALLED_SECONDS:g})",
    )


def workers_ready(app: App, command: str) -> None:
    """ConfigError unless this is Postgres with the queue's schema and Procrastinate is installed."""
    from tracker.workers.queue import needs_postgres, require_queue_schema

    needs_postgres(app.settings.database_url, command)
    try:
        import procrastinate  # noqa: F401
    except ImportError as exc:
        raise ConfigError(f"{command} needs the workers extra: pip install 'tracker[workers]'") from exc
    app.engine()  # tracker's schema at head
    require_queue_schema(app.settings.database_url, command)


def cmd_worker(app: App, args: argparse.Namespace) -> int:
    workers_ready(app, "tracker worker")
    if args.concurrency < 1:
        raise ConfigError("tracker worker: --concurrency must be at least 1")
    if args.heartbeat_seconds <= 0 or args.stalled_seconds <= args.heartbeat_seconds:
        raise ConfigError("tracker worker: --stalled-seconds must be more than --heartbeat-seconds (both above 0)")
    from tracker.workers.history import worker_name
    from tracker.workers.producer import reap_forever
    from tracker.workers.queue import CRAWL_QUEUE
    from tracker.workers.tasks import build_app

    def report(unit: str, outcome: str) -> None:
        app.print(f"{dt.datetime.now(dt.UTC).strftime('%Y-%m-%d %H:%M:%S')}  {unit}: {outcome}")
        if hasattr(app.out, "flush"):
            app.out.flush()

    name = args.name or worker_name(os.getpid())
    queue_app = build_app(app.settings, app.sessions, log_level=app.log_level, report=report)

    async def main() -> None:
        stop = asyncio.Event()
        async with queue_app.open_async():
            reaper = asyncio.create_task(reap_forever(queue_app, args.stalled_seconds, stop))
            try:
                await queue_app.run_worker_async(
                    queues=[CRAWL_QUEUE],
                    name=name,
                    concurrency=args.concurrency,
                    update_heartbeat_interval=args.heartbeat_seconds,
                    stalled_worker_timeout=args.stalled_seconds,
                    fetch_job_polling_interval=min(5.0, args.heartbeat_seconds),
                    install_signal_handlers=True,
                )
            finally:
                stop.set()
                await reaper

    app.print(f"tracker worker {name}: taking crawl tasks (SIGTERM or Ctrl-C stops after the running ones)")
    sys.stdout.flush()
    asyncio.run(main())
    app.print(f"tracker worker {name}: stopped")
    return 0
