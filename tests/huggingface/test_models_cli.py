"""``tracker models``: one row per model across sources, filterable, with --json."""

from __future__ import annotations

import dataclasses
import json

import pytest
from helpers.corpus import FakeHub, hub_cards, hub_details, serve_openrouter, snapshot
from helpers.settings import loopback_settings
from helpers.worlds import build_pg_world, build_sqlite_world, copy_pg_world, copy_world, drop_pg_world, once_per_run

from tracker.cli import main
from tracker.config import HuggingFaceSettings
from tracker.sources.runner import run_crawl

ORGS = ("openai", "Qwen", "meta-llama", "google", "Gensyn", "HuggingFaceH4")


def crawl_both(db_url, server, corpus):
    """OpenRouter's 2026-08-22 listing and six Hub organisations, crawled into ``db_url``."""
    serve_openrouter(server, snapshot(corpus, "2026-08-22"))
    FakeHub(server, hub_details(corpus), hub_cards(corpus)).install()
    settings = dataclasses.replace(
        loopback_settings(db_url, server), huggingface=HuggingFaceSettings(url=server.url, orgs=ORGS)
    )
    assert run_crawl(settings, "openrouter", trigger="test").status == "success"
    assert run_crawl(settings, "huggingface", trigger="test").status == "success"


@pytest.fixture(scope="session")
def _crawled_template(tmp_path_factory, _sqlite_template, corpus):
    return once_per_run(
        tmp_path_factory,
        "models-cli",
        lambda folder: build_sqlite_world(
            _sqlite_template, folder / "crawled.db", lambda url, server: crawl_both(url, server, corpus)
        )[0],
    )


@pytest.fixture(scope="session")
def _crawled_pg(tmp_path_factory, _pg_schema, corpus):
    assert _pg_schema
    schema, _ = once_per_run(
        tmp_path_factory,
        "models-cli-pg",
        lambda _folder: build_pg_world(
            _pg_schema, "world_models_cli", lambda url, server: crawl_both(url, server, corpus)
        ),
    )
    yield schema
    drop_pg_world(_pg_schema, schema)


@pytest.fixture
def crawled(db_url, request, monkeypatch):
    """Both sources crawled (once per module, copied per test); the CLI pointed at the database."""
    if db_url.startswith("sqlite:///"):
        copy_world(request.getfixturevalue("_crawled_template"), db_url)
    else:
        copy_pg_world(request.getfixturevalue("_crawled_pg"), db_url)
    monkeypatch.setenv("TRACKER_DATABASE_URL", db_url)
    monkeypatch.delenv("TRACKER_CONFIG", raising=False)
    return db_url


def models_json(capsys, *args):
    capsys.readouterr()
    assert main(["models", "--json", *args]) == 0
    return json.loads(capsys.readouterr().out)


def test_models_json_has_both_sources_prices_and_shown_values(crawled, capsys):
    rows = {row["key"]: row for row in models_json(capsys)}
    gpt = rows["openai/gpt-oss-120b"]
    assert gpt["sources"] == ["huggingface", "openrouter"]
    assert (gpt["license_key"], gpt["license_class"], gpt["open_weight_status"]) == ("Apache-2.0", "permissive", "open")
    assert gpt["access"] == "open weights (unrestricted)"
    assert gpt["context_length"] == 131072 and 115e9 < gpt["params_total"] < 125e9
    assert gpt["prices_usd_per_mtok"]["prompt"]["status"] in ("priced", "free")
    qwen_max = rows["qwen/qwen3-max"]
    assert (qwen_max["open_weight_status"], qwen_max["sources"], qwen_max["access"]) == (
        "api-only",
        ["openrouter"],
        "API access",
    )
    assert qwen_max["prices_usd_per_mtok"]["prompt"] == {"status": "priced", "usd_per_mtok": "0.78"}
    assert "gensyn/qwen2.5-0.5b-instruct" not in rows  # a third-party finetune: a derivative
    with_derivatives = {row["key"] for row in models_json(capsys, "--include-derivatives")}
    assert "gensyn/qwen2.5-0.5b-instruct" in with_derivatives


def test_filters(crawled, capsys):
    gated = models_json(capsys, "--open-weights", "gated")
    assert gated and all(row["open_weight_status"] == "gated" for row in gated)
    assert {"meta-llama/llama-3.1-8b-instruct", "google/gemma-3-1b-it"} <= {row["key"] for row in gated}
    nc = models_json(capsys, "--license-class", "non-commercial")
    assert [row["hf_repo_id"] for row in nc] == ["Qwen/Qwen2.5-3B-Instruct"]
    qwen = models_json(capsys, "--vendor", "Qwen")
    assert qwen and {row["vendor"].lower() for row in qwen} == {"qwen"}
    assert "qwen/qwen3-max" in {row["key"] for row in qwen} and "Qwen/Qwen3-32B" in {row["hf_repo_id"] for row in qwen}
    unknown = models_json(capsys, "--license-class", "unknown", "--vendor", "openai")
    assert "openai/gpt-oss-120b" not in {row["key"] for row in unknown}
    assert len(models_json(capsys, "--limit", "3")) == 3


def test_text_output_and_help(crawled, capsys):
    capsys.readouterr()
    assert main(["models", "--vendor", "openai"]) == 0
    out = capsys.readouterr().out
    header, *lines = out.splitlines()
    assert header.split()[:4] == ["MODEL", "LICENCE", "CLASS", "WEIGHTS"]
    gpt = next(line for line in lines if line.startswith("openai/gpt-oss-120b "))
    assert "Apache-2.0" in gpt and "permissive" in gpt and "open" in gpt and "120B" in gpt and "131,072" in gpt
    assert "huggingface,openrouter" in gpt
    with pytest.raises(SystemExit) as exit_info:
        main(["models", "--help"])
    assert exit_info.value.code == 0
    assert "--open-weights" in capsys.readouterr().out
    with pytest.raises(SystemExit):
        main(["models", "--open-weights", "sort-of"])
