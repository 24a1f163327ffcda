"""The pure parts of the workers: units of a configuration, ticks, the claim rule, the budget rule."""

import dataclasses
import datetime as dt

import pytest

from tracker.config import HuggingFaceSettings, Settings
from tracker.errors import ConfigError
from tracker.workers.budget import budget_key, wait_seconds
from tracker.workers.history import Attempt, decide_claim
from tracker.workers.ticks import current_tick, due
from tracker.workers.units import parse_unit, unit_settings, units_of

T0 = dt.datetime(2026, 3, 2, 10, 0, tzinfo=dt.UTC)
SOURCES = ("openrouter", "offers", "huggingface", "blogs")


def test_a_hub_crawl_is_one_unit_per_watched_organisation_each_narrowed_to_it():
    settings = Settings(huggingface=HuggingFaceSettings(orgs=("Qwen", " mistralai ", "Qwen", ""), discovery=True))
    units = units_of(settings, "huggingface")
    assert [u.key for u in units] == ["huggingface:org:Qwen", "huggingface:org:mistralai", "huggingface:discovery"]
    narrowed = unit_settings(settings, units[1])
    assert narrowed.huggingface.orgs == ("mistralai",)
    assert narrowed.huggingface.discovery is False
    assert narrowed.huggingface.url == settings.huggingface.url
    # the discovery listing is a unit of its own: it lists no organisation, and still skips the watched ones
    discovery = unit_settings(settings, units[2]).huggingface
    assert discovery.discovery is True and discovery.list_orgs is False and discovery.orgs == settings.huggingface.orgs
    assert parse_unit("huggingface:discovery", SOURCES) == units[2]
    no_discovery = Settings(huggingface=HuggingFaceSettings(orgs=("Qwen",)))
    assert [u.key for u in units_of(no_discovery, "huggingface")] == ["huggingface:org:Qwen"]
    with pytest.raises(ConfigError, match="discovery is off"):  # a task queued before the configuration changed
        unit_settings(no_discovery, units[2])


def test_other_sources_are_one_unit_crawled_with_the_settings_as_they_are():
    settings = Settings()
    (unit,) = units_of(settings, "openrouter")
    assert unit.key == unit.source == "openrouter"
    assert unit_settings(settings, unit) is settings


@pytest.mark.parametrize(
    ("key", "source", "org"),
    [("huggingface:org:Qwen", "huggingface", "Qwen"), ("offers", "offers", None)],
)
def test_a_task_names_its_unit_by_key(key, source, org):
    unit = parse_unit(key, SOURCES)
    assert (unit.source, unit.org) == (source, org)


@pytest.mark.parametrize("key", ["nosuch", "huggingface:org:", "huggingface:org:a/b"])
def test_a_key_naming_nothing_known_is_a_clear_error(key):
    with pytest.raises(ConfigError, match="unit"):
        parse_unit(key, SOURCES)


def test_ticks_are_aligned_so_every_scheduler_names_the_same_one():
    hour = dt.timedelta(hours=1)
    assert current_tick(T0 + dt.timedelta(minutes=59, seconds=59), hour) == T0
    assert current_tick(T0 + hour, hour) == T0 + hour
    assert current_tick(T0.astimezone(dt.timezone(dt.timedelta(hours=2))), hour) == T0
    assert due(None, T0) and due(T0, T0 + hour) and not due(T0, T0)
    with pytest.raises(ValueError, match="aware"):
        current_tick(T0.replace(tzinfo=None), hour)


def test_a_unit_runs_once_per_tick_and_a_dead_workers_attempt_is_taken_over():
    assert decide_claim([]).attempt == 1
    taken = decide_claim([Attempt(7, 1, "running")])
    assert (taken.start, taken.attempt, taken.abandon) == (True, 2, (7,))
    again = decide_claim([Attempt(7, 1, "abandoned"), Attempt(8, 2, "success")])
    assert not again.start and "success, attempt 2" in again.reason
    failed = decide_claim([Attempt(9, 1, "failed")])
    assert not failed.start  # a failed crawl is recorded; the next tick tries again


def test_the_budget_lets_a_request_go_only_while_the_window_has_room():
    window = dt.timedelta(seconds=10)
    spent = [T0, T0 + dt.timedelta(seconds=1), T0 + dt.timedelta(seconds=2)]
    assert wait_seconds(spent, T0 + dt.timedelta(seconds=3), capacity=4, window=window) == 0.0
    assert wait_seconds(spent, T0 + dt.timedelta(seconds=3), capacity=3, window=window) == 7.0
    assert wait_seconds(spent, T0 + dt.timedelta(seconds=3), capacity=2, window=window) == 8.0
    assert wait_seconds(spent, T0 + dt.timedelta(seconds=10), capacity=3, window=window) == 0.0  # T0 left
    assert wait_seconds(spent * 5, T0, capacity=0, window=window) == 0.0  # no budget


def test_the_budget_is_per_token_and_never_holds_the_token():
    assert budget_key(None) == budget_key("") == "hf:anonymous"
    key = budget_key("hf_secret_token")
    assert key.startswith("hf:") and "secret" not in key and key != budget_key("hf_other")
    assert dataclasses.replace(HuggingFaceSettings(), budget_requests=5).budget_requests == 5
