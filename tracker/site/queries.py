"""Read everything the site shows from the database, once, as plain rows.

One query per table (no per-model queries), selecting only the columns the
site uses; card texts, the only large values, are read in batches while model
pages are rendered (:func:`card_texts`). The caller owns the session.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Container, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tracker.store.base import Base
from tracker.store.events import StoredEvent, read_events
from tracker.store.tables import Claim, Dispute, Document, Model, Observation, OpenRouterListing, Price


@dataclass(slots=True)
class ModelRow:
    id: int
    key: str
    vendor: str
    name: str | None
    first_seen_at: dt.datetime
    released_at: dt.datetime | None
    is_derivative: bool
    base_model_id: int | None
    base_relation: str | None
    open_weight_status: str
    open_weight_evidence: dict[str, Any] | None
    license_key: str | None
    license_class: str | None
    params_total: int | None
    params_active: int | None
    params_source: str | None
    context_length: int | None
    hf_repo_id: str | None
    openrouter_id: str | None
    updated_at: dt.datetime


@dataclass(slots=True)
class ListingRow:
    id: str
    model_id: int | None
    base_id: str
    variant: str | None
    name: str | None
    description: str | None
    hugging_face_id: str | None
    context_length: int | None
    max_completion_tokens: int | None
    modality: str | None
    created_upstream_at: dt.datetime | None
    knowledge_cutoff: str | None
    status: str
    first_seen_at: dt.datetime
    last_changed_at: dt.datetime
    delisted_at: dt.datetime | None
    #: Where and when the listing's current state was fetched (its last observation).
    url: str | None
    fetched_at: dt.datetime | None


@dataclass(slots=True)
class PriceRow:
    source: str
    subject: str
    model_id: int | None
    provider: str | None
    component: str
    tier: str
    min_prompt_tokens: int | None
    status: str
    usd_per_mtok: Decimal | None
    usd_per_unit: Decimal | None
    unit: str
    raw: str | None
    first_seen_at: dt.datetime
    last_seen_at: dt.datetime | None
    url: str | None

    @property
    def amount(self) -> Decimal | None:
        return self.usd_per_mtok if self.unit == "mtok" else self.usd_per_unit

    @property
    def current(self) -> bool:
        return self.last_seen_at is None


@dataclass(slots=True)
class ClaimRow:
    id: int
    model_id: int | None
    attribute: str
    qualifier: str
    value: str
    unit: str | None
    reporter: str
    source: str
    url: str | None
    published_at: dt.datetime | None
    fetched_at: dt.datetime
    quote: str | None
    status: str
    document_id: int | None


@dataclass(slots=True)
class DisputeRow:
    id: int
    model_id: int
    attribute: str
    qualifier: str
    status: str
    opened_at: dt.datetime
    resolved_at: dt.datetime | None
    shown_claim_id: int | None
    data: dict[str, Any] | None


@dataclass(slots=True)
class CardRef:
    document_id: int
    url: str
    fetched_at: dt.datetime


@dataclass
class SiteData:
    """Everything the site renders, indexed the way pages need it."""

    models: list[ModelRow]
    listings: dict[int, list[ListingRow]] = field(default_factory=dict)
    prices: dict[int, list[PriceRow]] = field(default_factory=dict)
    #: Typed events, newest first.
    events: list[StoredEvent] = field(default_factory=list)
    #: Stored events that could not be read back: ``(event id, error)``.
    broken_events: list[tuple[int, str]] = field(default_factory=list)
    #: :func:`tracker.store.events.event_digest` of each event in :attr:`events` (known valid), for the
    #: next build's ``known_events``.
    event_digests: list[bytes] = field(default_factory=list)
    claims: dict[int, list[ClaimRow]] = field(default_factory=dict)
    disputes: dict[int, list[DisputeRow]] = field(default_factory=dict)
    #: Model cards by document URL (newest fetch per URL).
    cards_by_url: dict[str, CardRef] = field(default_factory=dict)
    #: Card document ids linked to a model through its claims.
    cards_by_model: dict[int, CardRef] = field(default_factory=dict)
    #: OpenRouter per-provider offers by model id (cheapest first), and announced retirement dates.
    provider_offers: dict[int, list[Any]] = field(default_factory=dict)
    retirements: dict[int, dt.date] = field(default_factory=dict)
    #: Peer catalogs weighed against the primary history (issue 16), one summary per catalog.
    catalogs: list[Any] = field(default_factory=list)
    #: Renamed models folded into their new one (:mod:`tracker.site.renames`): old key → new key.
    renamed: dict[str, str] = field(default_factory=dict)
    #: False when ``listings`` and ``prices`` were left in the database, to be read a chunk of models
    #: at a time (:func:`model_rows`), so that memory does not grow with the price history.
    rows_loaded: bool = True
    #: Renamed models' ids → their new model's id (:func:`tracker.site.renames.fold_renamed`).
    rename_ids: dict[int, int] = field(default_factory=dict)

    @property
    def latest_event_at(self) -> dt.datetime | None:
        return self.events[0].detected_at if self.events else None


def load_site_data(session: Session, *, rows: bool = True, known_events: Container[bytes] | None = None) -> SiteData:
    """Read the tables the site shows (without the listings and prices unless ``rows``).

    ``known_events``: the :attr:`SiteData.event_digests` of an earlier read by the same code: those
    events are decoded only when shown (:func:`tracker.store.events.read_events`' ``known``).

    Text columns are ordered in Python (code-point order), not by the database, whose collation
    differs between SQLite and Postgres: the same data must give the same files on both.
    """
    shared: dict[str, str] = {}
    models = sorted(
        (_model_row(row, shared) for row in session.execute(select(*_model_columns()))), key=lambda m: m.key
    )
    data = SiteData(models=models)
    from tracker.site.offers import load_provider_offers, load_retirements

    data.provider_offers = load_provider_offers(session)
    data.retirements = load_retirements(session)
    from tracker.peers.report import catalog_report

    data.catalogs = list(catalog_report(session))
    if rows:
        data.listings, data.prices = _rows(session, None)
    else:
        data.rows_loaded = False
    events = read_events(session, newest_first=True, known=known_events if known_events is not None else ())
    data.events, data.broken_events, data.event_digests = events.events, events.broken, events.valid
    claims = [
        ClaimRow(*row)
        for row in session.execute(
            select(
                Claim.id,
                Claim.model_id,
                Claim.attribute,
                Claim.qualifier,
                Claim.value,
                Claim.unit,
                Claim.reporter,
                Claim.source,
                Claim.url,
                Claim.published_at,
                Claim.fetched_at,
                Claim.quote,
                Claim.status,
                Claim.document_id,
            )
            .where(Claim.model_id.is_not(None))
            .order_by(Claim.model_id, Claim.attribute, Claim.qualifier, Claim.id)
        )
    ]
    data.claims = _group(claims, lambda r: r.model_id)
    data.disputes = _group(
        (
            DisputeRow(*row)
            for row in session.execute(
                select(
                    Dispute.id,
                    Dispute.model_id,
                    Dispute.attribute,
                    Dispute.qualifier,
                    Dispute.status,
                    Dispute.opened_at,
                    Dispute.resolved_at,
                    Dispute.shown_claim_id,
                    Dispute.data,
                ).order_by(Dispute.model_id, Dispute.opened_at, Dispute.id)
            )
        ),
        lambda r: r.model_id,
    )
    cards = {
        row[0]: CardRef(row[0], row[1], row[2])
        for row in session.execute(
            select(Document.id, Document.url, Document.fetched_at)
            .where(Document.kind == "card")
            .order_by(Document.fetched_at, Document.id)
        )
    }
    for ref in cards.values():  # later fetches win
        data.cards_by_url[ref.url] = ref
    hub = Base.metadata.tables.get("hf_repos")
    if hub is not None and {"model_id", "card_document_id"} <= set(hub.c.keys()):
        # The Hugging Face crawl records which document holds each repo's card.
        for model_id, document_id in session.execute(
            select(hub.c.model_id, hub.c.card_document_id).where(
                hub.c.model_id.is_not(None), hub.c.card_document_id.is_not(None)
            )
        ):
            ref = cards.get(document_id)
            known = data.cards_by_model.get(model_id)
            if ref is not None and (
                known is None or (ref.fetched_at, ref.document_id) > (known.fetched_at, known.document_id)
            ):
                data.cards_by_model[model_id] = ref
    for claim in claims:
        if claim.document_id in cards and claim.model_id is not None:
            known = data.cards_by_model.get(claim.model_id)
            ref = cards[claim.document_id]
            if known is None or (ref.fetched_at, ref.document_id) > (known.fetched_at, known.document_id):
                data.cards_by_model[claim.model_id] = ref
    from tracker.site.renames import fold_renamed, renames_of

    listed = None
    if not rows:
        listed = {
            model_id: True
            for model_id in session.scalars(
                select(OpenRouterListing.model_id).where(OpenRouterListing.status == "listed").distinct()
            )
        }
    data.renamed = fold_renamed(data, renames_of(data.events), listed)
    return data


def model_rows(
    session: Session, model_ids: Sequence[int], rename_ids: Mapping[int, int] | None = None
) -> tuple[dict[int, list[ListingRow]], dict[int, list[PriceRow]]]:
    """The listings and prices of these models, grouped and ordered as :func:`load_site_data` does; with
    ``rename_ids`` (old model id → new) a renamed model's rows are read and shown under its new model."""
    from tracker.site.renames import fold_rows

    links = {old: new for old, new in (rename_ids or {}).items() if new in set(model_ids)}
    wanted = [*model_ids, *links]
    listings: dict[int, list[ListingRow]] = {}
    prices: dict[int, list[PriceRow]] = {}
    for start in range(0, len(wanted), 500):
        part_listings, part_prices = _rows(session, wanted[start : start + 500])
        listings.update(part_listings)
        prices.update(part_prices)
    return fold_rows(listings, prices, links) if links else (listings, prices)


def _rows(session: Session, model_ids: Sequence[int] | None) -> tuple[dict[Any, list[Any]], dict[Any, list[Any]]]:
    listing_query, price_query = _listing_query(), _price_query()
    if model_ids is not None:
        listing_query = listing_query.where(OpenRouterListing.model_id.in_(model_ids))
        price_query = price_query.where(Price.model_id.in_(model_ids))
    listings = sorted((ListingRow(*row) for row in session.execute(listing_query)), key=lambda r: r.id)
    prices = sorted(
        (PriceRow(*row) for row in session.execute(price_query)),
        key=lambda p: (p.subject, p.component, p.tier, p.first_seen_at, p.last_seen_at is None),
    )
    return _group(listings, lambda r: r.model_id), _group(prices, lambda r: r.model_id)


#: Characters of a card read from the database: enough for front matter plus the excerpt shown.
CARD_CHARS = 65_536


def card_texts(session: Session, document_ids: Iterable[int], *, limit: int = CARD_CHARS) -> dict[int, str]:
    """The beginning (``limit`` characters) of these card documents, read only when pages need them."""
    ids = sorted(set(document_ids))
    out: dict[int, str] = {}
    text = func.substr(Document.text, 1, limit)
    for start in range(0, len(ids), 500):
        part = ids[start : start + 500]
        out.update({i: t for i, t in session.execute(select(Document.id, text).where(Document.id.in_(part)))})
    return out


def _model_columns() -> tuple[Any, ...]:
    models = Model.__table__  # the table's columns: rows come back as tuples, without the ORM's loading
    return (
        models.c.id,
        models.c.key,
        models.c.vendor,
        models.c.name,
        models.c.first_seen_at,
        models.c.released_at,
        models.c.is_derivative,
        models.c.base_model_id,
        models.c.base_relation,
        models.c.open_weight_status,
        models.c.open_weight_evidence,
        models.c.license_key,
        models.c.license_class,
        models.c.params_total,
        models.c.params_active,
        models.c.params_source,
        models.c.context_length,
        models.c.hf_repo_id,
        models.c.openrouter_id,
        models.c.updated_at,
    )


#: Places in :func:`_model_columns` of the columns with few distinct values (vendor, base relation,
#: open-weight status, licence, licence class, parameters' source).
_SHARED_COLUMNS = (2, 8, 9, 11, 12, 15)


def _model_row(row: Sequence[Any], shared: dict[str, str]) -> ModelRow:
    """A model's row whose few-valued strings are one object per value (``shared``), not one per row:
    at 100,000 models they were ~30 MB of copies, and copies again in the summaries made from them."""
    values = list(row)
    for i in _SHARED_COLUMNS:
        value = values[i]
        if value is not None:
            values[i] = shared.setdefault(value, value)
    return ModelRow(*values)


def _listing_query() -> Any:
    return (
        select(
            OpenRouterListing.id,
            OpenRouterListing.model_id,
            OpenRouterListing.base_id,
            OpenRouterListing.variant,
            OpenRouterListing.name,
            OpenRouterListing.description,
            OpenRouterListing.hugging_face_id,
            OpenRouterListing.context_length,
            OpenRouterListing.max_completion_tokens,
            OpenRouterListing.modality,
            OpenRouterListing.created_upstream_at,
            OpenRouterListing.knowledge_cutoff,
            OpenRouterListing.status,
            OpenRouterListing.first_seen_at,
            OpenRouterListing.last_changed_at,
            OpenRouterListing.delisted_at,
            Observation.url,
            Observation.fetched_at,
        )
        .outerjoin(Observation, Observation.id == OpenRouterListing.last_observation_id)
        .where(OpenRouterListing.model_id.is_not(None))
    )


def _price_query() -> Any:
    return select(
        Price.source,
        Price.subject,
        Price.model_id,
        Price.provider,
        Price.component,
        Price.tier,
        Price.min_prompt_tokens,
        Price.status,
        Price.usd_per_mtok,
        Price.usd_per_unit,
        Price.unit,
        Price.raw,
        Price.first_seen_at,
        Price.last_seen_at,
        Price.url,
    ).where(Price.model_id.is_not(None))


def _group(rows: Iterable[Any], key: Any) -> dict[Any, list[Any]]:
    out: dict[Any, list[Any]] = defaultdict(list)
    for row in rows:
        out[key(row)].append(row)
    return dict(out)
