"""OpenRouter ``/models`` entries → typed records (pure; no Scrapy, no SQL).

* ``vendor/name`` ids are listings; ``vendor/name:free`` (and ``:beta``,
  ``:thinking``…) are variants of ``vendor/name``.
* ``~vendor/name-latest`` ids are moving aliases, not models.
* Fields appear over time (``hugging_face_id`` 2025-05, ``canonical_slug``
  2025-07, ``pricing.overrides`` 2026-07); older payloads parse the same way.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from tracker.errors import NormalizationError
from tracker.normalize.bounds import INT4_MAX, bounded_count, clean_text, sane_time
from tracker.normalize.completeness import ListingCount
from tracker.normalize.guard import isolated
from tracker.normalize.pricing import PriceValue, normalize_pricing
from tracker.normalize.rejection import Rejection

_ID_RE = re.compile(
    r"^(~?)([A-Za-z0-9][A-Za-z0-9._-]{0,99})/([A-Za-z0-9][A-Za-z0-9._-]{0,159})(?::([a-z0-9][a-z0-9-]{0,31}))?$"
)
MAX_TEXT = 20_000


@dataclass(frozen=True, slots=True)
class OpenRouterModel:
    """One OpenRouter listing, normalized."""

    id: str
    base_id: str
    variant: str | None
    vendor: str
    name: str | None
    description: str | None
    canonical_slug: str | None
    hugging_face_id: str | None
    context_length: int | None
    max_completion_tokens: int | None
    modality: str | None
    input_modalities: tuple[str, ...] | None
    output_modalities: tuple[str, ...] | None
    created_at: dt.datetime | None
    knowledge_cutoff: str | None
    expiration_date: str | None
    supported_parameters: tuple[str, ...] | None
    prices: tuple[PriceValue, ...]

    def meaningful(self) -> dict[str, Any]:
        """The fields whose change is a change of the listing (hashed, logged)."""
        return {
            "id": self.id,
            "name": self.name,
            "description": self.description,
            "canonical_slug": self.canonical_slug,
            "hugging_face_id": self.hugging_face_id,
            "context_length": self.context_length,
            "max_completion_tokens": self.max_completion_tokens,
            "modality": self.modality,
            "input_modalities": list(self.input_modalities) if self.input_modalities is not None else None,
            "output_modalities": list(self.output_modalities) if self.output_modalities is not None else None,
            "created_at": self.created_at.isoformat() if self.created_at else None,
            "knowledge_cutoff": self.knowledge_cutoff,
            "expiration_date": self.expiration_date,
            "supported_parameters": list(self.supported_parameters) if self.supported_parameters is not None else None,
            "prices": [
                {
                    "component": p.component,
                    "tier": p.tier,
                    "status": str(p.status),
                    "amount": None if p.amount is None else str(p.amount),
                    "unit": p.unit,
                }
                for p in self.prices
            ],
        }


@dataclass(frozen=True, slots=True)
class OpenRouterAliasRecord:
    """A ``~``-prefixed moving alias and what it points at today."""

    id: str
    target_id: str | None
    target_name: str | None
    name: str | None

    def meaningful(self) -> dict[str, Any]:
        return {"id": self.id, "target_id": self.target_id, "target_name": self.target_name, "name": self.name}


def parse_id(raw_id: Any) -> tuple[bool, str, str, str | None]:
    """``(is_alias, vendor, base_id, variant)`` of an OpenRouter id, or raise."""
    if not isinstance(raw_id, str):
        raise NormalizationError("invalid-id", f"id is {type(raw_id).__name__}")
    match = _ID_RE.match(raw_id)
    if match is None or ".." in raw_id:
        raise NormalizationError("invalid-id", repr(raw_id[:200]))
    tilde, vendor, name, variant = match.groups()
    return bool(tilde), vendor, f"{tilde}{vendor}/{name}", variant


def validate_entry(raw: Any) -> None:
    """Structural checks before normalization; raises :class:`NormalizationError`."""
    if not isinstance(raw, Mapping):
        raise NormalizationError("not-an-object", type(raw).__name__)
    parse_id(raw.get("id"))
    if "pricing" not in raw or raw.get("pricing") is None:
        raise NormalizationError("missing-pricing", str(raw.get("id")))
    if not isinstance(raw["pricing"], Mapping):
        raise NormalizationError("missing-pricing", f"pricing is {type(raw['pricing']).__name__}")


@isolated
def normalize_entry(raw: Mapping[str, Any]) -> OpenRouterModel | OpenRouterAliasRecord:
    """Normalize one validated ``/models`` entry (any surprise is a ``NormalizationError``)."""
    validate_entry(raw)
    is_alias, vendor, base_id, variant = parse_id(raw["id"])
    if is_alias:
        target = raw.get("alias_target")
        target_id = target_name = None
        if isinstance(target, Mapping):
            target_id = _opt_str(target.get("slug"), "alias_target.slug")
            target_name = _opt_str(target.get("name"), "alias_target.name", limit=512)
        return OpenRouterAliasRecord(
            id=raw["id"],
            target_id=target_id[:255] if target_id else target_id,
            target_name=target_name,
            name=_opt_str(raw.get("name"), "name", limit=512),
        )
    architecture = raw.get("architecture")
    if architecture is not None and not isinstance(architecture, Mapping):
        raise NormalizationError("bad-field", "architecture is not an object")
    architecture = architecture or {}
    top = raw.get("top_provider")
    if top is not None and not isinstance(top, Mapping):
        raise NormalizationError("bad-field", "top_provider is not an object")
    top = top or {}
    return OpenRouterModel(
        id=raw["id"],
        base_id=base_id,
        variant=variant,
        vendor=vendor,
        name=_opt_str(raw.get("name"), "name", limit=512),
        description=_opt_str(raw.get("description"), "description", limit=MAX_TEXT),
        canonical_slug=_opt_str(raw.get("canonical_slug"), "canonical_slug", limit=255) or None,
        hugging_face_id=_hf_id(raw.get("hugging_face_id")),
        context_length=_opt_count(raw.get("context_length"), "context_length"),
        max_completion_tokens=_opt_count(top.get("max_completion_tokens"), "top_provider.max_completion_tokens"),
        modality=_opt_str(architecture.get("modality"), "architecture.modality", limit=64),
        input_modalities=_opt_strings(architecture.get("input_modalities"), "input_modalities"),
        output_modalities=_opt_strings(architecture.get("output_modalities"), "output_modalities"),
        created_at=_opt_timestamp(raw.get("created"), "created"),
        knowledge_cutoff=_opt_str(raw.get("knowledge_cutoff"), "knowledge_cutoff", limit=32),
        expiration_date=_opt_str(raw.get("expiration_date"), "expiration_date", limit=32),
        supported_parameters=_opt_strings(raw.get("supported_parameters"), "supported_parameters"),
        prices=normalize_pricing(raw["pricing"]),
    )


def _opt_str(value: Any, field: str, *, limit: int = 2000) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise NormalizationError("bad-field", f"{field} is {type(value).__name__}")
    if isinstance(value, float) and not math.isfinite(value):
        raise NormalizationError("bad-field", f"{field}={value!r}")
    if isinstance(value, int) and abs(value) > 10**40:
        raise NormalizationError("out-of-range", f"{field} is a {value.bit_length()}-bit number")
    return clean_text(str(value))[:limit]


def _hf_id(value: Any) -> str | None:
    text = _opt_str(value, "hugging_face_id")
    if not text:
        return None
    text = text.strip()
    if (
        ".." in text
        or len(text) > 255
        or not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]*/[A-Za-z0-9][A-Za-z0-9._-]*", text)
    ):
        raise NormalizationError("bad-field", f"hugging_face_id={text[:200]!r}")
    return text


def _opt_count(value: Any, field: str) -> int | None:
    """A token count: stored in ``Integer`` columns, so within int4 on both databases."""
    return bounded_count(value, field, maximum=INT4_MAX)


#: Lists of strings already cleaned (modalities and parameters repeat across a listing), by content.
_STRINGS: dict[tuple[str, ...], tuple[str, ...]] = {}
_STRINGS_MAX = 16384


def _opt_strings(value: Any, field: str) -> tuple[str, ...] | None:
    if value is None:
        return None
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise NormalizationError("bad-field", f"{field} is not a list of strings")
    key = tuple(value)
    cleaned = _STRINGS.get(key)
    if cleaned is None:
        cleaned = tuple(clean_text(v)[:200] for v in value)
        if len(_STRINGS) >= _STRINGS_MAX:
            _STRINGS.clear()
        _STRINGS[key] = cleaned
    return cleaned


def _opt_timestamp(value: Any, field: str) -> dt.datetime | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise NormalizationError("bad-field", f"{field}={str(value)[:60]!r}")
    try:
        moment = dt.datetime.fromtimestamp(int(value), tz=dt.UTC)
    except (OverflowError, OSError, ValueError) as exc:
        raise NormalizationError("out-of-range", f"{field}={str(value)[:60]}") from exc
    return sane_time(moment, field)


@dataclass
class OpenRouterSnapshot:
    """One ``/models`` listing (all pages), normalized, ready to store."""

    observed_at: dt.datetime
    url: str | None = None
    fetched_at: dt.datetime | None = None
    http_status: int | None = None
    response_hash: str | None = None
    models: list[OpenRouterModel] = field(default_factory=list)
    aliases: list[OpenRouterAliasRecord] = field(default_factory=list)
    rejections: list[Rejection] = field(default_factory=list)
    #: True only when every page arrived and parsed: delisting is allowed.
    complete: bool = False
    #: Why the listing is not complete, when it is not.
    failure: str | None = None
    #: Entries received (usable or not), and the total the listing stated (see ``normalize.completeness``).
    received: int = 0
    total_given: bool = False
    total_count: Any = None
    #: ``whole``: the whole listing at once (compared with every stored listing). A crawl that stores in
    #: chunks hands over each ``chunk`` (compared only with the stored listings of its own ids; nothing
    #: delisted, no aliases) and then one ``end`` (no models: its aliases, and the delisting of the stored
    #: listings that the crawl's "seen" rows, key ``seen_key``, do not name).
    part: str = "whole"
    seen_key: str | None = None
    #: For the ``end``: the models the crawl's chunks touched (their shown values are refreshed once, at the end).
    affected: set[int] = field(default_factory=set)
    #: A ``chunk`` of a crawl whose database held listings when it began: the release events of its new ids
    #: wait in ``arrivals`` (``(listing state, event)``) for the ``end``, which pairs them with the ids that
    #: left (a rename is one event, not a release and a delisting).
    hold_arrivals: bool = False
    arrivals: list[Any] = field(default_factory=list)

    def count(self, previous: int | None) -> ListingCount:
        """What this listing delivered, for :func:`~tracker.normalize.completeness.judge_listing`."""
        return ListingCount(
            received=max(self.received, len(self.models) + len(self.aliases) + len(self.rejections)),
            rejected=len(self.rejections),
            unidentified=sum(1 for r in self.rejections if r.subject.startswith("data[")),
            total_given=self.total_given,
            total_count=self.total_count,
            previous=previous,
        )

    def add(self, record: OpenRouterModel | OpenRouterAliasRecord) -> None:
        if isinstance(record, OpenRouterAliasRecord):
            self.aliases.append(record)
        else:
            self.models.append(record)


def snapshot_from_payload(
    payload: Any,
    *,
    observed_at: dt.datetime,
    url: str | None = None,
    response_hash: str | None = None,
    complete: bool = True,
) -> OpenRouterSnapshot:
    """Normalize a whole ``/models`` response body (already JSON-decoded)."""
    snapshot = OpenRouterSnapshot(observed_at=observed_at, url=url, fetched_at=observed_at, response_hash=response_hash)
    entries = listing_entries(payload)
    seen: set[str] = set()
    for position, raw in enumerate(entries):
        record = normalize_or_reject(raw, position=position, url=url, seen=seen, snapshot=snapshot)
        if record is not None:
            snapshot.add(record)
    snapshot.received = len(entries)
    snapshot.total_given = "total_count" in payload
    snapshot.total_count = payload.get("total_count")
    snapshot.complete = complete and listing_is_complete(payload, len(entries))
    if complete and not snapshot.complete:
        snapshot.failure = "total_count does not match the entries received"
    return snapshot


def listing_entries(payload: Any) -> list[Any]:
    """The ``data`` list of a ``/models`` body; raises on any other shape."""
    if isinstance(payload, Mapping) and "error" in payload and "data" not in payload:
        error = payload.get("error")
        message = error.get("message") if isinstance(error, Mapping) else error
        raise NormalizationError("api-error", str(message)[:500])
    if not isinstance(payload, Mapping) or not isinstance(payload.get("data"), list):
        raise NormalizationError("unexpected-shape", "expected an object with a 'data' list")
    return payload["data"]


def listing_is_complete(payload: Mapping[str, Any], received: int) -> bool:
    total = payload.get("total_count")
    return not (isinstance(total, int) and not isinstance(total, bool) and total != received)


def next_page(payload: Mapping[str, Any]) -> str | None:
    links = payload.get("links")
    if isinstance(links, Mapping) and isinstance(links.get("next"), str) and links["next"]:
        return links["next"]
    return None


def normalize_or_reject(
    raw: Any, *, position: int, url: str | None, seen: set[str], snapshot: OpenRouterSnapshot
) -> OpenRouterModel | OpenRouterAliasRecord | None:
    """Normalize one entry; on failure add a :class:`Rejection` and return None."""
    subject = raw.get("id") if isinstance(raw, Mapping) and isinstance(raw.get("id"), str) else None
    label = subject[:200] if subject else f"data[{position}]"
    try:
        record = normalize_entry(raw)
    except NormalizationError as exc:
        snapshot.rejections.append(Rejection(subject=label, reason=exc.reason, detail=exc.detail, url=url))
        return None
    if record.id in seen:
        snapshot.rejections.append(Rejection(subject=label, reason="duplicate-id", detail="", url=url))
        return None
    seen.add(record.id)
    return record
