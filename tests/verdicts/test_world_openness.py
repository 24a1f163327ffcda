"""Open-weight status on the corpus world: api-only only where weights were looked for and not found."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tracker.store.db import make_engine, make_sessionmaker
from tracker.store.tables import Claim, Model

#: Models the corpus itself says have released weights (Mistral's "Model weights" docs page lists their Hub
#: repos; Qwen's, DeepSeek's and Meta's posts say they are open-sourced / open-weighted / publicly released).
CONTRADICTED = (
    "mistralai/ministral-8b",
    "mistralai/mistral-large-2407",
    "mistralai/mistral-large-2411",
    "mistralai/pixtral-large-2411",
    "mistralai/mixtral-8x7b-instruct",
    "mistralai/mistral-nemo",
    "qwen/qwen3-8b",
    "qwen/qwq-32b",
    "deepseek/deepseek-r1",
    "meta-llama/llama-3.1-405b",
)


@pytest.fixture
def models(world):
    engine = make_engine(world)
    with make_sessionmaker(engine)() as session:
        rows = {m.key: m for m in session.scalars(select(Model))}
        quotes = {
            c.quote
            for c in session.scalars(
                select(Claim)
                .join(Model, Model.id == Claim.model_id)
                .where(Model.key == "qwen/qwen3-max", Claim.attribute == "openness", Claim.reporter == "primary")
            )
        }
    engine.dispose()
    return rows, quotes


@pytest.mark.parametrize("key", CONTRADICTED)
def test_a_model_the_corpus_calls_open_is_not_api_only(models, key):
    rows, _ = models
    model = rows[key]
    assert model.open_weight_status == "vendor-open", (model.open_weight_status, model.open_weight_evidence)
    said = model.open_weight_evidence["vendor_says"]
    assert said and all(s["quote"] and s["source"] for s in said)


def test_qwen3_max_stays_api_only_and_says_what_was_searched(models):
    rows, quotes = models
    qwen3_max = rows["qwen/qwen3-max"]
    assert qwen3_max.open_weight_status == "api-only"
    assert qwen3_max.open_weight_evidence["searched"] == ["qwen"] and qwen3_max.open_weight_evidence["found"] is None
    assert any("Searched the Hub organisations qwen through the crosswalk: no repository found" in q for q in quotes)


def test_api_only_always_rests_on_a_search(models):
    rows, _ = models
    api_only = [m for m in rows.values() if m.open_weight_status == "api-only"]
    assert api_only
    assert all((m.open_weight_evidence or {}).get("searched") for m in api_only)
