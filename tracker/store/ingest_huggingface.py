"""Store one Hub crawl: repos, cards, claims, identity, shown values, events.

The caller owns the session and the transaction. Only repos whose detail was
fetched (new, or changed ``sha`` / ``lastModified`` / ``gated``) are written, and
only what differs: an unchanged re-crawl writes nothing.

* A repo whose card could not be fetched this time (rate limit, timeout, 5xx)
  keeps its stored state; it is fetched again next crawl. A new repo in that
  situation is stored from its API data alone.
* A repo absent from a *complete* listing of its organisation is marked
  ``removed`` (never after a failed or partial listing, nor from an empty one).
* The first crawl of an organisation is a baseline: its existing repos are
  recorded without ``model_released`` or benchmark events.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.orm import Session

from tracker.events.hashing import content_hash
from tracker.events.types import (
    BenchmarkClaimAdded,
    Event,
    GatingChanged,
    LicenseChanged,
    ModelDelisted,
    ModelReleased,
)
from tracker.normalize.huggingface import KnownRepo, ListingEntry, RepoFacts
from tracker.normalize.identity import org_of
from tracker.store.bulk import insert_rows
from tracker.store.crosswalk import RepoIdentity, resolve_hub_models
from tracker.store.db import make_engine, make_sessionmaker
from tracker.store.events import insert_events
from tracker.store.ingest_documents import extract_card_claims
from tracker.store.shown import awaiting_weights, refresh_models
from tracker.store.tables import Claim, Document, Model, Observation
from tracker.store.tables.huggingface import HfOrg, HfRepo

SOURCE = "huggingface"
CHUNK = 500


@dataclass(frozen=True, slots=True)
class FetchInfo:
    """Provenance of one fetched response."""

    url: str
    fetched_at: dt.datetime
    http_status: int | None = None
    response_hash: str | None = None


@dataclass
class RepoRecord:
    """A repo whose detail (and card, or the card's error) arrived in this crawl."""

    facts: RepoFacts
    detail: FetchInfo
    card_url: str
    watched: bool = True


@dataclass
class HubBatch:
    observed_at: dt.datetime
    #: Every repo seen in a listing (watched organisations and discovery).
    listed: dict[str, ListingEntry] = field(default_factory=dict)
    records: dict[str, RepoRecord] = field(default_factory=dict)
    #: Organisation → repos listed, for organisations whose listing completed.
    complete_orgs: dict[str, int] = field(default_factory=dict)
    #: Watched organisations whose listing completed (their first such crawl is the baseline).
    listed_orgs: set[str] = field(default_factory=set)


@dataclass
class HubIngestResult:
    seen: int = 0
    new: int = 0
    changed: int = 0
    unchanged: int = 0
    removed: int = 0
    #: Repos whose sha moved without a meaningful change.
    refreshed: int = 0
    #: Known repos left as stored because their card could not be fetched.
    deferred: int = 0
    claims: int = 0
    writes: int = 0
    events: list[Event] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        return {
            "seen": self.seen,
            "new": self.new,
            "changed": self.changed,
            "unchanged": self.unchanged,
            "delisted": self.removed,
            "writes": self.writes,
        }

    def extra(self) -> dict[str, int]:
        return {"refreshed": self.refreshed, "deferred": self.deferred, "claims_written": self.claims}


def _chunks(items: Sequence[Any], size: int = CHUNK) -> Iterable[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def known_repos(session: Session) -> dict[str, KnownRepo]:
    """What the spider compares listings with: every listed repo's sha, lastModified and gating."""
    rows = session.execute(
        select(
            HfRepo.id,
            HfRepo.sha,
            HfRepo.last_modified,
            HfRepo.gated,
            HfRepo.card_state,
            HfRepo.card_sha,
            HfRepo.watched,
        ).where(HfRepo.status == "listed")
    )
    return {
        row.id: KnownRepo(
            sha=row.sha,
            last_modified=row.last_modified,
            gated=row.gated,
            settled=row.card_state in ("ok", "invalid") and row.card_sha == row.sha,
            watched=row.watched,
        )
        for row in rows
    }


_STORED = (
    HfRepo.id,
    HfRepo.id_lower,
    HfRepo.model_id,
    HfRepo.status,
    HfRepo.watched,
    HfRepo.content_hash,
    HfRepo.gated,
    HfRepo.license_key,
    HfRepo.license_class,
    HfRepo.card_document_id,
    HfRepo.card_hash,
    HfRepo.last_observation_id,
    HfRepo.first_seen_at,
)


def ingest_huggingface(session: Session, batch: HubBatch, *, run_id: int | None) -> HubIngestResult:
    """Apply one crawl's repos to the database and return what changed."""
    now = batch.observed_at
    result = HubIngestResult(seen=len(batch.listed))
    known_orgs = {name.lower() for name in session.scalars(select(HfOrg.name))}

    def baseline(repo_id: str) -> bool:
        """Found before its organisation's first complete crawl was recorded: existing, not released."""
        return org_of(repo_id).lower() not in known_orgs

    lowers = sorted({repo_id.lower() for repo_id in batch.records})
    stored: dict[str, Any] = {}
    for part in _chunks(lowers):
        stored.update({row.id_lower: row for row in session.execute(select(*_STORED).where(HfRepo.id_lower.in_(part)))})

    new: list[str] = []
    changed: list[str] = []
    refreshed: list[str] = []
    hashes: dict[str, str] = {}
    for repo_id in sorted(batch.records):
        record = batch.records[repo_id]
        row = stored.get(repo_id.lower())
        if row is not None and record.facts.card.state == "unavailable":
            result.deferred += 1
            continue
        hashes[repo_id] = content_hash(record.facts.meaningful())
        if row is None:
            new.append(repo_id)
        elif (
            row.content_hash != hashes[repo_id]
            or row.status != "listed"
            or row.id != repo_id
            or row.watched != record.watched
        ):
            changed.append(repo_id)
        else:
            refreshed.append(repo_id)
    content_changed = [r for r in changed if stored[r.lower()].content_hash != hashes[r]]

    # identity: a model for each new repo (and for any stored repo that has none)
    unlinked = new + [r for r in changed + refreshed if stored[r.lower()].model_id is None]
    links, identity_writes = resolve_hub_models(
        session,
        [RepoIdentity(repo_id=r, org=org_of(r), is_derivative=batch.records[r].facts.is_derivative) for r in unlinked],
        now=now,
    )
    result.writes += identity_writes
    model_of = {r: stored[r.lower()].model_id for r in changed + refreshed if stored[r.lower()].model_id is not None}
    model_of.update({r: link.model_id for r, link in links.items()})

    written = new + content_changed
    documents = _write_documents(session, [batch.records[r] for r in written], run_id, now)
    observations = _write_observations(session, [batch.records[r] for r in written], hashes, run_id, now)
    result.writes += len(documents.inserted) + len(observations)
    result.writes += _write_repos(
        session, batch, new, changed, refreshed, stored, hashes, model_of, documents.ids, observations, now
    )
    claim_rows, inserted_claims = _write_claims(
        session, [batch.records[r] for r in written], model_of, documents.ids, now
    )
    result.claims = claim_rows
    result.writes += claim_rows

    removed = _mark_removed(session, batch, now)
    result.removed = len(removed)
    result.writes += len(removed)
    searched_now = [org for org in sorted(batch.listed_orgs) if org.lower() not in known_orgs]
    for org in searched_now:
        session.execute(insert(HfOrg).values(name=org, first_crawled_at=now))
        result.writes += 1

    fresh = [r for r in new if batch.records[r].watched and not baseline(r)]
    touched = set(model_of[r] for r in written + refreshed if r in model_of)
    touched.update(model_id for _repo, model_id in removed if model_id is not None)
    touched.update(_models_based_on(session, new))
    touched.update(awaiting_weights(session, searched_now))  # a first search decides api-only (issue 12)
    shown = refresh_models(session, touched, now=now, source=SOURCE, fresh_repos=fresh)
    result.writes += shown.writes

    keys = _model_keys(session, set(model_of.values()) | {m for _r, m in removed if m is not None})
    events: list[Event] = []
    for repo_id in new:
        facts = batch.records[repo_id].facts
        link = links.get(repo_id)
        if (
            batch.records[repo_id].watched
            and not facts.is_derivative
            and not baseline(repo_id)
            and link is not None
            and link.created
        ):
            events.append(
                ModelReleased(
                    subject=repo_id,
                    source=SOURCE,
                    detected_at=now,
                    model_key=keys.get(link.model_id),
                    name=repo_id.split("/", 1)[1],
                    vendor=org_of(repo_id),
                    license_key=facts.license.key,
                    open_weight_status=str(facts.weights.status),
                )
            )
    for repo_id in changed:
        facts, row = batch.records[repo_id].facts, stored[repo_id.lower()]
        model_key = keys.get(model_of.get(repo_id, -1))
        if row.gated != facts.gated:
            events.append(
                GatingChanged(
                    subject=repo_id, source=SOURCE, detected_at=now, model_key=model_key, old=row.gated, new=facts.gated
                )
            )
        if row.license_key != facts.license.key:
            events.append(
                LicenseChanged(
                    subject=repo_id,
                    source=SOURCE,
                    detected_at=now,
                    model_key=model_key,
                    old=row.license_key,
                    new=facts.license.key,
                    old_class=row.license_class,
                    new_class=facts.license.license_class,
                )
            )
    quiet = {r for r in new if baseline(r)}
    for repo_id, score in inserted_claims:
        if repo_id in quiet or not batch.records[repo_id].watched:
            continue
        events.append(
            BenchmarkClaimAdded(
                subject=repo_id,
                source=SOURCE,
                detected_at=now,
                model_key=keys.get(model_of.get(repo_id, -1)),
                benchmark=score["benchmark"],
                value=score["value"],
                unit=score["unit"],
                settings=score["settings"] or None,
                reporter=score["reporter"],
                self_reported=not score["verified"],
            )
        )
    for repo_id, model_id in removed:
        events.append(
            ModelDelisted(
                subject=repo_id,
                source=SOURCE,
                detected_at=now,
                model_key=keys.get(model_id) if model_id is not None else None,
                name=repo_id.split("/", 1)[1],
            )
        )
    events.extend(shown.events)
    cards = extract_card_claims(session, documents.inserted, now=now, run_id=run_id)  # card bodies → vendor claims
    events.extend(cards.events)
    result.writes += cards.writes
    result.events = events
    result.writes += insert_events(session, events, run_id=run_id)
    result.new, result.changed, result.refreshed = len(new), len(changed), len(refreshed)
    result.unchanged = result.seen - result.new - result.changed
    return result


# ───────────────────────────── writers ─────────────────────────────


@dataclass
class _Documents:
    #: (card url, content hash) → document id
    ids: dict[tuple[str, str], int] = field(default_factory=dict)
    inserted: list[int] = field(default_factory=list)


def _write_documents(session: Session, records: list[RepoRecord], run_id: int | None, now: dt.datetime) -> _Documents:
    out = _Documents()
    wanted = {
        (r.card_url, r.facts.card_hash): r for r in records if r.facts.card.body is not None and r.facts.card_hash
    }
    if not wanted:
        return out
    urls = sorted({url for url, _h in wanted})
    for part in _chunks(urls):
        for doc_id, url, digest in session.execute(
            select(Document.id, Document.url, Document.content_hash).where(Document.url.in_(part))
        ):
            if (url, digest) in wanted:
                out.ids[(url, digest)] = doc_id
    rows = [
        {
            "url": url,
            "kind": "card",
            "vendor": r.facts.org,
            "title": r.facts.repo_id,
            "published_at": r.facts.last_modified,
            "fetched_at": r.detail.fetched_at,
            "content_hash": digest,
            "text": r.facts.card.body,
            "feed_url": None,
            "run_id": run_id,
        }
        for (url, digest), r in sorted(wanted.items())
        if (url, digest) not in out.ids
    ]
    for part in _chunks(rows, 1000):
        for doc_id, url, digest in session.execute(
            insert(Document).returning(Document.id, Document.url, Document.content_hash, sort_by_parameter_order=True),
            list(part),
        ):
            out.ids[(url, digest)] = doc_id
            out.inserted.append(doc_id)
    return out


def _write_observations(
    session: Session, records: list[RepoRecord], hashes: dict[str, str], run_id: int | None, now: dt.datetime
) -> dict[str, int]:
    rows = [
        {
            "source": SOURCE,
            "subject": r.facts.repo_id,
            "observed_at": now,
            "run_id": run_id,
            "url": r.detail.url,
            "fetched_at": r.detail.fetched_at,
            "http_status": r.detail.http_status,
            "response_hash": r.detail.response_hash,
            "content_hash": hashes[r.facts.repo_id],
            "payload": r.facts.meaningful(),
        }
        for r in records
    ]
    ids: dict[str, int] = {}
    for part in _chunks(rows, 1000):
        for obs_id, subject in session.execute(
            insert(Observation).returning(Observation.id, Observation.subject, sort_by_parameter_order=True),
            list(part),
        ):
            ids[subject] = obs_id
    return ids


def _repo_row(record: RepoRecord, content: str, now: dt.datetime) -> dict[str, Any]:
    facts = record.facts
    card = facts.card
    return {
        "id": facts.repo_id,
        "id_lower": facts.repo_id.lower(),
        "org": org_of(facts.repo_id),
        "watched": record.watched,
        "status": "listed",
        "sha": facts.sha,
        "last_modified": facts.last_modified,
        "created_upstream_at": facts.created_at,
        "gated": facts.gated,
        "disabled": facts.disabled,
        "pipeline_tag": facts.pipeline_tag,
        "library_name": facts.library_name,
        "license_key": facts.license.key,
        "license_class": facts.license.license_class,
        "license_source": facts.license_source,
        "license": {**facts.license.attributes(), "declared": facts.license.declared},
        "base_model": facts.base_model,
        "base_models": list(facts.base_models) or None,
        "base_relation": facts.base_relation,
        "is_derivative": facts.is_derivative,
        "params_total": facts.params.total,
        "params_total_source": facts.params.total_source,
        "params_active": facts.params.active,
        "params_active_source": facts.params.active_source,
        "context_length": facts.context_length,
        "open_weight_status": str(facts.weights.status),
        "open_weight_evidence": facts.weights.evidence,
        "card_state": card.state,
        "card_error": card.reason[:64] if card.reason else None,
        "card_error_detail": card.detail[:4000] if card.detail else None,
        "card_sha": facts.sha if card.settled else None,
        "card_hash": facts.card_hash,
        "content_hash": content,
        "last_changed_at": now,
        "removed_at": None,
    }


def _write_repos(
    session: Session,
    batch: HubBatch,
    new: list[str],
    changed: list[str],
    refreshed: list[str],
    stored: dict[str, Any],
    hashes: dict[str, str],
    model_of: dict[str, int],
    documents: dict[tuple[str, str], int],
    observations: dict[str, int],
    now: dt.datetime,
) -> int:
    def document_id(record: RepoRecord) -> int | None:
        digest = record.facts.card_hash
        return documents.get((record.card_url, digest)) if digest else None

    inserts = []
    for repo_id in new:
        record = batch.records[repo_id]
        row = _repo_row(record, hashes[repo_id], now)
        row.update(
            model_id=model_of.get(repo_id),
            card_document_id=document_id(record),
            last_observation_id=observations.get(repo_id),
            first_seen_at=now,
        )
        inserts.append(row)
    writes = insert_rows(session, HfRepo.__table__, inserts)
    for repo_id in changed:
        record, old = batch.records[repo_id], stored[repo_id.lower()]
        row = _repo_row(record, hashes[repo_id], now)
        row.update(
            model_id=model_of.get(repo_id, old.model_id),
            card_document_id=document_id(record) or (old.card_document_id if record.facts.card_hash else None),
            last_observation_id=observations.get(repo_id, old.last_observation_id),
        )
        del row["id"]
        session.execute(update(HfRepo).where(HfRepo.id == old.id).values(row | {"id": repo_id}))
        writes += 1
    if refreshed:
        rows = []
        for repo_id in refreshed:
            facts = batch.records[repo_id].facts
            rows.append(
                {
                    "id": repo_id,
                    "sha": facts.sha,
                    "last_modified": facts.last_modified,
                    "card_sha": facts.sha if facts.card.settled else None,
                    "card_state": facts.card.state,
                    "model_id": model_of.get(repo_id),
                }
            )
        session.execute(update(HfRepo), rows)
        writes += len(rows)
    return writes


def _claim_hash(repo_id: str, attribute: str, qualifier: str, value: str, reporter: str) -> str:
    return content_hash(
        {
            "source": SOURCE,
            "subject": repo_id,
            "attribute": attribute,
            "qualifier": qualifier,
            "value": value,
            "reporter": reporter,
        }
    )


def claims_of(
    record: RepoRecord, model_id: int | None, document_id: int | None, now: dt.datetime
) -> list[dict[str, Any]]:
    """The Hub's facts about one repo as claim rows (primary facts and the card's benchmarks)."""
    facts = record.facts
    repo_id = facts.repo_id
    base = {
        "model_id": model_id,
        "mention": repo_id,
        "source": SOURCE,
        "published_at": facts.last_modified,
        "fetched_at": record.detail.fetched_at,
        "status": "unchecked",
        "created_at": now,
    }
    rows: list[dict[str, Any]] = []

    def add(attribute: str, value: str, **more: Any) -> None:
        qualifier = more.pop("qualifier", "")
        reporter = more.pop("reporter", "primary")
        row = {
            **base,
            "attribute": attribute,
            "qualifier": qualifier,
            "value": value,
            "value_num": None,
            "unit": None,
            "reporter": reporter,
            "url": record.detail.url,
            "document_id": None,
            "quote": None,
            "extra": None,
            "claim_hash": _claim_hash(repo_id, attribute, qualifier, value, reporter),
        }
        row.update(more)
        rows.append(row)

    if facts.license.key is not None:
        from_card = facts.license_source == "card"
        add(
            "license",
            facts.license.key,
            url=record.card_url if from_card else record.detail.url,
            document_id=document_id if from_card else None,
            quote=facts.license_quote,
            extra={**facts.license.attributes(), "declared": facts.license.declared, "from": facts.license_source},
        )
    if str(facts.weights.status) != "unknown":
        add("openness", str(facts.weights.status), extra={"evidence": facts.weights.evidence})
    if facts.params.total is not None:
        add(
            "params_total",
            str(facts.params.total),
            value_num=Decimal(facts.params.total),
            unit="parameters",
            extra={"method": facts.params.total_source},
        )
    if facts.params.active is not None:
        add(
            "params_active",
            str(facts.params.active),
            value_num=Decimal(facts.params.active),
            unit="parameters",
            extra={"method": facts.params.active_source},
        )
    if facts.context_length is not None:
        add(
            "context_length",
            str(facts.context_length),
            value_num=Decimal(facts.context_length),
            unit="tokens",
            extra={"method": "config"},
        )
    from_card = facts.benchmarks_from == "card"
    for score in facts.benchmarks:
        add(
            "benchmark",
            str(score.value),
            qualifier=score.qualifier,
            reporter=score.reporter,
            value_num=score.value,
            unit=score.unit[:32],
            url=record.card_url if from_card else record.detail.url,
            document_id=document_id if from_card else None,
            quote=score.quote,
            extra={**score.as_dict(), "self_reported": not score.verified, "from": facts.benchmarks_from},
        )
    return rows


def _write_claims(
    session: Session,
    records: list[RepoRecord],
    model_of: dict[str, int],
    documents: dict[tuple[str, str], int],
    now: dt.datetime,
) -> tuple[int, list[tuple[str, dict[str, Any]]]]:
    """Insert new claims, re-confirm known ones; returns (rows written, new benchmark claims)."""
    rows: list[dict[str, Any]] = []
    for record in records:
        digest = record.facts.card_hash
        doc = documents.get((record.card_url, digest)) if digest else None
        rows.extend(claims_of(record, model_of.get(record.facts.repo_id), doc, now))
    if not rows:
        return 0, []
    by_hash = {row["claim_hash"]: row for row in rows}
    existing: dict[str, tuple[int, int | None]] = {}
    hashes = sorted(by_hash)
    for part in _chunks(hashes):
        for claim_id, digest, model_id in session.execute(
            select(Claim.id, Claim.claim_hash, Claim.model_id).where(Claim.claim_hash.in_(part))
        ):
            existing[digest] = (claim_id, model_id)
    inserts = [row for digest, row in by_hash.items() if digest not in existing]
    insert_rows(session, Claim.__table__, inserts)
    confirms = [
        {"id": existing[digest][0], "fetched_at": row["fetched_at"], "model_id": row["model_id"]}
        for digest, row in by_hash.items()
        if digest in existing
    ]
    if confirms:
        session.execute(update(Claim), confirms)
    new_benchmarks = [
        (row["mention"], row["extra"]) for row in inserts if row["attribute"] == "benchmark" and row["extra"]
    ]
    return len(inserts) + len(confirms), new_benchmarks


def _mark_removed(session: Session, batch: HubBatch, now: dt.datetime) -> list[tuple[str, int | None]]:
    """Repos absent from a complete listing of their (watched) organisation."""
    listed = {repo_id.lower() for repo_id in batch.listed}
    removed: list[tuple[str, int | None]] = []
    for org, count in sorted(batch.complete_orgs.items()):
        if count == 0:
            continue  # an empty "complete" listing is more likely an upstream glitch than a wiped org
        rows = session.execute(
            select(HfRepo.id, HfRepo.model_id).where(
                func.lower(HfRepo.org) == org.lower(), HfRepo.status == "listed", HfRepo.watched.is_(True)
            )
        )
        removed.extend((repo_id, model_id) for repo_id, model_id in rows if repo_id.lower() not in listed)
    if removed:
        session.execute(
            update(HfRepo),
            [
                {"id": repo_id, "status": "removed", "removed_at": now, "last_changed_at": now}
                for repo_id, _m in removed
            ],
        )
    return removed


def _models_based_on(session: Session, repo_ids: list[str]) -> set[int]:
    """Models whose repo names one of ``repo_ids`` as its base (their lineage can now be linked)."""
    out: set[int] = set()
    lowers = sorted({r.lower() for r in repo_ids})
    for part in _chunks(lowers):
        out.update(
            session.scalars(
                select(HfRepo.model_id).where(func.lower(HfRepo.base_model).in_(part), HfRepo.model_id.is_not(None))
            )
        )
    return out


def _model_keys(session: Session, model_ids: set[int]) -> dict[int, str]:
    out: dict[int, str] = {}
    ids = sorted(model_ids)
    for part in _chunks(ids):
        out.update({i: key for i, key in session.execute(select(Model.id, Model.key).where(Model.id.in_(part)))})
    return out


def load_known_repos(database_url: str) -> dict[str, KnownRepo]:
    """:func:`known_repos` from a database URL (the crawl child's read before it starts)."""
    engine = make_engine(database_url)
    try:
        with make_sessionmaker(engine)() as session:
            return known_repos(session)
    finally:
        engine.dispose()
