"""A task of a worker that stopped sending heartbeats goes back to the queue, and never keeps its unit's lock."""

import asyncio
import datetime as dt
from concurrent.futures import ThreadPoolExecutor

import psycopg

from tracker.config import Settings
from tracker.workers.producer import defer_units, retry_stalled
from tracker.workers.queue import CRAWL_QUEUE, libpq_url
from tracker.workers.tasks import build_app
from tracker.workers.units import Unit

UNIT = Unit(key="huggingface:org:Qwen", source="huggingface", org="Qwen")
TICK = dt.datetime(2026, 3, 2, tzinfo=dt.UTC)


def statuses(url):
    with psycopg.connect(libpq_url(url)) as conn:
        rows = conn.execute("SELECT id, status, attempts FROM procrastinate.procrastinate_jobs ORDER BY id").fetchall()
    return [(status, attempts) for _id, status, attempts in rows]


def silence_workers(url):
    with psycopg.connect(libpq_url(url)) as conn:
        conn.execute("UPDATE procrastinate.procrastinate_workers SET last_heartbeat = now() - interval '1 hour'")


def run_in_own_thread(scenario):
    """``asyncio.run`` in a thread of its own: a test process that ran a browser test earlier keeps
    Playwright's event loop running in its main thread (the browser is a session fixture)."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, scenario).result()


async def take_one(app):
    """A worker registers and takes the next task, then goes silent (as if killed)."""
    worker_id = await app.job_manager.register_worker()
    return await app.job_manager.fetch_job([CRAWL_QUEUE], worker_id)


def test_a_silent_workers_task_is_queued_again_for_another_worker(queue_db):
    app = build_app(Settings(database_url=queue_db))

    async def scenario():
        async with app.open_async():
            assert await defer_units(app, [UNIT], TICK) == (1, 0)
            assert await defer_units(app, [UNIT], TICK) == (0, 1)  # one waiting task per unit
            job = await take_one(app)
            assert job is not None and job.task_kwargs == {"unit": UNIT.key, "tick": TICK.isoformat()}
            assert await retry_stalled(app, 30) == 0  # its worker is alive
            silence_workers(queue_db)
            assert await retry_stalled(app, 30) == 1
            again = await take_one(app)
            assert again is not None and again.id == job.id

    run_in_own_thread(scenario())
    assert statuses(queue_db) == [("doing", 1)]


def test_a_stalled_task_gives_way_to_a_newer_task_of_its_unit(queue_db):
    app = build_app(Settings(database_url=queue_db))

    async def scenario():
        async with app.open_async():
            await defer_units(app, [UNIT], TICK)
            stalled = await take_one(app)
            assert await defer_units(app, [UNIT], TICK + dt.timedelta(hours=6)) == (1, 0)
            assert await take_one(app) is None  # the unit's lock is held by the stalled task
            silence_workers(queue_db)
            assert await retry_stalled(app, 30) == 0
            newer = await take_one(app)
            assert newer is not None and newer.id != stalled.id

    run_in_own_thread(scenario())
    assert statuses(queue_db) == [("failed", 1), ("doing", 0)]
