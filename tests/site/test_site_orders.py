"""The models' sort orders kept for the next build (:func:`tracker.site.summaries.merge_order`): a
rebuild moves only the models whose summary changed, and gets the order a full sort gives."""

from __future__ import annotations

import itertools
import pickle
import random
from dataclasses import dataclass

import pytest
from site_fixtures import fill_small_database, site_settings
from test_site_incremental import MISTRAL, _cut_price
from test_site_incremental_listings import _folder

from tracker.site import reading
from tracker.site import summaries as summaries_module
from tracker.site.build import build_site
from tracker.site.reuse import pack_orders, unpack_orders
from tracker.site.summaries import SORT_KEYS, merge_order
from tracker.store.db import session_scope


def _orders(site):
    return unpack_orders(pickle.loads((site / reading.CACHE).read_bytes())["reuse"]["orders"])


@dataclass(frozen=True)
class _Row:
    id: int
    value: int


def _key(row: _Row) -> tuple[int, int]:
    return (row.value, row.id)


def _merge(now: list[_Row], known: list[int], before: list[_Row]) -> list[_Row] | None:
    """:func:`merge_order` of ``now`` from ``known`` (the order of ``before``): unchanged, the rows equal to theirs."""
    was = {r.id: r for r in before}
    unchanged = {r.id for r in now if was.get(r.id) == r}
    return merge_order({r.id: r for r in now}, known, unchanged, _key)  # type: ignore[arg-type]


@pytest.mark.parametrize("seed", range(20))
def test_a_merged_order_is_the_full_sort(seed):
    rng = random.Random(seed)
    before = [_Row(i, rng.randrange(50)) for i in range(200)]
    known = [r.id for r in sorted(before, key=_key)]
    now = list(before)
    new_ids = itertools.count(1000)
    for _ in range(rng.randrange(1, 20)):  # values changed, models added and removed
        at = rng.randrange(len(now))
        choice = rng.randrange(3)
        if choice == 0:
            now[at] = _Row(now[at].id, rng.randrange(50))
        elif choice == 1:
            now.append(_Row(next(new_ids), rng.randrange(50)))
        else:
            now.pop(at)
    merged = _merge(now, known, before)
    assert merged == sorted(now, key=_key)


def test_a_changed_model_moves_only_when_its_digest_says_so():
    before = [_Row(1, 10), _Row(2, 20), _Row(3, 30)]
    known = [1, 2, 3]
    now = [_Row(1, 40), _Row(2, 20), _Row(3, 30)]
    assert _merge(now, known, before) == [now[1], now[2], now[0]]
    # Counted as unchanged, the model keeps its place: what is unchanged is what the caller says.
    by_id = {r.id: r for r in now}
    assert merge_order(by_id, known, {1, 2, 3}, _key) == now  # type: ignore[arg-type]


def test_too_many_changes_are_left_to_a_full_sort():
    before = [_Row(i, i) for i in range(64)]
    now = [_Row(i, -i if i < 12 else i) for i in range(64)]  # 11 of 64 changed: 11 × 7 bisections > 64
    assert _merge(now, [r.id for r in before], before) is None


def test_a_price_change_rebuild_keeps_the_orders_a_full_sort_gives(sessions, db_url, tmp_path, monkeypatch):
    monkeypatch.setattr(summaries_module, "PAGE_SIZE", 1)
    with session_scope(sessions) as session:
        fill_small_database(session)
    settings = site_settings(db_url, tmp_path / "no-newsletter", workers=1)
    site = tmp_path / "site"
    build_site(sessions, settings, site)
    first = _orders(site)
    assert set(first[0]) == set(SORT_KEYS)
    _cut_price(sessions, subject=MISTRAL, model_id=4, new="500")  # raised: its place in the input order moves
    sorted_all = []
    real = summaries_module.Tables._sorted

    def spy(self, sort):
        out = real(self, sort)
        sorted_all.append([m.id for m in out] == [m.id for m in sorted(self.summaries, key=SORT_KEYS[sort])])
        return out

    monkeypatch.setattr(summaries_module.Tables, "_sorted", spy)
    build_site(sessions, settings, site)
    assert sorted_all == [True] * len(SORT_KEYS)
    again = _orders(site)
    assert again[0]["input"].index(4) > first[0]["input"].index(4)
    cold = tmp_path / "cold"
    build_site(sessions, settings, cold)
    assert _orders(cold) == again
    incremental, fresh = _folder(site), _folder(cold)
    assert sorted(incremental) == sorted(fresh)
    assert [rel for rel in fresh if incremental[rel] != fresh[rel]] == []


def test_packed_orders_load_as_they_were_and_odd_shapes_load_as_none():
    sorts, digests = {"name": [3, 1, 2], "released": [1, 2, 3]}, {1: b"a" * 12, 2: b"b" * 12, 3: b"c" * 12}
    orders, loaded = unpack_orders(pack_orders(sorts, digests))
    assert {k: list(v) for k, v in orders.items()} == sorts and loaded == digests
    assert pack_orders(sorts, {1: b"a", 2: b"bb"}) == {}  # digests of different sizes are not kept
    assert unpack_orders({"sorts": {}, "ids": b"x", "digests": b"", "size": 12}) == ({}, {})
    assert unpack_orders([1]) == ({}, {})


def test_the_models_are_ordered_as_a_sort_of_them_and_groups_are_newest_first(sessions):
    from tracker.site.generators import site_inputs
    from tracker.site.queries import load_site_data

    with session_scope(sessions) as session:
        fill_small_database(session)
    with sessions() as session:
        inputs = site_inputs(load_site_data(session))
    tables, ordered = inputs.tables, inputs.ordered
    for sort, key in SORT_KEYS.items():
        assert tables.order(sort) == sorted(ordered, key=key)
    by_vendor = tables.grouped(lambda m: m.vendor)
    assert {v: [m.key for m in ms] for v, ms in by_vendor.items()} == {
        v: [m.key for m in sorted((m for m in ordered if m.vendor == v), key=SORT_KEYS["released"])] for v in by_vendor
    }
    assert sum(len(ms) for ms in by_vendor.values()) == len(ordered)
