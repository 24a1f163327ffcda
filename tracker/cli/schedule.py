"""``tracker schedule``: run the jobs by themselves (APScheduler daemon), or list them."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from typing import Any

from tracker.cli.app import App
from tracker.cli.status import scheduled_jobs
from tracker.cli.worker import add_heartbeat_options, workers_ready
from tracker.schedule.daemon import Daemon
from tracker.schedule.jobs import JobResult
from tracker.schedule.plan import plan


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "schedule",
        help="run the scheduler: crawls on their intervals, site after changes, weekly newsletter",
        description="Run in the foreground until SIGTERM or Ctrl-C: every enabled source is crawled on its interval "
        "(schedule.<source>_interval_minutes; the first crawl right after the first start), the site is rebuilt "
        "after a crawl that changed something, and the newsletter is built (and sent when newsletter.send is on) "
        "on schedule.newsletter_cron (default 'mon 08:00', newsletter.timezone). Jobs are kept in the database: "
        "runs missed while the scheduler was down run once when it starts again. A database lock keeps a job from "
        "running twice at once, also with a second scheduler or a manual `tracker run`. On SIGTERM no new job "
        "starts and running ones finish (after schedule.stop_grace_seconds, or at a second signal, crawls are "
        "stopped and store what they fetched).",
    )
    parser.add_argument("--list", action="store_true", help="print the configured jobs and their next runs, then exit")
    parser.add_argument("--json", action="store_true", help="with --list: print JSON; else: one JSON line per job run")
    parser.add_argument(
        "--workers",
        action="store_true",
        help="do not crawl here: defer one task per unit of crawl work and tick to the Postgres queue that "
        "`tracker worker` processes run (docs/scaling.md)",
    )
    add_heartbeat_options(parser)
    parser.set_defaults(func=cmd_schedule)


def cmd_schedule(app: App, args: argparse.Namespace) -> int:
    if args.workers:
        return cmd_produce(app, args)
    settings = app.settings
    specs = plan(settings)
    if args.list:
        stored = {job["id"]: job for job in scheduled_jobs(app.engine())}
        rows = [
            {
                "id": spec.name,
                "description": spec.description,
                "trigger": str(spec.trigger),
                "next_run_at": stored.get(spec.name, {}).get("next_run_at"),
            }
            for spec in specs
        ]
        if args.json:
            app.print(json.dumps(rows, indent=2))
        else:
            for row in rows:
                when = row["next_run_at"][:16].replace("T", " ") + " UTC" if row["next_run_at"] else "not scheduled yet"
                app.print(f"{row['id']:<20} {row['description']}  (next: {when})")
        return 0

    def report(name: str, result: JobResult) -> None:
        if args.json:
            app.print(json.dumps({"at": dt.datetime.now(dt.UTC).isoformat(), **result.to_dict()}))
        else:
            app.print(f"{dt.datetime.now(dt.UTC).strftime('%Y-%m-%d %H:%M:%S')}  {describe(result)}")
        if hasattr(app.out, "flush"):
            app.out.flush()

    app.engine()  # migrate before the scheduler touches its table
    daemon = Daemon(settings, specs=specs, log_level=app.log_level, on_result=report)
    if not args.json:
        app.print(f"tracker schedule: {len(specs)} jobs (SIGTERM or Ctrl-C stops after the running jobs)")
        for spec in specs:
            app.print(f"  {spec.name:<20} {spec.description}")
        sys.stdout.flush()
    daemon.run_forever()
    if not args.json:
        app.print("tracker schedule: stopped")
    return 0


def cmd_produce(app: App, args: argparse.Namespace) -> int:
    """``tracker schedule --workers``: the single producer of crawl tasks (the workers crawl)."""
    import asyncio
    import signal

    workers_ready(app, "tracker schedule --workers")
    from tracker.workers.producer import TickReport, plan_units, run_producer
    from tracker.workers.tasks import build_app

    def report(tick: TickReport) -> None:
        if args.json:
            app.print(
                json.dumps(
                    {
                        "at": dt.datetime.now(dt.UTC).isoformat(),
                        "source": tick.source,
                        "tick": tick.tick.isoformat(),
                        "deferred": tick.deferred,
                        "already_queued": tick.already_queued,
                    }
                )
            )
        else:
            app.print(f"{dt.datetime.now(dt.UTC).strftime('%Y-%m-%d %H:%M:%S')}  {tick.line()}")
        if hasattr(app.out, "flush"):
            app.out.flush()

    plan = plan_units(app.settings)
    queue_app = build_app(app.settings)

    async def main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop.set)
        async with queue_app.open_async():
            await run_producer(app.settings, queue_app, stop, stalled_seconds=args.stalled_seconds, report=report)

    if not args.json:
        app.print(
            f"tracker schedule --workers: {len(plan)} sources, "
            f"{sum(len(units) for _interval, units in plan.values())} units (SIGTERM or Ctrl-C stops)"
        )
        for source, (interval, units) in plan.items():
            app.print(f"  {source:<20} {len(units)} units every {interval.total_seconds() / 60:g} min")
        sys.stdout.flush()
    asyncio.run(main())
    if not args.json:
        app.print("tracker schedule --workers: stopped")
    return 0


def describe(result: JobResult) -> str:
    """One line for a finished job run."""
    text = f"{result.job}: {result.status}"
    summary = result.crawl
    if summary is not None:
        errors = sum(summary.errors.values()) + sum(summary.rejected.values())
        text += f" — {summary.seen} items, {summary.new} new, {summary.changed} changed, {errors} errors"
    elif result.job == "site" and result.details:
        d = result.details
        text += f" — {d.get('pages', 0)} pages, {d.get('written', 0)} files written"
    elif result.job == "newsletter" and result.details.get("issue"):
        issue = result.details["issue"]
        text += f" — {issue['week']}: {issue['items']} items"
        sent = result.details.get("send")
        if sent:
            text += f", sent {sent['sent']}, failed {sent['failed']}"
    if result.message:
        text += f" ({result.message.splitlines()[0][:200]})"
    return text
