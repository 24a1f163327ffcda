"""OpenRouter's primary claims from its own data, and stored links decided again (pure, no database)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from types import SimpleNamespace

from tracker.claims.linking import NameIndex
from tracker.claims.primary import ListingView, ModelView, PrimaryInputs, derive_claims
from tracker.claims.relink import StoredLink, relink

T0 = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
NOW = dt.datetime(2026, 6, 1, tzinfo=dt.UTC)
LISTING = ListingView("qwen/qwen3-235b-a22b", 131072, T0, "http://or/api/v1/models")


def model(**fields: object) -> ModelView:
    return ModelView(**{"id": 7, "key": "qwen/qwen3-235b-a22b", "openrouter_id": "qwen/qwen3-235b-a22b", **fields})


def price(component: str, amount: str, tier: str = "", status: str = "priced") -> SimpleNamespace:
    return SimpleNamespace(
        component=component,
        tier=tier,
        min_prompt_tokens=128000 if tier else None,
        status=status,
        usd_per_mtok=Decimal(amount) if amount else None,
        raw=amount,
        url="http://or/api/v1/models",
        first_seen_at=T0,
    )


def values(inputs: PrimaryInputs) -> dict[tuple[str, str], str]:
    return {(r.attribute, r.qualifier): r.value for r in derive_claims(inputs, now=NOW)}


def test_parameters_come_from_the_openrouter_id_whatever_the_model_shows() -> None:
    """Before: only when the model showed parameters read from the name (no Hub repo crawled yet)."""
    from_hub = model(open_weight_status="open")  # a Hub repo is the model's primary repo
    got = values(PrimaryInputs(from_hub, LISTING))
    assert got[("params_total", "")] == "235000000000"
    assert got[("params_active", "")] == "22000000000"
    assert got[("context_length", "")] == "131072"
    assert ("openness", "") not in got  # a Hub repo states the openness, not OpenRouter


def test_the_same_inputs_give_the_same_claims_at_any_time() -> None:
    inputs = PrimaryInputs(model(), LISTING, (price("prompt", "0.2"), price("prompt", "0.4", "prompt>=128000")))
    early, late = derive_claims(inputs, now=T0), derive_claims(inputs, now=NOW)
    assert [(r.claim_hash, r.value, r.fetched_at, r.quote) for r in early] == [
        (r.claim_hash, r.value, r.fetched_at, r.quote) for r in late
    ]
    assert {(r.qualifier, r.value) for r in early if r.attribute == "price"} == {
        ("prompt", "0.2"),
        ("prompt@prompt>=128000", "0.4"),
    }


def test_api_only_and_removed_repos_are_openness_claims_with_their_evidence() -> None:
    searched = model(
        open_weight_status="api-only",
        open_weight_evidence={"openrouter_id": "qwen/qwen3-235b-a22b", "searched": ["qwen"], "found": None},
    )
    [claim] = [r for r in derive_claims(PrimaryInputs(searched, LISTING), now=NOW) if r.attribute == "openness"]
    assert claim.value == "api-only" and "no hugging_face_id" in (claim.quote or "")
    removed = model(open_weight_status="no-weights", open_weight_evidence={"repo": "Qwen/Gone", "removed": True})
    assert values(PrimaryInputs(removed, None)) == {("openness", ""): "no-weights"}


def test_a_free_price_is_zero_and_an_unknown_amount_no_claim() -> None:
    inputs = PrimaryInputs(model(), LISTING, (price("prompt", "", status="free"), price("completion", "")))
    got = values(inputs)
    assert got[("price", "prompt")] == "0"
    assert ("price", "completion") not in got


# ───────────────────────────── links decided again ─────────────────────────────


def index(*models: tuple[int, str, str]) -> NameIndex:
    out = NameIndex()
    for model_id, key, vendor in models:
        out.keys[model_id], out.vendors[model_id], out.by_key[key] = key, vendor, model_id
        out.add(key, model_id)
    return out


def stored(claim_id: int, mention: str, model_id: int | None, **fields: object) -> StoredLink:
    link = "unknown" if model_id is None else "normalized-name"
    return StoredLink(
        **{
            "id": claim_id,
            "model_id": model_id,
            "mention": mention,
            "reporter": "vendor",
            "status": "unresolved" if model_id is None else "shown",
            "extra": {"link": link, "document_kind": "vendor"},
            "document_kind": "vendor",
            "document_vendor": "qwen",
            **fields,
        }
    )


def test_a_claim_read_before_its_model_existed_is_linked_once_the_model_is_known() -> None:
    moves = relink([stored(1, "Qwen3-235B-A22B", None)], index((7, "qwen/qwen3-235b-a22b", "qwen")))
    assert [(m.claim_id, m.model_id, m.reporter, m.status, m.extra["link"]) for m in moves] == [
        (1, 7, "vendor", "unchecked", "normalized-name")
    ]


def test_a_name_that_now_fits_two_models_is_unresolved_and_lists_them() -> None:
    both = index((7, "qwen/qwen3-max", "qwen"), (8, "alibaba/qwen3-max", "alibaba"))
    [move] = relink([stored(1, "Qwen3-Max", 7)], both)
    assert (move.model_id, move.status, move.extra["link"]) == (None, "unresolved", "ambiguous")
    assert move.extra["candidates"] == ["qwen/qwen3-max", "alibaba/qwen3-max"]


def test_another_vendors_model_makes_the_claim_a_third_party_report() -> None:
    [move] = relink([stored(1, "GPT-4o", None)], index((9, "openai/gpt-4o", "openai")))
    assert (move.model_id, move.reporter, move.extra.get("third_party")) == (9, "press", True)


def test_links_that_still_hold_and_links_by_document_are_left_alone() -> None:
    known = index((7, "qwen/qwen3-235b-a22b", "qwen"))
    same = stored(1, "Qwen3-235B-A22B", 7)
    card = stored(2, "Other-Name", 7, extra={"link": "document", "document_kind": "card"}, document_kind="card")
    primary = stored(3, "Nothing", None, reporter="primary")
    assert relink([same, card, primary], known) == []


# ───────────────────────────── weighed alike whatever was stored first ─────────────────────────────


def test_a_group_stored_in_another_order_opens_the_same_dispute() -> None:
    """Row ids follow the crawl order; the dispute's summary, reason and kept copies must not."""
    from tracker.claims.ledger import ModelFacts, OpenDispute, StoredClaim, weigh
    from tracker.update.ledger import content_order

    model = ModelFacts(id=1, key="acme/rocket-7b", openrouter_id="acme/rocket-7b", context_length=131072)
    said = {
        "api": ("131072", "primary", "openrouter", "https://or.example/models", None, {"follows": "api"}),
        "readme": ("64000", "vendor", "acme", "https://acme.example/readme", "It reads 64K tokens.", {}),
        "blog": ("32000", "vendor", "acme", "https://acme.example/blog", "It reads 32K tokens.", {}),
        "copy": ("32000", "vendor", "acme", "https://acme.example/mirror", "It reads 32K tokens.", {}),
    }

    def stored(ids: dict[str, int]) -> list[StoredClaim]:
        rows = [
            StoredClaim(
                id=ids[name],
                model_id=1,
                attribute="context_length",
                qualifier="",
                value=value,
                reporter=reporter,
                source=source,
                value_num=Decimal(value),
                unit="tokens",
                url=url,
                published_at=T0,
                fetched_at=T0,
                quote=quote,
                extra=extra,
            )
            for name, (value, reporter, source, url, quote, extra) in said.items()
        ]
        return sorted(rows, key=content_order)

    def opened(ids: dict[str, int]) -> tuple[str, list[str], str]:
        from tracker.claims.ledger import ClaimGroup

        intents = weigh(ClaimGroup(model, "context_length", "", tuple(stored(ids))), {}, now=NOW)
        [dispute] = [i for i in intents if isinstance(i, OpenDispute)]
        names = {v: k for k, v in ids.items()}
        return dispute.data["summary"], sorted(names[i] for i in dispute.data["contrary"]), dispute.comparable_reason

    first = opened({"api": 1, "readme": 2, "blog": 3, "copy": 4})
    later = opened({"api": 9, "readme": 7, "blog": 8, "copy": 5})
    assert first == later
    # the 32K sentence is one statement however many copies: the same copy is kept (by date, then URL)
    assert first[1] == ["copy", "readme"]
    assert first[0].startswith("context length: openrouter (primary API) shows 131,072 tokens; acme says")
