"""Typed, append-only change events.

Each kind is a small frozen dataclass. ``subject`` names what changed as the
source names it (an OpenRouter id, a Hub repo id, a model key); ``detected_at``
is when the change was observed (for backfills, the archive's time, not the
import's). :meth:`Event.data` is the JSON stored in ``events.data``;
:func:`decode` (or :meth:`Event.from_data`) turns a stored row back into the
typed event, so that readers use attributes, never dict keys.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import types
import typing
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import cache
from typing import Any, ClassVar, Self

from tracker.errors import TrackerError
from tracker.normalize.numbers import format_decimal


class EventDataError(TrackerError):
    """A stored event's kind is unknown or its data does not fit the kind's fields."""


@dataclass(frozen=True, kw_only=True)
class Event:
    kind: ClassVar[str] = "event"
    subject: str
    source: str
    detected_at: dt.datetime
    #: The model key when known (OpenRouter: the id without variant suffix).
    model_key: str | None = None

    def data(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for f in dataclasses.fields(self):
            if f.name in {"subject", "source", "detected_at"}:
                continue
            out[f.name] = _json_safe(getattr(self, f.name))
        return out

    @classmethod
    def from_data(cls, data: Mapping[str, Any] | None, *, subject: str, source: str, detected_at: dt.datetime) -> Self:
        """The inverse of :meth:`data`: the typed event from its stored JSON.

        Values come back in their field types (``Decimal`` money, ``int`` token counts); keys the
        kind does not have are ignored (older rows), a missing required field or a value of the
        wrong type raises :class:`EventDataError`.
        """
        data = data or {}
        if not isinstance(data, Mapping):
            raise EventDataError(f"{cls.kind} event of {subject!r}: data is not an object")
        values: dict[str, Any] = {}
        for name, convert in _decoders(cls).items():
            if name in data:
                try:
                    values[name] = convert(data[name])
                except (TypeError, ValueError, InvalidOperation) as exc:
                    raise EventDataError(f"{cls.kind} event of {subject!r}: {name} {exc}") from None
        try:
            return cls(subject=subject, source=source, detected_at=detected_at, **values)
        except TypeError as exc:
            raise EventDataError(f"{cls.kind} event of {subject!r}: {exc}") from None


_BASE_FIELDS = frozenset({"subject", "source", "detected_at"})


@cache
def _decoders(cls: type[Event]) -> dict[str, Callable[[Any], Any]]:
    """Field name → function turning the stored JSON value into the field's type."""
    hints = typing.get_type_hints(cls)
    return {f.name: _decoder(hints[f.name]) for f in dataclasses.fields(cls) if f.name not in _BASE_FIELDS}


def _decoder(tp: Any) -> Callable[[Any], Any]:
    if typing.get_origin(tp) in (types.UnionType, typing.Union):
        inner = [a for a in typing.get_args(tp) if a is not type(None)]
        convert = _decoder(inner[0]) if len(inner) == 1 else _as_is
        return lambda v: None if v is None else convert(v)
    if tp is Decimal:
        return _to_decimal
    if tp is int:
        return _to_int
    if tp is bool:
        return _to_bool
    if tp is str:
        return _to_str
    if typing.get_origin(tp) is dict or tp is dict:
        return _to_dict
    return _as_is


def _as_is(value: Any) -> Any:
    return value


def _to_decimal(value: Any) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, str | int | Decimal):
        raise ValueError(f"is not a decimal number: {value!r}")
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        raise ValueError(f"is not a decimal number: {value!r}") from None
    if not number.is_finite():
        raise ValueError(f"is not a finite number: {value!r}")
    return number


def _to_int(value: Any) -> int:
    if isinstance(value, bool):
        raise ValueError(f"is not an integer: {value!r}")
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value)
    raise ValueError(f"is not an integer: {value!r}")


def _to_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    raise ValueError(f"is not true or false: {value!r}")


def _to_str(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        return str(value)
    raise ValueError(f"is not text: {value!r}")


def _to_dict(value: Any) -> dict[str, Any]:
    if isinstance(value, dict):
        return dict(value)
    raise ValueError(f"is not an object: {value!r}")


def _json_safe(value: Any) -> Any:
    if isinstance(value, Decimal):
        return format_decimal(value)
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, tuple | list):
        return [_json_safe(v) for v in value]
    if isinstance(value, dict):
        return {k: _json_safe(v) for k, v in value.items()}
    return value


@dataclass(frozen=True, kw_only=True)
class ModelAdded(Event):
    """A listing appeared in a complete listing (``relisted`` if it had been delisted)."""

    kind: ClassVar[str] = "model_added"
    name: str | None = None
    variant: str | None = None
    relisted: bool = False
    context_length: int | None = None
    #: Base-tier prices: ``{"prompt": "1.2", "completion": "6"}`` (USD per 1M tokens).
    prices: dict[str, str | None] = dataclasses.field(default_factory=dict)


@dataclass(frozen=True, kw_only=True)
class ModelDelisted(Event):
    """A listing is absent from a complete, successful listing."""

    kind: ClassVar[str] = "model_delisted"
    name: str | None = None
    variant: str | None = None


@dataclass(frozen=True, kw_only=True)
class ModelRenamed(Event):
    """A listing reappeared under a new id (same canonical slug, Hub id or name): one model, not two.

    ``subject`` is the new id; ``old_id`` the one that left the listing.
    """

    kind: ClassVar[str] = "model_renamed"
    old_id: str
    name: str | None = None
    #: How the two ids were tied: ``canonical_slug``, ``hugging_face_id`` or ``name``.
    by: str = "name"


@dataclass(frozen=True, kw_only=True)
class PriceChanged(Event):
    """One component of one tier changed value or status.

    ``old``/``new`` are USD per 1M tokens when ``unit`` is ``usd_per_mtok``, else
    USD per request/image/search. A component or tier that appears has
    ``old_status`` ``absent``; one that disappears has ``new_status`` ``absent``.
    """

    kind: ClassVar[str] = "price_changed"
    component: str
    tier: str = ""
    min_prompt_tokens: int | None = None
    unit: str = "usd_per_mtok"
    old: Decimal | None = None
    new: Decimal | None = None
    old_status: str = "absent"
    new_status: str = "absent"
    percent: Decimal | None = None
    old_raw: str | None = None
    new_raw: str | None = None


@dataclass(frozen=True, kw_only=True)
class ContextLengthChanged(Event):
    kind: ClassVar[str] = "context_length_changed"
    old: int | None = None
    new: int | None = None


@dataclass(frozen=True, kw_only=True)
class AliasChanged(Event):
    """A moving alias (``~vendor/x-latest``) now points somewhere else."""

    kind: ClassVar[str] = "alias_changed"
    old: str | None = None
    new: str | None = None


@dataclass(frozen=True, kw_only=True)
class ModelReleased(Event):
    """An original model (not a derivative) of a watched organization first seen."""

    kind: ClassVar[str] = "model_released"
    name: str | None = None
    vendor: str | None = None
    license_key: str | None = None
    open_weight_status: str | None = None


@dataclass(frozen=True, kw_only=True)
class LicenseChanged(Event):
    kind: ClassVar[str] = "license_changed"
    old: str | None = None
    new: str | None = None
    old_class: str | None = None
    new_class: str | None = None


@dataclass(frozen=True, kw_only=True)
class OpenWeightStatusChanged(Event):
    """E.g. weights published after an API-only launch."""

    kind: ClassVar[str] = "open_weight_status_changed"
    old: str | None = None
    new: str | None = None
    evidence: dict[str, Any] = dataclasses.field(default_factory=dict)


@dataclass(frozen=True, kw_only=True)
class GatingChanged(Event):
    kind: ClassVar[str] = "gating_changed"
    old: str | None = None
    new: str | None = None


@dataclass(frozen=True, kw_only=True)
class BenchmarkClaimAdded(Event):
    """A new benchmark score claim (self-reported unless verified)."""

    kind: ClassVar[str] = "benchmark_claim_added"
    benchmark: str
    value: str
    unit: str | None = None
    settings: str | None = None
    reporter: str = "vendor"
    self_reported: bool = True


@dataclass(frozen=True, kw_only=True)
class ClaimDisputed(Event):
    """Sources disagree on an attribute beyond tolerance."""

    kind: ClassVar[str] = "claim_disputed"
    attribute: str
    qualifier: str = ""
    shown: str | None = None
    contrary: str | None = None
    shown_source: str | None = None
    contrary_source: str | None = None
    quote: str | None = None
    url: str | None = None


@dataclass(frozen=True, kw_only=True)
class DisputeResolved(Event):
    kind: ClassVar[str] = "dispute_resolved"
    attribute: str
    qualifier: str = ""
    value: str | None = None


EVENT_KINDS: dict[str, type[Event]] = {
    cls.kind: cls
    for cls in (
        ModelAdded,
        ModelDelisted,
        ModelRenamed,
        PriceChanged,
        ContextLengthChanged,
        AliasChanged,
        ModelReleased,
        LicenseChanged,
        OpenWeightStatusChanged,
        GatingChanged,
        BenchmarkClaimAdded,
        ClaimDisputed,
        DisputeResolved,
    )
}


def decode(kind: str, data: Mapping[str, Any] | None, *, subject: str, source: str, detected_at: dt.datetime) -> Event:
    """The typed event of a stored row (``events.kind`` + ``events.data``); see :meth:`Event.from_data`."""
    cls = EVENT_KINDS.get(kind)
    if cls is None:
        raise EventDataError(f"unknown event kind {kind!r} (of {subject!r})")
    return cls.from_data(data, subject=subject, source=source, detected_at=detected_at)


# ───────────── per-provider offers and retirements (issue 15) ─────────────


@dataclass(frozen=True, kw_only=True)
class OfferAdded(Event):
    """A provider started offering an OpenRouter model (``offer`` is the endpoint's tag)."""

    kind: ClassVar[str] = "offer_added"
    offer: str
    provider: str
    quantization: str | None = None
    #: USD per 1M tokens.
    prompt: Decimal | None = None
    completion: Decimal | None = None


@dataclass(frozen=True, kw_only=True)
class OfferRemoved(Event):
    """A provider no longer offers an OpenRouter model."""

    kind: ClassVar[str] = "offer_removed"
    offer: str
    provider: str
    quantization: str | None = None


@dataclass(frozen=True, kw_only=True)
class CheapestOfferChanged(Event):
    """The cheapest offer (prompt + completion per 1M tokens, among providers that are up) changed."""

    kind: ClassVar[str] = "cheapest_offer_changed"
    old_offer: str | None = None
    new_offer: str | None = None
    old_provider: str | None = None
    new_provider: str | None = None
    old_prompt: Decimal | None = None
    old_completion: Decimal | None = None
    new_prompt: Decimal | None = None
    new_completion: Decimal | None = None


@dataclass(frozen=True, kw_only=True)
class RetirementAnnounced(Event):
    """A retirement date was announced for a model (OpenRouter ``expiration_date``, or a vendor statement)."""

    kind: ClassVar[str] = "retirement_announced"
    #: ISO date (``2026-09-30``).
    retires_on: str
    previous: str | None = None
    url: str | None = None
    quote: str | None = None


EVENT_KINDS.update({cls.kind: cls for cls in (OfferAdded, OfferRemoved, CheapestOfferChanged, RetirementAnnounced)})
