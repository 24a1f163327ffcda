"""``tracker check``: fact-check one article against what the tracker holds.

Each claim of the article is linked to a model and set beside the claim the
tracker shows for that model, attribute and qualifier (the ledger's choice, by
precedence), with a verdict:

* ``consistent`` / ``disputed`` — compared within the attribute's tolerance (a
  price with the API price in effect when the article appeared);
* ``unknown model`` — the mention names no model the tracker knows (``Qwen 3 (72B)``);
* ``not checkable`` — the model is known but the tracker holds nothing to
  compare with (no parameter count for an API-only model, a benchmark nobody
  else reported).

Unless told not to, the article is stored as a press document and its claims
as press claims, and the update's last steps run: primary claims, the ledger
(disputes), events. The verdicts are those of the tracker *before* the article
was added. URLs are fetched through :func:`tracker.sources.fetch.fetch_articles`.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from tracker.claims.ledger import REPORTER_LABEL, evaluate, pick_shown
from tracker.claims.linking import build_index
from tracker.claims.primary import price_history, sync_primary_claims
from tracker.claims.records import DocumentRef, claim_records
from tracker.config import Settings
from tracker.extract import extract_claims
from tracker.normalize.articles import read_article
from tracker.sources.fetch import fetch_articles
from tracker.store.claims import ClaimRecord, upsert
from tracker.store.events import insert_events
from tracker.store.ingest_documents import PageRecord, insert_document, text_hash
from tracker.store.tables import Claim, Document, Model
from tracker.update.ledger import reweigh

VERDICTS = ("consistent", "disputed", "unknown model", "not checkable")


@dataclass
class Held:
    """What the tracker holds for a model's attribute: the shown claim (or the API price of the time)."""

    value: str
    unit: str | None
    source: str
    reporter: str
    url: str | None
    quote: str | None
    since: str | None = None


@dataclass
class CheckedClaim:
    verdict: str
    attribute: str
    qualifier: str
    value: str
    unit: str | None
    mention: str | None
    model: str | None
    quote: str | None
    held: Held | None = None
    #: Why the model is unknown (``unknown`` or ``ambiguous``) and the candidates.
    link: str | None = None
    candidates: list[str] = field(default_factory=list)


@dataclass
class CheckReport:
    source: str
    url: str
    title: str | None
    published_at: str | None
    stored: bool
    #: The document was new (False: the same text was checked or crawled before).
    new_document: bool
    claims: list[CheckedClaim]
    events: list[str] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        out = dict.fromkeys(VERDICTS, 0)
        for claim in self.claims:
            out[claim.verdict] += 1
        return out

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["counts"] = self.counts()
        return data


def check_article(session: Session, page: PageRecord, *, store: bool, now: dt.datetime) -> CheckReport:
    """Check ``page`` (see the module docstring); the caller commits, or rolls back for ``--no-store``."""
    index = build_index(session)
    digest = text_hash(page.text)
    existing_doc = session.execute(
        select(Document.id).where(Document.url == page.url, Document.content_hash == digest)
    ).scalar_one_or_none()
    ref = DocumentRef(
        url=page.url,
        kind="press",
        source=page.source,
        fetched_at=page.fetched_at,
        document_id=existing_doc,
        published_at=page.published_at,
        title=page.title,
    )
    rows = claim_records(extract_claims(page.text, title=page.title, published=page.published_at), ref, index, now=now)
    model_ids = sorted({r.model_id for r in rows if r.model_id is not None})
    sync_primary_claims(session, model_ids, now=now)
    models = (
        {m.id: m for m in session.execute(select(Model).where(Model.id.in_(model_ids))).scalars()} if model_ids else {}
    )
    held: dict[tuple[int, str, str], list[Any]] = defaultdict(list)
    if model_ids:
        others = or_(Claim.url.is_(None), Claim.url != page.url)
        for claim in session.scalars(select(Claim).where(Claim.model_id.in_(model_ids), others)):
            held[(claim.model_id, claim.attribute, claim.qualifier)].append(claim)
    history = price_history(session, [m.openrouter_id for m in models.values() if m.openrouter_id])
    checked = [_verdict(row, held, models, history, index) for row in rows]
    report = CheckReport(
        source=page.source,
        url=page.url,
        title=page.title,
        published_at=page.published_at.isoformat() if page.published_at else None,
        stored=store,
        new_document=existing_doc is None,
        claims=checked,
    )
    if store:
        document_id = existing_doc
        if document_id is None:
            document_id = insert_document(session, replace(page, kind="press", vendor=None, feed_url=None), run_id=None)
        for row in rows:
            row.document_id = document_id
        upsert(session, rows)
        ledger = reweigh(session, now=now)
        insert_events(session, ledger.events, run_id=None)
        report.events = [f"{e.kind}: {e.subject}" for e in ledger.events]
    return report


def _verdict(
    row: ClaimRecord,
    held: dict[tuple[int, str, str], list[Any]],
    models: dict[int, Any],
    history: dict[tuple[str, str], list[Any]],
    index: Any,
) -> CheckedClaim:
    out = CheckedClaim(
        verdict="not checkable",
        attribute=row.attribute,
        qualifier=row.qualifier,
        value=row.value,
        unit=row.unit,
        mention=row.mention,
        model=index.keys.get(row.model_id) if row.model_id is not None else None,
        quote=row.quote,
    )
    if row.model_id is None:
        out.verdict = "unknown model"
        extra = row.extra or {}
        out.link = extra.get("link")
        out.candidates = list(extra.get("candidates", []))
        return out
    model = models.get(row.model_id)
    group = held.get((row.model_id, row.attribute, row.qualifier), [])
    shown = pick_shown(group, model) if group and model is not None else None
    if shown is None:
        return out
    result = evaluate(row, shown, model, history if row.attribute == "price" else {})
    if result is None:
        return out
    agreed, reference = result
    out.verdict = "consistent" if agreed else "disputed"
    since = (reference.get("extra") or {}).get("since")
    out.held = Held(
        value=str(reference.get("value")),
        unit=shown.unit,
        source=shown.source,
        reporter=REPORTER_LABEL.get(shown.reporter, shown.reporter),
        url=shown.url,
        quote=shown.quote,
        since=str(since)[:10] if since else None,
    )
    return out


# ───────────────────────────── reading the articles ─────────────────────────────


@dataclass
class Problem:
    """An input that could not be checked (unreadable file, failed fetch, no article)."""

    input: str
    reason: str
    detail: str


def read_file(path: Path, *, max_bytes: int, now: dt.datetime) -> PageRecord:
    """A local file as an article: its name is its source and its URL (there is none)."""
    fmt = {".md": "markdown", ".markdown": "markdown", ".html": "html", ".htm": "html"}.get(path.suffix.lower(), "text")
    article = read_article(
        path.read_bytes(), content_type=None, url=path.name, max_bytes=max_bytes, fallback_format=fmt
    )
    return PageRecord(
        url=path.name,
        kind="press",
        source=path.name,
        fetched_at=now,
        text=article.text,
        title=article.title,
        published_at=article.published_at,
    )


def fetch_pages(
    settings: Settings, urls: list[str], *, log_level: str = "WARNING"
) -> tuple[list[PageRecord], list[Problem]]:
    """Fetch ``urls`` through the crawler (robots.txt, User-Agent, size cap, allowed hosts), in a child process."""
    fetched = fetch_articles(settings, urls, log_level=log_level)
    pages = [
        PageRecord(
            url=a.url,
            kind="press",
            source=a.host,
            fetched_at=a.fetched_at,
            text=a.text,
            title=a.title,
            published_at=a.published_at,
        )
        for a in fetched.articles
    ]
    return pages, [Problem(p.url, p.reason, p.detail) for p in fetched.problems]
