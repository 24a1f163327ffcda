"""Model pages rendered in batches, by forked worker processes while the build goes on.

Each worker gets its whole job as its process arguments (:class:`ModelPagesJob`,
inherited through ``fork``, never pickled; no module globals): it opens its own
connection, takes batches from a task queue, reads each batch's card texts,
renders and writes the pages, and sends back what it wrote. A page that cannot
be rendered is reported and the others go on; a worker that dies is an error,
never a hang. With one process the same batches are rendered in the caller's.
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import os
import queue
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from tracker.peers.report import ModelCatalogValue
from tracker.site import collector, page_keys
from tracker.site.catalogs import peer_panel
from tracker.site.contexts import SiteInfo
from tracker.site.generators import model_pages as generator
from tracker.site.generators.model_pages import ModelPagesInputs, batch_models, card_ids, model_page_inputs
from tracker.site.inputs import page_hash
from tracker.site.model_page import model_page
from tracker.site.queries import card_texts, model_rows
from tracker.site.render import environment
from tracker.site.writer import write_if_changed

log = logging.getLogger(__name__)

#: One entry per page of a batch: (output file, whether it was written — None when its inputs were
#: unchanged and it was not rendered —, (model key, error) if it failed, the page's input hash).
BatchResult = list[tuple[str, bool | None, tuple[str, str] | None, str]]
Task = tuple[int, int]
#: Seconds between checks that the workers are still alive while waiting for their results.
POLL = 1.0


@dataclass
class ModelPagesJob:
    """What a process rendering model pages needs."""

    out_dir: Path
    site: SiteInfo
    pages: ModelPagesInputs
    engine: Engine
    #: What each peer catalog says, per model (issue 16); the panel with the cost presets is built per page.
    catalog_values: dict[int, list[ModelCatalogValue]] = field(default_factory=dict)
    #: The input hashes the last build recorded (file → hash) and the salt of this build's hashes
    #: (:mod:`tracker.site.inputs`): a page whose hash is unchanged and whose file exists is not rendered.
    previous: dict[str, str] = field(default_factory=dict)
    salt: str = ""
    #: Model id → the aggregates of its listings and prices (:func:`tracker.site.stamp.rows_by_model`).
    #: Given, a page's input hash is made from them (and its card's document id) instead of its rows
    #: and card text, which are then read only for the pages that must be rendered.
    row_keys: dict[int, str] | None = None
    #: With ``row_keys``: the digest of the tables a page reads besides its rows and events
    #: (:func:`tracker.site.page_keys.static_digest`); a page whose quick key is the recorded one is
    #: kept without its inputs being hashed.
    static_key: str | None = None


def render_batch(job: ModelPagesJob, session: Session, task: Task) -> BatchResult:
    """Render and write the model pages ``start:end`` whose inputs changed; a model whose page fails
    is reported, the others go on."""
    models = batch_models(job.pages, task)
    out: BatchResult = []
    digests: dict[int, str] = {}
    if job.row_keys is not None:
        keys, renamed = job.row_keys, _renamed_into(job.pages.site.data.rename_ids)
        todo = []
        for m, rel_path, inputs in model_page_inputs(job.pages, models, {}, ({}, {})):
            rows = [keys.get(i, "") for i in (m.id, *renamed.get(m.id, ()))]
            recorded, quick = page_keys.split(job.previous.get(rel_path)), None
            if job.static_key is not None:
                quick = page_keys.model_key(job.static_key, job.pages, m, rows)
                if recorded[1] == quick and (job.out_dir / rel_path).is_file():
                    out.append((rel_path, None, None, page_keys.joined(recorded[0] or "", quick)))
                    continue
            ref = job.pages.cards.get(m.id)
            digest = page_hash(job.salt, inputs, job.catalog_values.get(m.id, ()), rows, ref)
            if quick is not None:
                digest = page_keys.joined(digest, quick)
            if page_keys.split(digest)[0] == recorded[0] and (job.out_dir / rel_path).is_file():
                out.append((rel_path, None, None, digest))
            else:
                digests[m.id] = digest
                todo.append(m)
        models = todo
        if not models:
            return out
    texts = card_texts(session, card_ids(job.pages, models))
    data = job.pages.site.data
    rows = None if data.rows_loaded else model_rows(session, [m.id for m in models], data.rename_ids)
    template = environment().get_template("model.html")
    summaries = job.pages.site.summaries
    for m, rel_path, inputs in model_page_inputs(job.pages, models, texts, rows):
        values = job.catalog_values.get(m.id, ())
        digest = digests.get(m.id) or page_hash(job.salt, inputs, values)
        if (
            not digests
            and page_keys.split(job.previous.get(rel_path))[0] == digest
            and (job.out_dir / rel_path).is_file()
        ):
            out.append((rel_path, None, None, digest))
            continue
        try:
            peers = peer_panel(values, inputs.prices)
            html = template.render(page=model_page(inputs, summaries), site=job.site, peers=peers)
        except Exception as exc:  # one broken record must not take the whole site down
            log.exception("cannot render the page of %s", m.key)
            out.append((rel_path, False, (m.key, f"{type(exc).__name__}: {exc}"), digest))
            continue
        out.append((rel_path, write_if_changed(job.out_dir / rel_path, html), None, digest))
    return out


def _renamed_into(rename_ids: dict[int, int]) -> dict[int, list[int]]:
    """New model id → the ids of the models renamed into it (whose rows its page shows)."""
    out: dict[int, list[int]] = {}
    for old, new in sorted(rename_ids.items()):
        out.setdefault(new, []).append(old)
    return out


def worker_count(setting: int, models: int, engine: Engine) -> int:
    """How many processes render model pages.

    Forking is used only where it is safe (Linux, no threads) and where a worker can open its own
    connection to the same database (not an in-memory SQLite database).
    """
    in_memory = engine.dialect.name == "sqlite" and engine.url.database in (None, "", ":memory:")
    if (
        setting == 1
        or models < 2 * generator.BATCH
        or sys.platform != "linux"
        or threading.active_count() > 1
        or in_memory
    ):
        return 1
    if setting > 1:
        return setting
    return max(1, min(os.cpu_count() or 1, 4))


class WorkerDied(RuntimeError):
    """A model page worker exited without sending its results."""


@contextlib.contextmanager
def model_pages(
    job: ModelPagesJob, session: Session, tasks: Sequence[Task], workers: int
) -> Iterator[Callable[[], list[BatchResult]]]:
    """Render the model pages; the caller may do other work inside the block, then calls ``collect``.

    With worker processes the pages are rendered while the block runs; with one process they are
    rendered (over ``session``) when ``collect`` is called. ``collect`` returns the batches' results
    in task order.
    """
    if workers <= 1:
        yield lambda: [render_batch(job, session, task) for task in tasks]
        return
    context = multiprocessing.get_context("fork")
    todo: Any = context.SimpleQueue()
    done: Any = context.Queue()
    for index, task in enumerate(tasks):
        todo.put((index, task))
    for _ in range(workers):
        todo.put(None)
    processes = [context.Process(target=_work, args=(job, todo, done), daemon=True) for _ in range(workers)]
    with collector.frozen():  # the workers inherit this process's rows, summaries and events
        for process in processes:
            process.start()

    def collect() -> list[BatchResult]:
        results: dict[int, BatchResult] = {}
        while len(results) < len(tasks):
            try:
                index, result, error = done.get(timeout=POLL)
            except queue.Empty:
                if not any(p.is_alive() for p in processes):
                    codes = sorted({p.exitcode for p in processes if p.exitcode})
                    raise WorkerDied(f"model page workers exited (codes {codes}) with batches left") from None
                continue
            if error is not None:
                start, end = tasks[index]
                raise RuntimeError(f"model pages {start}–{end}: {error}")
            results[index] = result
        return [results[i] for i in range(len(tasks))]

    try:
        yield collect
    finally:
        for process in processes:
            if process.is_alive():
                process.join(timeout=5)
            if process.is_alive():
                process.terminate()
                process.join()
        done.close()


def _work(job: ModelPagesJob, todo: Any, done: Any) -> None:
    """In a forked worker: drop the parent's pooled connections without closing them (they are the parent's)."""
    job.engine.dispose(close=False)
    with Session(job.engine) as session:
        while (item := todo.get()) is not None:
            index, task = item
            try:
                done.put((index, render_batch(job, session, task), None))
            except Exception as exc:
                log.exception("model page batch %s failed", task)
                done.put((index, None, f"{type(exc).__name__}: {exc}"))
    done.close()
    done.join_thread()
