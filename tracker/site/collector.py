"""The garbage collector during a build: paused while the build reads, then what it read is frozen.

A rebuild reads ~10,000 model rows and summaries, ~17,000 events and the rows cache: millions of
long-lived objects and next to no cyclic garbage. With the collector running, each collection of the
oldest generation walks all of them again (measured at 10,000 models: ~0.6 of the ~2.8 CPU-s of a price
change's main process). So the read runs with the collector off; then :func:`gc.freeze` moves what
was read out of the collector's sight, and it runs again while the pages render (Jinja's contexts do
make cycles), seeing only the new objects. :func:`thaw` undoes the freeze when the build ends.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator

_frozen = 0


@contextlib.contextmanager
def reading() -> Iterator[None]:
    """The collector off inside the block; on leaving it, what exists is frozen and it is on again
    (as it was)."""
    global _frozen
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        _frozen += 1
        if enabled:
            gc.enable()


def thaw() -> None:
    """Give the frozen objects back to the collector (once per :func:`reading` block)."""
    global _frozen
    if _frozen:
        _frozen -= 1
        if not _frozen:
            gc.unfreeze()


@contextlib.contextmanager
def frozen() -> Iterator[None]:
    """Everything that exists frozen inside the block (forking worker processes: their collections neither
    scan the parent's objects nor copy the memory pages holding them); afterwards the collector sees them
    again, unless a :func:`reading` freeze holds (then they stay frozen until :func:`thaw`)."""
    gc.freeze()
    try:
        yield
    finally:
        if not _frozen:
            gc.unfreeze()
