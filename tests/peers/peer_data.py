"""The recorded peer catalogs and OpenRouter snapshots of ../shared/corpus, parsed once per session."""

from __future__ import annotations

import datetime as dt
import functools
import json
from pathlib import Path

from tracker.backfill import observed_at_from_name
from tracker.normalize.openrouter import snapshot_from_payload
from tracker.normalize.peers.epoch import parse_epoch
from tracker.normalize.peers.genaiprices import parse_genai_prices
from tracker.normalize.peers.litellm import parse_litellm
from tracker.normalize.peers.types import CatalogParse
from tracker.peers.compare import Span
from tracker.peers.load import parse_modelsdev_tree
from tracker.peers.primary import build_history, model_points


def utc(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=dt.UTC)


#: Recorded catalog files: (path under peers/, version, snapshot date) as SOURCES.md states them.
LITELLM_OLD = ("litellm/older/model_prices_and_context_window.v1.84.0.2026-05-14.json", "1.84.0", "2026-05-14")
LITELLM_NEW = ("litellm/model_prices_and_context_window.json", "1.110.2", "2026-11-20")
MODELSDEV = ("models.dev", "f3fc6922", "2026-07-02")
GENAI = ("genai-prices/prices/data.json", "47df840a", "2026-08-21")
EPOCH_FILES = {
    "large_scale_ai_models.2026-02-16.csv": 485,
    "large_scale_ai_models.2025-05-20.csv": 311,
    "notable_ai_models.2025-05-20.csv": 954,
    "all_ai_models.2025-04-23.csv": 2228,
}


@functools.cache
def litellm(corpus: Path, which: tuple[str, str, str]) -> CatalogParse:
    path, version, date = which
    return parse_litellm(json.loads((corpus / "peers" / path).read_bytes()), version=version, snapshot_at=utc(date))


@functools.cache
def modelsdev(corpus: Path) -> CatalogParse:
    path, version, date = MODELSDEV
    return parse_modelsdev_tree(corpus / "peers" / path, version=version, snapshot_at=utc(date))


@functools.cache
def genai(corpus: Path) -> CatalogParse:
    path, version, date = GENAI
    payload = json.loads((corpus / "peers" / path).read_bytes())
    return parse_genai_prices(payload, version=version, snapshot_at=utc(date))


@functools.cache
def epoch(corpus: Path, name: str) -> CatalogParse:
    text = (corpus / "peers" / "epoch" / name).read_text(encoding="utf-8")
    return parse_epoch(text, version=name, snapshot_at=None)


@functools.cache
def history(corpus: Path, names: tuple[str, ...] | None = None) -> dict[tuple[str, str, str], list[Span]]:
    """The OpenRouter history of the recorded snapshots (all of them, or the ones named)."""
    paths = sorted((corpus / "openrouter").glob("models-*.json"))
    if names is not None:
        paths = [p for p in paths if p.name in names]
    snapshots = []
    for path in paths:
        at = observed_at_from_name(path)
        assert at is not None
        snapshot = snapshot_from_payload(json.loads(path.read_bytes()), observed_at=at)
        snapshots.append((at, {m.id: model_points(m) for m in snapshot.models}))
    return build_history(snapshots)
