"""The comparability decider, table-driven, no database: which values may be weighed against each other.

Every false dispute of issue 12 has a row here: quantized columns, percentile vs
rating, base vs instruct, two price offers, generic bounds, a card about another
model, the same article twice.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest

from tracker.claims.comparability import bound_of, column_variant, comparable, facts, label_metric, own_variant


@dataclass
class Row:
    attribute: str
    value: str = "1"
    qualifier: str = ""
    unit: str | None = None
    reporter: str = "vendor"
    source: str = "meta"
    url: str | None = None
    quote: str | None = None
    mention: str | None = None
    extra: dict[str, Any] | None = field(default_factory=dict)


def bench(
    column: str, label: str, *, source: str = "meta", url: str = "https://example.org/a", quote: str = "", **extra: Any
) -> Row:
    return Row(
        "benchmark",
        qualifier="Codeforces",
        source=source,
        url=url,
        mention="Llama 3.2 1B",
        quote=quote or f"| {label} | {column} | {url} |",
        extra={"column": column, "label": label, "document_kind": "vendor", **extra},
    )


def price(qualifier: str = "prompt", **kw: Any) -> Row:
    extra = kw.pop("extra", {})
    return Row("price", qualifier=qualifier, unit="usd_per_mtok", extra=extra, **kw)


OPENROUTER_PRICE = price(reporter="primary", source="openrouter", url="file:///models.json", extra={"follows": "api"})
SERVED = Row("context_length", reporter="primary", source="openrouter", url="file:///models.json", quote="64000")
HUB_CONFIG = Row("context_length", reporter="primary", source="huggingface", url="https://hub/api", quote="config")

CASES = [
    # (id, a, b, ok, reason contains)
    (
        "quantized column of the same table is a variant",
        bench("Llama 3.2 1B bf16", "ARC-C"),
        bench("Llama 3.2 1B QLoRA", "ARC-C", url="https://example.org/b"),
        False,
        "variants",
    ),
    (
        "spin quant and vanilla PTQ columns are variants too",
        bench("Llama 3.2 1B", "ARC-C"),
        bench("Llama 3.2 1B Vanilla PTQ", "ARC-C", url="https://example.org/b"),
        False,
        "quantized",
    ),
    (
        "the bf16 column is the plain model",
        bench("Llama 3.2 1B bf16", "ARC-C"),
        bench("Llama 3.2 1B", "ARC-C", url="https://example.org/b"),
        True,
        "same benchmark",
    ),
    (
        "percentile is not a rating",
        bench("DeepSeek V3", "Codeforces (Percentile)"),
        bench("DeepSeek V3", "Codeforces (Rating)", url="https://example.org/b"),
        False,
        "metrics (percentile vs rating)",
    ),
    (
        "two percentiles are one metric",
        bench("DeepSeek V3", "Codeforces (Percentile)"),
        bench(
            "DeepSeek V3", "Codeforces (percentile)", url="https://example.org/b", source="deepseek", quote="| 51.6 |"
        ),
        True,
        "metric percentile",
    ),
    (
        "the contract's metric key: pass@1 is not pass@5",
        bench("M", "HumanEval", metric="pass@1"),
        bench("M", "HumanEval", metric="pass@5", url="https://example.org/b"),
        False,
        "pass@1 vs pass@5",
    ),
    (
        "Elo is not a score",
        bench("M", "Arena", metric="elo"),
        bench("M", "Arena", url="https://example.org/b"),
        False,
        "elo vs score",
    ),
    (
        "thinking and non-thinking are two settings",
        bench("M", "AIME25", setting="thinking"),
        bench("M", "AIME25", setting="non-thinking", url="https://example.org/b"),
        False,
        "settings",
    ),
    (
        "base is not instruct (the contract's variant key)",
        bench("Qwen2-7B", "MMLU", variant="base"),
        bench("Qwen2-7B", "MMLU", variant="instruct", url="https://example.org/b"),
        False,
        "variants (base vs instruct)",
    ),
    (
        "a base column against the plain model",
        bench("DeepSeek-V3-Base", "DROP"),
        bench("DeepSeek-V3", "DROP", url="https://example.org/b"),
        False,
        "variants (base vs the model)",
    ),
    (
        "another vendor's own evaluation of the model",
        bench("LLaMA3.1 405B", "MMLU"),
        bench("LLaMA3.1 405B", "MMLU", url="https://example.org/b", source="deepseek", third_party=True),
        False,
        "deepseek's own evaluation",
    ),
    (
        "a third party's card speaks for its own model",
        Row("license", reporter="primary", source="huggingface", value="MIT", quote="license: mit"),
        Row(
            "license",
            reporter="press",
            source="distilbert/distilgpt2",
            value="Apache-2.0",
            quote="License: Apache 2.0",
            extra={"document_kind": "card", "third_party": True},
        ),
        False,
        "card speaks for its own model",
    ),
    (
        "two claims of one document never weigh each other",
        bench("M", "MMLU"),
        bench("M", "MMLU"),
        False,
        "same document",
    ),
    (
        "the same sentence republished in another document is one source",
        bench("DeepSeek R1", "Codeforces (Rating)", url="https://hub/card", quote="| Codeforces (Rating) | 2029 |"),
        bench("DeepSeek R1", "Codeforces (Rating)", url="https://blog/post", quote="| Codeforces (Rating) | 2029 |"),
        False,
        "one source",
    ),
    (
        "an upper bound on a class of models is not a parameter count",
        Row("params_total", reporter="primary", source="huggingface", value="220000000", quote=""),
        Row(
            "params_total",
            value="137000000000",
            quote="outperform many LLMs of up to 137B parameters",
            extra={"as_written": "137B parameters"},
        ),
        False,
        "bound (up to",
    ),
    (
        "fewer than N is a bound",
        Row("params_total", reporter="primary", source="huggingface", value="949685760", quote=""),
        Row(
            "params_total",
            value="150000000",
            quote="Models with fewer than 150M parameters do not yield reliable MMLU scores",
            extra={"as_written": "150M parameters"},
        ),
        False,
        "bound (fewer than",
    ),
    (
        "a vendor's own API price is another offer than OpenRouter's",
        OPENROUTER_PRICE,
        price(source="deepseek", quote="$0.55 / million input tokens", extra={"document_kind": "vendor"}),
        False,
        "two offers (openrouter vs vendor api)",
    ),
    (
        "a claim that names another seller is another offer",
        OPENROUTER_PRICE,
        price(reporter="press", source="news", quote="$0.861", extra={"offer": "alibaba cloud"}),
        False,
        "two offers",
    ),
    (
        "a claim that names OpenRouter is weighed against OpenRouter",
        OPENROUTER_PRICE,
        price(reporter="press", source="news", quote="$1.20 on OpenRouter", extra={"offer": "openrouter"}),
        True,
        "offer openrouter",
    ),
    (
        "an unnamed seller in the press is weighed against the listing",
        OPENROUTER_PRICE,
        price(reporter="press", source="news", quote="$1.20 per million input tokens"),
        True,
        "offer openrouter",
    ),
    (
        "a peak-hour price is not a flat listing's",
        OPENROUTER_PRICE,
        price(reporter="press", source="news", quote="will cost $3.96 for 1 million output tokens at peak hours"),
        False,
        "settings (default vs peak/off-peak)",
    ),
    (
        "another currency is not comparable",
        OPENROUTER_PRICE,
        price(reporter="press", source="news", quote="¥6 per million", extra={"currency": "cny"}),
        False,
        "currencies (USD vs CNY)",
    ),
    (
        "OpenRouter's window is served: at most the native one",
        SERVED,
        Row("context_length", value="128000", quote="128K context"),
        True,
        "served window vs native window",
    ),
    (
        "the Hub config is native, like the vendor's statement",
        HUB_CONFIG,
        Row("context_length", value="128000", quote="128K context"),
        True,
        "same context window (native)",
    ),
    (
        "native and extended context are two settings",
        Row("context_length", value="262144", quote="256K natively", extra={"setting": "native"}),
        Row("context_length", value="1000000", quote="1M with extrapolation", url="b", extra={"setting": "extended"}),
        False,
        "settings",
    ),
    (
        "two press figures for a benchmark: neither is the vendor's",
        Row("benchmark", reporter="press", source="a", url="a", quote="x 1"),
        Row("benchmark", reporter="press", source="b", url="b", quote="x 2"),
        False,
        "third parties",
    ),
    (
        "the same model's licence from its vendor",
        Row("license", reporter="primary", source="huggingface", value="MIT", quote="license: mit"),
        Row("license", value="Apache-2.0", quote="released under Apache 2.0", extra={"document_kind": "vendor"}),
        True,
        "same model and attribute",
    ),
]


@pytest.mark.parametrize(("a", "b", "ok", "reason"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_comparable(a: Row, b: Row, ok: bool, reason: str) -> None:
    decision = comparable(facts(a), facts(b))
    assert decision.ok is ok, decision
    assert reason in decision.reason, decision.reason


#: A context length a seller's pricing page states (tagged by ``tracker.claims.offers``).
API_PAGE_WINDOW = Row(
    "context_length",
    value="64000",
    source="deepseek",
    url="https://api-docs.example/pricing",
    quote="| CONTEXT LENGTH | 64K |",
    extra={"document_kind": "vendor", "window": "served", "offer": "vendor api"},
)

OFFER_CASES = [
    # (id, a, b, ok, reason contains, relation)
    (
        "a vendor API page's window is another offer than OpenRouter's served one",
        SERVED,
        API_PAGE_WINDOW,
        False,
        "two offers' served windows (openrouter vs vendor api)",
        "same",
    ),
    (
        "the same offer's windows are weighed against each other",
        API_PAGE_WINDOW,
        Row(
            "context_length",
            value="128000",
            url="https://api-docs.example/models",
            quote="128K",
            extra={"window": "served", "offer": "vendor api"},
        ),
        True,
        "same context window (served)",
        "same",
    ),
    (
        "an offer's window against the native one: served at most native",
        HUB_CONFIG,
        API_PAGE_WINDOW,
        True,
        "native window vs served window",
        "at_least",
    ),
]


@pytest.mark.parametrize(
    ("a", "b", "ok", "reason", "relation"), [c[1:] for c in OFFER_CASES], ids=[c[0] for c in OFFER_CASES]
)
def test_an_offers_window_is_weighed_only_against_the_same_offer(
    a: Row, b: Row, ok: bool, reason: str, relation: str
) -> None:
    decision = comparable(facts(a), facts(b))
    assert (decision.ok, decision.relation) == (ok, relation), decision
    assert reason in decision.reason, decision.reason


def test_openrouters_window_of_an_api_only_model_is_the_models_own() -> None:
    claim = Row("context_length", value="16000", source="huggingface", quote="| GPT-3.5-turbo-0613 | 16k |")
    served = comparable(facts(SERVED), facts(claim))
    own = comparable(facts(SERVED, api_only=True), facts(claim, api_only=True))
    assert (served.ok, served.relation) == (True, "at_most")  # an open model's providers may serve less
    assert (own.ok, own.relation) == (True, "same")  # only the maker serves it: no smaller window to excuse
    assert "same context window (native)" in own.reason


@pytest.mark.parametrize(
    ("model_key", "variant", "ok"),
    [
        ("deepseek/deepseek-chat", "instruct", True),  # a "Chat Model" table is the chat model's own
        ("deepseek/deepseek-chat", "base", False),  # its "Base Model" table is not
        ("google/gemma-3-27b-it", "instruct", True),
        ("deepseek-ai/deepseek-v3-base", "base", True),
        ("meta-llama/llama-3.2-1b", "instruct", False),  # the name does not say: instruct is a variant
        ("meta-llama/llama-3.2-1b", "base", False),
    ],
)
def test_a_models_own_variant_is_its_plain_value(model_key: str, variant: str, ok: bool) -> None:
    plain = bench("DeepSeek V3", "DROP")
    tagged = bench("DeepSeek V3", "DROP", url="https://example.org/b", variant=variant)
    decision = comparable(facts(plain, model_key=model_key), facts(tagged, model_key=model_key))
    assert decision.ok is ok, decision


@pytest.mark.parametrize(
    ("model_key", "variant"),
    [
        ("deepseek/deepseek-chat", "instruct"),
        ("deepseek/deepseek-chat-v3-0324", "instruct"),
        ("qwen/qwen2.5-72b-instruct", "instruct"),
        ("google/gemma-3-27b-it", "instruct"),
        ("deepseek-ai/deepseek-v3-base", "base"),
        ("google/gemma-2-2b-pt", "base"),
        ("openai/gpt-4o", ""),
        ("thudm/chatglm3-6b", ""),
        ("meta-llama/llama-3.2-1b", ""),
        (None, ""),
    ],
)
def test_own_variant(model_key: str | None, variant: str) -> None:
    assert own_variant(model_key) == variant


def test_served_context_relation_says_the_served_window_may_be_smaller() -> None:
    assert comparable(facts(SERVED), facts(Row("context_length", value="128000"))).relation == "at_most"
    assert comparable(facts(HUB_CONFIG), facts(Row("context_length", value="128000"))).relation == "same"


@pytest.mark.parametrize(
    ("column", "mention", "variant"),
    [
        ("Llama 3.2 1B QLoRA", "Llama 3.2 1B", "qlora"),
        ("Llama 3.2 1B Spin Quant", "Llama 3.2 1B", "spinquant"),
        ("Llama 3.2 1B Vanilla PTQ", "Llama 3.2 1B", "quantized"),
        ("Llama 3.2 1B bf16", "Llama 3.2 1B", ""),
        ("Llama 4 Scout (17Bx16E)", "Llama 4 Scout", ""),
        ("Qwen2-7B Base", "Qwen2-7B", "base"),
        ("Qwen2-7B-Instruct", "Qwen2-7B", "instruct"),
        ("Qwen2.5-1.5B-Instruct", "Qwen2.5-1.5B-Instruct", ""),
        ("DeepSeek V3", "DeepSeek V3", ""),
        ("", "x", ""),
    ],
)
def test_column_variant(column: str, mention: str, variant: str) -> None:
    assert column_variant(column, mention) == variant


@pytest.mark.parametrize(
    ("label", "metric"),
    [
        ("Codeforces (Percentile)", "percentile"),
        ("Codeforces (Rating)", "rating"),
        ("Chatbot Arena Elo", "elo"),
        ("HumanEval (Pass@1)", "pass@1"),
        ("LiveCodeBench pass@ 5", "pass@5"),
        ("AlpacaEval win rate", "win_rate"),
        ("MMLU (Acc.)", ""),
    ],
)
def test_label_metric(label: str, metric: str) -> None:
    assert label_metric(label) == metric


@pytest.mark.parametrize(
    ("quote", "as_written", "bound"),
    [
        ("dense models under 40B parameters", "40B parameters", "under"),
        ("LLMs of up to 137B parameters", "137B parameters", "up to"),
        ("fewer than 150M parameters", "150M parameters", "fewer than"),
        ("Qwen3-0.6B has 0.6B parameters", "0.6B parameters", ""),
        ("", "1B", ""),
    ],
)
def test_bound_of(quote: str, as_written: str, bound: str) -> None:
    assert bound_of(quote, as_written) == bound


def test_the_extraction_bound_key_wins_and_from_is_a_tier_start() -> None:
    assert bound_of("x", "y", "under") == "under"
    assert bound_of("costs start at $0.861", "$0.861", "from") == ""
