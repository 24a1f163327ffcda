"""A cold build's summaries and exports made by two processes: the same summaries and the same bytes as one."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from site_fixtures import fill_small_database

from tracker.site import reading
from tracker.site.queries import load_site_data
from tracker.store.db import session_scope


@pytest.fixture
def small_db(sessions):
    with session_scope(sessions) as session:
        fill_small_database(session)
    return sessions


def _read(sessions, folder: Path, workers: int, cache: reading.ChunkCache | None = None):
    with sessions() as session:
        data = load_site_data(session, rows=False)
        summaries, files = reading.summaries_and_exports(session, data, folder, size=1, cache=cache, workers=workers)
    exported = {f.rel_path: (f.tmp.read_bytes(), f.size, f.digest) for f in files}
    for f in files:
        f.tmp.unlink()
    return summaries, exported


def test_two_processes_make_the_summaries_and_exports_of_one(small_db, tmp_path):
    serial_cache = reading.ChunkCache(tmp_path / "one", "salt", {}, {})
    parallel_cache = reading.ChunkCache(tmp_path / "two", "salt", {}, {})
    serial = _read(small_db, tmp_path / "one", 1, serial_cache)
    parallel = _read(small_db, tmp_path / "two", 2, parallel_cache)
    assert len(serial[0]) == 6  # six models, one a chunk: three read by each process
    assert parallel == serial
    assert list(parallel[0]) == list(serial[0])  # in the models' order
    assert [(c.key, c.spans, c.digests) for c in parallel_cache.chunks] == [
        (c.key, c.spans, c.digests) for c in serial_cache.chunks
    ]
    assert sorted(p.name for p in (tmp_path / "two").iterdir()) == [reading.CACHE]  # no part files left


def test_a_helper_that_dies_is_an_error(small_db, tmp_path, monkeypatch):
    def die(*args: object) -> None:
        os._exit(3)

    monkeypatch.setattr(reading, "_help", die)
    with pytest.raises(RuntimeError, match=r"exit code 3"):
        _read(small_db, tmp_path / "site", 2)
    assert not list((tmp_path / "site").iterdir())  # the exports' and the helper's files removed


def test_the_rows_cache_keeps_every_chunk_through_both_saves_of_a_build(tmp_path):
    def chunk(key: str) -> reading._Chunk:
        return reading._Chunk(key, [], [(0, len(key), 1)], [key.encode()])

    cache = reading.ChunkCache(tmp_path, "salt", {}, {})
    cache.chunks = [chunk("a"), chunk("b")]
    cache.save([])  # before the exports are put in place
    cache.save([], {"rows": {b"a": "<tr data-name=a>"}, "templates": {}})  # with the rows, at the end
    again = reading.ChunkCache(tmp_path, "salt", {}, {})
    assert {k: (c.spans, c.digests) for k, c in again.previous.items()} == {
        "a": ([(0, 1, 1)], [b"a"]),
        "b": ([(0, 1, 1)], [b"b"]),
    }
    assert again.kept.rows == {b"a": "<tr data-name=a>"}
    # The next build reuses one chunk (written back as it was) and makes another.
    again.chunks = [again.previous["b"], chunk("c")]
    again.save([])
    again.save([], {"rows": {}, "templates": {}})
    third = reading.ChunkCache(tmp_path, "salt", {}, {})
    assert sorted(third.previous) == ["b", "c"]
    assert third.previous["c"].digests == [b"c"]
    assert sorted(p.name for p in tmp_path.iterdir()) == [reading.CACHE]


def test_a_reused_chunk_whose_records_moved_is_written_back_not_pickled_again(tmp_path, monkeypatch):
    def chunk(key: str, start: int) -> reading._Chunk:
        return reading._Chunk(key, [], [(start, start + 1, 1)], [key.encode()])

    cache = reading.ChunkCache(tmp_path, "salt", {}, {})
    cache.chunks = [chunk("a", 0), chunk("b", 1)]
    cache.save([])
    cache.save([], {"rows": {}, "templates": {}})
    again = reading.ChunkCache(tmp_path, "salt", {}, {})
    pickled: list[object] = []
    real = reading.pickle.dump

    def dump(obj, *args, **kwargs):
        pickled.append(obj)
        return real(obj, *args, **kwargs)

    monkeypatch.setattr(reading.pickle, "dump", dump)
    # "a" changed and grew: "b" is the same chunk, its records two bytes further on.
    again.chunks = [chunk("a2", 0), again.reuse(again.previous["b"], [(3, 4, 1)])]
    again.save([])
    again.save([], {"rows": {}, "templates": {}})
    bodies = [obj for obj in pickled if isinstance(obj, tuple)]
    assert [body[0] for body in bodies] == ["a2"]  # only the new chunk's body was pickled
    third = reading.ChunkCache(tmp_path, "salt", {}, {})
    assert {k: (c.spans, c.digests) for k, c in third.previous.items()} == {
        "a2": ([(0, 1, 1)], [b"a2"]),
        "b": ([(3, 4, 1)], [b"b"]),
    }


def test_a_chunks_key_is_found_by_its_quick_key_only_for_the_same_static_digest(small_db, tmp_path, monkeypatch):
    with small_db() as session:
        data = load_site_data(session, rows=False)
    keys = {m.id: m.key for m in data.models}
    rows = {m.id: f"rows of {m.id}" for m in data.models}
    made: list[str] = []
    real = reading.ChunkCache.full_key

    def full_key(self, *args):
        made.append("full")
        return real(self, *args)

    monkeypatch.setattr(reading.ChunkCache, "full_key", full_key)
    first = reading.ChunkCache(tmp_path, "salt", rows, {}, static="tables as they were")
    key = first.key(data, data.models, keys)
    first.save([])
    assert made == ["full"]
    again = reading.ChunkCache(tmp_path, "salt", rows, {}, static="tables as they were")
    assert again.key(data, data.models, keys) == key and made == ["full"]  # from the quick key
    # A model's rows changed: its quick key differs, the full key is made (and differs).
    changed = {**rows, data.models[0].id: "new rows"}
    other = reading.ChunkCache(tmp_path, "salt", changed, {}, static="tables as they were")
    assert other.key(data, data.models, keys) != key and made == ["full", "full"]
    # Another table changed (another static digest): the full key decides, as without one.
    moved = reading.ChunkCache(tmp_path, "salt", rows, {}, static="a model row changed")
    assert moved.key(data, data.models, keys) == key and made == ["full"] * 3
    plain = reading.ChunkCache(tmp_path, "salt", rows, {})
    assert plain.key(data, data.models, keys) == key and made == ["full"] * 4
