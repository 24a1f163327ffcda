"""Paths of pages on the static site, shared by the site, the newsletter and feeds.

All paths are relative to the site root and end in ``/`` for folders (served as
``index.html``). Join them with ``settings.site.base_url`` for absolute links.
"""

from __future__ import annotations

import re
from urllib.parse import urljoin

_UNSAFE = re.compile(r"[^A-Za-z0-9._/-]+")


def _segment(text: str) -> str:
    cleaned = _UNSAFE.sub("-", text).strip("/")
    cleaned = re.sub(r"/+", "/", cleaned)
    parts = [p for p in cleaned.split("/") if p not in ("", ".", "..")]
    return "/".join(parts) or "-"


def path_segment(text: str) -> str:
    """``text`` as a safe path segment (or segments, for ``org/name`` keys) of a site path."""
    return _segment(text)


def model_path(key: str) -> str:
    """``qwen/qwen3-max`` → ``models/qwen/qwen3-max/``."""
    return f"models/{_segment(key)}/"


def vendor_path(vendor: str) -> str:
    return f"vendors/{_segment(vendor.lower())}/"


def license_path(license_key: str) -> str:
    return f"licenses/{_segment(license_key)}/"


def license_class_path(license_class: str) -> str:
    return f"licenses/classes/{_segment(license_class)}/"


def changes_path(page: int = 1) -> str:
    return "changes/" if page <= 1 else f"changes/page/{page}/"


def newsletter_path(week: str) -> str:
    """``2026-W12`` → ``newsletter/2026-W12/``."""
    return f"newsletter/{_segment(week)}/"


def absolute(base_url: str, path: str) -> str:
    """An absolute URL for a site path (``base_url`` must end with ``/``)."""
    if not base_url.endswith("/"):
        base_url += "/"
    return urljoin(base_url, path)
