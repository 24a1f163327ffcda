"""What a peer catalog says, normalized: entries, their values, and the entries that could not be used."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from decimal import ROUND_HALF_EVEN, Context, Decimal, InvalidOperation
from typing import Any

from tracker.errors import NormalizationError

#: The catalogs tracker reads, and what their names mean on the site.
CATALOGS: dict[str, str] = {
    "models.dev": "models.dev (api.json)",
    "litellm": "LiteLLM model_prices_and_context_window.json",
    "genai-prices": "pydantic genai-prices (prices/data.json)",
    "epoch": "Epoch AI model data (CSV)",
}
#: The offer name a catalog entry carries when it describes OpenRouter's own listing.
OPENROUTER = "openrouter"
_CONTEXT = Context(prec=7, rounding=ROUND_HALF_EVEN)
MILLION = Decimal(1_000_000)


@dataclass(frozen=True, slots=True)
class CatalogValue:
    """One value of one entry: a price component (USD per 1M tokens), a context length, an openness label."""

    #: ``price``, ``context_length``, ``openness``, ``params_total``, ``release_date``.
    attribute: str
    #: ``prompt`` / ``completion`` / ``input_cache_read`` / ``input_cache_write`` for prices, ``prompt@prompt>=N``
    #: for a prompt-length tier; ``""`` otherwise.
    qualifier: str
    #: Canonical text of the value (``0.78``, ``262144``, ``open``).
    value: str
    #: Exact number (prices in USD per 1M tokens, counts in tokens / parameters).
    number: Decimal | None
    #: ``usd_per_mtok``, ``tokens``, ``params`` or ``None``.
    unit: str | None
    #: The catalog's own field and text, as a quote (``input_cost_per_token=2.5e-07``).
    quote: str
    #: Comparability facts (``currency``, ``offer``, ``tier``): see docs/claims.md.
    extra: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class CatalogEntry:
    """One entry of a catalog (one model at one offer, as the catalog names it)."""

    catalog: str
    #: The entry's key in the catalog (``openrouter/qwen/qwen3-max``, ``openrouter:qwen/qwen3-max``, a row's name).
    key: str
    #: Who sells at these values, as the catalog says (``openrouter``, ``openai``, ``alibaba``…); ``""`` when none.
    offer: str
    #: The OpenRouter ids this entry describes, when the offer is OpenRouter (exact ids, never guessed).
    openrouter_ids: tuple[str, ...]
    #: Hugging Face repos the catalog links as the model's weights.
    hf_repos: tuple[str, ...]
    #: The model's name as the catalog gives it.
    name: str | None
    values: tuple[CatalogValue, ...]

    def value(self, attribute: str, qualifier: str = "") -> CatalogValue | None:
        for item in self.values:
            if item.attribute == attribute and item.qualifier == qualifier:
                return item
        return None


@dataclass(frozen=True, slots=True)
class EntryProblem:
    """An entry that could not be used (``reason`` is a short code) or was deliberately left out."""

    key: str
    reason: str
    detail: str = ""


@dataclass
class CatalogParse:
    """Everything one catalog file said."""

    catalog: str
    #: Release, commit or export date (``1.84.0``, ``f3fc6922…``); part of every claim's source.
    version: str
    #: When the catalog's data was current (its release / commit / export time).
    snapshot_at: dt.datetime | None
    entries: list[CatalogEntry] = field(default_factory=list)
    #: Entries that could not be parsed, with the reason.
    rejected: list[EntryProblem] = field(default_factory=list)
    #: Entries parsed but not used (documentation rows, image-only models…), with the reason.
    ignored: list[EntryProblem] = field(default_factory=list)

    @property
    def source(self) -> str:
        """The source name claims carry: catalog and version (``litellm@1.84.0``)."""
        return f"{self.catalog}@{self.version}" if self.version else self.catalog

    def reasons(self) -> dict[str, int]:
        counts = Counter(p.reason for p in self.rejected)
        return dict(sorted(counts.items()))

    def ignored_reasons(self) -> dict[str, int]:
        counts = Counter(p.reason for p in self.ignored)
        return dict(sorted(counts.items()))


def exact(raw: Any, field_name: str, *, noise: bool = True) -> Decimal:
    """An upstream number (JSON float, int or text) as an exact Decimal.

    Prices (``noise=True``) are rounded to 7 significant digits: catalogs keep them as binary floats
    (``2.5e-07``, ``1.4999999e-06``) and the digits beyond the 7th are representation noise, the same
    rule as :mod:`tracker.normalize.pricing`. Counts are kept exactly.
    """
    if isinstance(raw, bool) or not isinstance(raw, int | float | str):
        raise NormalizationError("not-a-number", f"{field_name}={raw!r}")
    try:
        value = Decimal(str(raw).strip().replace("_", ""))
    except InvalidOperation:
        raise NormalizationError("not-a-number", f"{field_name}={raw!r}") from None
    if not value.is_finite():
        raise NormalizationError("not-a-number", f"{field_name}={raw!r}")
    if value < 0:
        raise NormalizationError("negative-value", f"{field_name}={raw!r}")
    if value == 0:
        return Decimal(0)
    return _CONTEXT.plus(value).normalize() if noise else value


def text_of(number: Decimal) -> str:
    """Canonical text of a Decimal (no exponent, no trailing zeros)."""
    if number == 0:
        return "0"
    return format(number.normalize(), "f")


def per_mtok_value(
    qualifier: str, per_mtok: Decimal, quote: str, *, offer: str, currency: str = "USD", tier: str = ""
) -> CatalogValue:
    extra = [("currency", currency.lower() if currency != "USD" else "usd")]
    if offer:
        extra.append(("offer", offer))
    if tier:
        extra.append(("tier", tier))
    return CatalogValue(
        attribute="price",
        qualifier=qualifier,
        value=text_of(per_mtok),
        number=per_mtok,
        unit="usd_per_mtok",
        quote=quote[:300],
        extra=tuple(extra),
    )


def count_value(attribute: str, raw: Any, field_name: str, *, offer: str = "") -> CatalogValue:
    """A token / parameter count (a positive whole number)."""
    number = exact(raw, field_name, noise=False)
    if number != number.to_integral_value() or number <= 0:
        raise NormalizationError("bad-count", f"{field_name}={raw!r}")
    unit = "tokens" if attribute == "context_length" else "params"
    extra = (("offer", offer),) if offer else ()
    return CatalogValue(
        attribute=attribute,
        qualifier="",
        value=str(int(number)),
        number=Decimal(int(number)),
        unit=unit,
        quote=f"{field_name}={raw}"[:300],
        extra=extra,
    )
