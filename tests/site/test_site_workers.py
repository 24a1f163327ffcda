"""Model pages rendered by worker processes: the same files as one process, and a dead worker is an error."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from site_fixtures import fill_small_database, site_settings, t
from sqlalchemy import insert

from tracker.site import workers
from tracker.site.build import NAV, build_site
from tracker.site.contexts import SiteInfo
from tracker.site.generators import site_inputs
from tracker.site.generators.model_pages import batches, model_pages_inputs
from tracker.site.queries import load_site_data
from tracker.store.db import session_scope
from tracker.store.tables import Event


def _render(sessions, out: Path, processes: int) -> list[workers.BatchResult]:
    with sessions() as session:
        data = load_site_data(session)
        job = workers.ModelPagesJob(
            out,
            SiteInfo(title="t", nav=NAV),
            model_pages_inputs(site_inputs(data), hub_url="https://huggingface.co"),
            session.get_bind(),
        )
        with workers.model_pages(job, session, batches(len(data.models), size=2), processes) as collect:
            return collect()


@pytest.fixture
def small_db(sessions):
    with session_scope(sessions) as session:
        fill_small_database(session)
    return sessions


def test_workers_write_the_same_pages_as_one_process(small_db, tmp_path):
    serial = _render(small_db, tmp_path / "one", 1)
    parallel = _render(small_db, tmp_path / "two", 2)
    assert len(parallel) == len(serial) == 3  # six models, two a batch
    assert [[(path, problem) for path, _w, problem, _h in batch] for batch in parallel] == [
        [(path, problem) for path, _w, problem, _h in batch] for batch in serial
    ]
    assert all(written for batch in parallel for _p, written, _problem, _h in batch)
    files = sorted(p.relative_to(tmp_path / "one") for p in (tmp_path / "one").rglob("*.html"))
    assert len(files) == 6
    for rel in files:
        assert (tmp_path / "one" / rel).read_bytes() == (tmp_path / "two" / rel).read_bytes(), rel


def test_a_worker_that_dies_is_an_error_not_a_hang(small_db, tmp_path, monkeypatch):
    def die(job, session, task):
        os._exit(3)

    monkeypatch.setattr(workers, "render_batch", die)
    monkeypatch.setattr(workers, "POLL", 0.2)
    with pytest.raises(workers.WorkerDied, match=r"codes \[3\]"):
        _render(small_db, tmp_path / "site", 2)


def test_a_stored_event_that_cannot_be_read_is_a_problem_not_a_crash(small_db, db_url, tmp_path):
    with session_scope(small_db) as session:
        session.execute(
            insert(Event),
            [
                {
                    "id": 1000,  # the fixture's rows have explicit ids (Postgres' sequence has not moved)
                    "kind": "price_changed",
                    "subject": "qwen/qwen3-max",
                    "model_id": 1,
                    "source": "openrouter",
                    "detected_at": t("2026-07-15T00:00:00"),
                    "data": {"component": "prompt", "new": "cheap"},
                    "created_at": t("2026-07-15T00:00:00"),
                }
            ],
        )
    result = build_site(small_db, site_settings(db_url, tmp_path / "nl"), tmp_path / "site")
    assert len(result.problems) == 1
    assert (
        result.problems[0].startswith("event 1000 not shown: ")
        and "new is not a decimal number: 'cheap'" in result.problems[0]
    )
    assert (tmp_path / "site" / "changes" / "index.html").is_file()
