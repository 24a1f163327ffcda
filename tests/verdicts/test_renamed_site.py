"""A renamed model is one model on the site (``tracker.site.renames``): its old page points to the new one."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
from helpers.corpus import snapshot

from tracker.backfill import backfill_openrouter
from tracker.config import Settings, SiteSettings
from tracker.site.build import build_site
from tracker.site.renames import rename_links


@dataclass
class M:
    id: int
    key: str
    openrouter_id: str | None = None


MODELS = [
    M(1, "anthropic/claude-3-5-haiku", "anthropic/claude-3-5-haiku"),
    M(2, "anthropic/claude-3.5-haiku", "anthropic/claude-3.5-haiku"),
    M(3, "a/x", "a/x"),
    M(4, "a/y", "a/y"),
    M(5, "a/z", "a/z"),
]


@pytest.mark.parametrize(
    ("renames", "listed", "links"),
    [
        pytest.param(
            [("anthropic/claude-3-5-haiku", "anthropic/claude-3.5-haiku")], {1: False, 2: True}, {1: 2}, id="rename"
        ),
        pytest.param(
            [("anthropic/claude-3-5-haiku", "anthropic/claude-3.5-haiku")],
            {1: True, 2: True},
            {},
            id="old-still-listed",
        ),
        pytest.param([("a/x", "a/y"), ("a/y", "a/z")], {}, {3: 5, 4: 5}, id="a-chain-ends-at-the-newest"),
        pytest.param([("a/x", "a/y"), ("a/y", "a/x")], {}, {}, id="a-cycle-links-nothing"),
        pytest.param([("a/x:free", "a/x"), ("a/x", "a/x")], {}, {}, id="a-variant-or-itself-is-no-model"),
        pytest.param([("gone/unknown", "a/x")], {}, {}, id="an-unknown-old-id"),
    ],
)
def test_rename_links(renames, listed, links):
    assert rename_links(renames, MODELS, listed) == links


def test_claude_3_5_haiku_renamed_is_one_model_on_the_site(corpus, db_url, sessions, tmp_path: Path):
    files = [snapshot(corpus, day) for day in ("2024-11-10", "2025-04-23")]
    assert [s.status for s in backfill_openrouter(sessions, db_url, files, trigger="test")] == ["success"] * 2
    settings = Settings(database_url=db_url, site=SiteSettings(base_url="https://tracker.example.org/"))
    out = tmp_path / "site"
    build_site(sessions, settings, out)
    index = (out / "models" / "index.html").read_text(encoding="utf-8")
    assert 'href="anthropic/claude-3.5-haiku/"' in index or "anthropic/claude-3.5-haiku/" in index
    assert "models/anthropic/claude-3-5-haiku/" not in index and "anthropic/claude-3-5-haiku/\"" not in index
    old = (out / "models" / "anthropic" / "claude-3-5-haiku" / "index.html").read_text(encoding="utf-8")
    assert '<meta http-equiv="refresh" content="0; url=../../../models/anthropic/claude-3.5-haiku/">' in old
    new_link = '<a href="../../../models/anthropic/claude-3.5-haiku/"><code>anthropic/claude-3.5-haiku</code></a>'
    assert f"now {new_link}" in old
    new = (out / "models" / "anthropic" / "claude-3.5-haiku" / "index.html").read_text(encoding="utf-8")
    assert "anthropic/claude-3-5-haiku" in new  # its old listing is shown with the model


def test_tracker_models_lists_a_renamed_model_once_under_its_new_id(corpus, db_url, sessions, capsys, monkeypatch):
    import json

    from tracker.cli import main

    files = [snapshot(corpus, day) for day in ("2024-11-10", "2025-04-23")]
    assert [s.status for s in backfill_openrouter(sessions, db_url, files, trigger="test")] == ["success"] * 2
    monkeypatch.setenv("TRACKER_DATABASE_URL", db_url)
    monkeypatch.delenv("TRACKER_CONFIG", raising=False)
    capsys.readouterr()
    assert main(["models", "--json", "--vendor", "anthropic"]) == 0
    rows = {row["key"]: row for row in json.loads(capsys.readouterr().out)}
    assert "anthropic/claude-3-5-haiku" not in rows
    assert rows["anthropic/claude-3.5-haiku"]["renamed_from"] == ["anthropic/claude-3-5-haiku"]
    olds = [old for row in rows.values() for old in row["renamed_from"]]
    assert len(olds) == len(set(olds)) and not set(olds) & rows.keys()  # each old id folded once, listed never
