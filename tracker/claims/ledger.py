"""The claims ledger: which claim is shown, which agree, which are disputed.

For every (model, attribute, qualifier) the claims are weighed:

1. **Shown claim**, by precedence: primary API > vendor post > aggregator > press.
   Among primary claims the one equal to the model's shown column wins (the
   ``models`` row, computed from the APIs by :mod:`tracker.store.shown`); among the
   others the most recent publication of the best-ranked reporter.
2. Every other claim is compared with the shown one within the attribute's
   tolerance (:mod:`tracker.claims.tolerance`): ``consistent`` or ``disputed``.
   A price is compared with the API price *in effect at the claim's date* (the
   earliest observed one when the claim predates the tracker): $1.20 said in
   September 2025 agrees with the $1.20 of December 2025 even after the March 2026
   cut. Primary claims never dispute each other (they are different vantage
   points of the APIs: a repo config's native context and the served one).
3. A group with a disputed claim has an open row in ``disputes`` (with the shown
   claim, the contrary and the consistent claims and a one-line summary) and a
   ``claim_disputed`` event for each newly disputed claim; when no claim is
   disputed any more (the weights were published, the press was corrected) the
   dispute is resolved with a ``dispute_resolved`` event.

Only what changed is written: re-running the ledger on unchanged claims writes
nothing and emits nothing.

The ledger is a reader-style decider, and this module is its pure part:
:func:`weigh` turns one claim group (:class:`ClaimGroup`) into intents
(:class:`SetStatus`, :class:`OpenDispute`, :class:`UpdateDispute`,
:class:`ResolveDispute`, :class:`Announce`). Loading the groups and writing the
intents is :mod:`tracker.update.ledger`. :func:`weigh` asks two pluggable rules (:class:`Rules`): whether two
claims measure the same thing (``comparable(shown, claim)``) and which primary
value was in effect at a time (``primary_at(history, when)``). The API-derived
claims are written before, by the update step
(:func:`tracker.claims.primary.sync_primary_claims`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from tracker.claims.tolerance import agrees
from tracker.events.types import ClaimDisputed, DisputeResolved, Event
from tracker.normalize.numbers import format_decimal

REPORTER_RANK = {"primary": 0, "vendor": 1, "aggregator": 2, "press": 3}
REPORTER_LABEL = {"primary": "primary API", "vendor": "vendor", "aggregator": "aggregator", "press": "press"}
ATTRIBUTE_WORDS = {
    "openness": "open weights",
    "license": "licence",
    "params_total": "total parameters",
    "params_active": "active parameters",
    "context_length": "context length",
    "price": "price",
    "release_date": "release date",
    "benchmark": "benchmark score",
}
SOURCE = "claims"
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


def _weighed_elsewhere(row: Any) -> bool:
    """Peer catalog values are weighed against the primary history by :mod:`tracker.peers` (catalog page)."""
    return bool((row.extra or {}).get("catalog"))


def _superseded(row: Any) -> bool:
    return bool((row.extra or {}).get("superseded_at"))


def _when(row: Any) -> dt.datetime:
    return row.published_at or row.fetched_at or _EPOCH


def _column_value(model: Any, attribute: str, qualifier: str) -> str | None:
    if qualifier:
        return None
    value = {
        "openness": model.open_weight_status,
        "license": model.license_key,
        "context_length": model.context_length,
        "params_total": model.params_total,
        "params_active": model.params_active,
    }.get(attribute)
    return None if value is None or value == "unknown" else str(value)


def pick_shown(rows: list[Any], model: Any) -> Any | None:
    """The claim shown for one (model, attribute, qualifier), by precedence."""
    live = [r for r in rows if not _superseded(r) and not _weighed_elsewhere(r)]
    primary = [r for r in live if r.reporter == "primary"]
    if primary:
        column = _column_value(model, rows[0].attribute, rows[0].qualifier)
        matching = [r for r in primary if column is not None and r.value == column]
        pool = matching or primary
        return max(pool, key=lambda r: ((r.extra or {}).get("follows") == "api", r.fetched_at or _EPOCH, r.id))
    if not live:
        return None
    return min(live, key=lambda r: (REPORTER_RANK.get(r.reporter, 9), -_when(r).timestamp(), r.id))


def comparable(shown: Any, row: Any) -> bool:
    """Whether ``row`` can be checked against ``shown`` (the default comparability rule).

    Two claims of one document are never weighed against each other (a table's
    two MMLU rows are two measurements). A benchmark score is checked only
    against one the model's vendor or an aggregator reported: two third parties
    running a competitor's evaluation differently is not a contradiction.
    """
    if shown.url and row.url and shown.url == row.url:
        return False
    if row.attribute == "benchmark":
        return REPORTER_RANK.get(shown.reporter, 9) <= REPORTER_RANK["aggregator"]
    return True


def price_in_effect(history: Sequence[Any], when: dt.datetime) -> dict[str, Any] | None:
    """The default time rule: the API price in effect at ``when`` (the earliest observed one before them all)."""
    return _price_then(list(history), when)


@dataclass(frozen=True)
class Rules:
    """The rules the ledger weighs with; swap either for a stricter one."""

    #: ``comparable(shown, claim)``: may ``claim`` be checked against the shown claim at all?
    comparable: Callable[[Any, Any], bool] = comparable
    #: ``primary_at(history, when)``: the primary value in effect at ``when`` (a reference dict), or None.
    primary_at: Callable[[Sequence[Any], dt.datetime], dict[str, Any] | None] = price_in_effect


DEFAULT_RULES = Rules()


def evaluate(
    row: Any, shown: Any, primary_history: Sequence[Any], rules: Rules = DEFAULT_RULES
) -> tuple[bool, dict[str, Any]] | None:
    """``(agrees, what it was compared with)`` for ``row`` against the shown claim; None when not comparable.

    ``primary_history``: the API's prices of the group's model and qualifier over time (prices only).
    """
    if not rules.comparable(shown, row):
        return None
    reference = _as_reference(shown)
    if row.attribute == "price" and shown.reporter == "primary" and row.reporter != "primary":
        if row.published_at is None:
            # an undated article: it agrees if it matches any price the API has had
            for past in primary_history:
                candidate = _price_row(past)
                if agrees("price", _as_reference(row), candidate):
                    return True, candidate
        then = rules.primary_at(primary_history, _when(row))
        reference = then or reference
    return agrees(row.attribute, _as_reference(row), reference), reference


def _as_reference(row: Any) -> dict[str, Any]:
    return {"value": row.value, "value_num": row.value_num, "unit": row.unit, "extra": row.extra}


def _price_then(history: list[Any], when: dt.datetime) -> dict[str, Any] | None:
    """The API price in effect at ``when`` (the earliest observed one if ``when`` is before them all)."""
    if not history:
        return None
    chosen = history[0]
    for row in history:
        if row.first_seen_at <= when and (row.last_seen_at is None or when <= row.last_seen_at):
            chosen = row
            break
        if row.first_seen_at <= when:
            chosen = row
    return _price_row(chosen)


def _price_row(price: Any) -> dict[str, Any]:
    amount = Decimal(0) if price.status == "free" else price.usd_per_mtok
    return {
        "value": format_decimal(amount) if amount is not None else "",
        "value_num": amount,
        "unit": "usd_per_mtok",
        "extra": {"since": price.first_seen_at.isoformat()},
    }


def source_label(row: Any) -> str:
    return f"{row.source} ({REPORTER_LABEL.get(row.reporter, row.reporter)})"


def _value_text(row: Any) -> str:
    if row.attribute == "price":
        return f"${row.value} per 1M tokens"
    if row.attribute == "context_length":
        return f"{int(row.value_num):,} tokens" if row.value_num is not None else row.value
    if row.attribute in ("params_total", "params_active") and row.value_num is not None:
        from tracker.normalize.params import format_params

        return format_params(int(row.value_num))
    return str(row.value)


def summary(
    attribute: str, shown: Any, disputed: list[Any], references: dict[int, dict[str, Any]] | None = None
) -> str:
    """One line for the site and the digest: who shows what, who says otherwise."""
    words = ATTRIBUTE_WORDS.get(attribute, attribute)
    if attribute == "openness" and shown.value in ("api-only", "no-weights"):
        head = "API-only: no downloadable weights found" if shown.value == "api-only" else "no weights published"
        reporters = sorted({REPORTER_LABEL.get(c.reporter, c.reporter) for c in disputed})
        return f"{head}, but {len(disputed)} {'/'.join(reporters)} claim(s) call it open source or open weights."
    references = references or {}

    def said(c: Any) -> str:
        reference = references.get(c.id)
        if attribute == "price" and reference and reference.get("value") != shown.value:
            since = str((reference.get("extra") or {}).get("since", ""))[:10]
            return f"{c.source} says {_value_text(c)} (the API then: ${reference['value']}, since {since})"
        return f"{c.source} says {_value_text(c)}"

    others = "; ".join(said(c) for c in disputed[:3])
    more = f" and {len(disputed) - 3} more" if len(disputed) > 3 else ""
    return f"{words}: {source_label(shown)} shows {_value_text(shown)}; {others}{more}."[:500]


# ───────────────────────────── the decider ─────────────────────────────


@dataclass(frozen=True, slots=True)
class ModelFacts:
    """The model a group belongs to, with the shown columns primary claims are matched with."""

    id: int
    key: str
    openrouter_id: str | None = None
    open_weight_status: str | None = None
    license_key: str | None = None
    context_length: int | None = None
    params_total: int | None = None
    params_active: int | None = None


@dataclass(frozen=True, slots=True)
class StoredClaim:
    id: int
    model_id: int | None
    attribute: str
    qualifier: str
    value: str
    reporter: str
    source: str
    value_num: Decimal | None = None
    unit: str | None = None
    url: str | None = None
    published_at: dt.datetime | None = None
    fetched_at: dt.datetime | None = None
    quote: str | None = None
    status: str = "unchecked"
    extra: dict[str, Any] | None = None


@dataclass(frozen=True, slots=True)
class StoredDispute:
    id: int
    status: str
    data: dict[str, Any] | None = None


@dataclass(frozen=True)
class ClaimGroup:
    """Every claim of one (model, attribute, qualifier), and the group's latest dispute."""

    model: ModelFacts
    attribute: str
    qualifier: str
    claims: tuple[StoredClaim, ...] = ()
    dispute: StoredDispute | None = None


@dataclass(frozen=True, slots=True)
class SetStatus:
    claim_id: int
    status: str


@dataclass(frozen=True, slots=True)
class OpenDispute:
    model_id: int
    attribute: str
    qualifier: str
    shown_claim_id: int
    data: dict[str, Any]


@dataclass(frozen=True, slots=True)
class UpdateDispute:
    """New data for a stored dispute; ``reopen`` when it had been resolved."""

    dispute_id: int
    shown_claim_id: int
    data: dict[str, Any]
    reopen: bool = False


@dataclass(frozen=True, slots=True)
class ResolveDispute:
    dispute_id: int
    shown_claim_id: int | None


@dataclass(frozen=True, slots=True)
class Announce:
    event: Event


Intent = SetStatus | OpenDispute | UpdateDispute | ResolveDispute | Announce


def weigh(
    group: ClaimGroup, primary_history: Sequence[Any], *, now: dt.datetime, rules: Rules = DEFAULT_RULES
) -> list[Intent]:
    """What the ledger does with one group: new statuses, the dispute's fate, the events (pure).

    ``primary_history``: the API's prices of the group's model and qualifier over time
    (``usd_per_mtok``, ``status``, ``first_seen_at``, ``last_seen_at``; empty but for prices).
    """
    model, attribute, qualifier = group.model, group.attribute, group.qualifier
    rows = list(group.claims)
    shown = pick_shown(rows, model) if rows else None
    statuses: dict[int, str] = {}
    disputed: list[Any] = []
    consistent: list[Any] = []
    references: dict[int, dict[str, Any]] = {}
    for row in rows:
        if shown is None or _superseded(row) or _weighed_elsewhere(row):
            statuses[row.id] = "unchecked"
            continue
        if row.id == shown.id:
            statuses[row.id] = "shown"
            continue
        checked = evaluate(row, shown, primary_history, rules)
        if checked is None:
            statuses[row.id] = "unchecked"
            continue
        agreed, reference = checked
        references[row.id] = reference
        if row.reporter == "primary":
            statuses[row.id] = "consistent" if agreed else "unchecked"
        elif agreed:
            statuses[row.id] = "consistent"
            consistent.append(row)
        else:
            statuses[row.id] = "disputed"
            disputed.append(row)
    intents: list[Intent] = [SetStatus(row.id, statuses[row.id]) for row in rows if statuses[row.id] != row.status]
    for row in disputed:
        if row.status != "disputed" and shown is not None:
            intents.append(Announce(_disputed_event(model, attribute, qualifier, shown, row, references[row.id], now)))
    existing = group.dispute
    if disputed and shown is not None:
        data = {
            "shown": [shown.id],
            "contrary": sorted(r.id for r in disputed),
            "consistent": sorted(r.id for r in consistent),
            "summary": summary(attribute, shown, disputed, references),
        }
        if existing is None:
            intents.append(OpenDispute(model.id, attribute, qualifier, shown.id, data))
        elif existing.status != "open" or existing.data != data:
            intents.append(UpdateDispute(existing.id, shown.id, data, reopen=existing.status != "open"))
    elif existing is not None and existing.status == "open":
        intents.append(ResolveDispute(existing.id, shown.id if shown is not None else None))
        intents.append(
            Announce(
                DisputeResolved(
                    subject=model.key,
                    source=SOURCE,
                    detected_at=now,
                    model_key=model.key,
                    attribute=attribute,
                    qualifier=qualifier,
                    value=shown.value if shown is not None else None,
                )
            )
        )
    return intents


def _disputed_event(
    model: Any, attribute: str, qualifier: str, shown: Any, row: Any, reference: dict[str, Any], now: dt.datetime
) -> Event:
    return ClaimDisputed(
        subject=model.key,
        source=SOURCE,
        detected_at=now,
        model_key=model.key,
        attribute=attribute,
        qualifier=qualifier,
        shown=str(reference.get("value", shown.value)),
        contrary=row.value,
        shown_source=source_label(shown),
        contrary_source=source_label(row),
        quote=row.quote,
        url=row.url,
    )
