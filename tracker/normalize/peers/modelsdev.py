"""models.dev: ``api.json`` (the published file) and the TOML tree it is generated from.

``api.json`` is ``provider id → {id, name, models: {model id → {name, cost, limit, open_weights, weights…}}}``;
costs are USD per 1M tokens, ``limit.context`` is the context length. The repository's TOML tree
(``providers/<p>/models/<id>.toml`` inheriting from ``models/<id>.toml`` through ``base_model``) is turned into
the same shape by :func:`assemble_tree`, following the README's rules (provider fields win, key by key inside a
nested table; ``base_model_omit`` removes dot paths), so both parse the same way.

Rules of :func:`parse_modelsdev`:

* one entry per provider and model, key ``provider:model``; the offer is the provider id; only the
  ``openrouter`` provider names OpenRouter ids (the model id, exactly);
* ``cost.input`` / ``output`` / ``cache_read`` / ``cache_write`` are the base prices; ``cost.tiers`` with a
  ``context`` tier of size N and ``cost.context_over_200k`` are prompt-length tiers labelled ``prompt>N``;
* ``open_weights`` is aggregator evidence for open-weight status (``open`` / ``api-only``), with the
  ``weights`` links (Hugging Face repos) as its quote;
* ``limit.context = 0`` (image models) means no context length; a tier without ``type`` is a context tier;
* a model that is not a table, a cost that is not a number, or a TOML file that does not parse is rejected
  with the reason; a model without cost and limit is ignored (``no-values``).
"""

from __future__ import annotations

import copy
import datetime as dt
import re
import tomllib
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

CATALOG = "models.dev"
COMPONENTS = {
    "input": "prompt",
    "output": "completion",
    "cache_read": "input_cache_read",
    "cache_write": "input_cache_write",
}
_HF_REPO = re.compile(r"^https?://huggingface\.co/([A-Za-z0-9][\w.-]*/[\w.-]+)/?$")


def assemble_tree(files: Mapping[str, str]) -> tuple[dict[str, Any], list[EntryProblem]]:
    """``relative path → TOML text`` of a models.dev checkout → the ``api.json`` shape, and the files that failed."""
    problems: list[EntryProblem] = []
    parsed: dict[str, dict[str, Any]] = {}
    for path, text in files.items():
        target = _symlink_target(path, text)
        if target is not None:  # a git symlink checked out as a file holding its target path
            if target not in files:
                problems.append(EntryProblem(path, "broken-link", text.strip()[:200]))
                continue
            text = files[target]
        try:
            parsed[path] = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            problems.append(EntryProblem(path, "bad-toml", str(exc)[:200]))
    base_models = {
        _strip_toml(path[len("models/") :]): data for path, data in parsed.items() if path.startswith("models/")
    }
    api: dict[str, Any] = {}
    for path, data in sorted(parsed.items()):
        parts = path.split("/")
        if len(parts) == 3 and parts[0] == "providers" and parts[2] == "provider.toml":
            api.setdefault(parts[1], {"models": {}}).update({**data, "id": parts[1]})
    for path, data in sorted(parsed.items()):
        parts = path.split("/", 3)
        if len(parts) != 4 or parts[0] != "providers" or parts[2] != "models":
            continue
        provider, model_id = parts[1], _strip_toml(parts[3])
        model = data
        base_id = data.get("base_model")
        if base_id is not None:
            base = base_models.get(str(base_id))
            if base is None:
                problems.append(EntryProblem(f"{provider}:{model_id}", "missing-base-model", str(base_id)))
                continue
            model = _inherit(base, data)
        model = {**model, "id": model_id}
        api.setdefault(provider, {"id": provider, "models": {}})["models"][model_id] = model
    return api, problems


def _symlink_target(path: str, text: str) -> str | None:
    stripped = text.strip()
    if "\n" in stripped or "=" in stripped or not stripped.startswith("../") or not stripped.endswith(".toml"):
        return None
    parts = path.split("/")[:-1]
    for part in stripped.split("/"):
        if part == "..":
            if not parts:
                return None
            parts.pop()
        elif part not in ("", "."):
            parts.append(part)
    return "/".join(parts)


def _strip_toml(path: str) -> str:
    return path[: -len(".toml")] if path.endswith(".toml") else path


def _inherit(base: Mapping[str, Any], own: Mapping[str, Any]) -> dict[str, Any]:
    merged = copy.deepcopy(dict(base))
    for key, value in own.items():
        if key in ("base_model", "base_model_omit"):
            continue
        inherited = merged.get(key)
        if isinstance(value, dict) and isinstance(inherited, dict):
            # a table the provider sets keeps the model's other keys (limit.output alone keeps limit.context)
            merged[key] = {**inherited, **copy.deepcopy(value)}
        else:
            merged[key] = copy.deepcopy(value)
    for dotted in own.get("base_model_omit") or ():
        node: Any = merged
        *head, last = str(dotted).split(".")
        for part in head:
            node = node.get(part) if isinstance(node, dict) else None
        if isinstance(node, dict):
            node.pop(last, None)
    return merged


def parse_modelsdev(payload: Any, *, version: str, snapshot_at: dt.datetime | None) -> CatalogParse:
    result = CatalogParse(catalog=CATALOG, version=version, snapshot_at=snapshot_at)
    if not isinstance(payload, Mapping):
        raise NormalizationError("not-a-catalog", f"models.dev api.json is {type(payload).__name__}, not an object")
    for provider_id, provider in payload.items():
        models = provider.get("models") if isinstance(provider, Mapping) else None
        if not isinstance(models, Mapping):
            result.rejected.append(EntryProblem(str(provider_id)[:300], "not-a-provider", "no models table"))
            continue
        for model_id, raw in models.items():
            key = f"{provider_id}:{model_id}"[:300]
            if not isinstance(raw, Mapping):
                result.rejected.append(EntryProblem(key, "not-an-object", type(raw).__name__))
                continue
            try:
                entry = _entry(key, str(provider_id).lower(), str(model_id), raw)
            except NormalizationError as exc:
                result.rejected.append(EntryProblem(key, exc.reason, exc.detail))
                continue
            if not entry.values:
                result.ignored.append(EntryProblem(key, "no-values"))
                continue
            result.entries.append(entry)
    return result


def _entry(key: str, offer: str, model_id: str, raw: Mapping[str, Any]) -> CatalogEntry:
    values: list[CatalogValue] = []
    cost = raw.get("cost")
    if cost is not None and not isinstance(cost, Mapping):
        raise NormalizationError("bad-cost", f"cost={cost!r}"[:200])
    for field_name, component in COMPONENTS.items():
        if cost is not None and cost.get(field_name) is not None:
            amount = exact(cost[field_name], f"cost.{field_name}")
            values.append(per_mtok_value(component, amount, f"cost.{field_name}={cost[field_name]}", offer=offer))
    for threshold, tier_cost in _tiers(cost):
        tier = f"prompt>{threshold}"
        for field_name, component in COMPONENTS.items():
            if tier_cost.get(field_name) is None:
                continue
            amount = exact(tier_cost[field_name], f"cost.tiers.{field_name}")
            quote = f"cost (context over {threshold}).{field_name}={tier_cost[field_name]}"
            values.append(per_mtok_value(f"{component}@{tier}", amount, quote, offer=offer, tier=tier))
    limit = raw.get("limit")
    if isinstance(limit, Mapping) and limit.get("context") not in (None, 0):  # 0: not a text model
        values.append(count_value("context_length", limit["context"], "limit.context", offer=offer))
    hf_repos = tuple(_weight_repos(raw.get("weights")))
    open_weights = raw.get("open_weights")
    if isinstance(open_weights, bool):
        quote = f"open_weights={str(open_weights).lower()}"
        if hf_repos:
            quote += "; weights: " + ", ".join(f"https://huggingface.co/{repo}" for repo in hf_repos)
        values.append(
            CatalogValue(
                attribute="openness",
                qualifier="",
                value="open" if open_weights else "api-only",
                number=None,
                unit=None,
                quote=quote[:300],
            )
        )
    name = raw.get("name")
    return CatalogEntry(
        catalog=CATALOG,
        key=key,
        offer=offer,
        openrouter_ids=(model_id,) if offer == OPENROUTER else (),
        hf_repos=hf_repos,
        name=name if isinstance(name, str) else None,
        values=tuple(values),
    )


def _tiers(cost: Mapping[str, Any] | None) -> list[tuple[int, Mapping[str, Any]]]:
    if cost is None:
        return []
    tiers: list[tuple[int, Mapping[str, Any]]] = []
    over = cost.get("context_over_200k")
    if isinstance(over, Mapping):
        tiers.append((200_000, over))
    for item in cost.get("tiers") or ():
        condition = item.get("tier") if isinstance(item, Mapping) else None
        if not isinstance(condition, Mapping) or condition.get("type", "context") != "context":
            raise NormalizationError("bad-tier", f"tier={condition!r}"[:200])
        size = condition.get("size")
        if isinstance(size, bool) or not isinstance(size, int) or size <= 0:
            raise NormalizationError("bad-tier", f"tier size={size!r}")
        tiers.append((size, item))
    return tiers


def _weight_repos(weights: Any) -> list[str]:
    repos = []
    for item in weights or ():
        url = item.get("url") if isinstance(item, Mapping) else None
        match = _HF_REPO.match(url.strip()) if isinstance(url, str) else None
        if match is not None and match.group(1) not in repos:
            repos.append(match.group(1))
    return repos
