"""``tracker run``: the main job, once — crawl every enabled source, build the site and this week's issue.

"This week's issue" is the one that goes out this week: the digest of the last
complete ISO week (``--week`` picks another). It is sent only with ``--send``.
A source that cannot be reached fails on its own with a clear message; the site
and the issue are still built from what the database holds.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TextIO

from tracker.cli.app import App
from tracker.schedule import jobs
from tracker.schedule.jobs import JobResult
from tracker.schedule.locks import LockManager
from tracker.sources.registry import enabled_sources
from tracker.store.db import session_scope
from tracker.store.runs import finish_run, start_run
from tracker.store.tables import Run

#: Reasons that mean the network (not the source) is the problem.
NETWORK_REASONS = ("unreachable", "timeout", "network-error")


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "run",
        help="crawl every enabled source, then build the site and this week's issue (send with --send)",
        description="The main job, once: crawl every enabled source (changes are detected as they are stored), "
        "build the static site, and build this week's newsletter issue (the digest of the last complete ISO week). "
        "The issue is sent to confirmed subscribers only with --send. A source that fails (no network, an error "
        "page) is reported and the rest goes on: the site and the issue are built from what is stored. "
        "A job that a running `tracker schedule` is doing at the same time is skipped (or waited for, with --wait).",
    )
    parser.add_argument("--send", action="store_true", help="also send the issue to confirmed subscribers (SMTP)")
    parser.add_argument("--week", metavar="YYYY-Www", help="the issue's week (default: the last complete week)")
    parser.add_argument("--out", metavar="DIR", type=Path, help="site folder (default: site.out_dir, 'site')")
    parser.add_argument(
        "--wait", type=float, default=0.0, metavar="SECONDS", help="wait this long for a job another process is running"
    )
    parser.add_argument("--json", action="store_true", help="print the summary as JSON")
    parser.set_defaults(func=cmd_run)


class Progress:
    """Progress on stderr: a line per step, and a live elapsed-time counter on a terminal."""

    def __init__(self, stream: TextIO, *, quiet: bool) -> None:
        self.stream = stream
        self.quiet = quiet
        self.live = not quiet and stream.isatty()

    def say(self, message: str) -> None:
        if not self.quiet:
            print(message, file=self.stream, flush=True)

    @contextlib.contextmanager
    def step(self, label: str) -> Iterator[None]:
        if self.quiet:
            yield
            return
        started = time.monotonic()
        stop = threading.Event()
        ticker = None
        if self.live:

            def tick() -> None:
                while not stop.wait(1.0):
                    print(f"\r{label}… {time.monotonic() - started:.0f}s", end="", file=self.stream, flush=True)

            ticker = threading.Thread(target=tick, daemon=True)
            ticker.start()
        else:
            self.say(f"{label}…")
        try:
            yield
        finally:
            stop.set()
            if ticker is not None:
                ticker.join()
                print(f"\r{label}: done in {time.monotonic() - started:.0f}s", file=self.stream, flush=True)


def cmd_run(app: App, args: argparse.Namespace) -> int:
    settings = app.settings
    progress = Progress(sys.stderr, quiet=args.json)
    app.engine()  # migrate once, before the crawl processes start
    factory = app.sessions
    jobs.recover_dead_runs(factory)
    locks = LockManager(app.engine(), lease=dt.timedelta(seconds=settings.schedule.lease_seconds), trigger="cli")
    with session_scope(factory) as session:
        run_id = start_run(session, job="run", source=None, trigger="cli").id
    sources = enabled_sources(settings)
    crawls: list[JobResult] = []
    try:
        for index, source in enumerate(sources, start=1):
            with progress.step(f"[{index}/{len(sources)}] crawling {source}"):
                result = jobs.crawl(settings, source, locks, trigger="cli", wait=args.wait, log_level=app.log_level)
            crawls.append(result)
            progress.say(f"  {source}: {_crawl_line(result)}")
        with progress.step("building the site"):
            site = jobs.site(
                settings,
                factory,
                locks,
                trigger="cli",
                out_dir=args.out,
                wait=max(args.wait, settings.schedule.lease_seconds),
                progress=lambda message: progress.say(f"  site: {message}") if not progress.live else None,
            )
        progress.say(f"  site: {_site_line(site)}")
        label = "building and sending the issue" if args.send else "building this week's issue"
        with progress.step(label):
            issue = jobs.newsletter(
                settings,
                factory,
                locks,
                trigger="cli",
                send=args.send,
                week=args.week,
                wait=max(args.wait, settings.schedule.lease_seconds),
            )
        progress.say(f"  newsletter: {_issue_line(issue)}")
    except BaseException:
        _close(factory, run_id, "failed", "interrupted", {"sources": [r.to_dict() for r in crawls]})
        raise
    status = _overall(crawls, site, issue)
    summary = {
        "run_id": run_id,
        "status": status,
        "sources": [_source_row(r) for r in crawls],
        "site": site.to_dict(),
        "newsletter": issue.to_dict(),
    }
    message = "; ".join(f"{r.job}: {r.message}" for r in [*crawls, site, issue] if r.status != "success" and r.message)
    _close(factory, run_id, status, message or None, summary)
    if args.json:
        app.print(json.dumps(summary, indent=2, ensure_ascii=False))
    else:
        for line in describe(crawls, site, issue):
            app.print(line)
    return 0 if status == "success" else 1


def _close(factory: Any, run_id: int, status: str, message: str | None, counts: dict[str, Any]) -> None:
    with session_scope(factory) as session:
        run = session.get(Run, run_id)
        if run is not None:
            seen = sum(int(s.get("items", 0)) for s in counts.get("sources", []) if isinstance(s, dict))
            finish_run(session, run, status=status, error_message=message, counts=counts, items_seen=seen)


def _overall(crawls: list[JobResult], site: JobResult, issue: JobResult) -> str:
    if site.status == "failed" or issue.status == "failed":
        return "failed"
    if all(r.status in ("success", "skipped") for r in [*crawls, site, issue]):
        return "success"  # a skipped job is being done by another process right now
    return "partial"


def _errors(result: JobResult) -> int:
    """Fetches that failed (a crawl that failed before fetching anything counts one)."""
    if result.crawl is None:
        return 0 if result.status in ("success", "skipped") else 1
    return max(sum(result.crawl.errors.values()), 1 if result.status == "failed" else 0)


def _source_row(result: JobResult) -> dict[str, Any]:
    summary = result.crawl
    row = {
        "source": result.job.removeprefix("crawl:"),
        "status": result.status,
        "items": summary.seen if summary else 0,
        "new": summary.new if summary else 0,
        "changed": summary.changed if summary else 0,
        "delisted": summary.delisted if summary else 0,
        "errors": _errors(result),
        "rejected": sum(summary.rejected.values()) if summary else 0,
        "message": result.message,
        "run_id": summary.run_id if summary else None,
    }
    if summary is not None and "owed" in summary.extra:  # the blogs/press frontier: article URLs still owed
        row["owed"] = int(summary.extra["owed"] or 0)
    return row


def _status_text(row: dict[str, Any]) -> str:
    """``partial, 9 owed`` when the crawl frontier still owes article URLs."""
    owed = row.get("owed")
    return f"{row['status']}, {owed} owed" if owed and row["status"] != "success" else row["status"]


def _crawl_line(result: JobResult) -> str:
    row = _source_row(result)
    text = (
        f"{_status_text(row)}, {row['items']} items, {row['new']} new, {row['changed']} changed, "
        f"{row['errors']} errors, {row['rejected']} rejected"
    )
    return text + (f" — {result.message}" if result.message else "")


def _site_line(result: JobResult) -> str:
    if result.status in ("skipped", "failed"):
        return f"{result.status}: {result.message}"
    d = result.details
    return f"{d['pages']} pages, {d['written']} files written, {d['unchanged']} unchanged → {d['out_dir']}/" + (
        f" ({result.message})" if result.message else ""
    )


def _issue_line(result: JobResult) -> str:
    issue = result.details.get("issue")
    if issue is None:
        return f"{result.status}: {result.message}"
    text = f"{issue['week']}: {issue['subject']} ({issue['items']} items) → {issue['path']}/"
    sent = result.details.get("send")
    if sent:
        text += f"; sent {sent['sent']}, already sent {sent['skipped']}, failed {sent['failed']}"
    if result.message:
        text += f" — {result.message}"
    return text


def _network_only(result: JobResult) -> bool:
    return result.crawl is not None and bool(result.crawl.errors) and set(result.crawl.errors) <= set(NETWORK_REASONS)


def describe(crawls: list[JobResult], site: JobResult, issue: JobResult) -> list[str]:
    """The summary printed at the end: one row per source, then the site and the issue."""
    rows = [_source_row(r) for r in crawls]
    header = ("SOURCE", "STATUS", "ITEMS", "NEW", "CHANGED", "ERRORS", "REJECTED")
    keys = ("items", "new", "changed", "errors", "rejected")
    table = [header] + [(r["source"], _status_text(r), *(str(r[k]) for k in keys)) for r in rows]
    widths = [max(len(line[i]) for line in table) for i in range(len(header))]
    lines = []
    for line in table:
        cells = [c.ljust(w) if i < 2 else c.rjust(w) for i, (c, w) in enumerate(zip(line, widths, strict=True))]
        lines.append("  ".join(cells).rstrip())
    for result in crawls:
        if result.status != "success" and result.message:
            lines.append(f"  {result.job.removeprefix('crawl:')}: {result.message.splitlines()[0][:300]}")
    offline = [r for r in crawls if r.crawl is not None and r.status == "failed" and _network_only(r)]
    idle = [r for r in crawls if r.status == "success" and r.crawl is not None and not r.crawl.seen]
    if offline and len(offline) + len(idle) == len(crawls):  # e.g. offers: nothing due without a listing
        lines.append("  no source could be reached (no network?): the site and the issue use the data already stored")
    lines.append(f"site: {_site_line(site)}")
    lines.append(f"newsletter: {_issue_line(issue)}")
    return lines
