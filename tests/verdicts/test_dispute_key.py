"""The corpus world's open disputes against the hand-labelled key (``key/disputes.json``).

The share of open disputes that are real is printed by ``benchmarks/dispute_key.py``;
here: every open dispute is labelled, the share does not fall below what was
measured, the Qwen3-Max story's real contradictions are found, and each false
case of issue 12 is not a dispute.
"""

from __future__ import annotations

import datetime as dt

import pytest
from dispute_key import classify, load_key, lookup
from sqlalchemy import select

from tracker.store.db import make_engine, make_sessionmaker
from tracker.store.tables import Claim, Dispute, Model

#: The issue's aim is 0.95; this is a regression guard at the measured figure.
#: Measured after merging the extraction rules that tag metric/variant/setting and extract more
#: release dates, contexts and prices: 5 of 13 real (38.5 %); a month-precision release date now
#: agrees with every day of its month: 5 of 8 (62.5 %). Then the last three false classes: a
#: context length on a seller's pricing page is that offer's window (DeepSeek's API 64K), a table
#: under a "Base Model" heading is the base variant (DeepSeek-V3's DROP 89.0), a size class ("0.6B")
#: agrees within 30 % (the Hub's 752M for Qwen3-0.6B); and OpenRouter's window of an API-only model
#: is the model's own (gpt-3.5-turbo-0613's "16k" against 4,095 is real again): 7 of 7 (100 %).
FLOOR = 1.0


@pytest.fixture
def sessions(world):
    engine = make_engine(world)
    yield make_sessionmaker(engine)
    engine.dispose()


def open_disputes(session, model_key: str, attribute: str) -> list[Dispute]:
    return list(
        session.scalars(
            select(Dispute)
            .join(Model, Model.id == Dispute.model_id)
            .where(Model.key == model_key, Dispute.attribute == attribute, Dispute.status == "open")
        )
    )


def test_every_open_dispute_is_labelled_and_most_are_real(sessions):
    with sessions() as session:
        result = classify(session)
    unlabelled = [(d.model, d.attribute, d.qualifier, d.contrary) for d in result.disputes if d.label == "unlabelled"]
    assert not unlabelled
    assert result.share_real >= FLOOR, [(d.model, d.attribute, d.qualifier) for d in result.disputes]
    # a reader sees a screenful, not 140 rows
    assert len(result.disputes) <= 20


def test_the_qwen3_max_story_contradictions_are_found(sessions):
    with sessions() as session:
        result = classify(session)
    real = {(d.model, d.attribute, d.contrary) for d in result.disputes if d.label == "real"}
    assert ("qwen/qwen3-max", "openness", (("000_c6dc48e131f9fde4.txt", "open"),)) in real
    assert ("qwen/qwen-max", "openness", (("001_ce9375d93a126e2f.txt", "open"),)) in real


def test_every_dispute_says_why_its_values_are_comparable(sessions):
    with sessions() as session:
        disputes = session.scalars(select(Dispute).where(Dispute.status == "open")).all()
    assert disputes
    for dispute in disputes:
        assert dispute.comparable_reason, dispute.data
        assert set(dispute.data["reasons"]) == {str(i) for i in dispute.data["contrary"]}


@pytest.mark.parametrize(
    ("model", "attribute", "why"),
    [
        ("meta-llama/llama-3.2-1b", "benchmark", "quantized-variant columns of its own table"),
        ("deepseek/deepseek-r1", "benchmark", "Codeforces rating weighed against its percentile"),
        ("meta-llama/llama-3.1-405b", "benchmark", "DeepSeek's own evaluation of Llama's base model"),
        ("meta-llama/llama-4-scout", "benchmark", "a copy of Meta's pretrained and instruct tables"),
        ("salesforce/codet5p-220m", "params_total", "LLMs of up to 137B parameters"),
        ("inclusionai/ling-flash-2.0", "params_total", "dense models under 40B"),
        ("facebook/mobilellm-r1-950m", "params_total", "fewer than 150M parameters"),
        ("deepseek/deepseek-r1", "price", "DeepSeek's own API price vs OpenRouter's"),
        ("qwen/qwen3-max", "price", "seed 002 outdated, seed 003 another seller's tiers"),
        ("openai-community/gpt2", "license", "DistilGPT2's card about itself"),
        ("deepseek/deepseek-r1", "context_length", "a served window below the native one"),
        ("qwen/qwen3-0.6b", "params_total", "a size class (0.6B) against the Hub's tied-embedding total"),
    ],
)
def test_a_false_case_of_issue_12_is_not_a_dispute(sessions, model, attribute, why):
    with sessions() as session:
        assert not open_disputes(session, model, attribute), why


@pytest.mark.parametrize(
    ("attribute", "qualifier", "value", "why"),
    [
        ("context_length", "", "64000", "DeepSeek's API pricing page states its own offer's window"),
        ("benchmark", "DROP [3-shot]", "89", "the V3 README's base-model table, under its Base Model heading"),
    ],
)
def test_a_false_claim_is_not_among_a_disputes_contrary_claims(sessions, attribute, qualifier, value, why):
    with sessions() as session:
        contrary = [
            c
            for d in open_disputes(session, "deepseek/deepseek-chat", attribute)
            if d.qualifier == qualifier
            for c in session.scalars(select(Claim).where(Claim.id.in_(d.data["contrary"])))
        ]
    assert value not in {c.value for c in contrary}, why


def test_a_documents_context_of_an_api_only_model_is_weighed_against_openrouters_window(sessions):
    with sessions() as session:
        [dispute] = open_disputes(session, "openai/gpt-3.5-turbo-0613", "context_length")
        contrary = session.scalars(select(Claim).where(Claim.id.in_(dispute.data["contrary"]))).all()
    assert {(c.source, c.value) for c in contrary} == {("huggingface", "16000")}  # the Mixtral post's "16k"
    assert "same context window" in dispute.comparable_reason


def test_codeforces_percentiles_are_still_weighed_against_each_other(sessions):
    with sessions() as session:
        [dispute] = [
            d
            for d in open_disputes(session, "deepseek/deepseek-chat", "benchmark")
            if d.qualifier.startswith("Codeforces")
        ]
        contrary = session.scalars(select(Claim).where(Claim.id.in_(dispute.data["contrary"]))).all()
    assert dispute.qualifier == "Codeforces [metric=percentile]"  # the rating is "Codeforces [metric=rating]"
    assert {c.value for c in contrary} == {"51.6"}  # the percentile; the ratings (1134) are beside it
    assert "metric percentile" in dispute.comparable_reason


def test_seed_002_is_outdated_and_seed_003_is_another_sellers_offer(sessions):
    with sessions() as session:
        rows = session.scalars(
            select(Claim)
            .join(Model, Model.id == Claim.model_id)
            .where(Model.key == "qwen/qwen3-max", Claim.attribute == "price", Claim.reporter == "press")
        ).all()
    by_source = {(c.source, c.value): c for c in rows}
    seed_002 = by_source[("002_f8a82aa700dfb7a4.txt", "1.2")]
    assert (seed_002.status, seed_002.valid_until) == ("outdated", dt.datetime(2026, 3, 17, tzinfo=dt.UTC))
    tiers = [c for (source, _), c in by_source.items() if source == "003_6ba69d8e4af22b21.txt"]
    assert tiers and all(c.status == "unchecked" for c in tiers)  # shown beside the API's prices, not disputed


def test_an_article_crawled_and_checked_is_listed_once(sessions):
    with sessions() as session:
        [dispute] = open_disputes(session, "qwen/qwen3-max", "openness")
        consistent = session.scalars(select(Claim).where(Claim.id.in_(dispute.data["consistent"]))).all()
    quotes = [" ".join((c.quote or "").split()) for c in consistent]
    assert len(quotes) == len(set(quotes)), quotes


def test_the_key_lookup_prefers_the_most_specific_entry():
    entries = load_key()
    general = lookup(
        entries, model="deepseek/deepseek-chat", attribute="benchmark", qualifier="Codeforces", value="1134"
    )
    specific = lookup(
        entries,
        model="deepseek/deepseek-chat",
        attribute="benchmark",
        qualifier="Codeforces",
        value="51.6",
        source="deepseek",
    )
    assert general is not None and not general["real"]
    assert specific is not None and specific["real"]
    assert lookup(entries, model="nobody/none", attribute="price") is None
