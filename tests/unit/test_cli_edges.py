"""Errors at the edge: one line, exit status 2, no traceback; settings checked when they load."""

from __future__ import annotations

import io
import os
import subprocess
import sys

import pytest

from tracker.cli import main
from tracker.cli.app import App
from tracker.config import load_settings
from tracker.errors import ConfigError
from tracker.terminal import terminal_safe


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture(autouse=True)
def _no_outside_config(monkeypatch):
    for name in list(os.environ):
        if name.startswith("TRACKER_") or name == "HF_TOKEN":
            monkeypatch.delenv(name)


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ("[http]\nconcurrency = 0\n", "http.concurrency must be at least 1"),
        ("[http]\nretries = -1\n", "http.retries must not be negative"),
        ("[http]\ntimeout_seconds = 0\n", "http.timeout_seconds must be more than 0"),
        ("[http]\ntimeout_seconds = nan\n", "must be a finite number"),
        ("[smtp]\nport = 70000\n", "smtp.port must be a TCP port"),
        ('database_url = "mysql://root@localhost/tracker"\n', "database_url must be a sqlite:/// or postgresql://"),
        ('database_url = "postgres://u@localhost/t"\n', "did you mean postgresql://"),
        ('database_url = "sqlit:///x.db"\n', "database_url must be a sqlite:///"),
        ('[openrouter]\nurl = "openrouter.ai/api/v1"\n', "openrouter.url must be an http:// or https:// URL"),
        ('[site]\nbase_url = "ftp://example.org/"\n', "site.base_url must be an http:// or https:// URL"),
        ('[[feeds]]\nurl = "javascript:alert(1)"\nvendor = "x"\n', "feeds[0].url must be an http"),
        ('[newsletter]\ntimezone = "Mars/Olympus"\n', "not a known time zone"),
        ("min_listing_share = 1.5\n", "min_listing_share must be above 0 and at most 1"),
        ("[http]\nretries = true\n", "http.retries must be a number"),
    ],
)
def test_settings_are_checked_when_they_load(tmp_path, capsys, toml, message):
    path = tmp_path / "tracker.toml"
    path.write_text(toml, encoding="utf-8")
    with pytest.raises(ConfigError, match=message.replace("[", r"\[").replace("]", r"\]").replace(".", r"\.")):
        load_settings(path, env={})
    code, out, err = run(capsys, "--config", str(path), "status")
    assert code == 2 and out == "" and err.count("\n") == 1 and message in err and "Traceback" not in err


def test_a_directory_or_a_binary_file_as_config(tmp_path, capsys):
    code, _, err = run(capsys, "--config", str(tmp_path), "status")
    assert code == 2 and "is a directory" in err and err.count("\n") == 1
    binary = tmp_path / "tracker.toml"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\xff\xfe")
    code, _, err = run(capsys, "--config", str(binary), "status")
    assert code == 2 and "not valid TOML" in err and err.count("\n") == 1


def test_a_corrupted_sqlite_file_is_one_line(tmp_path, capsys, monkeypatch):
    broken = tmp_path / "tracker.db"
    broken.write_bytes(b"this is not a database at all " * 200)
    monkeypatch.setenv("TRACKER_DATABASE_URL", f"sqlite:///{broken}")
    code, _, err = run(capsys, "models")
    assert code == 2 and "not a usable SQLite database" in err and err.count("\n") == 1


def test_an_unreachable_postgres_at_init_is_one_line(capsys, monkeypatch):
    monkeypatch.setenv("TRACKER_DATABASE_URL", "postgresql://postgres@127.0.0.1:1/nowhere")
    code, _, err = run(capsys, "init")
    assert code == 2 and err.startswith("tracker: error: ") and err.count("\n") == 1
    assert "Traceback" not in err


def test_subscribers_remove_token_refuses_the_default_and_the_empty_secret(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("TRACKER_DATABASE_URL", f"sqlite:///{tmp_path / 't.db'}")
    for secret in ("", "change-me"):
        path = tmp_path / "tracker.toml"
        path.write_text(f'[newsletter]\nunsubscribe_secret = "{secret}"\n', encoding="utf-8")
        code, _, err = run(capsys, "--config", str(path), "subscribers", "remove", "--token", "abc.def")
        assert code == 2 and "TRACKER_UNSUBSCRIBE_SECRET" in err, secret


def test_a_closed_pipe_is_one_line(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRACKER_")}
    env["TRACKER_DATABASE_URL"] = f"sqlite:///{tmp_path / 't.db'}"
    tracker = [sys.executable, "-c", "import sys; from tracker.cli import main; sys.exit(main())"]
    assert subprocess.run([*tracker, "init"], env=env, capture_output=True, check=False).returncode == 0
    # ~170 KB of output: more than a pipe holds
    many = "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n LIMIT 30000) SELECT i FROM n"
    producer = subprocess.Popen(
        [*tracker, "query", many, "--format", "csv"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    assert producer.stdout is not None
    producer.stdout.read(10)
    producer.stdout.close()  # like `| head`
    err = producer.stderr.read().decode() if producer.stderr else ""
    assert producer.wait(timeout=60) == 2
    assert "Traceback" not in err and err.strip().splitlines() == [
        "tracker: error: the output was closed before everything was written"
    ]


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("qwen/\x1b]0;pwned\x07name", "qwen/\\u001b]0;pwned\\u0007name"),
        ("evil\u202etxt", "evil\\u202etxt"),
        ("csi\x9b31m", "csi\\u009b31m"),
        ("two\nlines\ttab", "two\nlines\ttab"),
    ],
)
def test_terminal_output_shows_control_characters(raw, shown):
    assert terminal_safe(raw) == shown


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_app_print_escapes_only_on_a_terminal():
    terminal, pipe = FakeTerminal(), io.StringIO()
    App(out=terminal).print("name:", "\x1b[2Jgone")
    App(out=pipe).print("name:", "\x1b[2Jgone")
    assert terminal.getvalue() == "name: \\u001b[2Jgone\n"
    assert pipe.getvalue() == "name: \x1b[2Jgone\n"  # a file or a pipe gets the data exactly
