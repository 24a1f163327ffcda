import pytest

from tracker.config import DEFAULT_HF_ORGS, load_settings
from tracker.errors import ConfigError


def test_defaults():
    settings = load_settings(env={})
    assert settings.database_url == "sqlite:///tracker.db"
    assert settings.openrouter.url == "https://openrouter.ai/api/v1"
    assert settings.huggingface.orgs == DEFAULT_HF_ORGS


def test_toml_then_environment_precedence(tmp_path):
    path = tmp_path / "tracker.toml"
    path.write_text(
        'database_url = "sqlite:///from-file.db"\n'
        '[openrouter]\nurl = "http://127.0.0.1:9/api/v1"\n'
        '[huggingface]\norgs = ["Qwen", "openai"]\n'
        '[[feeds]]\nurl = "http://127.0.0.1:9/feed.xml"\nvendor = "qwen"\n'
    )
    settings = load_settings(path, env={"TRACKER_DATABASE_URL": "sqlite:///from-env.db"})
    assert settings.database_url == "sqlite:///from-env.db"
    assert settings.openrouter.url == "http://127.0.0.1:9/api/v1"
    assert settings.huggingface.orgs == ("Qwen", "openai")
    assert settings.feeds[0].vendor == "qwen"
    via_env = load_settings(env={"TRACKER_CONFIG": str(path), "TRACKER_HF_ORGS": "meta-llama, google"})
    assert via_env.database_url == "sqlite:///from-file.db"
    assert via_env.huggingface.orgs == ("meta-llama", "google")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("databse_url = 'x'\n", "unknown setting(s) in configuration: databse_url"),
        ("[http]\nretries = 'many'\n", "http.retries must be a number"),
        ("not toml = = =\n", "not valid TOML"),
        ("store_chunk = 0\n", "store_chunk must be at least 1, not 0"),
    ],
)
def test_bad_configuration_gets_a_clear_error(tmp_path, content, message):
    path = tmp_path / "bad.toml"
    path.write_text(content)
    with pytest.raises(ConfigError, match=message.replace("(", r"\(").replace(")", r"\)")):
        load_settings(path, env={})


def test_the_store_chunk_reaches_the_crawl(tmp_path):
    from tracker.sources.settings import scrapy_settings

    path = tmp_path / "tracker.toml"
    path.write_text("store_chunk = 50\n")
    assert scrapy_settings(load_settings(path, env={}), run_id=1)["TRACKER_STORE_CHUNK"] == 50


def test_missing_config_file(tmp_path):
    with pytest.raises(ConfigError, match="not found"):
        load_settings(tmp_path / "nope.toml", env={})
