"""The extraction rules on hand-made sentences and tables: each claim with its exact quote."""

from __future__ import annotations

import datetime as dt

import pytest

from tracker.extract import extract_claims
from tracker.extract.mentions import find_mentions


def claims(text, **kw):
    return {(c.mention, c.attribute, c.qualifier, c.value) for c in extract_claims(text, **kw)}


def one(text, attribute, **kw):
    found = [c for c in extract_claims(text, **kw) if c.attribute == attribute]
    assert len(found) == 1, found
    return found[0]


@pytest.mark.parametrize(
    ("text", "mentions"),
    [
        ("Alibaba just released Qwen3-Max today.", ["Qwen3-Max"]),
        ("Alibaba's Qwen 3 (72B) beat GPT-4.5 and Claude Opus 4.", ["Qwen 3 (72B)", "GPT-4.5", "Claude Opus 4"]),
        (
            "gpt-oss-120b, o3-mini and DeepSeek-R1-Distill-Qwen-32B",
            ["gpt-oss-120b", "o3-mini", "DeepSeek-R1-Distill-Qwen-32B"],
        ),
        ("Try it in Qwen Chat or Llama Studio.", []),  # products, not models
        ("Qwen and Llama are families.", []),  # a bare family names no model
    ],
)
def test_model_mentions(text, mentions):
    assert [m.text for m in find_mentions(text)] == mentions


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Qwen3-Max has 1T parameters.", {("Qwen3-Max", "params_total", "1000000000000")}),
        ("Qwen 3 Max launched with over one trillion parameters.", {("Qwen 3 Max", "params_total", "1000000000000")}),
        (
            "Kimi K2 is a MoE model with 32 billion activated parameters and 1 trillion total parameters.",
            {("Kimi K2", "params_active", "32000000000"), ("Kimi K2", "params_total", "1000000000000")},
        ),
        (
            "Qwen3-Max is a 235B-A22B mixture of experts.",
            {("Qwen3-Max", "params_total", "235000000000"), ("Qwen3-Max", "params_active", "22000000000")},
        ),
        (
            "DeepSeek-V3 has 671B total parameters with 22B activated.",
            {("DeepSeek-V3", "params_total", "671000000000"), ("DeepSeek-V3", "params_active", "22000000000")},
        ),
        ("Self-hosting a trillion-parameter model is not the same as self-hosting a 7B model.", set()),
        ("The family ranges from 1B to 27B parameters.", set()),
        ("Mixtral-8x7B doesn't have 56B parameters.", set()),
    ],
)
def test_parameters(text, expected):
    got = {(m, a, v) for m, a, _q, v in claims(text) if a.startswith("params")}
    assert got == expected


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("Qwen3-Max supports a 256K context window.", "256000"),
        ("Qwen3-Max handles a context window of 262,144 tokens, divided into 258,048 input tokens.", "262144"),
        ("Gemma 3 has a 128k context.", "128000"),
        ("The context window of GLM-4.6 has been expanded from 128K to 200K tokens.", "200000"),
    ],
)
def test_context_length(text, value):
    assert one(text, "context_length").value == value


def test_native_and_extended_context_are_both_kept():
    # two claims since issue 13 (the comparability contract): the native length and the extended one
    found = [
        c
        for c in extract_claims("Qwen3-32B. Context Length: 32,768 natively and 131,072 tokens with YaRN.")
        if c.attribute == "context_length"
    ]
    claim = next(c for c in found if c.extra.get("setting") == "native")
    assert claim.value == "32768" and claim.extra["values"] == [32768, 131072]
    assert [(c.value, c.extra["setting"]) for c in found] == [("32768", "native"), ("131072", "extended")]


def test_context_used_in_training_is_not_a_claim():
    assert not claims("Qwen3 was pretrained with a context length of 4K tokens in the first stage.")


@pytest.mark.parametrize(
    ("text", "mention", "value"),
    [
        ("Alibaba just released Qwen3-Max. A trillion parameters. Open source. Free to use.", "Qwen3-Max", "open"),
        ("Qwen3-Max is open-weight, not open-source in the traditional software sense.", "Qwen3-Max", "open"),
        ("Qwen 3 Max follows the same pattern: closed-source with API access only.", "Qwen 3 Max", "api-only"),
        (
            "Qwen3-Max-Preview was unveiled. Unlike previous Qwen releases, this model will not be available in an "
            "open-source version.",
            "Qwen3-Max-Preview",
            "api-only",
        ),
        ("GPT-5 is API only.", "GPT-5", "api-only"),
        ("We are open-weighting two MoE models: Qwen3-235B-A22B and Qwen3-30B-A3B.", "Qwen3-30B-A3B", "open"),
    ],
)
def test_openness_statements(text, mention, value):
    found = {(c.mention, c.value) for c in extract_claims(text) if c.attribute == "openness"}
    assert (mention, value) in found
    assert {v for _m, v in found} == {value}


@pytest.mark.parametrize(
    "text",
    [
        "Today, open-weight models compete with the best proprietary APIs on most benchmarks.",
        "Despite Alibaba's history of releasing open-source models, they keep the best ones.",
        "We benchmark Qwen-Plus against leading proprietary and open-source models, including GPT-4o and "
        "Claude-3.5-Sonnet.",
        "We report Qwen2.5-72B because the base checkpoint for Qwen3-235B-A22B was not open-sourced at the time.",
    ],
)
def test_generic_openness_talk_is_not_a_claim(text):
    assert not [c for c in extract_claims(text) if c.attribute == "openness"]


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("QwQ-32B is open-weight under the Apache 2.0 license.", "Apache-2.0"),
        ("GLM-4.5 is released under the MIT license.", "MIT"),
        ("Llama 3.1 405B is available under the Llama 3.1 Community License Agreement.", "LicenseRef-llama3.1"),
        ("Kimi K2 weights are released under the Modified MIT License.", "LicenseRef-modified-mit"),
    ],
)
def test_licences_resolve_through_the_licence_table(text, key):
    assert one(text, "license").value == key


def test_the_code_licence_is_not_the_models():
    assert not claims("DeepSeek-V3 ships with this code repository, which is licensed under the MIT License.")


def test_prices_with_components_and_tiers():
    text = (
        "Qwen3-Max-Preview is available at $1.20 per million input tokens. Qwen3-Max-Preview costs start at $0.861 per "
        "million input tokens in the 0-32K range, rising to $2.151 per million in the highest 128K-252K token range. "
        "Output tokens follow a similar progression, reaching up to $8.602 per million in the highest range."
    )
    got = {(q, v) for _m, a, q, v in claims(text) if a == "price"}
    assert got == {
        ("prompt", "1.2"),
        ("prompt", "0.861"),
        ("prompt@prompt>=128000", "2.151"),
        ("completion@prompt>=128000", "8.602"),
    }


def test_a_tier_table_of_prices():
    text = (
        "The prices of Qwen3-Max in USD per 1M tokens:\n\n"
        "| Input tokens per request | Input price (per 1M tokens) | Output price (per 1M tokens) |\n|---|---|---|\n"
        "| 0–32K | $1.2 | $6 |\n| 32K–128K | $2.4 | $12 |"
    )
    got = {(m, q, v) for m, a, q, v in claims(text) if a == "price"}
    assert got == {
        ("Qwen3-Max", "prompt", "1.2"),
        ("Qwen3-Max", "completion", "6"),
        ("Qwen3-Max", "prompt@prompt>=32000", "2.4"),
        ("Qwen3-Max", "completion@prompt>=32000", "12"),
    }


def test_release_dates():
    assert one("Model Release Date: July 23, 2024. Llama 3.1 405B is here.", "release_date", subject="Llama 3.1").value
    found = one(
        "September 5, 2025, marks a watershed date. Alibaba has officially unveiled Qwen3-Max-Preview.", "release_date"
    )
    assert (found.mention, found.value) == ("Qwen3-Max-Preview", "2025-09-05")
    assert found.quote.startswith("September 5, 2025") and found.quote.endswith("Qwen3-Max-Preview.")


THURSDAY = dt.datetime(2026, 3, 5, 18, 0, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("text", "published", "expected"),
    [
        ("On Thursday, OpenAI released GPT-5.4, a new foundation model.", THURSDAY, ("GPT-5.4", "2026-03-05")),
        ("Moonshot released Kimi K2 Thinking on Tuesday.", THURSDAY, ("Kimi K2 Thinking", "2026-03-03")),
        ("Today, we are releasing gpt-oss-120b under Apache 2.0.", THURSDAY, ("gpt-oss-120b", "2026-03-05")),
        ("Google announced Gemma 4 yesterday.", THURSDAY, ("Gemma 4", "2026-03-04")),
        # a relative day means nothing without the post's date
        ("On Thursday, OpenAI released GPT-5.4.", None, None),
        # no model named in the sentence: no release date for the text's subject either
        ("Mistral released a new open-source speech model on Thursday.", THURSDAY, None),
        # a plan is not a release; a day far from the release verb is not its day
        ("OpenAI will release GPT-5.5 on Thursday.", THURSDAY, None),
        ("On Thursday, analysts met in Paris. Nothing about the schedule of GPT-5.4 was released.", THURSDAY, None),
    ],
)
def test_release_dates_relative_to_the_post(text, published, expected):
    found = [
        c for c in extract_claims(text, published=published, subject="Ministral 3B") if c.attribute == "release_date"
    ]
    assert [(c.mention, c.value) for c in found] == ([expected] if expected else [])


def test_benchmark_scores_in_sentences():
    text = (
        "Qwen 3 Max isn't just another update. The model achieves 85.2% on SuperGLUE, 80.6% on AIME25 and 57.6% on "
        "LiveCodeBench v6. Reasoning models like GPT-5 with thinking mode (94.6% on AIME25) or Gemini 2.5 Pro (69% on "
        "coding benchmarks) do better."
    )
    got = {(m, q, v) for m, a, q, v in claims(text) if a == "benchmark"}
    assert got == {
        ("Qwen 3 Max", "SuperGLUE", "85.2"),
        ("Qwen 3 Max", "AIME 2025", "80.6"),
        ("Qwen 3 Max", "LiveCodeBench v6", "57.6"),
        ("GPT-5", "AIME 2025 [thinking]", "94.6"),
    }


def test_benchmark_table_with_model_columns_and_settings():
    text = (
        "| Benchmark | Metric | Kimi K2 Instruct | Qwen3-235B-A22B (non-thinking) |\n|---|---|---|---|\n"
        "| Coding Tasks |\n| LiveCodeBench v6 (Aug 24 - May 25) | Pass@1 | 53.7 | 37.0 |\n"
        "| MMLU | EM | **89.5** | — |"
    )
    found = [c for c in extract_claims(text) if c.attribute == "benchmark"]
    got = {(c.mention, c.extra["benchmark"], c.value) for c in found}
    assert got == {
        ("Kimi K2 Instruct", "LiveCodeBench v6", "53.7"),
        ("Qwen3-235B-A22B", "LiveCodeBench v6", "37"),
        ("Kimi K2 Instruct", "MMLU", "89.5"),
    }
    qwen = next(c for c in found if c.mention == "Qwen3-235B-A22B")
    assert "non-thinking" in qwen.qualifier and "pass@1" in qwen.qualifier
    assert qwen.quote == "| LiveCodeBench v6 (Aug 24 - May 25) | Pass@1 | 53.7 | 37.0 |"
    assert text[qwen.start : qwen.end] == qwen.quote


def test_spec_table_with_model_rows():
    text = (
        "| Model | #Total Params | #Activated Params | Context Length |\n|---|---|---|---|\n"
        "| DeepSeek-R1 | 671B | 37B | 128K |"
    )
    assert claims(text) == {
        ("DeepSeek-R1", "params_total", "", "671000000000"),
        ("DeepSeek-R1", "params_active", "", "37000000000"),
        ("DeepSeek-R1", "context_length", "", "128000"),
    }


def test_a_context_statement_merged_over_model_columns():
    text = (
        "| Category | Benchmark | Metric | Llama 3.3 70B | Llama 3.1 405B | Llama 4 Scout |\n"
        "|---|---|---|---|---|---|\n"
        "| Long context | MTOB | chrF | Context window is 128K |  | 42.2 |"
    )
    got = {(m, v) for m, a, _q, v in claims(text) if a == "context_length"}
    assert got == {("Llama 3.3 70B", "128000"), ("Llama 3.1 405B", "128000")}


def test_a_size_is_not_a_variant_of_a_model_that_already_has_one():
    text = (
        "These mark an upgrade from the company's 2-billion-parameter Sarvam 1 model. "
        "The 30B model supports a 32,000-token context window."
    )
    found = claims(text)
    assert ("Sarvam 1", "params_total", "", "2000000000") in found
    assert not [c for c in found if c[1] == "context_length"]  # not "Sarvam 1 30B", and not Sarvam 1


def test_every_quote_is_an_exact_span_of_the_text(corpus):
    from tracker.extract.evaluation import read_document

    for path in [
        *sorted((corpus / "press" / "seeds").glob("*.txt")),
        corpus / "blogs" / "qwen" / "2025-04-29-qwen3.md",
    ]:
        text, title = read_document(path)
        found = extract_claims(text, title=title)
        assert found
        for claim in found:
            assert text[claim.start : claim.end] == claim.quote, (path.name, claim)


def test_the_document_subject_is_used_for_sentences_without_a_model():
    text = "Number of Parameters: 32.8B\n\nContext Length: 32,768 tokens."
    assert claims(text, subject="Qwen3-32B") == {
        ("Qwen3-32B", "params_total", "", "32800000000"),
        ("Qwen3-32B", "context_length", "", "32768"),
    }


def test_a_table_under_a_stack_of_headings_takes_the_variant_its_section_heading_names():
    text = (
        "4. Evaluation Results\n\nBase Model\n\nStandard Benchmarks\n\n"
        "|  | Benchmark (Metric) | # Shots | DeepSeek-V9 | Qwen9 72B |\n|---|---|---|---|---|\n"
        "|  | DROP (F1) | 3-shot | 89.0 | 80.6 |\n\n"
        "Scores with a gap not exceeding 0.3 are considered to be at the same level.\n\n"
        "### Chat Model\n\n#### Standard Benchmarks (Models larger than 67B)\n\n"
        "|  | Benchmark (Metric) | DeepSeek V9 |\n|---|---|---|\n|  | DROP (3-shot F1) | 91.6 |\n\n"
        "Base models are where the story begins, and this sentence is prose.\n\n"
        "| | Benchmark | DeepSeek V9 |\n|---|---|---|\n| | MMLU | 50 |\n"
    )
    found = {(c.mention, c.value, c.extra.get("variant")) for c in extract_claims(text)}
    assert found == {
        ("DeepSeek-V9", "89", "base"),  # "Base Model" above "Standard Benchmarks" above the table
        ("Qwen9 72B", "80.6", "base"),
        ("DeepSeek V9", "91.6", "instruct"),  # markdown headings: "### Chat Model"
        ("DeepSeek V9", "50", None),  # prose between a heading and a table ends the section
    }
