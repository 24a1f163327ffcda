"""What goes into a weekly issue: database queries → :class:`IssueContext`.

The context is the documented contract between the data and the templates:
plain dataclasses of display-ready strings and numbers, nothing else. It is
stored as the archive's ``data.json`` (:func:`context_to_dict`) and read back
with :func:`context_from_dict`, so an archived issue re-renders byte for byte.

Sections, all over the week's half-open interval ``[start, end)``:

* **numbers** — counts for the week (``new_models``, net ``price_changes``, ...);
* **new_models** — originals first seen this week (not derivatives; a model
  counts once under its key, never again for its ``:free``/``:beta``
  listings), grouped by vendor, each with openness, licence, parameters,
  context and the price in force at the end of the week;
* **price_changes** — net change per offer × component × tier
  (:mod:`tracker.newsletter.netprice`), flip-flops and moves under the
  threshold left out;
* **status_changes** — licence, open-weight status and gating, net over the week;
* **disputes** — ``claim_disputed`` events with both sides and the quote;
* **benchmarks** — ``benchmark_claim_added`` events, labelled self-reported;
* **delisted** — listings gone at the end of the week (a delisting undone by
  a relisting in the same week is left out).

Source text is untrusted: it is made one-line here (:func:`formatting.one_line`),
source links are kept only when they are http(s), and the templates escape
everything.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import types
import typing
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any, TypeVar

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tracker import urls
from tracker.errors import ConfigError
from tracker.events.types import (
    BenchmarkClaimAdded,
    ClaimDisputed,
    DisputeResolved,
    Event,
    GatingChanged,
    LicenseChanged,
    ModelAdded,
    ModelDelisted,
    ModelReleased,
    OpenWeightStatusChanged,
    PriceChanged,
    RetirementAnnounced,
)
from tracker.newsletter import formatting as fmt
from tracker.newsletter.netprice import NetChange, PriceStep, net_changes
from tracker.newsletter.new_models import new_model_ids
from tracker.newsletter.week import IsoWeek
from tracker.normalize.numbers import format_decimal
from tracker.peers.digest import week_disagreements
from tracker.store.events import read_events
from tracker.store.tables import Model, Price
from tracker.vocabulary import shown_prices

log = logging.getLogger(__name__)

#: The kinds whose ``old``/``new`` are a status (licence, open-weight status, gating).
StatusEvent = LicenseChanged | OpenWeightStatusChanged | GatingChanged

#: Bump when the context's shape changes (stored in data.json).
CONTEXT_VERSION = 1
#: Longest list per section; the rest is counted and linked to the site's change log.
MAX_ITEMS = 100

STATUS_KINDS = {
    "license_changed": "licence",
    "open_weight_status_changed": "weights",
    "gating_changed": "gating",
}
WEEK_KINDS = (
    "price_changed",
    "model_added",
    "model_delisted",
    "context_length_changed",
    "claim_disputed",
    "dispute_resolved",
    "benchmark_claim_added",
    "retirement_announced",
    *STATUS_KINDS,
)


@dataclass
class Links:
    site: str
    issue: str
    changes: str
    #: The unsubscribe link; per recipient when sending, the generic page in the archive.
    unsubscribe: str


@dataclass
class WeekNumbers:
    new_models: int = 0
    #: Net changes shown (offer × component × tier).
    price_changes: int = 0
    price_cuts: int = 0
    price_increases: int = 0
    #: Every observed price change of the week, noise included.
    price_observations: int = 0
    #: Offer × component × tier series that moved but netted out or stayed under the threshold.
    price_noise_left_out: int = 0
    status_changes: int = 0
    disputes: int = 0
    benchmark_claims: int = 0
    delisted: int = 0
    context_changes: int = 0
    #: Models known at the end of the week (derivatives excluded).
    models_tracked: int = 0


@dataclass
class NewModel:
    key: str
    name: str
    url: str
    openness: str
    open_weight_status: str
    license: str
    license_class: str | None = None
    params: str | None = None
    context: str | None = None
    price: str | None = None
    released_on: str | None = None


@dataclass
class VendorGroup:
    vendor: str
    url: str
    models: list[NewModel] = field(default_factory=list)


@dataclass
class PriceLine:
    component: str
    label: str
    tier: str
    tier_label: str
    #: ``$1.20``, or ``$0.001 per request`` when the new side is not a price; ``none`` when absent.
    old: str
    #: ``$0.78 per 1M tokens``, ``free``, ``none``.
    new: str
    unit: str
    percent: str | None
    #: ``cut``, ``increase``, ``now-free``, ``no-longer-free``, ``added``, ``removed``, ``status``.
    direction: str
    #: Exact amounts (decimal text) for machines; None when not priced.
    old_amount: str | None = None
    new_amount: str | None = None
    steps: int = 1


@dataclass
class PricedOffer:
    """One offer (an OpenRouter id) with its net price changes."""

    subject: str
    name: str
    url: str
    lines: list[PriceLine] = field(default_factory=list)


@dataclass
class StatusChange:
    key: str
    name: str
    url: str
    #: ``licence``, ``weights``, ``gating``.
    what: str
    old: str
    new: str


@dataclass
class DisputeItem:
    key: str
    name: str
    url: str
    attribute: str
    shown: str
    shown_source: str
    contrary: str
    contrary_source: str
    quote: str | None = None
    #: The contrary source's page, only when it is an http(s) URL.
    source_url: str | None = None
    resolved: bool = False


@dataclass
class BenchmarkItem:
    key: str
    name: str
    url: str
    benchmark: str
    value: str
    settings: str | None
    #: ``self-reported`` for vendor claims, else who reported it.
    label: str
    reporter: str


@dataclass
class DelistedItem:
    key: str
    subject: str
    name: str
    url: str
    variant: str | None = None


@dataclass
class CatalogDisagreement:
    """A peer catalog value that disagrees with the primary source, first stored this week (issue 16)."""

    catalog: str
    name: str
    attribute: str
    catalog_value: str
    primary_value: str
    #: ``stale since 2026-03-17`` or ``wrong by +53.8%``.
    verdict: str
    url: str


@dataclass
class RetiringItem:
    """A retirement announced this week (OpenRouter ``expiration_date``)."""

    key: str
    subject: str
    name: str
    url: str
    #: ISO date.
    retires_on: str


@dataclass
class Omitted:
    """Items beyond :data:`MAX_ITEMS` per section (counted, not listed)."""

    new_models: int = 0
    price_changes: int = 0
    status_changes: int = 0
    disputes: int = 0
    benchmarks: int = 0
    delisted: int = 0


@dataclass
class IssueContext:
    """Everything a newsletter template may use."""

    version: int
    week: str
    #: ``16 Mar 2026`` and ``22 Mar 2026``: the week's Monday and Sunday.
    starts_on: str
    ends_on: str
    timezone: str
    #: The threshold under which net price moves are left out, e.g. ``2``.
    threshold_percent: str
    links: Links
    numbers: WeekNumbers
    new_models: list[VendorGroup] = field(default_factory=list)
    price_changes: list[PricedOffer] = field(default_factory=list)
    status_changes: list[StatusChange] = field(default_factory=list)
    disputes: list[DisputeItem] = field(default_factory=list)
    benchmarks: list[BenchmarkItem] = field(default_factory=list)
    delisted: list[DelistedItem] = field(default_factory=list)
    omitted: Omitted = field(default_factory=Omitted)
    #: Catalogs that disagree with the source this week (only written to data.json when there are some).
    catalogs: list[CatalogDisagreement] = field(default_factory=list)
    catalogs_more: int = 0
    #: Retirements announced this week, soonest first (left out of data.json when empty).
    retiring: list[RetiringItem] = field(default_factory=list)

    @property
    def quiet(self) -> bool:
        """Nothing to report in any section."""
        n = self.numbers
        return not (
            n.new_models
            or n.price_changes
            or n.status_changes
            or n.disputes
            or n.benchmark_claims
            or n.delisted
            or self.retiring
        )

    @property
    def items(self) -> int:
        """Number of reported items (the headline total)."""
        n = self.numbers
        return (
            n.new_models
            + n.price_changes
            + n.status_changes
            + n.disputes
            + n.benchmark_claims
            + n.delisted
            + len(self.retiring)
        )


# --------------------------------------------------------------------------- JSON


def context_to_dict(context: IssueContext) -> dict[str, Any]:
    data = dataclasses.asdict(context)
    if not context.catalogs and not context.catalogs_more:  # issues without the section keep their data.json
        data.pop("catalogs")
        data.pop("catalogs_more")
    if not data["retiring"]:
        del data["retiring"]  # issues without retirements read and render as before
    return data


def context_from_dict(data: dict[str, Any]) -> IssueContext:
    """The inverse of :func:`context_to_dict` (unknown keys are an error)."""
    version = data.get("version")
    if version != CONTEXT_VERSION:
        raise ValueError(f"data.json has context version {version!r}; this tracker reads version {CONTEXT_VERSION}")
    return _load(IssueContext, data)


def _load(tp: Any, value: Any) -> Any:
    origin = typing.get_origin(tp)
    if origin in (types.UnionType, typing.Union):
        if value is None:
            return None
        inner = [a for a in typing.get_args(tp) if a is not type(None)]
        return _load(inner[0], value)
    if dataclasses.is_dataclass(tp):
        if not isinstance(value, dict):
            raise ValueError(f"{tp.__name__}: expected an object")
        hints = typing.get_type_hints(tp)
        names = {f.name for f in dataclasses.fields(tp)}
        unknown = set(value) - names
        if unknown:
            raise ValueError(f"{tp.__name__}: unknown keys {sorted(unknown)}")
        return tp(**{k: _load(hints[k], v) for k, v in value.items()})
    if origin is list:
        if not isinstance(value, list):
            raise ValueError(f"expected a list, got {type(value).__name__}")
        (item,) = typing.get_args(tp)
        return [_load(item, v) for v in value]
    if tp in (int, str, bool) and not isinstance(value, tp):
        raise ValueError(f"expected {tp.__name__}, got {value!r}")
    return value


# --------------------------------------------------------------------------- queries


@dataclass
class _WeekEvent:
    """A typed event of the week with the model it is about (key, display name, site link)."""

    id: int
    event: Event
    key: str
    name: str
    url: str

    @property
    def kind(self) -> str:
        return self.event.kind

    @property
    def subject(self) -> str:
        return self.event.subject

    @property
    def detected_at(self) -> dt.datetime:
        return self.event.detected_at


def threshold_of(text: str) -> Decimal:
    try:
        value = Decimal(str(text).strip())
    except InvalidOperation as exc:
        raise ConfigError(f"newsletter.price_change_threshold_percent must be a number, not {text!r}") from exc
    if not value.is_finite() or value < 0:
        raise ConfigError(f"newsletter.price_change_threshold_percent must be 0 or more, not {text!r}")
    return value


def build_context(
    session: Session,
    week: IsoWeek,
    *,
    tz_name: str,
    start: dt.datetime,
    end: dt.datetime,
    base_url: str,
    unsubscribe_url: str,
    threshold_percent: Decimal,
) -> IssueContext:
    """Query the week's data and assemble the context (read-only)."""

    def link(key: str) -> str:
        return urls.absolute(base_url, urls.model_path(key))

    events = _week_events(session, start, end, link)
    by_kind: dict[str, list[_WeekEvent]] = defaultdict(list)
    for event in events:
        by_kind[event.kind].append(event)

    omitted = Omitted()
    numbers = WeekNumbers(models_tracked=_models_tracked(session, end))

    new_models, numbers.new_models = _new_models(session, start, end, base_url, link)
    new_models, omitted.new_models = _cap_groups(new_models)

    offers, changes = _price_changes(by_kind["price_changed"], threshold_percent)
    numbers.price_observations = len(by_kind["price_changed"])
    numbers.price_changes = len(changes)
    numbers.price_cuts = sum(1 for c in changes if c.direction == "cut")
    numbers.price_increases = sum(1 for c in changes if c.direction == "increase")
    series = {(d.subject, d.tier, d.component) for _e, d in _typed(by_kind["price_changed"], PriceChanged)}
    numbers.price_noise_left_out = len(series) - len(changes)
    offers, omitted.price_changes = _cap(offers)

    status = _status_changes([e for k in STATUS_KINDS for e in by_kind[k]])
    numbers.status_changes = len(status)
    status, omitted.status_changes = _cap(status)

    disputes = _disputes(by_kind["claim_disputed"], by_kind["dispute_resolved"])
    numbers.disputes = len(disputes)
    disputes, omitted.disputes = _cap(disputes)

    benchmarks = [_benchmark(e) for e in by_kind["benchmark_claim_added"]]
    numbers.benchmark_claims = len(benchmarks)
    benchmarks, omitted.benchmarks = _cap(benchmarks)

    delisted = _delisted(by_kind["model_delisted"] + by_kind["model_added"])
    numbers.delisted = len(delisted)
    delisted, omitted.delisted = _cap(delisted)

    numbers.context_changes = len(by_kind["context_length_changed"])
    retiring = _retiring(by_kind["retirement_announced"])

    catalog_rows, catalogs_more = week_disagreements(session, start=start, end=end, link=link)

    return IssueContext(
        version=CONTEXT_VERSION,
        week=week.label,
        starts_on=_day(week.monday),
        ends_on=_day(week.sunday),
        timezone=tz_name,
        threshold_percent=format_decimal(threshold_percent),
        links=Links(
            site=urls.absolute(base_url, ""),
            issue=urls.absolute(base_url, urls.newsletter_path(week.label)),
            changes=urls.absolute(base_url, urls.changes_path()),
            unsubscribe=unsubscribe_url,
        ),
        numbers=numbers,
        new_models=new_models,
        price_changes=offers,
        status_changes=status,
        disputes=disputes,
        benchmarks=benchmarks,
        delisted=delisted,
        omitted=omitted,
        catalogs=[CatalogDisagreement(**row) for row in catalog_rows],
        catalogs_more=catalogs_more,
        retiring=retiring,
    )


def _day(day: dt.date) -> str:
    return f"{day.day} {day.strftime('%b')} {day.year}"


def _cap(items: list[Any]) -> tuple[list[Any], int]:
    if len(items) <= MAX_ITEMS:
        return items, 0
    return items[:MAX_ITEMS], len(items) - MAX_ITEMS


def _cap_groups(groups: list[VendorGroup]) -> tuple[list[VendorGroup], int]:
    kept: list[VendorGroup] = []
    room, dropped = MAX_ITEMS, 0
    for group in groups:
        if room <= 0:
            dropped += len(group.models)
            continue
        if len(group.models) > room:
            dropped += len(group.models) - room
            group = dataclasses.replace(group, models=group.models[:room])
        room -= len(group.models)
        kept.append(group)
    return kept, dropped


def _week_events(session: Session, start: dt.datetime, end: dt.datetime, link: Any) -> list[_WeekEvent]:
    read = read_events(session, since=start, until=end, kinds=WEEK_KINDS)
    for row_id, error in read.broken:
        log.warning("event %s left out of the issue: %s", row_id, error)
    model_ids = sorted({e.model_id for e in read.events if e.model_id is not None})
    models: dict[int, tuple[str, str | None]] = {}
    for part in range(0, len(model_ids), 500):
        query = select(Model.id, Model.key, Model.name).where(Model.id.in_(model_ids[part : part + 500]))
        models.update({i: (k, n) for i, k, n in session.execute(query)})
    out = []
    for stored in read.events:
        event = stored.event
        model_key, model_name = (
            models.get(stored.model_id, (None, None)) if stored.model_id is not None else (None, None)
        )
        key = model_key or event.model_key or event.subject
        named = event.name if isinstance(event, ModelAdded | ModelDelisted | ModelReleased) else None
        name = fmt.one_line(model_name or named or key)
        out.append(_WeekEvent(stored.id, event, key, name, link(key)))
    return out


def _models_tracked(session: Session, end: dt.datetime) -> int:
    query = select(func.count(Model.id)).where(Model.first_seen_at < end, Model.is_derivative.is_(False))
    return int(session.execute(query).scalar_one())


def _new_models(
    session: Session, start: dt.datetime, end: dt.datetime, base_url: str, link: Any
) -> tuple[list[VendorGroup], int]:
    news = new_model_ids(session, start, end)  # originals released this week, never a baseline (issue 12)
    rows = session.scalars(select(Model).where(Model.id.in_(sorted(news))).order_by(Model.id)).all()
    prices = _prices_at(session, rows, end)
    groups: dict[str, list[NewModel]] = defaultdict(list)
    for m in rows:
        groups[m.vendor].append(
            NewModel(
                key=m.key,
                name=fmt.one_line(m.name or m.key),
                url=link(m.key),
                openness=fmt.openness_label(m.open_weight_status),
                open_weight_status=fmt.one_line(m.open_weight_status, 40),
                license=fmt.one_line(m.license_key, 80) or "licence unknown",
                license_class=fmt.one_line(m.license_class, 40) or None,
                params=fmt.params_text(m.params_total, m.params_active, m.params_source),
                context=fmt.context_text(m.context_length),
                price=prices.get(m.id),
                released_on=_day(m.released_at.date()) if m.released_at else None,
            )
        )
    out = [
        VendorGroup(
            vendor=fmt.one_line(vendor, 128),
            url=urls.absolute(base_url, urls.vendor_path(vendor)),
            models=sorted(models, key=lambda x: (x.name.casefold(), x.key)),
        )
        for vendor, models in sorted(groups.items(), key=lambda kv: (kv[0].casefold(), kv[0]))
    ]
    return out, len(rows)


def _prices_at(session: Session, models: Iterable[Model], end: dt.datetime) -> dict[int, str]:
    """``model id → "$0.78 in · $3.90 out per 1M tokens"``: the price shown for it at ``end``.

    The price is the one :func:`tracker.vocabulary.shown_prices` picks, the same rule as the site's.
    """
    by_id = {m.id: m for m in models}
    if not by_id:
        return {}
    rows: dict[int, list[Price]] = defaultdict(list)
    ids = sorted(by_id)
    for start in range(0, len(ids), 500):
        query = (
            select(Price)
            .where(
                Price.model_id.in_(ids[start : start + 500]),
                Price.tier == "",
                Price.component.in_(("prompt", "completion")),
                Price.first_seen_at < end,
            )
            .order_by(Price.first_seen_at, Price.id)
        )
        for price in session.scalars(query):
            assert price.model_id is not None
            rows[price.model_id].append(price)
    out: dict[int, str] = {}
    for model_id, model in by_id.items():
        prices = rows.get(model_id, [])
        shown = shown_prices(
            prices, offers={p.subject for p in prices}, openrouter_id=model.openrouter_id, key=model.key, at=end
        )
        parts = []
        for component, label in (("prompt", "in"), ("completion", "out")):
            price = shown.get(component)
            if price is not None:
                parts.append(f"{fmt.price_text(price.status, price.usd_per_mtok)} {label}")
        if parts == ["free in", "free out"]:
            out[model_id] = "free"
        elif parts:
            text = " · ".join(parts)
            out[model_id] = text + (" per 1M tokens" if "$" in text else "")
    return out


def _price_changes(events: list[_WeekEvent], threshold: Decimal) -> tuple[list[PricedOffer], list[NetChange]]:
    names: dict[str, tuple[str, str]] = {}
    steps = []
    for e in events:
        d = e.event
        assert isinstance(d, PriceChanged)
        names.setdefault(e.subject, (e.name, e.url))
        steps.append(
            PriceStep(
                subject=d.subject,
                component=d.component,
                tier=d.tier,
                at=d.detected_at,
                old_status=d.old_status or "absent",
                old=d.old,
                new_status=d.new_status or "absent",
                new=d.new,
                unit=d.unit or "usd_per_mtok",
                min_prompt_tokens=d.min_prompt_tokens,
                model_key=e.key,
            )
        )
    changes = net_changes(steps, threshold)
    offers: dict[str, PricedOffer] = {}
    for c in changes:
        name, url = names[c.subject]
        unit = fmt.unit_label(c.unit)
        offer = offers.setdefault(c.subject, PricedOffer(subject=fmt.one_line(c.subject), name=name, url=url))
        offer.lines.append(
            PriceLine(
                component=fmt.one_line(c.component, 48),
                label=fmt.component_label(c.component),
                tier=fmt.one_line(c.tier, 64),
                tier_label=fmt.tier_label(c.tier, c.min_prompt_tokens),
                old=_side(c.old_status, c.old, unit if c.new_status != "priced" else None),
                new=_side(c.new_status, c.new, unit),
                unit=unit,
                percent=fmt.percent(c.percent),
                direction=c.direction,
                old_amount=format_decimal(c.old) if c.old is not None else None,
                new_amount=format_decimal(c.new) if c.new is not None else None,
                steps=c.steps,
            )
        )
    for offer in offers.values():
        offer.lines.sort(key=_line_order)
    ordered = sorted(offers.values(), key=lambda o: (o.name.casefold(), o.subject))
    return ordered, changes


def _side(status: str, amount: Decimal | None, unit: str | None) -> str:
    """``$0.78 per 1M tokens`` (the unit only where given and priced), ``free``, ``none``..."""
    text = fmt.price_text(status, amount)
    return f"{text} {unit}" if unit and status == "priced" else text


#: Components in reading order: input and output first.
COMPONENT_ORDER = ("prompt", "completion", "input_cache_read", "input_cache_write", "internal_reasoning")


def _line_order(line: PriceLine) -> tuple[int, str, int, str]:
    rank = COMPONENT_ORDER.index(line.component) if line.component in COMPONENT_ORDER else len(COMPONENT_ORDER)
    tier_rank = int(line.tier.split(">=", 1)[1]) if line.tier.startswith("prompt>=") and line.tier[8:].isdigit() else 0
    return (tier_rank, line.tier, rank, line.component)


E = TypeVar("E", bound=Event)


def _typed(events: list[_WeekEvent], kind: type[E]) -> list[tuple[_WeekEvent, E]]:
    """The events of one kind with their typed event."""
    return [(e, e.event) for e in events if isinstance(e.event, kind)]


def _status_changes(events: list[_WeekEvent]) -> list[StatusChange]:
    firsts: dict[tuple[str, str], _WeekEvent] = {}
    lasts: dict[tuple[str, str], _WeekEvent] = {}
    for e in sorted(events, key=lambda e: (e.detected_at, e.id)):
        key = (e.subject, e.kind)
        firsts.setdefault(key, e)
        lasts[key] = e
    out = []
    for key, first in firsts.items():
        last = lasts[key]
        assert isinstance(first.event, StatusEvent) and isinstance(last.event, StatusEvent)
        old, new = first.event.old, last.event.new
        if old == new:
            continue
        what = STATUS_KINDS[first.kind]
        if isinstance(first.event, LicenseChanged) and isinstance(last.event, LicenseChanged):
            old_text = _licence(old, first.event.old_class)
            new_text = _licence(new, last.event.new_class)
        elif what == "weights":
            old_text, new_text = fmt.openness_label(old), fmt.openness_label(new)
        else:
            old_text, new_text = fmt.one_line(old, 60) or "none", fmt.one_line(new, 60) or "none"
        out.append(StatusChange(key=last.key, name=last.name, url=last.url, what=what, old=old_text, new=new_text))
    return sorted(out, key=lambda s: (s.name.casefold(), s.key, s.what))


def _licence(key: Any, klass: Any) -> str:
    text = fmt.one_line(key, 80) or "unknown"
    return f"{text} ({fmt.one_line(klass, 40)})" if klass else text


def _disputes(disputed: list[_WeekEvent], resolved: list[_WeekEvent]) -> list[DisputeItem]:
    out = []
    resolutions = _typed(resolved, DisputeResolved)
    for e, d in _typed(disputed, ClaimDisputed):
        attribute = fmt.one_line(d.attribute, 48).replace("_", " ")
        qualifier = fmt.one_line(d.qualifier, 80)
        is_resolved = any(
            r.subject == e.subject
            and rd.attribute == d.attribute
            and (rd.qualifier or "") == (d.qualifier or "")
            and (r.detected_at, r.id) > (e.detected_at, e.id)
            for r, rd in resolutions
        )
        out.append(
            DisputeItem(
                key=e.key,
                name=e.name,
                url=e.url,
                attribute=f"{attribute} ({qualifier})" if qualifier else attribute,
                shown=fmt.one_line(d.shown) or "—",
                shown_source=fmt.one_line(d.shown_source, 120) or "unknown source",
                contrary=fmt.one_line(d.contrary) or "—",
                contrary_source=fmt.one_line(d.contrary_source, 120) or "unknown source",
                quote=fmt.one_line(d.quote, 400) or None,
                source_url=fmt.safe_url(d.url),
                resolved=is_resolved,
            )
        )
    return out


def _benchmark(e: _WeekEvent) -> BenchmarkItem:
    d = e.event
    assert isinstance(d, BenchmarkClaimAdded)
    value = fmt.one_line(d.value, 40)
    unit = fmt.one_line(d.unit, 16)
    if unit and unit != "%":
        value = f"{value} {unit}"
    elif unit == "%":
        value = f"{value}%"
    reporter = fmt.one_line(d.reporter, 32) or "vendor"
    return BenchmarkItem(
        key=e.key,
        name=e.name,
        url=e.url,
        benchmark=fmt.one_line(d.benchmark, 80),
        value=value,
        settings=fmt.one_line(d.settings, 80) or None,
        label="self-reported" if d.self_reported else f"reported by {reporter}",
        reporter=reporter,
    )


def _delisted(events: list[_WeekEvent]) -> list[DelistedItem]:
    last: dict[str, _WeekEvent] = {}
    for e in sorted(events, key=lambda e: (e.detected_at, e.id)):
        last[e.subject] = e
    out = [
        DelistedItem(
            key=e.key,
            subject=fmt.one_line(e.subject),
            name=e.name,
            url=e.url,
            variant=fmt.one_line(e.event.variant if isinstance(e.event, ModelAdded | ModelDelisted) else None, 32)
            or None,
        )
        for e in last.values()
        if e.kind == "model_delisted"
    ]
    return sorted(out, key=lambda d: (d.name.casefold(), d.subject))


def _retiring(events: list[_WeekEvent]) -> list[RetiringItem]:
    """The last announcement per listing this week, soonest retirement first."""
    last: dict[str, _WeekEvent] = {}
    for e in sorted(events, key=lambda e: (e.detected_at, e.id)):
        last[e.subject] = e
    out = [
        RetiringItem(
            key=e.key,
            subject=fmt.one_line(e.subject),
            name=e.name,
            url=e.url,
            retires_on=e.event.retires_on,
        )
        for e in last.values()
        if isinstance(e.event, RetirementAnnounced) and e.event.retires_on
    ]
    return sorted(out, key=lambda r: (r.retires_on, r.name.casefold(), r.subject))[:MAX_ITEMS]
