"""Storage failures of one record, found and set aside so the rest of the batch is stored.

A batch is applied in one savepoint. If the database refuses it, the savepoint is
rolled back and the batch is bisected, each probe in a savepoint of its own that is
always rolled back, until the records the database refuses alone are known
(``O(k log n)`` probes for ``k`` bad records among ``n``). The caller then applies
the batch without them and records each as a rejection with the database's reason.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

from sqlalchemy.orm import Session

T = TypeVar("T")


def refused(session: Session, apply: Callable[[Sequence[T]], object], items: Sequence[T]) -> BaseException | None:
    """Apply ``items`` in a savepoint that is rolled back; the exception the database raised, if any."""
    nested = session.begin_nested()
    try:
        apply(items)
    except Exception as exc:  # whatever the driver raises for this part of the batch
        return exc
    finally:
        nested.rollback()
    return None


def failing_records(
    session: Session, apply: Callable[[Sequence[T]], object], items: Sequence[T]
) -> list[tuple[T, BaseException]]:
    """The records of ``items`` that the database refuses on their own, each with its error."""
    error = refused(session, apply, items)
    if error is None:
        return []
    if len(items) == 1:
        return [(items[0], error)]
    middle = len(items) // 2
    return failing_records(session, apply, items[:middle]) + failing_records(session, apply, items[middle:])
