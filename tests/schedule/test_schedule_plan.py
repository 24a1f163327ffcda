"""Which jobs the scheduler runs and when, from the configuration."""

import datetime as dt

import pytest

from tracker.config import load_settings
from tracker.errors import ConfigError
from tracker.schedule.plan import newsletter_trigger, plan

MONDAY_0800 = dt.datetime(2026, 3, 16, 8, 0, tzinfo=dt.UTC)  # 2026-03-16 is a Monday


def next_fire(trigger, after):
    return trigger.get_next_fire_time(None, after)


def test_the_default_plan(tmp_path):
    settings = load_settings(env={})
    specs = {s.name: s for s in plan(settings)}
    assert "crawl:openrouter" in specs and "crawl:huggingface" in specs and "newsletter" in specs
    assert specs["crawl:openrouter"].trigger.interval == dt.timedelta(minutes=60)
    assert specs["crawl:huggingface"].trigger.interval == dt.timedelta(minutes=360)
    assert specs["crawl:openrouter"].first_run_now and not specs["newsletter"].first_run_now
    # the newsletter: Monday 08:00 UTC
    assert next_fire(specs["newsletter"].trigger, dt.datetime(2026, 3, 13, tzinfo=dt.UTC)) == MONDAY_0800
    assert "sending is off" in specs["newsletter"].description


def test_intervals_sending_and_disabled_sources_from_the_file(tmp_path):
    path = tmp_path / "tracker.toml"
    path.write_text(
        "[schedule]\nopenrouter_interval_minutes = 7.5\nnewsletter_cron = 'fri 17:30'\n"
        "[huggingface]\nenabled = false\n[newsletter]\nsend = true\ntimezone = 'Europe/Berlin'\n"
    )
    specs = {s.name: s for s in plan(load_settings(path, env={}))}
    assert "crawl:huggingface" not in specs
    assert specs["crawl:openrouter"].trigger.interval == dt.timedelta(seconds=450)
    assert specs["crawl:openrouter"].description == "crawl openrouter every 7.5 min"
    fire = next_fire(specs["newsletter"].trigger, dt.datetime(2026, 3, 16, tzinfo=dt.UTC))
    assert fire.astimezone(dt.UTC) == dt.datetime(2026, 3, 20, 16, 30, tzinfo=dt.UTC)  # 17:30 in Berlin (CET)
    assert "build and send" in specs["newsletter"].description


@pytest.mark.parametrize(
    ("cron", "expected"),
    [
        ("mon 08:00", MONDAY_0800),
        ("MON  8:00", MONDAY_0800),
        ("0 8 * * mon", MONDAY_0800),
        ("daily 08:00", dt.datetime(2026, 3, 14, 8, 0, tzinfo=dt.UTC)),
        ("mon-fri 08:00", MONDAY_0800),
    ],
)
def test_newsletter_cron_forms(cron, expected):
    assert next_fire(newsletter_trigger(cron, "UTC"), dt.datetime(2026, 3, 14, 0, 0, tzinfo=dt.UTC)) == expected


@pytest.mark.parametrize(
    ("cron", "message"),
    [
        ("0 8 * * 1", "write the weekday as a name"),
        ("monday at eight", "is not understood"),
        ("mon 25:00", "newsletter_cron"),
        ("", "is not understood"),
    ],
)
def test_bad_newsletter_cron_gets_a_clear_error(cron, message):
    with pytest.raises(ConfigError, match=message):
        newsletter_trigger(cron, "UTC")


def test_a_zero_interval_is_refused(tmp_path):
    path = tmp_path / "tracker.toml"
    path.write_text("[schedule]\nopenrouter_interval_minutes = 0\n")
    with pytest.raises(ConfigError, match="openrouter_interval_minutes must be more than 0"):
        plan(load_settings(path, env={}))
