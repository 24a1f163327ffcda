"""Versioned content hashes over meaningful fields only.

Volatile fields (download counts, likes, fetch times) are never passed in, so
re-crawling unchanged data gives the same hash and writes nothing. Bump
``HASH_VERSION`` when the set of meaningful fields changes.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

import orjson

HASH_VERSION = 1


def _default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, set | frozenset | tuple):
        return sorted(value) if isinstance(value, set | frozenset) else list(value)
    raise TypeError(f"cannot hash {type(value).__name__}")


def canonical_json(value: Any) -> str:
    """Compact JSON with sorted keys (the hashed form)."""
    return canonical_bytes(value).decode("utf-8")


def canonical_bytes(value: Any) -> bytes:
    return orjson.dumps(
        _plain(value),
        option=orjson.OPT_SORT_KEYS | orjson.OPT_NON_STR_KEYS | orjson.OPT_PASSTHROUGH_DATETIME,
        default=_default,
    )


def _plain(value: Any) -> Any:
    # orjson writes tuples as arrays but cannot sort sets: normalise those up front
    if isinstance(value, set | frozenset):
        return sorted(value)
    return value


def content_hash(fields: Mapping[str, Any], version: int = HASH_VERSION) -> str:
    digest = hashlib.sha256(canonical_bytes(fields)).hexdigest()
    return f"v{version}:{digest}"


def body_hash(body: bytes) -> str:
    """sha256 of an HTTP body, for provenance."""
    return hashlib.sha256(body).hexdigest()
