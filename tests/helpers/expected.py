"""Check events against ../shared/corpus/openrouter/expected_changes.json."""

from __future__ import annotations

import json
from decimal import Context, Decimal
from pathlib import Path
from typing import Any

MILLION = Decimal(1_000_000)


def per_mtok(raw: str) -> Decimal:
    """USD per 1M tokens under the documented rule: 7 significant digits (float noise dropped)."""
    return (Context(prec=7).plus(Decimal(raw)) * MILLION).normalize()


def load_expected(corpus: Path) -> list[dict[str, Any]]:
    return json.loads((corpus / "openrouter" / "expected_changes.json").read_text())["changes"]


def _price_events(events: list[dict[str, Any]], model: str) -> dict[tuple[str, str], dict[str, Any]]:
    return {
        (e["component"], e.get("tier") or ""): e for e in events if e["kind"] == "price_changed" and e["model"] == model
    }


def _tier_label(min_tokens: int) -> str:
    return f"prompt>={min_tokens}"


def check_expected_changes(corpus: Path, events_by_file: dict[str, list[dict[str, Any]]]) -> list[str]:
    """Every verified change must be among the events of the snapshot it appeared in.

    Returns the ids of the expectations checked (so a test can assert none was skipped).
    """
    checked = []
    for change in load_expected(corpus):
        kind = change["kind"]
        if kind == "schema":
            continue
        events = events_by_file[change["to"]]
        ident = change["id"]
        if kind in ("price_change", "context_and_price_change"):
            prices = _price_events(events, change["model"])
            before, after = change["before"], change["after"]
            for field, old in before.items():
                new = after[field]
                if field == "context_length":
                    [ctx] = [
                        e for e in events if e["kind"] == "context_length_changed" and e["model"] == change["model"]
                    ]
                    assert (ctx["old"], ctx["new"]) == (old, new), ident
                    continue
                if field.startswith("overrides[0]."):
                    component = field.split(".", 1)[1]
                    if component == "min_prompt_tokens":
                        continue
                    key = (component, _tier_label(before["overrides[0].min_prompt_tokens"]))
                else:
                    key = (field, "")
                if per_mtok(old) == per_mtok(new):
                    assert key not in prices, f"{ident}: event for unchanged {key}"
                    continue
                assert key in prices, f"{ident}: no price event for {change['model']} {key}"
                event = prices[key]
                assert Decimal(event["old"]) == per_mtok(old), ident
                assert Decimal(event["new"]) == per_mtok(new), ident
        elif kind == "model_set":
            added = {e["model"] for e in events if e["kind"] == "model_added"}
            removed = {e["model"] for e in events if e["kind"] == "model_delisted"}
            assert added == set(change["added"]), ident
            assert removed == set(change["removed"]), ident
        elif kind == "model_added":
            for model, facts in change["models"].items():
                [event] = [e for e in events if e["kind"] == "model_added" and e["model"] == model]
                assert event["context_length"] == facts["context_length"], ident
                assert Decimal(event["prices"]["prompt"]) == per_mtok(facts["prompt"]), ident
                assert Decimal(event["prices"]["completion"]) == per_mtok(facts["completion"]), ident
        elif kind == "tiered_pricing_added":
            prices = _price_events(events, change["model"])
            for tier in change["overrides_after"]:
                label = _tier_label(tier["min_prompt_tokens"])
                for component, raw in tier.items():
                    if component == "min_prompt_tokens":
                        continue
                    event = prices[(component, label)]
                    assert event["old_status"] == "absent" and Decimal(event["new"]) == per_mtok(raw), ident
            for component in change["base_unchanged"]:
                assert (component, "") not in prices, ident
        elif kind == "id_rename":
            # one rename event per id (issue 12), not a delisting plus a new model
            renamed = {e["old_id"]: e["model"] for e in events if e["kind"] == "model_renamed"}
            assert set(change["new_ids"]) <= set(renamed.values()), ident
            assert set(change["old_ids_gone"]) <= set(renamed), ident
            added = {e["model"] for e in events if e["kind"] == "model_added"}
            removed = {e["model"] for e in events if e["kind"] == "model_delisted"}
            assert not (set(change["new_ids"]) & added) and not (set(change["old_ids_gone"]) & removed), ident
        elif kind == "context_change":
            [event] = [e for e in events if e["kind"] == "context_length_changed" and e["model"] == change["model"]]
            assert (event["old"], event["new"]) == (
                change["before"]["context_length"],
                change["after"]["context_length"],
            )
        else:
            raise AssertionError(f"unknown expectation kind {kind} in {ident}")
        checked.append(ident)
    return checked


def assert_no_equal_price_events(events: list[dict[str, Any]]) -> None:
    for e in events:
        if e["kind"] != "price_changed":
            continue
        same_value = e.get("old") is not None and e.get("new") is not None and Decimal(e["old"]) == Decimal(e["new"])
        assert not (same_value and e["old_status"] == e["new_status"]), e
