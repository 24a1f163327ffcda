"""Hub API payloads (listing entries, model details) + cards → typed records (pure).

* :func:`listing_entry` reads one entry of ``GET /api/models?author=…`` (asked
  for ``sha``, ``lastModified``, ``createdAt``, ``gated`` and ``pipeline_tag``
  through ``expand[]``) and :func:`needs_fetch` decides whether the repo's
  detail and card must be fetched: new repo, changed ``sha`` / ``lastModified``
  / ``gated``, or a card that could not be read last time. Unchanged repos cost
  nothing beyond the listing.
* :func:`normalize_detail` reads ``GET /api/models/{repo_id}``.
* :func:`build_facts` combines a detail with its card (or the card's error) into
  :class:`RepoFacts`: licence, open-weight status with evidence, parameters,
  context length, lineage, benchmarks. :meth:`RepoFacts.meaningful` is what is
  hashed: downloads, likes, ``sha`` and fetch times are not in it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, urlencode

from tracker.errors import NormalizationError
from tracker.normalize.benchmarks import BenchmarkScore, scores_from_model_index
from tracker.normalize.bounds import MAX_NUMBER_CHARS, clean_text, sane_time
from tracker.normalize.guard import isolated
from tracker.normalize.hfcard import LICENSE_KEYS, CardError, ModelCard
from tracker.normalize.identity import is_repo_id, org_of
from tracker.normalize.licenses import UNKNOWN, LicenseInfo, license_from_tags, resolve_license
from tracker.normalize.openweights import (
    OpenWeightDecision,
    gating_value,
    repo_status,
    siblings_filenames,
    weight_files,
)
from tracker.normalize.params import ParamCount, context_from_config, count_params

#: Fields asked for in listings (``expand[]``): enough to tell a changed repo.
LISTING_EXPAND = ("sha", "lastModified", "createdAt", "gated", "pipeline_tag")
#: ``base_model_relation`` values the Hub knows.
RELATIONS = ("quantized", "finetune", "adapter", "merge")
#: Card errors that are facts about the repo (not worth retrying at the same sha).
DEFINITIVE_CARD_ERRORS = frozenset(
    {
        "card-too-large",
        "card-binary",
        "card-empty",
        "card-no-front-matter",
        "card-bad-yaml",
        "card-bad-front-matter",
        "card-missing",
        "card-forbidden",
    }
)
_QUANT_TAGS = re.compile(r"^(gguf|gptq|awq|exl2|exl3|bitsandbytes|4-bit|8-bit|mlx|hqq|fp8|int4|int8|nf4)$", re.I)
_LINK = re.compile(r"<([^>]*)>\s*((?:;\s*[^;,]+)*)")


# ───────────────────────────── listing ─────────────────────────────


@dataclass(frozen=True, slots=True)
class ListingEntry:
    id: str
    org: str
    sha: str | None
    last_modified: dt.datetime | None
    created_at: dt.datetime | None
    #: None when the listing did not say.
    gated: str | None
    pipeline_tag: str | None
    #: Listed by a watched organisation (False: found by discovery).
    watched: bool


@dataclass(frozen=True, slots=True)
class KnownRepo:
    """What the database remembers of a repo, for the incremental decision."""

    sha: str | None
    last_modified: dt.datetime | None
    gated: str | None
    #: The card was read (or definitively failed) at this sha.
    settled: bool
    #: Stored as listed by a watched organisation (not only found by discovery).
    watched: bool = True


def parse_time(value: Any, field_name: str) -> dt.datetime | None:
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise NormalizationError("bad-field", f"{field_name}={str(value)[:60]!r}")
    if len(value) > MAX_NUMBER_CHARS:
        raise NormalizationError("bad-field", f"{field_name} has {len(value)} characters")
    try:
        parsed = dt.datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        aware = parsed.replace(tzinfo=dt.UTC) if parsed.tzinfo is None else parsed.astimezone(dt.UTC)
    except (ValueError, OverflowError) as exc:
        raise NormalizationError("bad-field", f"{field_name}={value[:60]!r}") from exc
    return sane_time(aware, field_name)


def repo_id_of(raw: Any) -> str:
    """The ``id`` of a listing entry or detail, validated."""
    if not isinstance(raw, Mapping):
        raise NormalizationError("not-an-object", type(raw).__name__)
    value = raw.get("id", raw.get("modelId"))
    if not isinstance(value, str):
        raise NormalizationError("invalid-id", f"id is {type(value).__name__}")
    if not is_repo_id(value):
        raise NormalizationError("invalid-id", repr(value[:200]))
    return value


def _opt_text(value: Any, field_name: str, limit: int = 255) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise NormalizationError("bad-field", f"{field_name} is {type(value).__name__}")
    if isinstance(value, int) and abs(value) > 10**40:
        raise NormalizationError("out-of-range", f"{field_name} is a {value.bit_length()}-bit number")
    return clean_text(str(value))[:limit] or None


def _sha(value: Any) -> str | None:
    text = _opt_text(value, "sha", 64)
    if text is not None and not re.fullmatch(r"[0-9a-fA-F]{7,64}", text):
        raise NormalizationError("bad-field", f"sha={text!r}")
    return text


@isolated
def listing_entry(raw: Any, *, watched: bool) -> ListingEntry:
    """One listing entry; raises :class:`NormalizationError` when unusable."""
    repo_id = repo_id_of(raw)
    return ListingEntry(
        id=repo_id,
        org=org_of(repo_id),
        sha=_sha(raw.get("sha")),
        last_modified=parse_time(raw.get("lastModified"), "lastModified"),
        created_at=parse_time(raw.get("createdAt"), "createdAt"),
        gated=gating_value(raw["gated"]) if "gated" in raw else None,
        pipeline_tag=_opt_text(raw.get("pipeline_tag"), "pipeline_tag", 64),
        watched=watched,
    )


def needs_fetch(entry: ListingEntry, known: KnownRepo | None) -> bool:
    """True when the repo's detail and card must be fetched."""
    if known is None or not known.settled or (entry.watched and not known.watched):
        return True
    if entry.sha is None and entry.last_modified is None:
        return True  # the listing cannot tell us: be safe
    if entry.sha is not None and entry.sha != known.sha:
        return True
    if entry.last_modified is not None and entry.last_modified != known.last_modified:
        return True
    return entry.gated is not None and entry.gated != known.gated


def next_link(header: str | None) -> str | None:
    """The ``rel="next"`` URL of an HTTP ``Link`` header."""
    if not header:
        return None
    for match in _LINK.finditer(header):
        url, params = match.group(1).strip(), match.group(2)
        rels = re.findall(r'rel\s*=\s*"?([^";,]+)"?', params)
        if any("next" in r.split() for r in rels) and url:
            return url
    return None


def listing_url(base_url: str, org: str, page_size: int) -> str:
    params = [("author", org), ("limit", str(page_size))] + [("expand[]", f) for f in LISTING_EXPAND]
    return f"{base_url.rstrip('/')}/api/models?{urlencode(params)}"


def discovery_url(base_url: str, limit: int) -> str:
    params = [
        ("pipeline_tag", "text-generation"),
        ("sort", "createdAt"),
        ("direction", "-1"),
        ("limit", str(limit)),
    ] + [("expand[]", f) for f in LISTING_EXPAND]
    return f"{base_url.rstrip('/')}/api/models?{urlencode(params)}"


def detail_url(base_url: str, repo_id: str) -> str:
    return f"{base_url.rstrip('/')}/api/models/{quote(repo_id, safe='/')}"


def card_url(base_url: str, repo_id: str) -> str:
    return f"{base_url.rstrip('/')}/{quote(repo_id, safe='/')}/raw/main/README.md"


# ───────────────────────────── detail ─────────────────────────────


@dataclass(frozen=True)
class HubDetail:
    id: str
    org: str
    sha: str | None
    last_modified: dt.datetime | None
    created_at: dt.datetime | None
    gated: str
    disabled: bool
    private: bool
    pipeline_tag: str | None
    library_name: str | None
    tags: tuple[str, ...]
    card_data: dict[str, Any]
    #: Repo files, or None when the API did not list them.
    files: tuple[str, ...] | None
    safetensors: dict[str, Any] | None
    gguf: dict[str, Any] | None
    config: dict[str, Any] | None
    model_index: Any = None


@isolated
def normalize_detail(raw: Any) -> HubDetail:
    """``GET /api/models/{repo_id}`` → :class:`HubDetail`; raises :class:`NormalizationError`."""
    repo_id = repo_id_of(raw)
    if "error" in raw and "sha" not in raw:
        raise NormalizationError("api-error", str(raw.get("error"))[:500])
    tags = raw.get("tags") or []
    if not isinstance(tags, list):
        raise NormalizationError("bad-field", "tags is not a list")
    card_data = raw.get("cardData") or {}
    if not isinstance(card_data, Mapping):
        card_data = {}
    files = siblings_filenames(raw.get("siblings"))
    config = raw.get("config") if isinstance(raw.get("config"), Mapping) else None
    return HubDetail(
        id=repo_id,
        org=_opt_text(raw.get("author"), "author", 128) or org_of(repo_id),
        sha=_sha(raw.get("sha")),
        last_modified=parse_time(raw.get("lastModified"), "lastModified"),
        created_at=parse_time(raw.get("createdAt"), "createdAt"),
        gated=gating_value(raw.get("gated")),
        disabled=raw.get("disabled") is True,
        private=raw.get("private") is True,
        pipeline_tag=_opt_text(raw.get("pipeline_tag"), "pipeline_tag", 64),
        library_name=_opt_text(raw.get("library_name"), "library_name", 64),
        tags=tuple(clean_text(t)[:200] for t in tags if isinstance(t, str)),
        card_data=dict(card_data),
        files=tuple(files) if files is not None else None,
        safetensors=dict(raw["safetensors"]) if isinstance(raw.get("safetensors"), Mapping) else None,
        gguf=dict(raw["gguf"]) if isinstance(raw.get("gguf"), Mapping) else None,
        config={k: v for k, v in config.items() if k != "chat_template_jinja" and k != "tokenizer_config"}
        if config
        else None,
        model_index=raw.get("model-index"),
    )


# ───────────────────────────── facts ─────────────────────────────


@dataclass(frozen=True)
class CardOutcome:
    """What happened to the card: ``ok``, ``invalid`` (definitive) or ``unavailable`` (retry later)."""

    state: str
    card: ModelCard | None = None
    reason: str | None = None
    detail: str | None = None
    #: The readable text even when the card is invalid (kept for claim extraction).
    body: str | None = None

    @classmethod
    def from_card(cls, card: ModelCard) -> CardOutcome:
        return cls("ok", card=card, body=card.body)

    @classmethod
    def from_error(cls, error: CardError) -> CardOutcome:
        return cls("invalid", reason=error.reason, detail=error.detail, body=error.body)

    @classmethod
    def from_fetch_failure(cls, reason: str, detail: str = "", http_status: int | None = None) -> CardOutcome:
        if http_status == 404 or reason == "http-404":
            return cls("invalid", reason="card-missing", detail="the repo has no README.md (HTTP 404)")
        if http_status in (401, 403) or reason in ("http-401", "http-403"):
            return cls("invalid", reason="card-forbidden", detail=f"the README is not readable ({reason})")
        if reason == "too-large":
            return cls("invalid", reason="card-too-large", detail=detail or "download cancelled over the size limit")
        return cls("unavailable", reason=f"card-{reason}" if not reason.startswith("card-") else reason, detail=detail)

    @property
    def settled(self) -> bool:
        return self.state in ("ok", "invalid")


@dataclass(frozen=True)
class RepoFacts:
    repo_id: str
    org: str
    sha: str | None
    last_modified: dt.datetime | None
    created_at: dt.datetime | None
    gated: str
    disabled: bool
    pipeline_tag: str | None
    library_name: str | None
    license: LicenseInfo
    #: ``card``, ``api-card-data``, ``api-tag`` or ``none``.
    license_source: str
    #: The text the licence was read from (front-matter lines as written).
    license_quote: str | None
    base_models: tuple[str, ...]
    base_relation: str | None
    is_derivative: bool
    params: ParamCount
    context_length: int | None
    weights: OpenWeightDecision
    benchmarks: tuple[BenchmarkScore, ...]
    #: ``card`` or ``api`` (the API's copy of the card's model-index).
    benchmarks_from: str | None
    card: CardOutcome = field(default_factory=lambda: CardOutcome("unavailable"))

    @property
    def card_hash(self) -> str | None:
        if self.card.body is None:
            return None
        return "sha256:" + hashlib.sha256(self.card.body.encode("utf-8")).hexdigest()

    @property
    def base_model(self) -> str | None:
        return self.base_models[0] if self.base_models else None

    def meaningful(self) -> dict[str, Any]:
        """The fields whose change is a change of the repo (hashed, observed)."""
        return {
            "id": self.repo_id,
            "created_at": self.created_at.isoformat() if self.created_at else None,
            "gated": self.gated,
            "disabled": self.disabled,
            "pipeline_tag": self.pipeline_tag,
            "library_name": self.library_name,
            "license": self.license.attributes(),
            "license_declared": self.license.declared,
            "license_source": self.license_source,
            "base_models": list(self.base_models),
            "base_relation": self.base_relation,
            "is_derivative": self.is_derivative,
            "params_total": self.params.total,
            "params_total_source": self.params.total_source,
            "params_active": self.params.active,
            "params_active_source": self.params.active_source,
            "context_length": self.context_length,
            "open_weight_status": str(self.weights.status),
            "open_weight_evidence": self.weights.evidence,
            "benchmarks": [b.as_dict() for b in self.benchmarks],
            "card_state": self.card.state,
            "card_error": self.card.reason,
            "card_hash": self.card_hash,
        }


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value.strip()] if value.strip() else []
    if isinstance(value, list | tuple):
        return [v.strip() for v in value if isinstance(v, str) and v.strip()]
    return []


def _license(detail: HubDetail, card: ModelCard | None) -> tuple[LicenseInfo, str, str | None]:
    if card is not None and any(card.get(k) is not None for k in ("license", "license_name", "license_link")):
        info = resolve_license(
            card.get("license"), card.get("license_name"), card.get("license_link"), commercial=card.get("commercial")
        )
        if info is not UNKNOWN:
            keys = (*LICENSE_KEYS, "commercial") if "commercial" in info.declared else LICENSE_KEYS
            return info, "card", card.quote(keys) or None
    data = detail.card_data
    if any(data.get(k) is not None for k in ("license", "license_name", "license_link")):
        info = resolve_license(
            data.get("license"), data.get("license_name"), data.get("license_link"), commercial=data.get("commercial")
        )
        if info is not UNKNOWN:
            quote_text = "\n".join(
                f"{k}: {data[k]}" for k in ("license", "license_name", "license_link") if data.get(k) is not None
            )
            return info, "api-card-data", quote_text
    info = license_from_tags(detail.tags)
    if info is not UNKNOWN:
        tags = [t for t in detail.tags if t.startswith("license:")]
        return info, "api-tag", ", ".join(tags)
    return UNKNOWN, "none", None


def _lineage(detail: HubDetail, card: ModelCard | None) -> tuple[tuple[str, ...], str | None, bool]:
    """Base models, relation, derivative?"""
    source = card.front_matter if card is not None and card.get("base_model") is not None else detail.card_data
    bases = _strings(source.get("base_model"))
    relation = source.get("base_model_relation")
    tag_relations: dict[str, str] = {}
    for tag in detail.tags:
        parts = tag.split(":")
        if len(parts) == 3 and parts[0] == "base_model" and parts[1] in RELATIONS:
            tag_relations[parts[2]] = parts[1]
        elif len(parts) == 2 and parts[0] == "base_model" and not bases:
            bases.append(parts[1])
    if not bases:
        bases = list(tag_relations)
    bases = [b for b in dict.fromkeys(bases) if is_repo_id(b) and b.lower() != detail.id.lower()]
    if not bases:
        return (), None, False
    if not (isinstance(relation, str) and relation in RELATIONS):
        relation = next((tag_relations[b] for b in bases if b in tag_relations), None)
    if relation is None:
        relation = _guess_relation(detail, bases)
    # A first-party finetune (an instruct / chat version by the base model's own
    # organisation) is a release with lineage; everything else is a derivative.
    derivative = relation != "finetune" or org_of(bases[0]).lower() != detail.org.lower()
    return tuple(bases), relation, derivative


def _guess_relation(detail: HubDetail, bases: list[str]) -> str:
    files = [f.lower() for f in detail.files or ()]
    if any(f.rsplit("/", 1)[-1] == "adapter_config.json" for f in files):
        return "adapter"
    if len(bases) > 1 or any(t.lower() in ("merge", "mergekit") for t in detail.tags):
        return "merge"
    if any(f.endswith(".gguf") for f in files) or any(_QUANT_TAGS.match(t) for t in detail.tags):
        return "quantized"
    return "finetune"


@isolated
def build_facts(detail: HubDetail, card: CardOutcome) -> RepoFacts:
    """Everything the tracker knows about one repo from its detail and its card."""
    parsed = card.card
    license_info, license_source, license_quote = _license(detail, parsed)
    bases, relation, derivative = _lineage(detail, parsed)
    files = weight_files(detail.files) if detail.files is not None else None
    hint = "safetensors" if detail.safetensors else ("gguf" if detail.gguf else None)
    weights = repo_status(detail.id, gated=detail.gated, files=files, disabled=detail.disabled, metadata_hint=hint)
    if parsed is not None and parsed.get("model-index") is not None:
        benchmarks, benchmarks_from = scores_from_model_index(parsed.get("model-index")), "card"
    else:
        benchmarks, benchmarks_from = scores_from_model_index(detail.model_index), "api"
    pipeline_tag = detail.pipeline_tag
    library = detail.library_name
    if parsed is not None:
        pipeline_tag = pipeline_tag or _first(parsed.get("pipeline_tag"))
        library = library or _first(parsed.get("library_name"))
    return RepoFacts(
        repo_id=detail.id,
        org=detail.org,
        sha=detail.sha,
        last_modified=detail.last_modified,
        created_at=detail.created_at,
        gated=detail.gated,
        disabled=detail.disabled,
        pipeline_tag=pipeline_tag,
        library_name=library,
        license=license_info,
        license_source=license_source,
        license_quote=license_quote,
        base_models=bases,
        base_relation=relation,
        is_derivative=derivative,
        params=count_params(detail.id, detail.safetensors, detail.gguf),
        context_length=context_from_config(detail.config, detail.gguf),
        weights=weights,
        benchmarks=tuple(benchmarks),
        benchmarks_from=benchmarks_from if benchmarks else None,
        card=card,
    )


def _first(value: Any) -> str | None:
    values = _strings(value)
    return values[0][:64] if values else None
