"""Store one catalog file (crawled or recorded) in a run: parse, record rejections, ingest, sum up."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from sqlalchemy.orm import Session

from tracker.errors import NormalizationError
from tracker.normalize.peers.formats import crawled_version, parse_catalog
from tracker.normalize.peers.modelsdev import assemble_tree, parse_modelsdev
from tracker.normalize.peers.types import CATALOGS, CatalogParse, EntryProblem
from tracker.peers.store import CatalogIngest, ingest_catalog


def parse_file(
    catalog: str,
    body: bytes,
    *,
    fetched_at: dt.datetime,
    version: str | None = None,
    snapshot_at: dt.datetime | None = None,
    last_modified: str | None = None,
) -> CatalogParse:
    """Parse a catalog file; without a stated version, it is named by date and content hash."""
    if catalog not in CATALOGS:
        raise NormalizationError("unknown-catalog", f"{catalog!r}; known catalogs: {', '.join(CATALOGS)}")
    if version is None:
        version, when = crawled_version(body, last_modified, fetched_at)
        snapshot_at = snapshot_at or when
    return parse_catalog(catalog, body, version=version, snapshot_at=snapshot_at or fetched_at)


def parse_modelsdev_tree(root: Path, *, version: str, snapshot_at: dt.datetime) -> CatalogParse:
    """A models.dev checkout (``providers/`` and ``models/``) parsed like its published ``api.json``."""
    files: dict[str, str] = {}
    for path in sorted(root.rglob("*")):
        relative = path.relative_to(root).as_posix()
        if not path.is_file() or not relative.startswith(("providers/", "models/")):
            continue
        if path.suffix == ".toml" or (path.suffix == "" and "/models/" in f"/{relative}"):
            files[relative] = path.read_text(encoding="utf-8", errors="replace")
    api, problems = assemble_tree(files)
    parse = parse_modelsdev(api, version=version, snapshot_at=snapshot_at)
    parse.rejected[:0] = [EntryProblem(p.key, p.reason, p.detail) for p in problems]
    return parse


def store_parse(
    session: Session,
    parse: CatalogParse,
    *,
    url: str | None,
    fetched_at: dt.datetime,
    run_id: int | None,
    source: str | None = None,
) -> CatalogIngest:
    return ingest_catalog(session, parse, url=url, fetched_at=fetched_at, run_id=run_id, source=source)
