"""Reading the listings and prices a chunk of models at a time, so that a build's memory stays bounded.

The build keeps in memory one small row and one summary per model (and the events, claims and
disputes); the listings and the price history, which grow with time, are read per chunk of models:
once to build the summaries, once to stream the exports into files, and by each model page batch.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from sqlalchemy.orm import Session

from tracker.site import exports
from tracker.site.contexts import ModelSummary
from tracker.site.queries import ModelRow, SiteData, model_rows
from tracker.site.summaries import summarize

#: Models whose listings and prices are in memory at once.
CHUNK = 2_000


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
    :func:`exports.to_csv` would, hashing the bytes as they go."""

    def __init__(self, rel_path: str, tmp: Path, columns: Sequence[str] | None) -> None:
        self.rel_path, self.tmp, self.columns = rel_path, tmp, columns
        self.fh: IO[str] = tmp.open("w", encoding="utf-8", newline="")
        self.hash = hashlib.blake2b(digest_size=16)
        self.size = 0
        self.count = 0
        if columns is not None:
            self._put(exports.to_csv((), columns))

    def _put(self, text: str) -> None:
        data = text.encode("utf-8")
        self.hash.update(data)
        self.size += len(data)
        self.fh.write(text)

    def add(self, records: Sequence[dict[str, Any]]) -> None:
        if not records:
            return
        if self.columns is not None:
            self._put(exports.to_csv(records, self.columns).split("\n", 1)[1])  # without the header again
        else:
            body = exports.to_json(records)[2:-3]  # the lines between "[\n" and "\n]\n"
            self._put(("[\n" if self.count == 0 else ",\n") + body)
        self.count += len(records)

    def close(self) -> ExportFile:
        if self.columns is None:
            self._put("\n]\n" if self.count else "[]\n")
        self.fh.close()
        return ExportFile(self.rel_path, self.tmp, self.size, self.hash.hexdigest())


def stream_exports(
    session: Session, data: SiteData, summaries: dict[int, ModelSummary], folder: Path, size: int | None = None
) -> list[ExportFile]:
    """models.json/csv and prices.json/csv written a chunk of models at a time into ``folder``."""
    return _stream(session, data, folder, size, summaries)


def summaries_and_exports(
    session: Session, data: SiteData, folder: Path, size: int | None = None
) -> tuple[dict[int, ModelSummary], list[ExportFile]]:
    """Each model's summary and the exports, in one pass over the listings and prices (a chunk of
    models at a time): the rows are read once per build, not once for each."""
    summaries: dict[int, ModelSummary] = {}
    return summaries, _stream(session, data, folder, size, summaries, summarize_into=True)


def _stream(
    session: Session,
    data: SiteData,
    folder: Path,
    size: int | None,
    summaries: dict[int, ModelSummary],
    *,
    summarize_into: bool = False,
) -> list[ExportFile]:
    folder.mkdir(parents=True, exist_ok=True)
    keys = {m.id: m.key for m in data.models}
    streams = [
        _Stream("data/models.json", folder / ".models.json.tmp", None),
        _Stream("data/models.csv", folder / ".models.csv.tmp", exports.MODEL_COLUMNS),
        _Stream("data/prices.json", folder / ".prices.json.tmp", None),
        _Stream("data/prices.csv", folder / ".prices.csv.tmp", exports.PRICE_COLUMNS),
    ]
    try:
        for models in chunks(data.models, size):
            part = _part(session, data, models)
            if summarize_into:
                summaries.update((m.id, summarize(m, part)) for m in models)
            records = exports.model_records(part, summaries, models=models, keys=keys)
            prices = list(exports.price_records(models, part.prices))
            for stream, rows in zip(streams, (records, records, prices, prices), strict=True):
                stream.add(rows)
        return [stream.close() for stream in streams]
    except BaseException:
        for stream in streams:
            stream.fh.close()
            stream.tmp.unlink(missing_ok=True)
        raise
