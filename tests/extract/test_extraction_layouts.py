"""Each layout class issue 13 found missed, on a small document of that shape written for the test."""

from __future__ import annotations

import datetime as dt

import pytest

from tracker.extract import extract_claims
from tracker.normalize.articles import read_article


def found(text: str, **kw: object) -> set[tuple[str | None, str, str]]:
    return {(c.mention, c.attribute, c.value) for c in extract_claims(text, **kw)}  # type: ignore[arg-type]


def test_a_docs_overview_table_with_other_header_words_check_glyphs_and_months_in_descriptions():
    text = (
        "Open models\n\n"
        "| Model | Weight availability | Available via API | Description | Max Tokens | Version |\n"
        "|---|---|---|---|---|---|\n"
        "| Mistral Small 3.2 | :heavy_check_mark: Apache2 | :heavy_check_mark: | An update, released June 2025. "
        "| 128k | 25.06 |\n"
        "| Ministral 8B | ✔ Mistral Research License | ✔ | Powerful edge model. | 128k | 24.10 |\n"
        "| Mistral Medium 3 |  | ✔ | Our frontier-class model released May 2025. | 128k | 25.05 |\n"
    )
    claims = found(text)
    assert claims == {
        ("Mistral Small 3.2", "openness", "open"),
        ("Mistral Small 3.2", "license", "Apache-2.0"),
        ("Mistral Small 3.2", "release_date", "2025-06"),
        ("Mistral Small 3.2", "context_length", "128000"),
        ("Ministral 8B", "openness", "open"),
        ("Ministral 8B", "license", "LicenseRef-mrl"),
        ("Ministral 8B", "context_length", "128000"),
        ("Mistral Medium 3", "release_date", "2025-05"),
        ("Mistral Medium 3", "context_length", "128000"),
    }  # an empty weights cell says nothing (no api-only); the API and version columns are not claims


def test_a_transposed_pricing_table_flattened_onto_one_line():
    text = (
        "Pricing Details\n\n"
        "| | | | | | --- | --- | --- | --- | | MODEL(1) | | acme-chat | acme-reasoner | | CONTEXT LENGTH | | 64K "
        "| 64K(2) | | FEATURES | Json Output | ✓ | ✓ | | Function Calling | ✓ | ✗ | | STANDARD PRICE | "
        "1M TOKENS INPUT (CACHE HIT)(4) | $0.07 | $0.14 | | 1M TOKENS INPUT (CACHE MISS) | $0.27 | $0.55 | "
        "| 1M TOKENS OUTPUT(5) | $1.10 | $2.19 | | DISCOUNT PRICE(6) | 1M TOKENS INPUT (CACHE HIT) | $0.035 | "
        "$0.035 | | 1M TOKENS OUTPUT | $0.550 | $0.550 |\n"
    )
    claims = extract_claims(text)
    assert {(c.mention, c.attribute, c.qualifier, c.value) for c in claims} == {
        ("acme-chat", "context_length", "", "64000"),
        ("acme-reasoner", "context_length", "", "64000"),
        ("acme-chat", "price", "input_cache_read", "0.07"),
        ("acme-reasoner", "price", "input_cache_read", "0.14"),
        ("acme-chat", "price", "prompt", "0.27"),
        ("acme-reasoner", "price", "prompt", "0.55"),
        ("acme-chat", "price", "completion", "1.1"),
        ("acme-reasoner", "price", "completion", "2.19"),
    }  # the off-peak discount window is another offer in time: not read
    assert all(c.quote == text[c.start : c.end] for c in claims)


def test_a_benchmark_score_table_in_a_models_own_readme_is_that_models():
    text = (
        "# Phi-9-vision-15B\n\nBenchmark Results\n\n"
        "| Benchmark | Score |\n|---|---|\n| MMMU_VAL | 54.3 |\n| ZEROBench_sub | 17.7 |\n| Context Length | 32K |\n"
    )
    claims = extract_claims(text, title="Phi-9-vision-15B")
    assert {(c.mention, c.extra["benchmark"], c.value) for c in claims} == {
        ("Phi-9-vision-15B", "MMMU_VAL", "54.3"),
        ("Phi-9-vision-15B", "ZEROBench_sub", "17.7"),
    }


def test_prose_with_the_number_first_and_possessive_comparisons():
    text = (
        "Today, we are proud to introduce the new Qwen9-Turbo version.\n\n"
        "The model achieves 100% accuracy in the 1M length Passkey Retrieval task and scores 93.1 on the long "
        "text evaluation benchmark RULER, surpassing GPT-4's 91.6 and GLM4-9B-1M's 89.9."
    )
    claims = {(c.mention, c.extra.get("benchmark"), c.value) for c in extract_claims(text)}
    assert claims == {
        ("Qwen9-Turbo", "Passkey Retrieval", "100"),
        ("Qwen9-Turbo", "RULER", "93.1"),
        ("GPT-4", "RULER", "91.6"),
        ("GLM4-9B-1M", "RULER", "89.9"),
    }


def test_a_benchmark_description_is_not_the_models_context_and_the_family_is_not_the_model():
    text = (
        "After the release of Qwen9, we heard the community. Today, we are proud to introduce the new "
        "Qwen9-Turbo version.\n\n"
        "Longer Context Support: We have extended the model's context length from 128k to 1M.\n\n"
        "RULER: An extended benchmark based on Needle in a Haystack. The maximum context length is 128K.\n\n"
        "Qwen9-Turbo surpasses GPT-4o-mini and can process tasks with a context of over 128K tokens."
    )
    assert {c for c in found(text) if c[1] == "context_length"} == {("Qwen9-Turbo", "context_length", "1000000")}


def test_release_dates_from_a_dated_list_and_no_context_from_a_dated_navigation_link():
    text = (
        "News\n\nAcme-R9-0528 Release 2025/05/28\n\nIntroducing DeepSeek-V9 2024/12/26\n\n"
        "DeepSeek-R9-0528 Release 2025/05/28\n\nDeepSeek APP 2025/01/15\n\nContext Caching is Available 2024/08/02"
    )
    assert found(text) == {
        ("DeepSeek-V9", "release_date", "2024-12-26"),
        ("DeepSeek-R9-0528", "release_date", "2025-05-28"),
    }


def test_a_changelog_dates_the_models_released_under_each_heading():
    text = (
        "September 18, 2025\n\nWe released Magistral Medium 9.2 (magistral-medium-2509) and Magistral Small 9.2 "
        "(magistral-small-2509).\n\nAug. 12, 2025\n\nWe released Mistral Medium 9.1 (mistral-medium-2508).\n\n"
        "Added a new parameter to the Completion API."
    )
    assert found(text) == {
        ("Magistral Medium 9.2", "release_date", "2025-09-18"),
        ("Magistral Small 9.2", "release_date", "2025-09-18"),
        ("Mistral Medium 9.1", "release_date", "2025-08-12"),
    }


def test_licence_wording_now_licensed():
    assert found("DeepSeek-R9 is now MIT licensed for clear open access.") == {("DeepSeek-R9", "license", "MIT")}


def test_a_price_in_another_currency_keeps_it_and_is_not_converted():
    claims = extract_claims("Qwen9-Turbo: the price remains ¥0.3 / 1M tokens.")
    assert [(c.mention, c.value, c.qualifier, c.unit, c.extra["currency"]) for c in claims] == [
        ("Qwen9-Turbo", "0.3", "prompt", "cny_per_mtok", "CNY")
    ]


def test_mojibake_is_repaired_and_quotes_are_spans_of_the_repaired_stored_text():
    body = (
        "DeepSeek-R9 Release\n\nThe release notes of the DeepSeek API, as a crawler decoded them twice.\n\n"
        "\u00f0\u009f\u0093\u009c DeepSeek-R9 is now MIT licensed \u00e2\u0080\u0094 "
        "\u00ef\u00bc\u0088Beta\u00ef\u00bc\u0089.\n"
    )
    article = read_article(body.encode("utf-8"), content_type="text/plain; charset=utf-8", fallback_format="text")
    assert "（Beta）" in article.text and "—" in article.text and "ï¼" not in article.text
    assert any("mojibake repaired" in w for w in article.warnings)
    claims = extract_claims(article.text)
    assert [(c.mention, c.value) for c in claims if c.attribute == "license"] == [("DeepSeek-R9", "MIT")]
    assert all(c.quote == article.text[c.start : c.end] for c in claims)


def test_quantized_columns_are_their_variant_and_sections_give_base_or_instruct():
    text = (
        "Base Pretrained Models\n\n| Benchmark | # Shots | Llama 9.2 1B | Llama 9.1 8B |\n|---|---|---|---|\n"
        "| MMLU | 5 | 32.2 | 66.7 |\n\nInstruction Tuned Models\n\n"
        "| Benchmark | # Shots | Llama 9.2 1B bf16 | Llama 9.2 1B Spin Quant | Llama 9.2 1B QLoRA |\n"
        "|---|---|---|---|---|\n| MMLU | 5 | 49.3 | 47.3 | 49.0 |\n"
    )
    claims = {(c.mention, c.extra.get("variant"), c.value) for c in extract_claims(text)}
    assert claims == {
        ("Llama 9.2 1B", "base", "32.2"),
        ("Llama 9.1 8B", "base", "66.7"),
        ("Llama 9.2 1B", "instruct", "49.3"),
        ("Llama 9.2 1B Spin Quant", "spinquant", "47.3"),
        ("Llama 9.2 1B QLoRA", "qlora", "49"),
    }  # no cell of a quantized column is a claim of the plain model


def test_a_family_row_with_sizes_and_a_quantized_row_in_a_spec_table():
    text = (
        "| | Params | Context Length |\n|---|---|---|\n| Llama 9.2 (text only) | 1B (1.23B) | 128k |\n"
        "| | 3B (3.21B) | |\n| Llama 9.2 Quantized (text only) | 1B (1.23B) | 8k |\n"
    )
    claims = {(c.mention, c.attribute, c.value, c.extra.get("variant")) for c in extract_claims(text)}
    assert claims == {
        ("Llama 9.2 1B", "params_total", "1230000000", None),
        ("Llama 9.2 1B", "context_length", "128000", None),
        ("Llama 9.2 3B", "params_total", "3210000000", None),
        ("Llama 9.2 3B", "context_length", "128000", None),
        ("Llama 9.2 1B", "params_total", "1230000000", "quantized"),
        ("Llama 9.2 1B", "context_length", "8000", "quantized"),
    }


def test_codeforces_percentile_and_rating_are_kept_apart():
    text = (
        "| Benchmark | DeepSeek-R9 | OpenAI o9 |\n|---|---|---|\n"
        "| Codeforces (Percentile) | 96.3 | 96.6 |\n| Codeforces (Rating) | 2029 | 2061 |\n"
    )
    claims = [c for c in extract_claims(text) if c.mention == "DeepSeek-R9"]
    assert sorted((c.extra.get("metric"), c.qualifier) for c in claims) == [
        ("percentile", "Codeforces [metric=percentile]"),
        ("rating", "Codeforces [metric=rating]"),
    ] or sorted((c.extra.get("metric"), c.value) for c in claims) == [("percentile", "96.3")]


@pytest.mark.parametrize(
    "sentence",
    [
        "Qwen9-Max beats LLMs of up to 137B parameters.",
        "Qwen9-Max leads dense models under 40B.",
        "Models with fewer than 150M parameters cannot follow instructions, Qwen9-Max's team says.",
        "Qwen9-Max comes after a family spanning sizes from 1B to 27B parameters.",
        "Models of 7B parameters run on phones; Qwen9-Max does not.",
        "Qwen9-Max outperforms open models with up to 405B parameters.",
    ],
)
def test_generic_talk_about_a_class_of_models_is_never_a_parameter_claim(sentence):
    assert not [c for c in extract_claims(sentence) if c.attribute.startswith("params")]


def test_relative_release_dates_use_the_posts_day():
    claims = found("Today, we're releasing Qwen9-8B.", published=dt.datetime(2025, 4, 29, 12, tzinfo=dt.UTC))
    assert claims == {("Qwen9-8B", "release_date", "2025-04-29")}


def test_a_weekday_release_of_a_model_with_a_dotted_version():
    claims = found("Moonshot released Kimi K9.5 on Tuesday.", published=dt.datetime(2026, 1, 27, 12, tzinfo=dt.UTC))
    assert claims == {("Kimi K9.5", "release_date", "2026-01-27")}  # "K9.5" is no clause end


@pytest.mark.parametrize(
    ("sentence", "models"),
    [
        (
            "The company unveiled two new open-weight language models, gpt-oss-920b and gpt-oss-90b, on Tuesday.",
            {"gpt-oss-920b", "gpt-oss-90b"},
        ),
        ("Moonshot debuted its open-source Kimi K9.5 model on Tuesday.", {"Kimi K9.5"}),
    ],
)
def test_a_shared_openness_statement_goes_to_each_named_model(sentence, models):
    assert {c.mention for c in extract_claims(sentence) if c.attribute == "openness" and c.value == "open"} == models


def test_a_changelog_name_paired_with_its_endpoint_id_names_a_model():
    text = (
        "June 10, 2025\n\nWe released Magistral Medium (magistral-medium-2506) and Magistral Small "
        "(magistral-small-2506).\n\nJuly 16, 2024\n\nWe released Codestral Mamba (open-codestral-mamba) and a "
        "Document API (document-api-v1)."
    )
    assert found(text) == {
        ("Magistral Medium", "release_date", "2025-06-10"),
        ("Magistral Small", "release_date", "2025-06-10"),
        ("Codestral Mamba", "release_date", "2024-07-16"),
    }  # "Document API" starts with no model family: not a model


def test_a_licence_stated_for_a_list_of_names_goes_to_each():
    text = "Mistral 7B, Codestral Mamba, Mathstral, Mistral Nemo and Devstral Small are under Apache 2 License."
    assert found(text) == {
        ("Mistral 7B", "license", "Apache-2.0"),
        ("Codestral Mamba", "license", "Apache-2.0"),
        ("Mistral Nemo", "license", "Apache-2.0"),
        ("Devstral Small", "license", "Apache-2.0"),
    }  # "Mathstral" starts with no known family: left alone rather than guessed
