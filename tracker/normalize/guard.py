"""Per-record isolation at normalization: one record's surprise is that record's rejection (pure).

A normalizer raises :class:`~tracker.errors.NormalizationError` for the input it
knows to be bad. Anything else it raises on one record (``decimal.Overflow``,
``ValueError``, ``RecursionError`` from a deeply nested payload, a bug) would
otherwise escape the pipeline and lose the page or the crawl; :func:`isolated`
turns it into a ``NormalizationError("malformed", "<Type>: <message>")`` so the
pipelines record it in ``crawl_errors`` under the record's id and go on.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import ParamSpec, TypeVar

from tracker.errors import NormalizationError

P = ParamSpec("P")
R = TypeVar("R")


def describe(exc: BaseException) -> str:
    """One line naming an unexpected exception (type and the start of its message)."""
    message = " ".join(str(exc).split())[:300]
    return f"{type(exc).__name__}: {message}" if message else type(exc).__name__


def isolated(fn: Callable[P, R]) -> Callable[P, R]:
    """``fn`` raising only :class:`NormalizationError` (``MemoryError`` and ``KeyboardInterrupt`` pass)."""

    @functools.wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return fn(*args, **kwargs)
        except NormalizationError:
            raise
        except MemoryError:
            raise
        except Exception as exc:
            raise NormalizationError("malformed", describe(exc)) from exc

    return wrapper
