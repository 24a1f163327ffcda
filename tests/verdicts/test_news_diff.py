"""The change decider's news rules: a first listing is a baseline, renames are one event, a first value is no change."""

from __future__ import annotations

import datetime as dt

import pytest

from tracker.events.diff import ListingState, diff_aliases, diff_listings, match_renames

T = dt.datetime(2025, 4, 23, tzinfo=dt.UTC)


def state(listing_id: str, name: str | None = None, **kw) -> ListingState:
    return ListingState(
        id=listing_id,
        model_key=listing_id.split(":")[0],
        content_hash=f"h-{listing_id}-{name}",
        name=name,
        variant=listing_id.split(":")[1] if ":" in listing_id else None,
        **kw,
    )


def kinds(result) -> list[tuple[str, str]]:
    return [(e.kind, e.subject) for e in result.events]


def test_the_first_listing_of_a_source_is_a_baseline_recorded_not_announced():
    current = {i: state(i, i.upper()) for i in ("a/x", "b/y", "c/z")}
    result = diff_listings({}, current, source="openrouter", detected_at=T, complete=True)
    assert result.baseline and sorted(result.added) == ["a/x", "b/y", "c/z"]
    assert result.events == []


def test_after_the_baseline_an_addition_is_announced():
    before = {"a/x": state("a/x", "A")}
    result = diff_listings(
        before, {**before, "b/y": state("b/y", "B")}, source="openrouter", detected_at=T, complete=True
    )
    assert not result.baseline and kinds(result) == [("model_added", "b/y")]


def test_claude_3_5_haiku_renamed_is_one_rename_event_per_id():
    before = {
        "anthropic/claude-3-5-haiku": state("anthropic/claude-3-5-haiku", "Anthropic: Claude 3.5 Haiku"),
        "anthropic/claude-3-5-haiku:beta": state("anthropic/claude-3-5-haiku:beta", "Anthropic: Claude 3.5 Haiku"),
        "keep/me": state("keep/me", "Kept"),
    }
    after = {
        "anthropic/claude-3.5-haiku": state("anthropic/claude-3.5-haiku", "Anthropic: Claude 3.5 Haiku"),
        "anthropic/claude-3.5-haiku:beta": state("anthropic/claude-3.5-haiku:beta", "Anthropic: Claude 3.5 Haiku"),
        "keep/me": before["keep/me"],
    }
    result = diff_listings(before, after, source="openrouter", detected_at=T, complete=True)
    renames = [e for e in result.events if e.kind == "model_renamed"]
    assert [(e.old_id, e.subject, e.by) for e in renames] == [
        ("anthropic/claude-3-5-haiku", "anthropic/claude-3.5-haiku", "name"),
        ("anthropic/claude-3-5-haiku:beta", "anthropic/claude-3.5-haiku:beta", "name"),
    ]
    assert not [e for e in result.events if e.kind in ("model_added", "model_delisted")]
    # the rows are still recorded: the new ids are added, the old ones leave the listing
    assert set(result.delisted) == {"anthropic/claude-3-5-haiku", "anthropic/claude-3-5-haiku:beta"}


def test_a_partial_listing_never_renames_or_delists():
    before = {"a/old": state("a/old", "Same"), "z/z": state("z/z", "Z")}
    after = {"a/new": state("a/new", "Same")}
    result = diff_listings(before, after, source="openrouter", detected_at=T, complete=False)
    assert kinds(result) == [("model_added", "a/new")]


@pytest.mark.parametrize(
    ("gone", "arrived", "expected"),
    [
        # canonical_slug continuity: the new listing names the old id
        (
            [state("a/old", "Old")],
            [state("a/new", "New", canonical_slug="a/old")],
            [("a/old", "a/new", "canonical_slug")],
        ),
        # the same Hub id (case-insensitive)
        (
            [state("a/old", "Old", hugging_face_id="Org/Model")],
            [state("a/new", "New", hugging_face_id="org/model")],
            [("a/old", "a/new", "hugging_face_id")],
        ),
        # two leave under one name: ambiguous, no rename
        ([state("a/one", "Same"), state("a/two", "Same")], [state("a/new", "Same")], []),
        # different names: an addition and a delisting
        ([state("a/old", "Old")], [state("a/new", "New")], []),
        # the same name but another variant
        ([state("a/old:free", "Same")], [state("a/new", "Same")], []),
    ],
)
def test_match_renames(gone, arrived, expected):
    assert [(o.id, n.id, by) for o, n, by in match_renames(gone, arrived)] == expected


def test_an_alias_target_seen_for_the_first_time_sets_a_value_not_a_change():
    previous = {"~a/latest": None, "~b/latest": "b/one"}
    current = {"~a/latest": "a/two", "~b/latest": "b/two", "~c/latest": "c/one"}
    events = diff_aliases(previous, current, source="openrouter", detected_at=T)
    assert [(e.subject, e.old, e.new) for e in events] == [("~b/latest", "b/one", "b/two")]
