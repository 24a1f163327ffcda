"""The claims ledger: which claim is shown, which agree, which are disputed.

For every (model, attribute, qualifier) the claims are weighed:

1. **Shown claim**, by precedence: primary API > vendor post > aggregator > press.
   Among primary claims the one equal to the model's shown column wins (the
   ``models`` row, computed from the APIs by :mod:`tracker.store.shown`); among the
   others the most recent publication of the best-ranked reporter. Two claims of
   the same rank and date (one vendor's overview and changelog of the same day)
   (or two primary values of one fetch: a model-index's two metrics of one
   dataset) are told apart by what they say, never by the order they were stored in
   (:func:`tie_break`): the more precise value first (a day before a month, more
   significant digits), then the document URL, the value and the quote.
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
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from tracker.claims.verdicts import Weighing, weigh_claim
from tracker.events.types import ClaimDisputed, DisputeResolved, Event

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


def _precision(row: Any) -> int:
    """How precisely a value is stated: a date's length (day 10 > month 7), a number's significant digits."""
    if row.attribute == "release_date":
        return len(str(row.value))
    written = str((row.extra or {}).get("as_written") or row.value)
    digits = "".join(ch for ch in written if ch.isdigit()).strip("0")
    return len(digits)


def tie_break(row: Any) -> tuple[int, str, str, str, str]:
    """The order of two equally ranked, equally recent claims: by content only (crawl order never decides)."""
    quote = " ".join((row.quote or "").split())
    return (-_precision(row), row.url or "", str(row.value), quote, getattr(row, "mention", None) or "")


def pick_shown(rows: list[Any], model: Any) -> Any | None:
    """The claim shown for one (model, attribute, qualifier), by precedence."""
    live = [r for r in rows if not _superseded(r) and not _weighed_elsewhere(r)]
    primary = [r for r in live if r.reporter == "primary"]
    if primary:
        column = _column_value(model, rows[0].attribute, rows[0].qualifier)
        matching = [r for r in primary if column is not None and r.value == column]
        pool = matching or primary
        return min(
            pool,
            key=lambda r: (
                (r.extra or {}).get("follows") != "api",
                -(r.fetched_at or _EPOCH).timestamp(),
                *tie_break(r),
                r.id,
            ),
        )
    if not live:
        return None
    return min(live, key=lambda r: (REPORTER_RANK.get(r.reporter, 9), -_when(r).timestamp(), *tie_break(r), r.id))


#: ``(openrouter id, qualifier)`` → the API's prices over time (``usd_per_mtok``, ``status``, ``first_seen_at``,
#: ``last_seen_at``): the primary history a claim is weighed against at its publication time.
History = Mapping[tuple[str, str], Sequence[Any]]


@dataclass(frozen=True)
class Rules:
    """The verdict rules the ledger weighs with (:mod:`tracker.claims.verdicts`: comparability, then time).

    ``weigh_claim(row, shown, primaries, model, history, documents) -> Weighing | None``: None when the
    two values are not comparable (shown side by side, never disputed).
    """

    weigh_claim: Callable[..., Weighing | None] = weigh_claim


DEFAULT_RULES = Rules()


def evaluate(
    row: Any,
    shown: Any,
    model: Any,
    history: History,
    *,
    primaries: Sequence[Any] = (),
    documents: Mapping[int, str] | None = None,
    rules: Rules = DEFAULT_RULES,
) -> tuple[bool, dict[str, Any]] | None:
    """``(agrees, what it was compared with)`` for ``row`` against the shown claim; None when not comparable.

    An outdated claim (true when published) counts as agreeing.
    """
    weighing = rules.weigh_claim(row, shown, list(primaries), model, history, documents or {})
    if weighing is None:
        return None
    return weighing.status != "disputed", weighing.reference


def one_per_statement(rows: list[Any]) -> list[Any]:
    """One claim per (value, quoted sentence), the latest published (then by URL), in the order given: the same
    article stored twice is listed once, and which copy is kept does not depend on which was stored first."""
    latest: dict[tuple[str, str], Any] = {}
    for row in rows:
        key = (str(row.value), " ".join((row.quote or "").split()).lower() or f"#{row.id}")
        if key not in latest or (_when(row), row.url or "") > (_when(latest[key]), latest[key].url or ""):
            latest[key] = row
    kept = {id(row) for row in latest.values()}
    return [row for row in rows if id(row) in kept]


def _weighed(weighing: Weighing) -> dict[str, Any]:
    observation = weighing.observation
    out: dict[str, Any] = {"against": weighing.against.id, "value": str(weighing.reference.get("value", ""))}
    if observation is not None:
        out["observation"] = getattr(observation, "id", None)
        out["since"] = observation.first_seen_at.isoformat()
    return out


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
    mention: str | None = None
    document_id: int | None = None
    valid_until: dt.datetime | None = None


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
    #: ``documents.id`` → content hash of the claims' documents (two fetches of one text are one source).
    documents: Mapping[int, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class SetStatus:
    claim_id: int
    status: str
    #: For an ``outdated`` claim: when the primary value it matched stopped being true.
    valid_until: dt.datetime | None = None


@dataclass(frozen=True, slots=True)
class OpenDispute:
    model_id: int
    attribute: str
    qualifier: str
    shown_claim_id: int
    data: dict[str, Any]
    #: Why the values were comparable, and the primary observation the claim was weighed against.
    comparable_reason: str = ""
    weighed_observation_id: int | None = None


@dataclass(frozen=True, slots=True)
class UpdateDispute:
    """New data for a stored dispute; ``reopen`` when it had been resolved."""

    dispute_id: int
    shown_claim_id: int
    data: dict[str, Any]
    reopen: bool = False
    comparable_reason: str = ""
    weighed_observation_id: int | None = None


@dataclass(frozen=True, slots=True)
class ResolveDispute:
    dispute_id: int
    shown_claim_id: int | None


@dataclass(frozen=True, slots=True)
class Announce:
    event: Event


Intent = SetStatus | OpenDispute | UpdateDispute | ResolveDispute | Announce


def weigh(group: ClaimGroup, history: History, *, now: dt.datetime, rules: Rules = DEFAULT_RULES) -> list[Intent]:
    """What the ledger does with one group: new statuses, the dispute's fate, the events (pure).

    ``history``: the API's prices of the group's model over time, per qualifier (tiers included);
    a claim is weighed against the primary value in effect when it was published
    (:mod:`tracker.claims.timing`), and only against comparable values (:mod:`tracker.claims.comparability`).
    """
    model, attribute, qualifier = group.model, group.attribute, group.qualifier
    rows = list(group.claims)
    shown = pick_shown(rows, model) if rows else None
    statuses: dict[int, str] = {}
    disputed: list[Any] = []
    consistent: list[Any] = []
    references: dict[int, dict[str, Any]] = {}
    weighings: dict[int, Weighing] = {}
    valid_until: dict[int, dt.datetime | None] = {}
    primaries = [r for r in rows if r.reporter == "primary" and not _superseded(r)]
    for row in rows:
        if shown is None or _superseded(row) or _weighed_elsewhere(row):
            statuses[row.id] = "unchecked"
            continue
        if row.id == shown.id:
            statuses[row.id] = "shown"
            continue
        weighing = rules.weigh_claim(row, shown, primaries, model, history, group.documents)
        if weighing is None:
            statuses[row.id] = "unchecked"
            continue
        references[row.id], weighings[row.id] = weighing.reference, weighing
        if row.reporter == "primary":
            statuses[row.id] = "consistent" if weighing.status != "disputed" else "unchecked"
        elif weighing.status == "outdated":
            statuses[row.id] = "outdated"
            valid_until[row.id] = weighing.valid_until
        elif weighing.status == "consistent":
            statuses[row.id] = "consistent"
            consistent.append(row)
        else:
            statuses[row.id] = "disputed"
            disputed.append(row)
    intents: list[Intent] = [
        SetStatus(row.id, statuses[row.id], valid_until.get(row.id))
        for row in rows
        if statuses[row.id] != row.status or valid_until.get(row.id) != row.valid_until
    ]
    disputed = one_per_statement(disputed)  # a document is one source, however often fetched or checked
    consistent = one_per_statement(consistent)
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
            "reasons": {str(r.id): weighings[r.id].reason for r in disputed},
            "weighed": {str(r.id): _weighed(weighings[r.id]) for r in disputed},
        }
        first = weighings[disputed[0].id]
        reason, observation_id = first.reason[:2000], getattr(first.observation, "id", None)
        if existing is None:
            intents.append(OpenDispute(model.id, attribute, qualifier, shown.id, data, reason, observation_id))
        elif existing.status != "open" or existing.data != data:
            intents.append(
                UpdateDispute(existing.id, shown.id, data, existing.status != "open", reason, observation_id)
            )
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
