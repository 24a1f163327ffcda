"""Reading the listings and prices a chunk of models at a time, so that a build's memory stays bounded.

The build keeps in memory one small row and one summary per model (and the events, claims and
disputes); the listings and the price history, which grow with time, are read per chunk of models,
once per build for both the summaries and the exports (streamed into files), and by each model page
batch for the pages it renders. With a :class:`ChunkCache` a chunk whose rows did not change since
the last build is not read at all: its summaries and export bytes come from that build. When many
chunks must be read (a cold build) and processes may be forked, a second process reads, summarizes
and encodes the later half of them meanwhile (:class:`_Helper`): that is most of the work a cold build
does before its page workers can start.
"""

from __future__ import annotations

import hashlib
import io
import multiprocessing
import os
import pickle
from array import array
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from tracker.site import exports
from tracker.site.contexts import ModelSummary
from tracker.site.queries import ModelRow, SiteData, model_rows
from tracker.site.reuse import Reused
from tracker.site.summaries import summarize, summary_digest
from tracker.store.events import decoders_stamp

#: Models whose listings and prices are in memory at once (a changed model's chunk is read again).
CHUNK = 500
#: Chunks to read from which a second process reads half of them (fewer are not worth a fork).
SPLIT_FROM = 4


def chunks(models: Sequence[ModelRow], size: int | None = None) -> Iterator[Sequence[ModelRow]]:
    size = size or CHUNK
    for start in range(0, len(models), size):
        yield models[start : start + size]


def _part(session: Session, data: SiteData, models: Sequence[ModelRow]) -> SiteData:
    """``data`` restricted to these models, with their listings and prices read from the database."""
    if data.rows_loaded:
        return data
    listings, prices = model_rows(session, [m.id for m in models], data.rename_ids)
    return SiteData(models=list(models), listings=listings, prices=prices, disputes=data.disputes)


def summaries_in_chunks(session: Session, data: SiteData, size: int | None = None) -> dict[int, ModelSummary]:
    """Each model's summary (its table row), reading the listings and prices a chunk at a time."""
    out: dict[int, ModelSummary] = {}
    for models in chunks(data.models, size):
        part = _part(session, data, models)
        out.update((m.id, summarize(m, part)) for m in models)
    return out


@dataclass(frozen=True)
class ExportFile:
    """An export written into a temporary file of the site folder, with its size and content hash."""

    rel_path: str
    tmp: Path
    size: int
    digest: str


class _Stream:
    """Writes one export (JSON array, one record a line, or CSV) exactly as :func:`exports.to_json` /
    :func:`exports.to_csv` would, hashing the bytes as they go; :meth:`add` returns where the chunk's
    records lie in the file, so that a rebuild can copy them from it when the chunk is unchanged."""

    def __init__(self, rel_path: str, tmp: Path, columns: Sequence[str] | None) -> None:
        self.rel_path, self.tmp, self.columns = rel_path, tmp, columns
        self.fh: IO[bytes] = tmp.open("wb")
        self.hash = hashlib.blake2b(digest_size=16)
        self.size = 0
        self.count = 0
        if columns is not None:
            self._put(exports.to_csv((), columns).encode("utf-8"))

    def _put(self, data: bytes) -> None:
        self.hash.update(data)
        self.size += len(data)
        self.fh.write(data)

    def add(self, records: Sequence[dict[str, Any]]) -> Span:
        if not records:
            return (self.size, self.size, 0)
        return self.add_raw(_encode(records, self.columns), len(records))

    def add_raw(self, body: bytes, count: int) -> Span:
        """Add a chunk's records as :meth:`add` wrote them (``body``, ``count`` records)."""
        if not count:
            return (self.size, self.size, 0)
        if self.columns is None:
            self._put(b"[\n" if self.count == 0 else b",\n")
        start = self.size
        self._put(body)
        self.count += count
        return (start, self.size, count)

    def close(self) -> ExportFile:
        if self.columns is None:
            self._put(b"\n]\n" if self.count else b"[]\n")
        self.fh.close()
        return ExportFile(self.rel_path, self.tmp, self.size, self.hash.hexdigest())


def _encode(records: Sequence[dict[str, Any]], columns: Sequence[str] | None) -> bytes:
    """A chunk's records as :meth:`_Stream.add` puts them in a file: CSV lines without the header, or
    JSON lines without the array's brackets."""
    if columns is not None:
        return exports.to_csv(records, columns).split("\n", 1)[1].encode("utf-8")  # without the header again
    return exports.to_json(records)[2:-3].encode("utf-8")  # the lines between "[\n" and "\n]\n"


#: Where a chunk's records lie in an export file: (start byte, end byte, records).
Span = tuple[int, int, int]
#: The summaries and exports of the last build by chunk, in the output folder (written only by builds):
#: a pickled header (version, salt, exports, the rows' HTML and templates, the digests of the events
#: found valid, the number of chunks and where each chunk's records lie in the exports) followed by
#: each chunk's body (key, summaries, digests) pickled on its own, so that a save copies a chunk's bytes
#: without holding them all, and a chunk whose records moved in the exports (a change in an earlier
#: chunk) is not pickled again.
CACHE = ".tracker-site-rows.pickle"
CACHE_VERSION = 7


@dataclass
class _Chunk:
    key: str
    summaries: list[ModelSummary]
    spans: list[Span]
    #: :func:`tracker.site.summaries.summary_digest` of each summary, in the same order.
    digests: list[bytes]


class ChunkCache:
    """What the last build made of each chunk of models (their summaries, and where their records lie
    in the exports), keyed by everything the chunk is made from: the models' rows, their disputes and
    the aggregates of their listings and prices (:func:`tracker.site.stamp.rows_by_model`). A chunk
    whose key is unchanged is not read again: its summaries come from here and its export records are
    copied from the files the last build wrote. Unusable (another version, or exports that are not
    the ones described) means every chunk is read."""

    def __init__(
        self,
        folder: Path,
        salt: str,
        rows: Mapping[int, str],
        exported: Mapping[str, str],
        *,
        static: str | None = None,
    ) -> None:
        self.folder, self.salt, self.rows = folder, salt, rows
        #: :func:`tracker.site.page_keys.static_digest` of this build (the salt and the stamp figures of
        #: every table but the listings, prices and events): given, a chunk's key is found from a quick
        #: key (:meth:`_quick`) the last build recorded for it, without the ``repr`` of its model rows.
        self.static = static
        self._quick_known: dict[str, str] = {}
        self._quick_made: dict[str, str] = {}
        self.chunks: list[_Chunk] = []
        self.previous: dict[str, _Chunk] = {}
        self.reused = 0
        #: The summary digests of every chunk (reused from the last build or made by this one), by model id.
        self.digests: dict[int, bytes] = {}
        #: The table rows' HTML and compiled templates of the last build (:mod:`tracker.site.reuse`).
        self.kept = Reused()
        self._exports: dict[str, tuple[int, str]] = {}
        #: The last build's valid events (:func:`tracker.store.events.event_digest`, kept with the
        #: decoders' code stamp, :func:`~tracker.store.events.decoders_stamp`): given to
        #: :func:`tracker.site.queries.load_site_data` as ``known_events``.
        self.known_events: frozenset[bytes] = frozenset()
        #: This build's, saved for the next (:attr:`tracker.site.queries.SiteData.event_digests`).
        self.event_digests: Sequence[bytes] = ()
        #: The last build's chunk bodies pickled, by chunk key (a key stands for the body's content):
        #: a reused chunk is written back as the last build pickled it, wherever its records now lie.
        #: Dropped by the first save, which records where each body lies in the file it wrote instead
        #: (:attr:`_placed`: key → start, length).
        self._blobs: dict[str, bytes] = {}
        self._placed: dict[str, tuple[int, int]] = {}
        try:
            stored = (folder / CACHE).read_bytes()  # a file only builds write, in their own folder
            reader = io.BytesIO(stored)
            raw = pickle.load(reader)
        except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError, TypeError, ValueError):
            return
        if not isinstance(raw, dict) or raw.get("version") != CACHE_VERSION or raw.get("salt") != salt:
            return
        reuse = raw.get("reuse")
        self.kept = Reused(reuse if isinstance(reuse, dict) else None)
        quick = raw.get("quick")
        if static is not None and isinstance(quick, dict):
            self._quick_known = quick
        events = raw.get("events")
        if isinstance(events, tuple) and len(events) == 2 and events[0] == decoders_stamp():
            self.known_events = unpack_digests(events[1])
        files: dict[str, tuple[int, str]] = raw.get("exports", {})
        for rel_path, (size, digest) in files.items():
            target = folder / rel_path
            if exported.get(rel_path) != digest or not target.is_file() or target.stat().st_size != size:
                return
        previous: dict[str, _Chunk] = {}
        count, all_spans = raw.get("chunks"), raw.get("spans")
        if not isinstance(count, int) or not isinstance(all_spans, list) or len(all_spans) != count:
            return
        try:
            for spans in all_spans:
                start = reader.tell()
                key, summaries, digests = pickle.load(reader)
                previous[key] = _Chunk(key, summaries, list(spans), digests)
                self._blobs[key] = stored[start : reader.tell()]
        except (pickle.UnpicklingError, EOFError, AttributeError, ImportError, TypeError, ValueError):
            self._blobs.clear()
            return
        self.previous = previous

    def key(self, data: SiteData, models: Sequence[ModelRow], keys: Mapping[int, str]) -> str:
        """The chunk's key (:meth:`full_key`); with :attr:`static`, the one the last build recorded for
        the same quick key, if it did."""
        if self.static is None:
            return self.full_key(data, models, keys)
        quick = self._quick(self.static, data, models)
        full = self._quick_known.get(quick)
        if full is None:
            full = self.full_key(data, models, keys)
        self._quick_made[quick] = full
        return full

    def _quick(self, static: str, data: SiteData, models: Sequence[ModelRow]) -> str:
        """What a chunk's key is made of but for the tables the static digest stands for: the models'
        ids, their rows' aggregates and every rename link. The model rows (the ``models`` table), their
        bases' keys and their disputes (``disputes``) are the same when the static digest is, since
        the stamp's figures of those tables then are; renames are taken into account by the links."""
        h = hashlib.blake2b(static.encode(), digest_size=16)
        rows = self.rows
        h.update(array("q", [m.id for m in models]).tobytes())
        h.update("\x00".join([rows.get(m.id, "") for m in models]).encode())
        links = sorted(data.rename_ids.items())
        h.update(repr(links).encode())
        h.update("\x00".join([rows.get(old, "") for old, _new in links]).encode())
        return h.hexdigest()

    def full_key(self, data: SiteData, models: Sequence[ModelRow], keys: Mapping[int, str]) -> str:
        """Everything the chunk is made from: its model rows, their rows' aggregates, their disputes,
        their bases' keys and the rename links into them."""
        ids = {m.id for m in models}
        links = sorted((old, new) for old, new in data.rename_ids.items() if new in ids)
        h = hashlib.blake2b(self.salt.encode(), digest_size=16)
        for m in models:
            h.update(repr(m).encode("utf-8", "surrogatepass"))
            h.update(self.rows.get(m.id, "").encode())
            h.update(repr(data.disputes.get(m.id, ())).encode("utf-8", "surrogatepass"))
            if m.base_model_id is not None:
                h.update(repr(keys.get(m.base_model_id)).encode())
        for old, new in links:
            h.update(f"{old}>{new}:{self.rows.get(old, '')}".encode())
        return h.hexdigest()

    def reuse(self, old: _Chunk, spans: list[Span]) -> _Chunk:
        """The last build's chunk, with its records' places in this build's exports (its body is written
        back as it was pickled, whether they moved or not)."""
        return old if old.spans == spans else _Chunk(old.key, old.summaries, spans, old.digests)

    def save(self, files: Sequence[ExportFile], reuse: Mapping[str, object] | None = None) -> None:
        """Write the chunks (and ``reuse``, :meth:`tracker.site.reuse.Reused.to_raw`); called before the
        exports are put in place, then again with this build's rows once the pages are rendered. A
        chunk is pickled once per build, straight into the file: a later save copies its bytes from
        the file the earlier one wrote, a piece at a time."""
        if reuse is None or not self._exports:
            self._exports = {f.rel_path: (f.size, f.digest) for f in files}
        target, tmp = self.folder / CACHE, self.folder / f".{CACHE}.tmp"
        placed: dict[str, tuple[int, int]] = {}
        with tmp.open("wb") as fh, _Source(target if self._placed else None) as source:
            header = {
                "version": CACHE_VERSION,
                "salt": self.salt,
                "exports": self._exports,
                "chunks": len(self.chunks),
                "spans": [chunk.spans for chunk in self.chunks],
                "reuse": dict(reuse) if reuse is not None else self.kept.to_raw(self.kept.rows),
                "events": (decoders_stamp(), b"".join(self.event_digests)),
                "quick": self._quick_made,
            }
            # Streamed, a frame at a time: not a second copy of the rows in memory.
            pickle.dump(header, fh, protocol=pickle.HIGHEST_PROTOCOL)
            for chunk in self.chunks:
                start = fh.tell()
                blob, at = self._blobs.get(chunk.key), self._placed.get(chunk.key)
                if blob is not None:
                    fh.write(blob)
                elif at is not None:
                    source.copy(at[0], at[1], fh)
                else:
                    body = (chunk.key, chunk.summaries, chunk.digests)
                    pickle.dump(body, fh, protocol=pickle.HIGHEST_PROTOCOL)
                placed[chunk.key] = (start, fh.tell() - start)
        os.replace(tmp, target)
        self._placed = placed
        self._blobs.clear()


#: Bytes of one :func:`tracker.store.events.event_digest`.
EVENT_DIGEST = 8


def unpack_digests(packed: object) -> frozenset[bytes]:
    """PURE: the event digests packed one after the other (nothing unless bytes of whole digests)."""
    if not isinstance(packed, bytes) or len(packed) % EVENT_DIGEST:
        return frozenset()
    return frozenset(packed[i : i + EVENT_DIGEST] for i in range(0, len(packed), EVENT_DIGEST))


class _Source:
    """The cache file an earlier save of this build wrote, read a piece at a time (nothing when ``path``
    is None)."""

    #: Bytes copied at a time.
    PIECE = 1 << 20

    def __init__(self, path: Path | None) -> None:
        self.fh: IO[bytes] | None = path.open("rb") if path is not None else None

    def __enter__(self) -> _Source:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.fh is not None:
            self.fh.close()

    def copy(self, start: int, length: int, out: IO[bytes]) -> None:
        if self.fh is None:
            raise OSError(f"no {CACHE} to copy from")
        self.fh.seek(start)
        while length > 0:
            piece = self.fh.read(min(length, self.PIECE))
            if not piece:
                raise OSError(f"{CACHE} is shorter than this build left it")
            out.write(piece)
            length -= len(piece)


def _copy(stream: _Stream, source: Path, span: Span) -> Span:
    start, end, count = span
    with source.open("rb") as fh:
        fh.seek(start)
        body = fh.read(end - start)
    if len(body) != end - start:
        raise OSError(f"{source} is shorter than the last build left it")
    return stream.add_raw(body, count)


def stream_exports(
    session: Session, data: SiteData, summaries: dict[int, ModelSummary], folder: Path, size: int | None = None
) -> list[ExportFile]:
    """models.json/csv and prices.json/csv written a chunk of models at a time into ``folder``."""
    return _stream(session, data, folder, size, summaries)


def summaries_and_exports(
    session: Session,
    data: SiteData,
    folder: Path,
    size: int | None = None,
    cache: ChunkCache | None = None,
    *,
    workers: int = 1,
) -> tuple[dict[int, ModelSummary], list[ExportFile]]:
    """Each model's summary and the exports, in one pass over the listings and prices (a chunk of
    models at a time): the rows are read once per build, and with ``cache`` only the chunks whose
    rows changed since the last build. With ``workers`` > 1 (processes may be forked:
    :func:`tracker.site.workers.worker_count`) and at least :data:`SPLIT_FROM` chunks to read, a second
    process does the later half of them meanwhile."""
    summaries: dict[int, ModelSummary] = {}
    files = _stream(session, data, folder, size, summaries, summarize_into=True, cache=cache, workers=workers)
    if cache is not None:
        cache.save(files)
    return summaries, files


def _stream(
    session: Session,
    data: SiteData,
    folder: Path,
    size: int | None,
    summaries: dict[int, ModelSummary],
    *,
    summarize_into: bool = False,
    cache: ChunkCache | None = None,
    workers: int = 1,
) -> list[ExportFile]:
    folder.mkdir(parents=True, exist_ok=True)
    keys = {m.id: m.key for m in data.models}
    streams = [
        _Stream("data/models.json", folder / ".models.json.tmp", None),
        _Stream("data/models.csv", folder / ".models.csv.tmp", exports.MODEL_COLUMNS),
        _Stream("data/prices.json", folder / ".prices.json.tmp", None),
        _Stream("data/prices.csv", folder / ".prices.csv.tmp", exports.PRICE_COLUMNS),
    ]
    helper: _Helper | None = None
    try:
        plan = []
        for models in chunks(data.models, size):
            key = cache.key(data, models, keys) if cache is not None else ""
            plan.append((models, key, cache.previous.get(key) if cache is not None else None))
        todo = [i for i, (_models, _key, old) in enumerate(plan) if old is None]
        split = len(plan)
        engine = session.get_bind()
        if summarize_into and workers > 1 and len(todo) >= SPLIT_FROM and isinstance(engine, Engine):
            split = todo[len(todo) // 2]
            later = [(i, plan[i][0]) for i in todo if i >= split]
            helper = _Helper(engine, data, later, folder, keys, cache is not None)
        made_by: dict[int, _Made] = {}
        for index, (models, key, old) in enumerate(plan):
            if helper is not None and index == split:
                made_by = helper.finish()
            if cache is not None and old is not None:
                summaries.update((s.id, s) for s in old.summaries)
                cache.digests.update((s.id, d) for s, d in zip(old.summaries, old.digests, strict=True))
                spans = [_copy(st, folder / st.rel_path, span) for st, span in zip(streams, old.spans, strict=True)]
                cache.chunks.append(cache.reuse(old, spans))
                cache.reused += 1
                continue
            if index in made_by:  # read, summarized and encoded by the helper process
                made, digests, parts = made_by.pop(index)
                summaries.update((s.id, s) for s in made)
                assert helper is not None
                spans = [_copy(st, path, span) for st, path, span in zip(streams, helper.files, parts, strict=True)]
                if cache is not None:
                    cache.chunks.append(_Chunk(key, made, spans, digests))
                    cache.digests.update((s.id, d) for s, d in zip(made, digests, strict=True))
                continue
            part = _part(session, data, models)
            if summarize_into:
                summaries.update((m.id, summarize(m, part)) for m in models)
            records = exports.model_records(part, summaries, models=models, keys=keys)
            prices = list(exports.price_records(models, part.prices))
            spans = [stream.add(rows) for stream, rows in zip(streams, (records, records, prices, prices), strict=True)]
            if cache is not None:
                made = [summaries[m.id] for m in models]
                digests = [summary_digest(s) for s in made]
                cache.chunks.append(_Chunk(key, made, spans, digests))
                cache.digests.update((s.id, d) for s, d in zip(made, digests, strict=True))
        return [stream.close() for stream in streams]
    except BaseException:
        for stream in streams:
            stream.fh.close()
            stream.tmp.unlink(missing_ok=True)
        raise
    finally:
        if helper is not None:
            helper.close()


#: What the helper made of a chunk: its summaries, their digests (empty without a cache) and where its
#: records lie in the helper's four files (as :class:`_Stream` would have written them).
_Made = tuple[list[ModelSummary], list[bytes], list[Span]]


class _Helper:
    """A forked process that reads, summarizes and encodes some chunks while this process does the others.

    It inherits the site's rows through ``fork`` (nothing pickled going in), opens its own connection,
    writes each chunk's export records into four files of its own (in the output folder) and pickles the
    summaries and the records' places into a fifth; this process copies the records into the exports in
    chunk order, as it copies a cached chunk's.
    """

    def __init__(
        self,
        engine: Engine,
        data: SiteData,
        todo: list[tuple[int, Sequence[ModelRow]]],
        folder: Path,
        keys: Mapping[int, str],
        digests: bool,
    ) -> None:
        self.files = [folder / f".rows-part-{n}.tmp" for n in range(4)]
        self.result = folder / ".rows-part.tmp"
        context = multiprocessing.get_context("fork")
        self.process = context.Process(
            target=_help, args=(engine, data, todo, self.files, self.result, keys, digests), daemon=True
        )
        self.process.start()

    def finish(self) -> dict[int, _Made]:
        self.process.join()
        if self.process.exitcode != 0:
            code = self.process.exitcode
            raise RuntimeError(f"the process reading half of the models' rows failed (exit code {code})")
        made: dict[int, _Made] = pickle.loads(self.result.read_bytes())  # written by the helper just now
        return made

    def close(self) -> None:
        if self.process.is_alive():
            self.process.terminate()
        self.process.join()
        for path in (*self.files, self.result):
            path.unlink(missing_ok=True)


def _help(
    engine: Engine,
    data: SiteData,
    todo: list[tuple[int, Sequence[ModelRow]]],
    files: list[Path],
    result: Path,
    keys: Mapping[int, str],
    digests: bool,
) -> None:
    """In the helper process: drop the parent's pooled connections without closing them (they are the parent's)."""
    engine.dispose(close=False)
    columns = (None, exports.MODEL_COLUMNS, None, exports.PRICE_COLUMNS)
    handles = [path.open("wb") for path in files]
    out: dict[int, _Made] = {}
    with Session(engine) as session:
        for index, models in todo:
            part = _part(session, data, models)
            made = [summarize(m, part) for m in models]
            records = exports.model_records(part, {s.id: s for s in made}, models=models, keys=keys)
            prices = list(exports.price_records(models, part.prices))
            spans: list[Span] = []
            for fh, rows, cols in zip(handles, (records, records, prices, prices), columns, strict=True):
                start = fh.tell()
                if rows:
                    fh.write(_encode(rows, cols))
                spans.append((start, fh.tell(), len(rows)))
            out[index] = (made, [summary_digest(s) for s in made] if digests else [], spans)
    for fh in handles:
        fh.close()
    result.write_bytes(pickle.dumps(out, protocol=pickle.HIGHEST_PROTOCOL))
