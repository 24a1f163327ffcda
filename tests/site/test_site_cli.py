"""``tracker site build`` from the command line."""

from __future__ import annotations

import json

import pytest
from site_fixtures import fill_small_database

from tracker.cli import main
from tracker.store.db import session_scope


def test_site_build_command(sessions, db_url, tmp_path, monkeypatch, capsys):
    with session_scope(sessions) as session:
        fill_small_database(session)
    monkeypatch.setenv("TRACKER_DATABASE_URL", db_url)
    monkeypatch.setenv("TRACKER_NEWSLETTER_DIR", str(tmp_path / "none"))
    monkeypatch.delenv("TRACKER_CONFIG", raising=False)
    monkeypatch.chdir(tmp_path)
    assert main(["site", "build"]) == 0  # default folder: site/
    out = capsys.readouterr().out
    assert "6 models" in out and "0 unchanged" in out
    assert (tmp_path / "site" / "models" / "qwen" / "qwen3-max" / "index.html").is_file()
    assert main(["site", "build", "--out", "site", "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["written"] == 0 and result["unchanged"] > result["pages"] > 0
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere" / "keep.txt").write_text("mine")
    assert main(["site", "build", "--out", "elsewhere"]) == 2
    assert "not empty and was not built by tracker" in capsys.readouterr().err


@pytest.mark.parametrize("argv", [["site", "--help"], ["site", "build", "--help"]])
def test_site_help(argv, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    assert exit_info.value.code == 0
    assert "--out" in capsys.readouterr().out or argv == ["site", "--help"]
