"""Events a previous build found valid are decoded only when a page shows them; the others are checked
as before (a broken one is reported on every build, never trusted)."""

from __future__ import annotations

from pathlib import Path

import pytest
from site_fixtures import fill_small_database, site_settings, t
from sqlalchemy import insert

from tracker.site import queries, reading
from tracker.site.build import build_site
from tracker.store import events as stored_events
from tracker.store.db import session_scope
from tracker.store.events import event_digest, read_events
from tracker.store.tables import Event


@pytest.fixture
def small_db(sessions):
    with session_scope(sessions) as session:
        fill_small_database(session)
    return sessions


def _add_event(sessions, row_id: int, data: dict[str, object], when: str = "2026-07-15T00:00:00") -> None:
    with session_scope(sessions) as session:
        session.execute(
            insert(Event),
            [
                {
                    "id": row_id,  # the fixture's rows have explicit ids (Postgres' sequence has not moved)
                    "kind": "price_changed",
                    "subject": "qwen/qwen3-max",
                    "model_id": 1,
                    "source": "openrouter",
                    "detected_at": t(when),
                    "data": data,
                    "created_at": t(when),
                }
            ],
        )


_real_decode = stored_events.decode


def _count_decodes(monkeypatch) -> list[str]:
    calls: list[str] = []
    real = stored_events.decode

    def decode(kind, data, **kwargs):
        calls.append(kwargs["subject"])
        return real(kind, data, **kwargs)

    monkeypatch.setattr(stored_events, "decode", decode)
    return calls


def test_known_events_are_decoded_when_used_and_equal_the_eager_ones(small_db, monkeypatch):
    _add_event(small_db, 1000, {"component": "prompt", "new": "cheap"})  # broken: not a decimal
    with small_db() as session:
        eager = read_events(session, newest_first=True, known=())
        calls = _count_decodes(monkeypatch)
        lazy = read_events(session, newest_first=True, known=frozenset(eager.valid))
    assert eager.events and [e.id for e in eager.events] == [e.id for e in lazy.events]
    assert len(eager.valid) == len(eager.events)
    # The broken row was not among the valid ones: it is decoded again and reported again.
    assert calls == ["qwen/qwen3-max"]
    assert [row_id for row_id, _ in lazy.broken] == [1000] == [row_id for row_id, _ in eager.broken]
    assert lazy.valid == eager.valid
    first = lazy.events[0]
    assert (first.kind, first.subject, first.detected_at) == (
        eager.events[0].kind,
        eager.events[0].subject,
        eager.events[0].detected_at,
    )
    assert len(calls) == 1
    assert [e.event for e in lazy.events] == [e.event for e in eager.events]  # decoded now, the same events
    assert len(calls) == 1 + len(lazy.events)
    assert lazy.events[0].event == eager.events[0].event
    assert len(calls) == 1 + len(lazy.events)  # decoded once


def test_an_event_digest_is_its_kind_and_data():
    assert event_digest("price_changed", {"a": 1, "b": "2"}) == event_digest("price_changed", {"b": "2", "a": 1})
    assert event_digest("price_changed", {"a": 1}) != event_digest("price_changed", {"a": 2})
    assert event_digest("price_changed", {"a": 1}) != event_digest("model_added", {"a": 1})
    assert event_digest("price_changed", {"a": 2**70}) != event_digest("price_changed", {"a": str(2**70)})
    assert len(event_digest("price_changed", None)) == reading.EVENT_DIGEST


def test_the_rows_cache_keeps_the_valid_events_for_the_same_decoders_only(tmp_path, monkeypatch):
    digests = [event_digest("price_changed", {"n": n}) for n in range(3)]
    cache = reading.ChunkCache(tmp_path, "salt", {}, {})
    assert cache.known_events == frozenset()
    cache.event_digests = digests
    cache.save([])
    assert reading.ChunkCache(tmp_path, "salt", {}, {}).known_events == frozenset(digests)
    monkeypatch.setattr(reading, "decoders_stamp", lambda: "other decoders")
    assert reading.ChunkCache(tmp_path, "salt", {}, {}).known_events == frozenset()
    assert reading.unpack_digests(b"123456789") == frozenset() and reading.unpack_digests(None) == frozenset()


def test_a_rebuild_decodes_only_new_events_and_still_reports_a_broken_one(small_db, db_url, tmp_path, monkeypatch):
    reads: list[tuple[int, int, int]] = []  # (known digests given, events read, rows decoded at reading)
    real = queries.read_events

    def read_events(session, **kwargs):
        calls = _count_decodes(monkeypatch)
        result = real(session, **kwargs)
        reads.append((len(kwargs["known"]), len(result.events), len(calls)))
        monkeypatch.setattr(stored_events, "decode", _real_decode)
        return result

    monkeypatch.setattr(queries, "read_events", read_events)
    settings, out = site_settings(db_url, tmp_path / "nl", workers=1), tmp_path / "site"
    assert not build_site(small_db, settings, out).problems
    events = reads[-1][1]
    assert reads == [(0, events, events)]  # the first build decodes every row
    _add_event(small_db, 1000, {"component": "prompt", "new": "cheap"}, "2026-07-15T00:00:00")
    result = build_site(small_db, settings, out)
    assert [p.split(":")[0] for p in result.problems] == ["event 1000 not shown"]
    assert reads[-1] == (events, events, 1)  # only the new row, which is broken
    _add_event(small_db, 1001, {"component": "prompt", "new": "2.5"}, "2026-07-16T00:00:00")
    result = build_site(small_db, settings, out)
    assert [p.split(":")[0] for p in result.problems] == ["event 1000 not shown"]  # not trusted
    assert reads[-1] == (events, events + 1, 2)  # the broken row again and the new one
    cold = tmp_path / "cold"
    build_site(small_db, settings, cold)
    assert reads[-1] == (0, events + 1, events + 2)
    assert _files(cold) == _files(out)


def _files(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and not p.name.startswith(".tracker-site")
    }
