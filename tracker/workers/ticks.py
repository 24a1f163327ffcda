"""PURE: the tick a source is at, so that every scheduler (and a restarted one) names the same tick.

Ticks are aligned on the epoch: a source crawled every 60 minutes has ticks at
00:00, 01:00… UTC, whichever host computes them and whenever it started.
"""

from __future__ import annotations

import datetime as dt
import math

EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


def current_tick(now: dt.datetime, interval: dt.timedelta) -> dt.datetime:
    """The start of the interval ``now`` falls in (aware UTC in, aware UTC out)."""
    if now.tzinfo is None:
        raise ValueError("current_tick needs an aware time")
    seconds = interval.total_seconds()
    if seconds <= 0:
        raise ValueError("the interval must be positive")
    elapsed = (now.astimezone(dt.UTC) - EPOCH).total_seconds()
    # whole microseconds, so that the same tick is written and read back exactly
    start = math.floor(elapsed / seconds) * seconds
    return EPOCH + dt.timedelta(microseconds=round(start * 1_000_000))


def due(last: dt.datetime | None, tick: dt.datetime) -> bool:
    """True when ``tick`` has not been deferred yet by this producer."""
    return last is None or tick > last
