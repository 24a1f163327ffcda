"""``tracker catalogs``: how well each peer catalog agrees with the primary source; ``import`` a recorded copy."""

from __future__ import annotations

import argparse
import datetime as dt
import json
from pathlib import Path
from typing import Any

from tracker.cli.app import App
from tracker.errors import ConfigError, NormalizationError
from tracker.normalize.peers.types import CATALOGS
from tracker.peers.load import parse_file, parse_modelsdev_tree, store_parse
from tracker.peers.report import CatalogSummary, catalog_report
from tracker.sources.registry import PEER_SOURCES
from tracker.store.db import session_scope
from tracker.store.runs import finish_run, start_run, utcnow

#: Disagreements printed per catalog in the text output (``--json`` has them all).
SHOWN = 15


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "catalogs",
        help="peer catalogs (models.dev, LiteLLM, genai-prices, Epoch) checked against the primary source",
        description="Per catalog and attribute: entries compared with the OpenRouter value current at the "
        "catalog's date, agreeing, stale (equal to an earlier OpenRouter value: since when), wrong (with the "
        "difference) and unlinked; then the disagreements with both values. `tracker catalogs import` stores a "
        "recorded copy of a catalog (a file, or a models.dev checkout directory).",
    )
    parser.add_argument("--json", action="store_true", help="print JSON (every disagreement)")
    parser.add_argument("--catalog", choices=list(CATALOGS), action="append", help="only this catalog")
    parser.add_argument(
        "--source", action="append", metavar="CATALOG@VERSION", help="a stored version instead of the latest"
    )
    parser.set_defaults(func=cmd_catalogs)
    sub = parser.add_subparsers(dest="catalogs_command", metavar="COMMAND")
    imp = sub.add_parser("import", help="store a recorded catalog file with its version and date")
    imp.add_argument("catalog", choices=list(CATALOGS))
    imp.add_argument("path", type=Path, help="the file (a models.dev checkout directory is read like api.json)")
    imp.add_argument("--version", required=True, help="release or commit, e.g. 1.84.0 (part of the source name)")
    imp.add_argument("--date", required=True, help="when the catalog's data was current (YYYY-MM-DD, UTC)")
    imp.add_argument("--url", help="where the file was published (stored as the claims' URL)")
    imp.set_defaults(func=cmd_import)


def _date(text: str) -> dt.datetime:
    try:
        day = dt.datetime.fromisoformat(text)
    except ValueError as exc:
        raise ConfigError(f"--date must be YYYY-MM-DD (or an ISO time), not {text!r}") from exc
    return day.replace(tzinfo=dt.UTC) if day.tzinfo is None else day.astimezone(dt.UTC)


def cmd_import(app: App, args: argparse.Namespace) -> int:
    snapshot_at = _date(args.date)
    path: Path = args.path
    if not path.exists():
        raise ConfigError(f"{path}: no such file or directory")
    now = utcnow()
    if path.is_dir():
        if args.catalog != "models.dev":
            raise ConfigError(f"{path} is a directory: only a models.dev checkout can be imported as one")
        parse = parse_modelsdev_tree(path, version=args.version, snapshot_at=snapshot_at)
    else:
        try:
            parse = parse_file(
                args.catalog, path.read_bytes(), fetched_at=now, version=args.version, snapshot_at=snapshot_at
            )
        except NormalizationError as exc:
            raise ConfigError(f"{path}: {exc.reason}: {exc.detail}") from exc
    with session_scope(app.sessions) as session:
        source = next(name for name, (catalog, _url) in PEER_SOURCES.items() if catalog == args.catalog)
        run = start_run(session, job="catalog-import", source=source, observed_at=snapshot_at)
        result = store_parse(
            session, parse, url=args.url or path.resolve().as_uri(), fetched_at=now, run_id=run.id, source=source
        )
        counts = {"source": source, "extra": {"catalog": result.counts()}}
        finish_run(
            session,
            run,
            status="success",
            counts=counts,
            complete=True,
            items_seen=result.entries,
            items_new=result.claims_new,
            items_rejected=sum(result.rejected.values()),
        )
    rejected = sum(result.rejected.values())
    app.print(
        f"{parse.source}: {result.entries} entries, {rejected} rejected"
        + (f" ({', '.join(f'{k} {v}' for k, v in result.rejected.items())})" if rejected else "")
        + f", {sum(result.other_offers.values())} of other offers (not compared), "
        f"{sum(result.linked.values())} linked, {result.unlinked} unlinked; {result.claims_new} new claims"
    )
    return 0


def cmd_catalogs(app: App, args: argparse.Namespace) -> int:
    with app.sessions() as session:
        summaries = catalog_report(session, catalogs=args.catalog, sources=args.source)
    if args.json:
        app.print(json.dumps([s.to_dict() for s in summaries], indent=2, ensure_ascii=False))
        return 0
    if not summaries:
        app.print("no catalogs stored yet: `tracker crawl litellm` (or modelsdev, genaiprices, epoch)")
        return 0
    for summary in summaries:
        _print_summary(app, summary)
    return 0


def _print_summary(app: App, summary: CatalogSummary) -> None:
    when = summary.snapshot_at.date().isoformat() if summary.snapshot_at else "?"
    counts = summary.run_counts
    app.print(f"{summary.title} — {summary.source} (data of {when})")
    if counts:
        rejected = counts.get("rejected") or {}
        app.print(
            f"  {counts.get('entries', 0)} entries, {sum(rejected.values())} rejected, "
            f"{counts.get('other_offer_entries', 0)} of other offers (not compared with OpenRouter), "
            f"{sum((counts.get('linked') or {}).values())} linked "
            f"({', '.join(f'{k} {v}' for k, v in (counts.get('linked') or {}).items()) or 'none'}), "
            f"{counts.get('unlinked', 0)} unlinked"
        )
    _print_evidence(app, summary)
    if not any(t.compared or t.unlinked for t in summary.tallies):
        app.print("  no entry of OpenRouter's offer: nothing to compare\n")
        return
    rows = [("ATTRIBUTE", "COMPARED", "AGREE", "STALE", "WRONG", "UNLINKED")]
    for t in summary.tallies:
        if t.compared or t.unlinked:
            rows.append((t.attribute, str(t.compared), str(t.agree), str(t.stale), str(t.wrong), str(t.unlinked)))
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    for row in rows:
        app.print("  " + "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())
    disagreements = summary.disagreements
    for f in disagreements[:SHOWN]:
        o = f.outcome
        said = f"{f.catalog_value.normalize():f}" if f.catalog_value is not None else "?"
        primary = f"{o.primary.normalize():f}" if o.primary is not None else "?"
        line = f"  {f.openrouter_id} {f.label}: catalog {said}, OpenRouter {primary}"
        if o.percent is not None:
            line += f" ({o.percent:+}%)"
        if o.verdict == "stale" and o.stale_since is not None:
            line += f" — stale since {o.stale_since.date().isoformat()} (OpenRouter's value before then)"
        app.print(line)
    if len(disagreements) > SHOWN:
        app.print(f"  … and {len(disagreements) - SHOWN} more (--json lists them all)")
    app.print("")


def _print_evidence(app: App, summary: CatalogSummary) -> None:
    if not summary.evidence:
        return
    conflicts = summary.evidence_conflicts
    agree = sum(1 for e in summary.evidence if e.agrees)
    app.print(
        f"  open-weight evidence: {len(summary.evidence)} linked models, {agree} agree with the shown status, "
        f"{len(conflicts)} disagree (aggregator evidence: below the Hub and vendor evidence that set the status)"
    )
    for e in conflicts[:SHOWN]:
        app.print(
            f"    {e.model_key}: catalog says {e.says}, tracker shows {e.shown}" + (f" — {e.quote}" if e.quote else "")
        )
