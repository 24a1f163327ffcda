"""``tracker check URL|FILE…``: fact-check articles against the database."""

from __future__ import annotations

import argparse
import datetime as dt
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tracker.cli.app import App
from tracker.normalize.params import format_params
from tracker.store.db import session_scope

if TYPE_CHECKING:  # the article reader and the checker are imported when the command runs
    from tracker.store.ingest_documents import PageRecord
    from tracker.update.check import CheckReport, Problem

LABELS = {
    "consistent": "CONSISTENT",
    "disputed": "DISPUTED",
    "unknown model": "UNKNOWN MODEL",
    "not checkable": "NOT CHECKABLE",
}


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "check",
        help="fact-check articles: each claim beside what the tracker holds, with a verdict",
        description="Read each article (a URL is fetched with the crawler's rules: robots.txt, User-Agent, size cap; "
        "a local file is read directly and its file name is its source), extract its claims about models and print "
        "each beside what the tracker holds for that model and attribute, with a verdict: consistent, disputed, "
        "unknown model or not checkable. The claims are stored as press claims (and weighed by the claims ledger) "
        "unless --no-store is given.",
    )
    parser.add_argument("inputs", nargs="+", metavar="URL|FILE", help="article URLs or local files (.md, .html, .txt)")
    parser.add_argument("--json", action="store_true", help="print a JSON array (one report per article)")
    parser.add_argument("--no-store", action="store_true", help="check only: store nothing")
    parser.set_defaults(func=cmd_check)


def _is_url(text: str) -> bool:
    return text.startswith(("http://", "https://"))


def cmd_check(app: App, args: argparse.Namespace) -> int:
    from tracker.normalize.articles import ArticleError
    from tracker.update.check import Problem, check_article, fetch_pages, read_file

    settings = app.settings
    now = dt.datetime.now(dt.UTC)
    pages: list[PageRecord] = []
    problems: list[Problem] = []
    urls = [i for i in args.inputs if _is_url(i)]
    for item in args.inputs:
        if _is_url(item):
            continue
        path = Path(item)
        if not path.is_file():
            problems.append(Problem(item, "not-found", "no such file"))
            continue
        try:
            pages.append(read_file(path, max_bytes=settings.http.max_page_bytes, now=now))
        except ArticleError as exc:
            problems.append(Problem(item, exc.reason, exc.detail))
        except OSError as exc:
            problems.append(Problem(item, "unreadable", str(exc)))
    app.engine()  # migrate before a fetch process starts
    if urls:
        fetched, failed = fetch_pages(settings, urls, log_level=app.log_level)
        pages.extend(fetched)
        problems.extend(failed)
    reports: list[CheckReport] = []
    for page in pages:
        with session_scope(app.sessions) as session:
            report = check_article(session, page, store=not args.no_store, now=now)
            if args.no_store:
                session.rollback()
        reports.append(report)
    if args.json:
        out: list[dict[str, Any]] = [r.to_dict() for r in reports]
        out += [{"input": p.input, "error": p.reason, "detail": p.detail} for p in problems]
        app.print(json.dumps(out, indent=2, ensure_ascii=False))
    else:
        for report in reports:
            for line in render(report):
                app.print(line)
        for problem in problems:
            app.print(f"{problem.input}: cannot check ({problem.reason}: {problem.detail})")
    return 1 if problems else 0


def _value(value: str, unit: str | None) -> str:
    if unit == "usd_per_mtok":
        return f"${value} per 1M tokens"
    if unit == "tokens":
        return f"{int(value):,} tokens" if value.isdigit() else f"{value} tokens"
    if unit == "parameters" and value.isdigit():
        return f"{format_params(int(value))} parameters"
    if unit == "%":
        return f"{value}%"
    return value


def render(report: CheckReport) -> list[str]:
    """The report as terminal lines: one block per claim."""
    counts = report.counts()
    title = f" — {report.title}" if report.title else ""
    stored = (
        "stored as press claims"
        if report.stored and report.new_document
        else "stored"
        if report.stored
        else "not stored"
    )
    lines = [
        f"{report.source}{title}",
        f"  {len(report.claims)} claims ({stored}): " + ", ".join(f"{n} {v}" for v, n in counts.items() if n),
    ]
    for claim in report.claims:
        what = claim.attribute.replace("_", " ") + (f" [{claim.qualifier}]" if claim.qualifier else "")
        who = claim.model or f"{claim.mention!s} (no such model in the tracker)"
        lines.append(f"  {LABELS[claim.verdict]:<14} {who}: {what} = {_value(claim.value, claim.unit)}")
        lines.append(f"  {'':<14} article: “{_short(claim.quote)}”")
        if claim.held is not None:
            since = f", since {claim.held.since}" if claim.held.since else ""
            lines.append(
                f"  {'':<14} tracker: {_value(claim.held.value, claim.held.unit)} — {claim.held.source} "
                f"({claim.held.reporter}{since})"
            )
        elif claim.verdict == "not checkable":
            lines.append(f"  {'':<14} tracker: nothing to compare with")
        elif claim.candidates:
            lines.append(f"  {'':<14} tracker: could be any of {', '.join(claim.candidates[:5])}")
    for event in report.events:
        lines.append(f"  event: {event}")
    return lines


def _short(text: str, limit: int = 240) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
