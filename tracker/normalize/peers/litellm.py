"""LiteLLM ``model_prices_and_context_window.json``: one entry per key, prices per token → USD per 1M tokens.

The file is one JSON object, ``key → {litellm_provider, mode, input_cost_per_token, …}``. Rules:

* ``sample_spec`` documents the schema: ignored (``documentation-entry``).
* an entry with neither ``input_cost_per_token`` nor ``output_cost_per_token`` nor a context limit (image,
  audio, rerank models priced per image / second / query) is ignored (``no-token-values``).
* a value that is not a non-negative number rejects the entry with the field named (``not-a-number``,
  ``negative-value``); an entry that is not an object is rejected (``not-an-object``).
* the context length is ``max_input_tokens`` (LiteLLM's ``max_tokens`` is documented as a legacy field that
  means the output limit for some providers, so it is never read as a context length).
* ``*_above_Nk_tokens`` prices are prompt-length tiers, qualifier ``prompt@prompt>N000`` (LiteLLM's
  threshold is "above", OpenRouter's ``min_prompt_tokens`` is "at least": the labels differ on purpose,
  so the two are never compared as the same tier).
* the offer is ``litellm_provider``; only ``openrouter`` entries (key ``openrouter/<id>``) name OpenRouter ids.
  Older files (1.84.0) and newer ones (1.110.x, which has no ``openrouter`` entries) parse alike.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from typing import Any

from tracker.errors import NormalizationError
from tracker.normalize.peers.types import (
    MILLION,
    OPENROUTER,
    CatalogEntry,
    CatalogParse,
    CatalogValue,
    EntryProblem,
    count_value,
    exact,
    per_mtok_value,
)

CATALOG = "litellm"
#: LiteLLM field → tracker price component.
COMPONENTS = {
    "input_cost_per_token": "prompt",
    "output_cost_per_token": "completion",
    "cache_read_input_token_cost": "input_cache_read",
    "cache_creation_input_token_cost": "input_cache_write",
}
_TIERED = re.compile(
    r"^(input_cost_per_token|output_cost_per_token|cache_read_input_token_cost|cache_creation_input_token_cost)"
    r"_above_(\d+)k_tokens$"
)


def parse_litellm(payload: Any, *, version: str, snapshot_at: dt.datetime | None) -> CatalogParse:
    result = CatalogParse(catalog=CATALOG, version=version, snapshot_at=snapshot_at)
    if not isinstance(payload, Mapping):
        raise NormalizationError("not-a-catalog", f"LiteLLM file is {type(payload).__name__}, not an object")
    for key, raw in payload.items():
        key_text = str(key)[:300]
        if key == "sample_spec":
            result.ignored.append(EntryProblem(key_text, "documentation-entry"))
            continue
        if not isinstance(raw, Mapping):
            result.rejected.append(EntryProblem(key_text, "not-an-object", type(raw).__name__))
            continue
        try:
            entry = _entry(key_text, raw)
        except NormalizationError as exc:
            result.rejected.append(EntryProblem(key_text, exc.reason, exc.detail))
            continue
        if not entry.values:
            result.ignored.append(EntryProblem(key_text, "no-token-values", str(raw.get("mode") or "")))
            continue
        result.entries.append(entry)
    return result


def _entry(key: str, raw: Mapping[str, Any]) -> CatalogEntry:
    provider = raw.get("litellm_provider")
    offer = provider.strip().lower() if isinstance(provider, str) else ""
    values: list[CatalogValue] = []
    for field_name, component in COMPONENTS.items():
        if raw.get(field_name) is None:
            continue
        per_mtok = (exact(raw[field_name], field_name) * MILLION).normalize()
        values.append(per_mtok_value(component, per_mtok, f"{field_name}={raw[field_name]}", offer=offer))
    for field_name, amount in raw.items():
        match = _TIERED.match(str(field_name))
        if match is None or amount is None:
            continue
        component = COMPONENTS[match.group(1)]
        tier = f"prompt>{int(match.group(2)) * 1000}"
        per_mtok = (exact(amount, field_name) * MILLION).normalize()
        values.append(per_mtok_value(f"{component}@{tier}", per_mtok, f"{field_name}={amount}", offer=offer, tier=tier))
    if raw.get("max_input_tokens") is not None:
        values.append(count_value("context_length", raw["max_input_tokens"], "max_input_tokens", offer=offer))
    openrouter_ids: tuple[str, ...] = ()
    if offer == OPENROUTER and key.startswith("openrouter/") and len(key) > len("openrouter/"):
        openrouter_ids = (key[len("openrouter/") :],)
    return CatalogEntry(
        catalog=CATALOG,
        key=key,
        offer=offer,
        openrouter_ids=openrouter_ids,
        hf_repos=(),
        name=None,
        values=tuple(values),
    )
