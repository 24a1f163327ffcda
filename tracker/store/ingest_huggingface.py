"""What a Hub crawl reads and writes: the batch it hands over, the stored repos, and the writers.

The decisions (new / changed / refreshed / removed repos, their events) are the
pure :mod:`tracker.update.hub`; the order of the steps is
:func:`tracker.update.huggingface.apply_hub`. Everything here takes the caller's
session and either reads or writes: documents (card bodies), observations,
repos, organisations, and the Hub's facts as :class:`~tracker.store.claims.ClaimRecord`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.orm import Session

from tracker.events.types import Event
from tracker.normalize.huggingface import KnownRepo, ListingEntry, RepoFacts
from tracker.normalize.identity import org_of
from tracker.store.bulk import in_chunks, insert_returning, insert_rows
from tracker.store.claims import ClaimRecord, repo_identity
from tracker.store.tables import Document, Model, Observation
from tracker.store.tables.huggingface import HfOrg, HfRepo

SOURCE = "huggingface"


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
    #: A crawl that stores in chunks: the key of its "seen" rows (:mod:`tracker.store.seen`), read instead of
    #: ``listed`` to decide which repos a complete listing lacks.
    seen_key: str | None = None
    #: The crawl's name index for card claims, kept across its chunks (``tracker.update.documents.NameIndexCache``).
    names: Any = None
    #: The claims of the card bodies, extracted before the transaction (``tracker.update.huggingface.extract_cards``):
    #: (card url, repo id) → ``CardExtraction``; a card missing here is read inside the transaction.
    extracted: Any = None


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


@dataclass(frozen=True, slots=True)
class StoredRepo:
    """What the decider compares a crawled repo with."""

    id: str
    id_lower: str
    model_id: int | None
    status: str
    watched: bool
    content_hash: str | None
    gated: str | None = None
    license_key: str | None = None
    license_class: str | None = None
    card_document_id: int | None = None
    card_hash: str | None = None
    last_observation_id: int | None = None
    first_seen_at: dt.datetime | None = None


def load_stored(session: Session, repo_ids: Collection[str]) -> dict[str, StoredRepo]:
    """The stored state of ``repo_ids``, keyed by lower-case repo id."""
    lowers = sorted({repo_id.lower() for repo_id in repo_ids})
    stored: dict[str, StoredRepo] = {}
    for part in in_chunks(lowers):
        for row in session.execute(select(*_STORED).where(HfRepo.id_lower.in_(part))):
            stored[row.id_lower] = StoredRepo(**row._asdict())
    return stored


def known_orgs(session: Session) -> set[str]:
    """Organisations (lower case) whose first complete crawl was recorded."""
    return {name.lower() for name in session.scalars(select(HfOrg.name))}


def record_orgs(session: Session, orgs: Iterable[str], known: Collection[str], now: dt.datetime) -> int:
    """Remember the organisations whose listing completed for the first time."""
    writes = 0
    for org in sorted(orgs):
        if org.lower() not in known:
            session.execute(insert(HfOrg).values(name=org, first_crawled_at=now))
            writes += 1
    return writes


# ───────────────────────────── writers ─────────────────────────────


@dataclass
class CardDocuments:
    #: (card url, content hash) → document id
    ids: dict[tuple[str, str], int] = field(default_factory=dict)
    inserted: list[int] = field(default_factory=list)


def stored_cards(session: Session, wanted: Collection[tuple[str, str]]) -> dict[tuple[str, str], int]:
    """The documents already stored among ``wanted`` ``(card url, content hash)`` → document id."""
    out: dict[tuple[str, str], int] = {}
    urls = sorted({url for url, _h in wanted})
    for part in in_chunks(urls):
        for doc_id, url, digest in session.execute(
            select(Document.id, Document.url, Document.content_hash).where(Document.url.in_(part))
        ):
            if (url, digest) in wanted:
                out[(url, digest)] = doc_id
    return out


def card_keys(records: Iterable[RepoRecord]) -> set[tuple[str, str]]:
    """``(card url, content hash)`` of the records that carry a card body."""
    return {(r.card_url, r.facts.card_hash) for r in records if r.facts.card.body is not None and r.facts.card_hash}


def write_documents(session: Session, records: list[RepoRecord], run_id: int | None, now: dt.datetime) -> CardDocuments:
    out = CardDocuments()
    wanted = {
        (r.card_url, r.facts.card_hash): r for r in records if r.facts.card.body is not None and r.facts.card_hash
    }
    if not wanted:
        return out
    out.ids.update(stored_cards(session, wanted))
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
    for part in in_chunks(rows, 1000):
        for doc_id, url, digest in session.execute(
            insert(Document).returning(Document.id, Document.url, Document.content_hash, sort_by_parameter_order=True),
            list(part),
        ):
            out.ids[(url, digest)] = doc_id
            out.inserted.append(doc_id)
    return out


def write_observations(
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
    return insert_returning(session, Observation.__table__, rows, "subject")


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


def write_repos(
    session: Session,
    records: Mapping[str, RepoRecord],
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
        record = records[repo_id]
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
        record, old = records[repo_id], stored[repo_id.lower()]
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
            facts = records[repo_id].facts
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


def claims_of(record: RepoRecord, model_id: int | None, document_id: int | None, now: dt.datetime) -> list[ClaimRecord]:
    """The Hub's facts about one repo as claims (primary facts and the card's benchmarks)."""
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
    rows: list[ClaimRecord] = []

    def add(attribute: str, value: str, **more: Any) -> None:
        qualifier = more.pop("qualifier", "")
        reporter = more.pop("reporter", "primary")
        more.setdefault("url", record.detail.url)
        rows.append(
            ClaimRecord(
                identity=repo_identity(SOURCE, repo_id, attribute, qualifier, value, reporter),
                attribute=attribute,
                qualifier=qualifier,
                value=value,
                reporter=reporter,
                **base,
                **more,
            )
        )

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


def hub_claims(
    records: Sequence[RepoRecord],
    model_of: Mapping[str, int],
    documents: Mapping[tuple[str, str], int],
    now: dt.datetime,
) -> list[ClaimRecord]:
    """The claims of the repos whose content was written (each with its card document, if any)."""
    out: list[ClaimRecord] = []
    for record in records:
        digest = record.facts.card_hash
        doc = documents.get((record.card_url, digest)) if digest else None
        out.extend(claims_of(record, model_of.get(record.facts.repo_id), doc, now))
    return out


def listed_repos_of(session: Session, orgs: Iterable[str]) -> dict[str, list[tuple[str, int | None]]]:
    """Organisation → its stored, listed, watched repos ``(repo id, model id)``."""
    out: dict[str, list[tuple[str, int | None]]] = {}
    for org in sorted(set(orgs)):
        rows = session.execute(
            select(HfRepo.id, HfRepo.model_id).where(
                func.lower(HfRepo.org) == org.lower(), HfRepo.status == "listed", HfRepo.watched.is_(True)
            )
        )
        out[org] = [(repo_id, model_id) for repo_id, model_id in rows]
    return out


def unseen_repos_of(session: Session, orgs: Iterable[str], key: str) -> dict[str, list[tuple[str, int | None]]]:
    """Organisation → its stored, listed, watched repos that the crawl ``key`` did not list (its "seen" rows)."""
    from tracker.store.seen import seen_subjects

    out: dict[str, list[tuple[str, int | None]]] = {}
    for org in sorted(set(orgs)):
        rows = session.execute(
            select(HfRepo.id, HfRepo.model_id).where(
                func.lower(HfRepo.org) == org.lower(),
                HfRepo.status == "listed",
                HfRepo.watched.is_(True),
                HfRepo.id_lower.not_in(seen_subjects(key)),
            )
        )
        out[org] = [(repo_id, model_id) for repo_id, model_id in rows]
    return out


def mark_removed(session: Session, removed: Sequence[tuple[str, int | None]], now: dt.datetime) -> int:
    """Mark repos removed (their rows and history stay)."""
    if removed:
        session.execute(
            update(HfRepo),
            [
                {"id": repo_id, "status": "removed", "removed_at": now, "last_changed_at": now}
                for repo_id, _m in removed
            ],
        )
    return len(removed)


def models_based_on(session: Session, repo_ids: list[str]) -> set[int]:
    """Models whose repo names one of ``repo_ids`` as its base (their lineage can now be linked)."""
    out: set[int] = set()
    lowers = sorted({r.lower() for r in repo_ids})
    for part in in_chunks(lowers):
        out.update(
            session.scalars(
                select(HfRepo.model_id).where(func.lower(HfRepo.base_model).in_(part), HfRepo.model_id.is_not(None))
            )
        )
    return out


def model_keys(session: Session, model_ids: set[int]) -> dict[int, str]:
    out: dict[int, str] = {}
    ids = sorted(model_ids)
    for part in in_chunks(ids):
        out.update({i: key for i, key in session.execute(select(Model.id, Model.key).where(Model.id.in_(part)))})
    return out
