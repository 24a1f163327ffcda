"""PURE: a catalog file's bytes → :class:`CatalogParse`, by catalog name; the version/time of a crawled file."""

from __future__ import annotations

import datetime as dt
import email.utils
import hashlib
import json
from collections.abc import Callable
from typing import Any

from tracker.errors import NormalizationError
from tracker.normalize.peers.epoch import parse_epoch
from tracker.normalize.peers.genaiprices import parse_genai_prices
from tracker.normalize.peers.litellm import parse_litellm
from tracker.normalize.peers.modelsdev import parse_modelsdev
from tracker.normalize.peers.types import CatalogParse

_JSON_PARSERS: dict[str, Callable[..., CatalogParse]] = {
    "models.dev": parse_modelsdev,
    "litellm": parse_litellm,
    "genai-prices": parse_genai_prices,
}


def parse_catalog(catalog: str, body: bytes, *, version: str, snapshot_at: dt.datetime | None) -> CatalogParse:
    """Decode and parse one catalog file; an undecodable file raises :class:`NormalizationError`."""
    if catalog == "epoch":
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise NormalizationError("bad-csv", f"not UTF-8: {exc}") from exc
        return parse_epoch(text, version=version, snapshot_at=snapshot_at)
    parser = _JSON_PARSERS.get(catalog)
    if parser is None:
        raise NormalizationError("unknown-catalog", catalog)
    stripped = body.lstrip()[:1]
    if stripped == b"<":
        raise NormalizationError("not-json", f"{catalog}: got HTML instead of JSON")
    try:
        payload: Any = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise NormalizationError("bad-json", f"{catalog}: {exc} ({len(body)} bytes)") from exc
    return parser(payload, version=version, snapshot_at=snapshot_at)


def crawled_version(body: bytes, last_modified: str | None, fetched_at: dt.datetime) -> tuple[str, dt.datetime]:
    """Version and snapshot time of a fetched file that names neither: ``YYYY-MM-DD.<sha256[:8]>`` of the
    server's ``Last-Modified`` (else the fetch time), so two different files never share a source name."""
    when = fetched_at
    if last_modified:
        try:
            parsed = email.utils.parsedate_to_datetime(last_modified)
        except (TypeError, ValueError):
            parsed = None
        if parsed is not None and parsed.tzinfo is not None:
            when = min(parsed.astimezone(dt.UTC), fetched_at)
    digest = hashlib.sha256(body).hexdigest()[:8]
    return f"{when.date().isoformat()}.{digest}", when
