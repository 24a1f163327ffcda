"""Release dates with their own source and precedence; news is news (pure, table-driven)."""

from __future__ import annotations

import datetime as dt

import pytest

from tracker.normalize.releases import DateEvidence, ReleaseDate, Sighting, is_news, release_date


def at(y: int, m: int, d: int) -> dt.datetime:
    return dt.datetime(y, m, d, tzinfo=dt.UTC)


PRESS = DateEvidence(at(2025, 9, 5), "press", "003_6ba69d8e4af22b21.txt", quote="September 5, 2025, marks …")
OPENROUTER = DateEvidence(at(2025, 9, 23), "openrouter", "qwen/qwen3-max")
HUB = DateEvidence(at(2025, 4, 28), "hub", "Qwen/Qwen3-8B")
VENDOR = DateEvidence(at(2025, 4, 29), "vendor", "qwen")


@pytest.mark.parametrize(
    ("evidence", "released", "since"),
    [
        # qwen/qwen3-max: the press says September 5; OpenRouter listed it on the 23rd
        ([OPENROUTER, PRESS], PRESS, OPENROUTER),
        ([OPENROUTER], None, OPENROUTER),  # OpenRouter's created is never the release
        ([PRESS, HUB], HUB, None),  # the Hub's createdAt over the press
        ([HUB, VENDOR, PRESS, OPENROUTER], VENDOR, OPENROUTER),  # a vendor post over everything
        ([], None, None),
    ],
)
def test_release_date_precedence(evidence, released, since):
    result = release_date(evidence)
    assert (result.released, result.on_openrouter_since) == (released, since)


def test_the_earliest_of_one_rank_wins():
    later = DateEvidence(at(2025, 9, 9), "press", "news")
    assert release_date([later, PRESS]).released == PRESS


WEEK = (at(2026, 8, 17), at(2026, 8, 24))
BASELINES = {"openrouter": at(2026, 8, 21), "huggingface": at(2026, 8, 1)}


@pytest.mark.parametrize(
    ("derivative", "release", "sightings", "news", "reason"),
    [
        # released this week on OpenRouter, listed after the baseline
        (
            False,
            ReleaseDate(
                None,
                DateEvidence(
                    at(
                        2026,
                        8,
                        21,
                    ),
                    "openrouter",
                    "meta/muse",
                ),
            ),
            [Sighting("openrouter", at(2026, 8, 22))],
            True,
            "OpenRouter created",
        ),
        # the baseline snapshot: recorded, not announced, even if released that week
        (
            False,
            ReleaseDate(None, DateEvidence(at(2026, 8, 20), "openrouter", "x/y")),
            [Sighting("openrouter", at(2026, 8, 21))],
            False,
            "baseline",
        ),
        # a first Hub crawl finds gpt2: recorded, and released years ago
        (
            False,
            ReleaseDate(DateEvidence(at(2022, 3, 2), "hub", "openai-community/gpt2"), None),
            [Sighting("huggingface", at(2026, 7, 30))],
            False,
            "baseline",
        ),
        # a repo found later that was released long ago is not news
        (
            False,
            ReleaseDate(DateEvidence(at(2024, 1, 1), "hub", "a/b"), None),
            [Sighting("huggingface", at(2026, 8, 20))],
            False,
            "not this week",
        ),
        # a derivative never is
        (
            True,
            ReleaseDate(DateEvidence(at(2026, 8, 20), "hub", "a/b-GGUF"), None),
            [Sighting("huggingface", at(2026, 8, 20))],
            False,
            "derivative",
        ),
        # a vendor post dates the release this week
        (False, ReleaseDate(DateEvidence(at(2026, 8, 18), "vendor", "acme"), None), [], True, "vendor post"),
        (False, ReleaseDate(None, None), [Sighting("openrouter", at(2026, 8, 22))], False, "no release evidence"),
    ],
)
def test_is_news(derivative, release, sightings, news, reason):
    verdict = is_news(
        derivative=derivative, release=release, sightings=sightings, baselines=BASELINES, start=WEEK[0], end=WEEK[1]
    )
    assert verdict.news is news and reason in verdict.reason, verdict
