"""Store one normalized OpenRouter listing: observations, state, prices, events.

The caller owns the session and the transaction. Writes are bulk Core
statements; an unchanged listing writes nothing (hashes are compared first).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from tracker.events.diff import ListingDiff, ListingState, diff_aliases, diff_listings, match_renames
from tracker.events.hashing import content_hash
from tracker.events.types import Event, ModelAdded, ModelDelisted, ModelRenamed
from tracker.normalize.openrouter import OpenRouterAliasRecord, OpenRouterModel, OpenRouterSnapshot
from tracker.normalize.pricing import PriceStatus, PriceValue
from tracker.normalize.shown import first_listing_shown
from tracker.store.bulk import TupleRows, select_in, update_rows
from tracker.store.events import insert_events
from tracker.store.identity import ensure_models
from tracker.store.runs import last_observed_at
from tracker.store.shown import searched_orgs
from tracker.store.tables import Crosswalk, Observation, OpenRouterAlias, OpenRouterListing, Price

SOURCE = "openrouter"
_OBS = Observation.__table__
CHUNK = 500
T = TypeVar("T")


@dataclass
class IngestResult:
    seen: int = 0
    new: int = 0
    changed: int = 0
    delisted: int = 0
    unchanged: int = 0
    aliases: int = 0
    events: list[Event] = field(default_factory=list)
    writes: int = 0
    #: Models whose shown values may have changed (their listings were added, changed or delisted);
    #: models created by this ingest already have theirs.
    affected_model_ids: set[int] = field(default_factory=set)

    def counts(self) -> dict[str, int]:
        return {
            "seen": self.seen,
            "new": self.new,
            "changed": self.changed,
            "delisted": self.delisted,
            "unchanged": self.unchanged,
            "aliases": self.aliases,
            "events": len(self.events),
            "writes": self.writes,
        }


def chunks(items: Sequence[T], size: int = CHUNK) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def delisting_basis(snapshot: OpenRouterSnapshot) -> tuple[bool, set[str]]:
    """The delisting decision's inputs: may this listing delist at all, and which ids it must never delist.

    A listing delists only when it is complete (a failed or partial crawl never does), and never an
    id whose entry was present but rejected. The one place to swap in a stricter completeness rule.
    """
    return snapshot.complete, {r.subject for r in snapshot.rejections}


def ingest_openrouter(session: Session, snapshot: OpenRouterSnapshot, *, run_id: int | None) -> IngestResult:
    """Apply ``snapshot`` to the database and return what changed."""
    observed_at = snapshot.observed_at
    result = IngestResult(seen=len(snapshot.models), aliases=len(snapshot.aliases))
    current = {m.id: m for m in snapshot.models}
    meaningful = {m.id: m.meaningful() for m in snapshot.models}
    hashes = {i: content_hash(fields) for i, fields in meaningful.items()}

    stored = _stored_listings(session, snapshot, list(current))
    # Prices are loaded only for listings whose hash differs (or that disappear).
    differing = [i for i, h in hashes.items() if i in stored and stored[i].content_hash != h]
    may_delist, unusable = delisting_basis(snapshot)
    disappearing = [i for i, row in stored.items() if row.status == "listed" and i not in current and i not in unusable]
    stored_prices = _current_prices(session, differing + (disappearing if may_delist else []))

    previous = {
        i: ListingState(
            id=i,
            model_key=row.base_id,
            content_hash=row.content_hash,
            name=row.name,
            variant=row.variant,
            context_length=row.context_length,
            prices={k: v for k, (v, _row_id) in stored_prices.get(i, {}).items()},
            listed=row.status == "listed",
            canonical_slug=row.canonical_slug,
            hugging_face_id=row.hugging_face_id,
        )
        for i, row in stored.items()
    }
    now_states = {
        m.id: ListingState(
            id=m.id,
            model_key=m.base_id,
            content_hash=hashes[m.id],
            name=m.name,
            variant=m.variant,
            context_length=m.context_length,
            prices={p.key: p for p in m.prices},
            canonical_slug=m.canonical_slug,
            hugging_face_id=m.hugging_face_id,
        )
        for m in snapshot.models
    }
    diff = diff_listings(
        previous, now_states, source=SOURCE, detected_at=observed_at, complete=may_delist, unusable=unusable
    )
    if snapshot.part == "chunk" and snapshot.hold_arrivals:
        _hold_arrivals(diff, previous, now_states, snapshot)
    elif snapshot.part == "end":
        _pair_renames(diff, previous, snapshot, observed_at)
    result.new, result.changed = len(diff.added), len(diff.changed)
    result.delisted, result.unchanged = len(diff.delisted), diff.unchanged

    touched = diff.added + diff.changed
    if touched or diff.delisted:
        closed_at = last_observed_at(session, SOURCE, exclude_run_id=run_id) or observed_at
        created: set[str] = set()
        model_ids: dict[str, int] = {}
        if diff.added:
            added = [current[i] for i in diff.added]
            searched = searched_orgs(session)  # api-only needs the vendor's Hub organisations searched
            model_ids = ensure_models(
                session,
                [(m.base_id, m.vendor, m.name if m.variant is None else None) for m in added],
                seen_at=observed_at,
                extra={
                    m.base_id: {
                        **first_listing_shown(
                            m.id,
                            hugging_face_id=m.hugging_face_id,
                            context_length=m.context_length,
                            created_at=m.created_at,
                            searched_orgs=searched,
                        ),
                        "openrouter_id": m.id,
                    }
                    for m in added
                    if m.variant is None
                },
                created=created,
            )
            result.writes += len(created) + _link_crosswalk(session, added, model_ids, observed_at)
        # created models got their shown values from their listing; the others are refreshed after
        with_shown = {
            model_ids[current[i].base_id]
            for i in diff.added
            if current[i].variant is None and current[i].base_id in created
        }
        for listing_id in touched + diff.delisted:
            model_id = _model_id_of(listing_id, stored, current, model_ids)
            if model_id is not None and model_id not in with_shown:
                result.affected_model_ids.add(model_id)
        obs_ids = _insert_observations(session, touched, meaningful, hashes, snapshot, run_id)
        result.writes += len(obs_ids)
        result.writes += _write_listings(session, diff, current, hashes, stored, obs_ids, model_ids, observed_at)
        result.writes += _write_prices(
            session, diff, current, stored, stored_prices, obs_ids, snapshot, observed_at, closed_at, model_ids
        )
        result.writes += _update_models(
            session, [current[i] for i in touched if current[i].base_id not in created], model_ids, observed_at
        )

    alias_events, alias_writes = (
        ([], 0) if snapshot.part == "chunk" else _ingest_aliases(session, snapshot, observed_at)
    )
    result.writes += alias_writes
    result.events = diff.events + alias_events
    result.writes += insert_events(session, result.events, run_id=run_id)
    return result


def _hold_arrivals(
    diff: ListingDiff, previous: dict[str, ListingState], now_states: dict[str, ListingState], snapshot: Any
) -> None:
    """Take the release events of new ids out of a chunk's diff; the end pairs them with the ids that left."""
    arrived = {i for i in diff.added if previous.get(i) is None}
    kept = []
    for event in diff.events:
        if isinstance(event, ModelAdded) and event.subject in arrived:
            snapshot.arrivals.append((now_states[event.subject], event))
        else:
            kept.append(event)
    diff.events = kept


def _pair_renames(
    diff: ListingDiff, previous: dict[str, ListingState], snapshot: Any, observed_at: dt.datetime
) -> None:
    """The end of a chunked crawl: the held releases, less those that carry on a listing that left (renames)."""
    gone = [previous[i] for i in diff.delisted]
    arrivals = dict((state.id, (state, event)) for state, event in snapshot.arrivals)
    renames = match_renames(gone, [state for state, _event in arrivals.values()])
    renamed_old = {old.id for old, _new, _by in renames}
    renamed_new = {new.id for _old, new, _by in renames}
    events: list[Event] = [event for i, (_state, event) in sorted(arrivals.items()) if i not in renamed_new]
    events.extend(
        ModelRenamed(
            subject=new.id,
            source=SOURCE,
            detected_at=observed_at,
            model_key=new.model_key,
            old_id=old.id,
            name=new.name,
            by=by,
        )
        for old, new, by in renames
    )
    events.extend(e for e in diff.events if not (isinstance(e, ModelDelisted) and e.subject in renamed_old))
    diff.events = events
    diff.renamed.extend((old.id, new.id) for old, new, _by in renames)


_LISTING_COLUMNS = (
    OpenRouterListing.id,
    OpenRouterListing.content_hash,
    OpenRouterListing.status,
    OpenRouterListing.name,
    OpenRouterListing.variant,
    OpenRouterListing.context_length,
    OpenRouterListing.base_id,
    OpenRouterListing.model_id,
    OpenRouterListing.canonical_slug,
    OpenRouterListing.hugging_face_id,
)


def any_listed(session: Session) -> bool:
    """Whether any OpenRouter listing is stored as listed (else a crawl's new ids cannot be renames)."""
    return (
        session.execute(select(OpenRouterListing.id).where(OpenRouterListing.status == "listed").limit(1)).first()
        is not None
    )


def _stored_listings(session: Session, snapshot: OpenRouterSnapshot, ids: Sequence[str]) -> dict[str, Any]:
    """The stored listings the snapshot is compared with (see :attr:`OpenRouterSnapshot.part`)."""
    if snapshot.part == "whole":
        return {row.id: row for row in session.execute(select(*_LISTING_COLUMNS))}
    if snapshot.part == "chunk":
        names = [c.key for c in _LISTING_COLUMNS]
        return {row.id: row for row in select_in(session, OpenRouterListing.__table__, names, "id", sorted(ids))}
    if snapshot.seen_key is None:
        raise ValueError("the end of a chunked crawl needs its seen_key")
    from sqlalchemy import func

    from tracker.store.seen import seen_subjects

    query = select(*_LISTING_COLUMNS).where(
        OpenRouterListing.status == "listed", func.lower(OpenRouterListing.id).not_in(seen_subjects(snapshot.seen_key))
    )
    return {row.id: row for row in session.execute(query)}


def _current_prices(
    session: Session, subjects: Iterable[str]
) -> dict[str, dict[tuple[str, str], tuple[PriceValue, int]]]:
    out: dict[str, dict[tuple[str, str], tuple[PriceValue, int]]] = defaultdict(dict)
    subjects = list(subjects)
    for part in chunks(subjects):
        rows = session.execute(
            select(Price).where(Price.source == SOURCE, Price.subject.in_(part), Price.last_seen_at.is_(None))
        ).scalars()
        for row in rows:
            value = PriceValue(
                component=row.component,
                tier=row.tier,
                min_prompt_tokens=row.min_prompt_tokens,
                status=PriceStatus(row.status),
                usd_per_mtok=row.usd_per_mtok,
                usd_per_unit=row.usd_per_unit,
                unit=row.unit,
                raw=row.raw,
            )
            out[row.subject][value.key] = (value, row.id)
    return out


def _model_ids_for(session: Session, keys: Iterable[str]) -> dict[str, int]:
    from tracker.store.tables import Model

    return {k: i for i, k in select_in(session, Model.__table__, ["id", "key"], "key", sorted(set(keys)))}


def _link_crosswalk(
    session: Session, models: list[OpenRouterModel], model_ids: dict[str, int], now: dt.datetime
) -> int:
    """The crosswalk rows of new listings (id, canonical slug, declared Hub repo) that are not stored yet."""
    wanted: dict[tuple[str, str], tuple[int, str, float]] = {}
    for m in models:
        model_id = model_ids[m.base_id]
        wanted[("openrouter", m.id)] = (model_id, "variant" if m.variant else "exact-id", 1.0)
        if m.canonical_slug and m.canonical_slug != m.id and m.variant is None:
            wanted[("openrouter-slug", m.canonical_slug)] = (model_id, "exact-id", 1.0)
        if m.hugging_face_id and m.variant is None:
            wanted[("huggingface", m.hugging_face_id)] = (model_id, "declared-hf-id", 0.95)
    if not wanted:
        return 0
    existing: set[tuple[str, str]] = set()
    by_namespace: dict[str, list[str]] = defaultdict(list)
    for namespace, external in wanted:
        by_namespace[namespace].append(external)
    table = Crosswalk.__table__
    for namespace, externals in by_namespace.items():
        rows = select_in(
            session, table, ["namespace", "external_id"], "external_id", externals, where={"namespace": namespace}
        )
        existing.update((row[0], row[1]) for row in rows)
    out = TupleRows(session, table, _CROSSWALK_NAMES)
    created = out.convert("created_at", now)
    return out.insert(
        [
            (model_id, namespace, external, method, confidence, created)
            for (namespace, external), (model_id, method, confidence) in wanted.items()
            if (namespace, external) not in existing
        ]
    )


_CROSSWALK_NAMES = ("model_id", "namespace", "external_id", "method", "confidence", "created_at")


def _insert_observations(
    session: Session,
    subjects: list[str],
    meaningful: dict[str, dict[str, Any]],
    hashes: dict[str, str],
    snapshot: OpenRouterSnapshot,
    run_id: int | None,
) -> dict[str, int]:
    if not subjects:
        return {}
    out = TupleRows(session, _OBS, _OBSERVATION_NAMES)
    observed_at, fetched_at = (
        out.convert("observed_at", snapshot.observed_at),
        out.convert("fetched_at", snapshot.fetched_at),
    )
    payload = out.converter("payload", memo=False)
    common = (snapshot.url, fetched_at, snapshot.http_status, snapshot.response_hash)
    rows = [
        (SOURCE, subject, observed_at, run_id, *common, hashes[subject], payload(meaningful[subject]))
        for subject in subjects
    ]
    return out.insert_returning(rows, "subject")


_OBSERVATION_NAMES = (
    "source",
    "subject",
    "observed_at",
    "run_id",
    "url",
    "fetched_at",
    "http_status",
    "response_hash",
    "content_hash",
    "payload",
)


def _listing_row(
    m: OpenRouterModel, content: str, obs_id: int | None, model_id: int | None, now: dt.datetime
) -> dict[str, Any]:
    return {
        "id": m.id,
        "model_id": model_id,
        "base_id": m.base_id,
        "variant": m.variant,
        "name": m.name,
        "description": m.description,
        "canonical_slug": m.canonical_slug,
        "hugging_face_id": m.hugging_face_id,
        "context_length": m.context_length,
        "max_completion_tokens": m.max_completion_tokens,
        "modality": m.modality,
        "input_modalities": list(m.input_modalities) if m.input_modalities is not None else None,
        "output_modalities": list(m.output_modalities) if m.output_modalities is not None else None,
        "created_upstream_at": m.created_at,
        "knowledge_cutoff": m.knowledge_cutoff,
        "expiration_date": m.expiration_date,
        "status": "listed",
        "last_changed_at": now,
        "delisted_at": None,
        "content_hash": content,
        "last_observation_id": obs_id,
    }


#: The columns of a new listing's row: those of :func:`_listing_row`, then ``first_seen_at``.
_LISTING_NAMES = (
    "id",
    "model_id",
    "base_id",
    "variant",
    "name",
    "description",
    "canonical_slug",
    "hugging_face_id",
    "context_length",
    "max_completion_tokens",
    "modality",
    "input_modalities",
    "output_modalities",
    "created_upstream_at",
    "knowledge_cutoff",
    "expiration_date",
    "status",
    "last_changed_at",
    "delisted_at",
    "content_hash",
    "last_observation_id",
    "first_seen_at",
)


class _ListingValues:
    """New listings' rows as tuples of :data:`_LISTING_NAMES` (the values of :func:`_listing_row`, converted)."""

    def __init__(self, out: TupleRows, now: dt.datetime) -> None:
        self.modalities_in = out.converter("input_modalities", _as_list)
        self.modalities_out = out.converter("output_modalities", _as_list)
        self.created = out.converter("created_upstream_at")
        self.now = out.convert("last_changed_at", now)
        self.first_seen = out.convert("first_seen_at", now)
        self.delisted = out.convert("delisted_at", None)

    def row(self, m: OpenRouterModel, content: str, obs_id: int | None, model_id: int | None) -> tuple[Any, ...]:
        return (
            m.id,
            model_id,
            m.base_id,
            m.variant,
            m.name,
            m.description,
            m.canonical_slug,
            m.hugging_face_id,
            m.context_length,
            m.max_completion_tokens,
            m.modality,
            self.modalities_in(m.input_modalities),
            self.modalities_out(m.output_modalities),
            self.created(m.created_at),
            m.knowledge_cutoff,
            m.expiration_date,
            "listed",
            self.now,
            self.delisted,
            content,
            obs_id,
            self.first_seen,
        )


def _as_list(values: tuple[str, ...] | None) -> list[str] | None:
    return list(values) if values is not None else None


def _write_listings(
    session: Session,
    diff: ListingDiff,
    current: dict[str, OpenRouterModel],
    hashes: dict[str, str],
    stored: dict[str, Any],
    obs_ids: dict[str, int],
    model_ids: dict[str, int],
    now: dt.datetime,
) -> int:
    updates = []
    out = TupleRows(session, OpenRouterListing.__table__, _LISTING_NAMES)
    values = _ListingValues(out, now)
    inserts = []
    for listing_id in diff.added:
        m = current[listing_id]
        if listing_id in stored:  # relisted
            updates.append(_listing_row(m, hashes[listing_id], obs_ids.get(listing_id), model_ids.get(m.base_id), now))
        else:
            inserts.append(values.row(m, hashes[listing_id], obs_ids.get(listing_id), model_ids.get(m.base_id)))
    for listing_id in diff.changed:
        m = current[listing_id]
        updates.append(_listing_row(m, hashes[listing_id], obs_ids.get(listing_id), stored[listing_id].model_id, now))
    out.insert(inserts)
    if updates:
        update_rows(session, OpenRouterListing.__table__, updates)
    if diff.delisted:
        update_rows(
            session,
            OpenRouterListing.__table__,
            [{"id": i, "status": "delisted", "delisted_at": now, "last_changed_at": now} for i in diff.delisted],
        )
    return len(inserts) + len(updates) + len(diff.delisted)


def _model_id_of(
    listing_id: str, stored: dict[str, Any], current: dict[str, OpenRouterModel], model_ids: dict[str, int]
) -> int | None:
    """The model a listing belongs to: as stored, else the one its base id was given in this ingest."""
    row = stored.get(listing_id)
    if row is not None and row.model_id is not None:
        return int(row.model_id)
    return model_ids.get(current[listing_id].base_id) if listing_id in current else None


def _price_row(
    p: PriceValue, *, subject: str, model_id: int | None, url: str | None, obs_id: int | None, now: dt.datetime
) -> dict[str, Any]:
    return {
        "source": SOURCE,
        "subject": subject,
        "model_id": model_id,
        "provider": None,
        "component": p.component,
        "tier": p.tier,
        "min_prompt_tokens": p.min_prompt_tokens,
        "status": str(p.status),
        "usd_per_mtok": p.usd_per_mtok,
        "usd_per_unit": p.usd_per_unit,
        "unit": p.unit,
        "raw": p.raw[:64] if p.raw else None,
        "first_seen_at": now,
        "last_seen_at": None,
        "url": url,
        "observation_id": obs_id,
        "extra": None,
    }


def _write_prices(
    session: Session,
    diff: ListingDiff,
    current: dict[str, OpenRouterModel],
    stored: dict[str, Any],
    stored_prices: dict[str, dict[tuple[str, str], tuple[PriceValue, int]]],
    obs_ids: dict[str, int],
    snapshot: OpenRouterSnapshot,
    now: dt.datetime,
    closed_at: dt.datetime,
    model_ids: dict[str, int],
) -> int:
    closes: list[int] = []
    out = TupleRows(session, Price.__table__, _PRICE_NAMES)
    values = _PriceValues(out, now)
    inserts: list[tuple[Any, ...]] = []
    url = snapshot.url
    for listing_id in diff.added:
        m = current[listing_id]
        if m.prices:
            model_id, obs_id = _model_id_of(listing_id, stored, current, model_ids), obs_ids.get(listing_id)
            inserts.extend(values.row(p, listing_id, model_id, url, obs_id) for p in m.prices)
    for listing_id in diff.changed:
        m = current[listing_id]
        before = stored_prices.get(listing_id, {})
        now_prices = {p.key: p for p in m.prices}
        for key, (old, row_id) in before.items():
            if not old.same_price(now_prices.get(key)):
                closes.append(row_id)
        for key, p in now_prices.items():
            old_entry = before.get(key)
            if old_entry is None or not old_entry[0].same_price(p):
                inserts.append(
                    values.row(
                        p,
                        listing_id,
                        _model_id_of(listing_id, stored, current, model_ids),
                        url,
                        obs_ids.get(listing_id),
                    )
                )
    for listing_id in diff.delisted:
        closes.extend(row_id for _value, row_id in stored_prices.get(listing_id, {}).values())
    if closes:
        update_rows(session, Price.__table__, [{"id": i, "last_seen_at": closed_at} for i in closes])
    out.insert(inserts)
    return len(inserts) + len(closes)


#: The columns of :func:`_price_row`, in its order.
_PRICE_NAMES = (
    "source",
    "subject",
    "model_id",
    "provider",
    "component",
    "tier",
    "min_prompt_tokens",
    "status",
    "usd_per_mtok",
    "usd_per_unit",
    "unit",
    "raw",
    "first_seen_at",
    "last_seen_at",
    "url",
    "observation_id",
    "extra",
)


class _PriceValues:
    """New price rows as tuples of :data:`_PRICE_NAMES` (the values of :func:`_price_row`, converted).

    A listing's prices repeat across listings (the same component, tier and amount, and the normalizer
    hands out the same :class:`PriceValue` object for them): the part of the row that depends on the
    price alone is made once per price object.
    """

    def __init__(self, out: TupleRows, now: dt.datetime) -> None:
        self.per_mtok = out.converter("usd_per_mtok")
        self.per_unit = out.converter("usd_per_unit")
        self.first_seen = out.convert("first_seen_at", now)
        self.last_seen = out.convert("last_seen_at", None)
        self.extra = out.convert("extra", None)
        self.parts: dict[int, tuple[PriceValue, tuple[Any, ...]]] = {}  # id → (the object, kept alive; part)

    def row(
        self, p: PriceValue, subject: str, model_id: int | None, url: str | None, obs_id: int | None
    ) -> tuple[Any, ...]:
        entry = self.parts.get(id(p))
        if entry is not None and entry[0] is p:
            part = entry[1]
        else:
            part = (
                p.component,
                p.tier,
                p.min_prompt_tokens,
                str(p.status),
                self.per_mtok(p.usd_per_mtok),
                self.per_unit(p.usd_per_unit),
                p.unit,
                p.raw[:64] if p.raw else None,
            )
            self.parts[id(p)] = (p, part)
        return (SOURCE, subject, model_id, None, *part, self.first_seen, self.last_seen, url, obs_id, self.extra)


def _update_models(session: Session, models: list[OpenRouterModel], model_ids: dict[str, int], now: dt.datetime) -> int:
    """The OpenRouter listing of the model itself is the primary source of name/context."""
    from tracker.store.tables import Model

    rows = []
    ids = dict(model_ids)
    missing = [m.base_id for m in models if m.base_id not in ids]
    if missing:
        ids.update(_model_ids_for(session, missing))
    for m in models:
        if m.variant is not None or m.base_id not in ids:
            continue
        rows.append(
            {
                "id": ids[m.base_id],
                "name": m.name,
                "context_length": m.context_length,
                "openrouter_id": m.id,
                "updated_at": now,
            }
        )
    if rows:
        update_rows(session, Model.__table__, rows)
        released = [
            {"id": ids[m.base_id], "released_at": m.created_at}
            for m in models
            if m.variant is None and m.created_at is not None and m.base_id in ids
        ]
        if released:
            _set_released(session, released)
    return len(rows)


def _set_released(session: Session, rows: list[dict[str, Any]]) -> None:
    from sqlalchemy import bindparam

    from tracker.store.tables import Model

    stmt = (
        update(Model.__table__)
        .where(Model.__table__.c.id == bindparam("b_id"), Model.__table__.c.released_at.is_(None))
        .values(released_at=bindparam("b_released"))
    )
    session.execute(stmt, [{"b_id": r["id"], "b_released": r["released_at"]} for r in rows])


def _ingest_aliases(session: Session, snapshot: OpenRouterSnapshot, now: dt.datetime) -> tuple[list[Event], int]:
    stored = {
        row.id: row
        for row in session.execute(
            select(OpenRouterAlias.id, OpenRouterAlias.target_id, OpenRouterAlias.content_hash, OpenRouterAlias.status)
        )
    }
    current: dict[str, OpenRouterAliasRecord] = {a.id: a for a in snapshot.aliases}
    hashes = {a.id: content_hash(a.meaningful()) for a in snapshot.aliases}
    events = diff_aliases(
        {i: r.target_id for i, r in stored.items() if r.status == "listed"},
        {i: a.target_id for i, a in current.items()},
        source=SOURCE,
        detected_at=now,
    )
    inserts = [
        {
            "id": a.id,
            "target_id": a.target_id,
            "target_name": a.target_name,
            "status": "listed",
            "first_seen_at": now,
            "last_changed_at": now,
            "content_hash": hashes[a.id],
        }
        for a in current.values()
        if a.id not in stored
    ]
    updates = [
        {
            "id": a.id,
            "target_id": a.target_id,
            "target_name": a.target_name,
            "status": "listed",
            "last_changed_at": now,
            "content_hash": hashes[a.id],
        }
        for a in current.values()
        if a.id in stored and (stored[a.id].content_hash != hashes[a.id] or stored[a.id].status != "listed")
    ]
    if snapshot.complete:
        updates.extend(
            {"id": i, "status": "delisted", "last_changed_at": now}
            for i, r in stored.items()
            if r.status == "listed" and i not in current
        )
    if inserts:
        session.execute(OpenRouterAlias.__table__.insert(), inserts)
    if updates:
        update_rows(session, OpenRouterAlias.__table__, updates)
    return events, len(inserts) + len(updates)
