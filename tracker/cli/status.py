"""``tracker status``: each source's freshness, last success, last error and flags; jobs and their locks."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import pickle
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Engine

from tracker.cli.app import App
from tracker.schedule.locks import LockState, all_locks
from tracker.sources.registry import enabled_sources
from tracker.store.health import RunInfo, SourceHealth, last_runs, source_health
from tracker.store.tables.scheduler import SchedulerJob


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "status",
        help="source health, last runs and scheduled jobs",
        description="Show, per source, the last crawl, the last success, the last error and the items of the last "
        "run, with flags: FAILING (the last crawl failed), PARTIAL (it got only part of the source), SUSPICIOUS "
        "(its listing was well below the last complete one: nothing was delisted), STALE (no data "
        "for schedule.stale_after_hours), EMPTY (nothing returned schedule.empty_runs_before_flag runs in a row), "
        "STUCK (a crawl marked running whose process is gone or that overran). Then the last site build, newsletter "
        "and `tracker run`, the scheduled jobs and who holds their locks. The site's status page (status/) shows the "
        "sources' health as of the newest crawl.",
    )
    parser.add_argument("--json", action="store_true", help="print everything as one JSON object")
    parser.add_argument("--check", action="store_true", help="exit with status 1 when any enabled source is flagged")
    parser.set_defaults(func=cmd_status)


def cmd_status(app: App, args: argparse.Namespace) -> int:
    settings = app.settings
    engine = app.engine()
    now = dt.datetime.now(dt.UTC)
    with app.sessions() as session:
        sources = source_health(session, settings, enabled_sources(settings), now=now)
        runs = last_runs(session)
    jobs = scheduled_jobs(engine)
    locks = all_locks(engine)
    flagged = any(s.flags for s in sources if s.enabled)
    if args.json:
        app.print(
            json.dumps(
                {
                    "now": now.isoformat(),
                    "database": engine.url.render_as_string(hide_password=True),
                    "healthy": not flagged,
                    "sources": [s.to_dict() for s in sources],
                    "last_runs": {job: run.to_dict() for job, run in runs.items()},
                    "jobs": jobs,
                    "locks": [lock.to_dict() for lock in locks],
                },
                indent=2,
                ensure_ascii=False,
            )
        )
    else:
        for line in describe(sources, runs, jobs, locks, now):
            app.print(line)
    return 1 if args.check and flagged else 0


def scheduled_jobs(engine: Engine) -> list[dict[str, Any]]:
    """The jobs in the scheduler's job store, soonest first (empty before the first ``tracker schedule``)."""
    out = []
    with engine.connect() as conn:
        rows = conn.execute(
            select(SchedulerJob.id, SchedulerJob.next_run_time, SchedulerJob.job_state).order_by(SchedulerJob.id)
        ).all()
    for job_id, next_run, state in rows:
        try:
            name = pickle.loads(state).get("name")
        except Exception:  # written by another APScheduler version: show the id alone
            name = None
        out.append(
            {
                "id": job_id,
                "name": name,
                "next_run_at": dt.datetime.fromtimestamp(next_run, dt.UTC).isoformat() if next_run else None,
            }
        )
    out.sort(key=lambda j: j["next_run_at"] or "~")
    return out


def _when(value: dt.datetime | None, now: dt.datetime) -> str:
    if value is None:
        return "never"
    ago = now - value
    if ago.total_seconds() < 0:
        rel = "in the future"
    elif ago < dt.timedelta(minutes=1):
        rel = "just now"
    elif ago < dt.timedelta(hours=1):
        rel = f"{ago.total_seconds() / 60:.0f} min ago"
    elif ago < dt.timedelta(days=2):
        rel = f"{ago.total_seconds() / 3600:.0f} h ago"
    else:
        rel = f"{ago.days} days ago"
    return f"{value.strftime('%Y-%m-%d %H:%M')} ({rel})"


def _run_line(run: RunInfo, now: dt.datetime) -> str:
    text = f"{run.status} {_when(run.finished_at or run.started_at, now)} [{run.trigger}]"
    if run.error_message and run.status != "success":
        text += f": {run.error_message.splitlines()[0][:160]}"
    return text


def describe(
    sources: list[SourceHealth],
    runs: dict[str, RunInfo],
    jobs: list[dict[str, Any]],
    locks: list[LockState],
    now: dt.datetime,
) -> list[str]:
    lines = [f"tracker status at {now.strftime('%Y-%m-%d %H:%M')} UTC", "", "sources"]
    for s in sources:
        state = "ok" if not s.flags else ", ".join(f.upper() for f in s.flags)
        if s.owed and "partial" in s.flags:
            state = state.replace("PARTIAL", f"PARTIAL, {s.owed} owed", 1)
        lines.append(f"  {s.source}{'' if s.enabled else ' (disabled)'}: {state}")
        lines.append(f"    last success   {_when(s.last_success_at, now)}")
        if s.last_run is not None:
            run = s.last_run
            lines.append(f"    last run       {_run_line(run, now)}")
            lines.append(
                f"    items          {run.items_seen} seen, {run.items_new} new, {run.items_changed} changed, "
                f"{run.items_delisted} delisted, {run.errors} errors, {run.rejected} rejected"
            )
        if s.last_error and (s.last_run is None or s.last_error != s.last_run.error_message):
            lines.append(f"    last error     {_when(s.last_error_at, now)}: {s.last_error.splitlines()[0][:200]}")
        if s.running is not None:
            lines.append(f"    running        since {_when(s.running.started_at, now)} (pid {s.running.pid})")
        for note in s.notes:
            lines.append(f"    ! {note}")
    if runs:
        lines += ["", "last runs"]
        for job, run in runs.items():
            lines.append(f"  {job:<17} {_run_line(run, now)}")
    lines += ["", "scheduled jobs" + ("" if jobs else ": none (start `tracker schedule`)")]
    held = {lock.name: lock for lock in locks if lock.held}
    for job in jobs:
        when = job["next_run_at"][:16].replace("T", " ") + " UTC" if job["next_run_at"] else "paused"
        lock = held.pop(job["id"], None)
        running = f"; {lock.describe()}" if lock else ""
        lines.append(f"  {job['id']:<17} next {when}  ({job['name'] or '?'}){running}")
    for lock in held.values():
        lines.append(f"  {lock.describe()}")
    return lines
