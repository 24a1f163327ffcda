"""Table-driven tests of the pure rules: normalizers on small hand-written files, and the time-aware verdicts."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest

from tracker.errors import NormalizationError
from tracker.normalize.peers.epoch import parse_epoch
from tracker.normalize.peers.formats import crawled_version, parse_catalog
from tracker.normalize.peers.genaiprices import parse_genai_prices
from tracker.normalize.peers.litellm import parse_litellm
from tracker.normalize.peers.modelsdev import assemble_tree, parse_modelsdev
from tracker.peers.compare import Span, Verdict, weigh

D = Decimal


def utc(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=dt.UTC)


# ───────────────────────── verdicts ─────────────────────────

#: $1.20 seen 2025-12-02 … 2026-01-29, then $0.78 from 2026-03-17 (the cut happened in the gap), still current.
QWEN = [Span(D("1.2"), utc("2025-12-02"), utc("2026-01-29")), Span(D("0.78"), utc("2026-03-17"), None)]


@pytest.mark.parametrize(
    ("value", "at", "verdict", "primary", "stale_since"),
    [
        ("0.78", "2026-05-01", Verdict.AGREE, "0.78", None),  # current value
        ("1.2", "2026-01-10", Verdict.AGREE, "1.2", None),  # what held then
        ("1.2", "2026-02-20", Verdict.AGREE, "1.2", None),  # in the unobserved gap: either value
        ("0.78", "2026-02-20", Verdict.AGREE, "0.78", None),
        ("1.2", "2026-05-01", Verdict.STALE, "0.78", "2026-03-17"),  # an older price: stale since the change
        ("1.25", "2026-05-01", Verdict.WRONG, "0.78", None),  # never OpenRouter's price
        ("0.78", "2025-06-01", Verdict.WRONG, "1.2", None),  # before the first observation: the first value
        ("1.2", "2025-06-01", Verdict.AGREE, "1.2", None),
    ],
)
def test_weigh(value: str, at: str, verdict: Verdict, primary: str, stale_since: str | None) -> None:
    outcome = weigh(D(value), QWEN, utc(at))
    assert outcome.verdict == verdict
    assert outcome.primary == D(primary)
    assert outcome.stale_since == (utc(stale_since) if stale_since else None)


def test_wrong_and_stale_give_the_size_of_the_difference() -> None:
    wrong = weigh(D("1.25"), QWEN, utc("2026-05-01"))
    assert (wrong.difference, wrong.percent) == (D("0.47"), D("60.3"))
    stale = weigh(D("1.2"), QWEN, utc("2026-05-01"))
    assert (stale.matched, stale.matched_since, stale.difference) == (D("1.2"), utc("2025-12-02"), D("0.42"))


def test_dynamic_prices_and_missing_history_are_not_verdicts() -> None:
    router = [Span(None, utc("2026-01-01"), None, comparable=False)]
    assert weigh(D("0"), router, utc("2026-02-01")).verdict == Verdict.NOT_COMPARABLE
    assert weigh(D("1"), [], utc("2026-02-01")).verdict == Verdict.NO_PRIMARY


def test_a_delisted_offer_is_weighed_against_its_last_value() -> None:
    gone = [Span(D("3"), utc("2025-01-01"), utc("2025-06-01"))]
    assert weigh(D("3"), gone, utc("2026-01-01")).verdict == Verdict.AGREE
    assert weigh(D("6"), gone, utc("2026-01-01")).verdict == Verdict.WRONG


def test_rounding_allowance_is_for_long_prices_only() -> None:
    cache = [Span(D("0.08333333"), utc("2026-01-01"), None)]
    assert weigh(D("0.083333"), cache, utc("2026-02-01")).verdict == Verdict.AGREE
    assert weigh(D("0.0833"), cache, utc("2026-02-01")).verdict == Verdict.WRONG  # 3 digits: not a long decimal
    short = [Span(D("0.25"), utc("2026-01-01"), None)]
    assert weigh(D("0.2"), short, utc("2026-02-01")).verdict == Verdict.WRONG
    context = [Span(D("163848"), utc("2026-01-01"), None)]
    assert weigh(D("163850"), context, utc("2026-02-01"), rounded=False).verdict == Verdict.WRONG


# ───────────────────────── LiteLLM ─────────────────────────


def test_litellm_rules() -> None:
    parse = parse_litellm(
        {
            "sample_spec": {"input_cost_per_token": 0.0, "max_input_tokens": "max input tokens"},
            "openrouter/qwen/qwen3-max": {
                "litellm_provider": "openrouter",
                "input_cost_per_token": 1.4999999e-06,  # float noise → $1.50 per 1M
                "output_cost_per_token": 6e-06,
                "input_cost_per_token_above_128k_tokens": 3e-06,
                "max_input_tokens": 262144,
                "max_tokens": 65536,
            },
            "dashscope/qwen-max": {"litellm_provider": "dashscope", "input_cost_per_token": 1.6e-06},
            "dall-e-3": {"litellm_provider": "openai", "mode": "image_generation", "output_cost_per_image": 0.04},
            "bad-price": {"litellm_provider": "openai", "input_cost_per_token": "cheap"},
            "negative": {"litellm_provider": "openai", "output_cost_per_token": -1e-06},
            "not-an-object": [1, 2],
        },
        version="9.9.9",
        snapshot_at=utc("2026-05-14"),
    )
    assert parse.ignored_reasons() == {"documentation-entry": 1, "no-token-values": 1}
    assert {p.key: p.reason for p in parse.rejected} == {
        "bad-price": "not-a-number",
        "negative": "negative-value",
        "not-an-object": "not-an-object",
    }
    qwen = next(e for e in parse.entries if e.key == "openrouter/qwen/qwen3-max")
    assert qwen.openrouter_ids == ("qwen/qwen3-max",)
    assert qwen.value("price", "prompt").number == D("1.5")
    assert qwen.value("price", "prompt").quote == "input_cost_per_token=1.4999999e-06"
    assert qwen.value("price", "prompt@prompt>128000").number == D("3")
    assert qwen.value("context_length").number == D(262144)  # max_input_tokens, never max_tokens
    dashscope = next(e for e in parse.entries if e.key == "dashscope/qwen-max")
    assert (dashscope.offer, dashscope.openrouter_ids) == ("dashscope", ())


# ───────────────────────── models.dev ─────────────────────────


def test_modelsdev_tree_inherits_and_counts_what_it_cannot_read() -> None:
    files = {
        "models/alibaba/qwen3-max.toml": 'name = "Qwen3 Max"\nopen_weights = false\n[limit]\ncontext = 262_144\n'
        "output = 65_536\n[cost]\ninput = 9\n[[cost.tiers]]\ntier = { size = 128_000 }\ninput = 18\n",
        "providers/openrouter/provider.toml": 'name = "OpenRouter"\n',
        "providers/openrouter/models/qwen/qwen3-max.toml": 'base_model = "alibaba/qwen3-max"\n'
        'base_model_omit = ["cost.tiers"]\n[cost]\ninput = 0.78\noutput = 3.9\n[limit]\noutput = 32_768\n',
        "providers/openrouter/models/qwen/alias.toml": "../../../openrouter/models/qwen/qwen3-max.toml",
        "providers/openrouter/models/qwen/broken.toml": "../../../elsewhere/models/x.toml",
        "providers/openrouter/models/qwen/orphan.toml": 'base_model = "alibaba/nothing"\n',
        "providers/openrouter/models/qwen/bad.toml": "name = \n",
        "providers/x/models/m.toml": '[cost]\ninput = "free"\n',
        "models/meta/llama.toml": 'open_weights = true\n[[weights]]\nurl = "https://huggingface.co/meta-llama/Llama-3"\n',
        "providers/x/models/llama.toml": 'base_model = "meta/llama"\n[cost]\ninput = 0.1\n',
    }
    api, problems = assemble_tree(files)
    assert {p.key: p.reason for p in problems} == {
        "providers/openrouter/models/qwen/broken.toml": "broken-link",
        "openrouter:qwen/orphan": "missing-base-model",
        "providers/openrouter/models/qwen/bad.toml": "bad-toml",
    }
    parse = parse_modelsdev(api, version="abc", snapshot_at=utc("2026-07-02"))
    assert {p.key: p.reason for p in parse.rejected} == {"x:m": "not-a-number"}
    qwen = next(e for e in parse.entries if e.key == "openrouter:qwen/qwen3-max")
    assert qwen.openrouter_ids == ("qwen/qwen3-max",)
    assert qwen.value("price", "prompt").number == D("0.78")
    assert qwen.value("context_length").number == D(262144)  # limit.context kept when only limit.output is set
    assert qwen.value("price", "prompt@prompt>128000") is None  # base_model_omit removed the tier
    assert qwen.value("openness").value == "api-only"
    alias = next(e for e in parse.entries if e.key == "openrouter:qwen/alias")  # a symlink reads its target
    assert alias.value("price", "completion").number == D("3.9")
    llama = next(e for e in parse.entries if e.key == "x:llama")
    assert llama.hf_repos == ("meta-llama/Llama-3",)
    assert llama.value("openness").quote == "open_weights=true; weights: https://huggingface.co/meta-llama/Llama-3"


# ───────────────────────── genai-prices ─────────────────────────


def test_genai_prices_rules() -> None:
    payload = [
        {
            "id": "openrouter",
            "models": [
                {
                    "id": "anthropic/claude-sonnet-5",
                    "match": {
                        "or": [{"equals": "anthropic/claude-sonnet-5"}, {"equals": "anthropic/claude-sonnet-5:beta"}]
                    },
                    "prices": [
                        {"prices": {"input_mtok": 2, "output_mtok": 10}},
                        {"constraint": {"start_date": "2026-09-01"}, "prices": {"input_mtok": 3, "output_mtok": 15}},
                    ],
                },
                {
                    "id": "anthropic/claude-sonnet-4.5",
                    "match": {"equals": "anthropic/claude-sonnet-4.5"},
                    "context_window": 1000000,
                    "prices": {"input_mtok": {"base": 3, "tiers": [{"start": 200000, "price": 6}]}},
                },
                {"id": "x/free:free", "match": {"equals": "x/free:free"}, "prices": {}},
                {"id": "x/bad", "match": {"equals": "x/bad"}, "prices": {"input_mtok": {"tiers": []}}},
            ],
        },
        {"id": "anthropic", "models": [{"id": "claude-sonnet-5", "match": {"starts_with": "claude"}, "prices": {}}]},
        "garbage",
    ]
    august = parse_genai_prices(payload, version="v", snapshot_at=utc("2026-08-21"))
    sonnet5 = next(e for e in august.entries if e.key == "openrouter:anthropic/claude-sonnet-5")
    assert sonnet5.openrouter_ids == ("anthropic/claude-sonnet-5", "anthropic/claude-sonnet-5:beta")
    assert sonnet5.value("price", "prompt").number == D(2)  # the September price is not in force yet
    september = parse_genai_prices(payload, version="v", snapshot_at=utc("2026-09-02"))
    assert next(e for e in september.entries if e.key == sonnet5.key).value("price", "prompt").number == D(3)
    sonnet45 = next(e for e in august.entries if e.key == "openrouter:anthropic/claude-sonnet-4.5")
    assert sonnet45.value("price", "prompt").number == D(3)
    assert sonnet45.value("price", "prompt@prompt>200000").number == D(6)
    assert sonnet45.value("context_length").number == D(1000000)
    assert august.ignored_reasons() == {"no-values": 2}
    assert {p.key: p.reason for p in august.rejected} == {"openrouter:x/bad": "bad-tier", "[2]": "not-a-provider"}


# ───────────────────────── Epoch ─────────────────────────


def test_epoch_rules() -> None:
    text = (
        "Model,Model accessibility,Parameters,Publication date,Link\n"
        "Open-1,Open weights (restricted use),7000000000.0,2025-01-02,https://huggingface.co/org/Open-1\n"
        "Closed-1,API access,,2025-02-03,https://example.com\n"
        "Odd-1,Licensed to partners,1e9,,\n"
        ",API access,,,\n"
        "Broken-1,Unreleased,lots,,\n"
    )
    parse = parse_epoch(text, version="2026-02-16", snapshot_at=None)
    keys = {e.key: e for e in parse.entries}
    assert keys["Open-1"].value("openness").value == "open"
    assert keys["Open-1"].value("openness").quote == "Model accessibility: Open weights (restricted use)"
    assert keys["Open-1"].hf_repos == ("org/Open-1",)
    assert keys["Closed-1"].value("openness").value == "api-only"
    assert keys["Closed-1"].value("release_date").value == "2025-02-03"
    assert keys["Odd-1"].value("params_total").value == "1000000000"
    assert parse.ignored_reasons() == {"unknown-accessibility": 1}
    assert {p.key: p.reason for p in parse.rejected} == {"line 5": "no-name", "Broken-1": "not-a-number"}
    with pytest.raises(NormalizationError) as err:
        parse_epoch("Name,Parameters\nx,1\n", version="x", snapshot_at=None)
    assert err.value.reason == "not-a-catalog"


# ───────────────────────── whole files ─────────────────────────


@pytest.mark.parametrize(
    ("catalog", "body", "reason"),
    [
        ("litellm", b"<html>rate limited</html>", "not-json"),
        ("litellm", b'{"a": ', "bad-json"),
        ("litellm", b"[]", "not-a-catalog"),
        ("models.dev", b'"text"', "not-a-catalog"),
        ("genai-prices", b"{}", "not-a-catalog"),
        ("epoch", b"\xff\xfe", "bad-csv"),
    ],
)
def test_a_file_that_cannot_be_read_is_one_clear_error(catalog: str, body: bytes, reason: str) -> None:
    with pytest.raises(NormalizationError) as err:
        parse_catalog(catalog, body, version="v", snapshot_at=None)
    assert err.value.reason == reason


def test_a_crawled_file_is_named_by_its_date_and_content() -> None:
    fetched = utc("2026-11-25T10:00:00")
    version, when = crawled_version(b"{}", "Wed, 20 Nov 2026 08:00:00 GMT", fetched)
    assert version.startswith("2026-11-20.") and when == utc("2026-11-20T08:00:00")
    assert crawled_version(b"[]", None, fetched)[0] != crawled_version(b"{}", None, fetched)[0]
    assert crawled_version(b"{}", "not a date", fetched)[1] == fetched


def test_modelsdev_published_api_json_parses_like_the_tree() -> None:
    model = {
        "id": "qwen/qwen3-max",
        "name": "Qwen3 Max",
        "open_weights": False,
        "cost": {"input": 0.78, "output": 3.9, "context_over_200k": {"input": 1.5}},
        "limit": {"context": 262144, "output": 32768},
    }
    api = {"openrouter": {"id": "openrouter", "models": {"qwen/qwen3-max": model}}, "broken": {"models": 3}}
    body = json.dumps(api).encode()
    parse = parse_catalog("models.dev", body, version="api", snapshot_at=utc("2026-07-02"))
    [entry] = parse.entries
    assert (entry.key, entry.openrouter_ids) == ("openrouter:qwen/qwen3-max", ("qwen/qwen3-max",))
    assert entry.value("price", "prompt").number == D("0.78")
    assert entry.value("price", "prompt@prompt>200000").number == D("1.5")
    assert entry.value("context_length").number == D(262144)
    assert {p.key: p.reason for p in parse.rejected} == {"broken": "not-a-provider"}
