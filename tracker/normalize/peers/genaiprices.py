"""pydantic genai-prices ``prices/data.json``: providers, each with models, match rules and prices per 1M tokens.

Shape: ``[{id, name, models: [{id, match, name?, context_window?, prices}]}]``. Rules:

* one entry per provider and model, key ``provider:model``; the offer is the provider id; for the
  ``openrouter`` provider the OpenRouter ids are the model id and every ``equals`` of its ``match`` rule
  (exact ids only: ``starts_with`` / ``contains`` rules are never turned into ids);
* ``prices`` is either one price set or a list of price sets with a ``constraint`` (``start_date``…): the set in
  force at the catalog's snapshot time is used (the last one whose ``start_date`` is not after it; a set with
  another kind of constraint is not chosen);
* ``input_mtok`` / ``output_mtok`` / ``cache_read_mtok`` / ``cache_write_mtok`` are USD per 1M tokens; a tiered
  value ``{base, tiers: [{start, price}]}`` gives the base price and tiers labelled ``prompt>start``;
* ``context_window`` is the context length; an entry with no token price and no context is ignored (``no-values``,
  e.g. a ``:free`` variant with ``prices: {}``); a value that is not a number rejects the entry.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from tracker.errors import NormalizationError
from tracker.normalize.peers.types import (
    OPENROUTER,
    CatalogEntry,
    CatalogParse,
    CatalogValue,
    EntryProblem,
    count_value,
    exact,
    per_mtok_value,
)

CATALOG = "genai-prices"
COMPONENTS = {
    "input_mtok": "prompt",
    "output_mtok": "completion",
    "cache_read_mtok": "input_cache_read",
    "cache_write_mtok": "input_cache_write",
}


def parse_genai_prices(payload: Any, *, version: str, snapshot_at: dt.datetime | None) -> CatalogParse:
    result = CatalogParse(catalog=CATALOG, version=version, snapshot_at=snapshot_at)
    if not isinstance(payload, list):
        raise NormalizationError("not-a-catalog", f"genai-prices data is {type(payload).__name__}, not a list")
    for position, provider in enumerate(payload):
        if not isinstance(provider, Mapping) or not isinstance(provider.get("id"), str):
            result.rejected.append(EntryProblem(f"[{position}]", "not-a-provider"))
            continue
        provider_id = provider["id"].strip().lower()
        models = provider.get("models")
        if not isinstance(models, list):
            result.rejected.append(EntryProblem(provider_id, "not-a-provider", "no models list"))
            continue
        for index, raw in enumerate(models):
            if not isinstance(raw, Mapping) or not isinstance(raw.get("id"), str):
                result.rejected.append(EntryProblem(f"{provider_id}:[{index}]", "not-an-object"))
                continue
            key = f"{provider_id}:{raw['id']}"[:300]
            try:
                entry = _entry(key, provider_id, raw, snapshot_at)
            except NormalizationError as exc:
                result.rejected.append(EntryProblem(key, exc.reason, exc.detail))
                continue
            if not entry.values:
                result.ignored.append(EntryProblem(key, "no-values"))
                continue
            result.entries.append(entry)
    return result


def _entry(key: str, offer: str, raw: Mapping[str, Any], at: dt.datetime | None) -> CatalogEntry:
    prices = _prices_in_force(raw.get("prices"), at)
    values: list[CatalogValue] = []
    for field_name, component in COMPONENTS.items():
        amount = prices.get(field_name)
        if amount is None:
            continue
        if isinstance(amount, Mapping):
            base = amount.get("base")
            if base is None:
                raise NormalizationError("bad-tier", f"{field_name} without base")
            values.append(
                per_mtok_value(component, exact(base, f"{field_name}.base"), f"{field_name}.base={base}", offer=offer)
            )
            for tier_raw in amount.get("tiers") or ():
                if not isinstance(tier_raw, Mapping) or isinstance(tier_raw.get("start"), bool):
                    raise NormalizationError("bad-tier", f"{field_name} tier {tier_raw!r}"[:200])
                start = tier_raw.get("start")
                if not isinstance(start, int) or start <= 0:
                    raise NormalizationError("bad-tier", f"{field_name} tier start={start!r}")
                tier = f"prompt>{start}"
                price = exact(tier_raw.get("price"), f"{field_name}.tiers.price")
                quote = f"{field_name} tier start={start} price={tier_raw.get('price')}"
                values.append(per_mtok_value(f"{component}@{tier}", price, quote, offer=offer, tier=tier))
            continue
        values.append(per_mtok_value(component, exact(amount, field_name), f"{field_name}={amount}", offer=offer))
    if raw.get("context_window") not in (None, 0):
        values.append(count_value("context_length", raw["context_window"], "context_window", offer=offer))
    ids: tuple[str, ...] = ()
    if offer == OPENROUTER:
        ids = tuple(dict.fromkeys([raw["id"], *_equals(raw.get("match"))]))
    name = raw.get("name")
    return CatalogEntry(
        catalog=CATALOG,
        key=key,
        offer=offer,
        openrouter_ids=ids,
        hf_repos=(),
        name=name if isinstance(name, str) else None,
        values=tuple(values),
    )


def _prices_in_force(prices: Any, at: dt.datetime | None) -> Mapping[str, Any]:
    if prices is None:
        return {}
    if isinstance(prices, Mapping):
        return prices
    if not isinstance(prices, list):
        raise NormalizationError("bad-prices", f"prices is {type(prices).__name__}")
    chosen: Mapping[str, Any] | None = None
    for item in prices:
        if not isinstance(item, Mapping) or not isinstance(item.get("prices"), Mapping):
            raise NormalizationError("bad-prices", f"price set {item!r}"[:200])
        constraint = item.get("constraint")
        if constraint is None:
            chosen = chosen or item["prices"]
            continue
        start = constraint.get("start_date") if isinstance(constraint, Mapping) else None
        if not isinstance(start, str) or len(constraint) != 1:
            continue  # a time-of-day or other condition: not the plain price
        try:
            start_at = dt.datetime.fromisoformat(start).replace(tzinfo=dt.UTC)
        except ValueError as exc:
            raise NormalizationError("bad-prices", f"start_date={start!r}") from exc
        if at is None or start_at <= at:
            chosen = item["prices"]
    return chosen or {}


def _equals(match: Any) -> list[str]:
    if not isinstance(match, Mapping):
        return []
    if isinstance(match.get("equals"), str):
        return [match["equals"]]
    found: list[str] = []
    for part in match.get("or") or ():
        found.extend(_equals(part))
    return found
