"""Claims have a time: a claim is weighed against the primary value in effect when it was published.

The primary API's history is a list of dated observations (``prices`` rows:
``first_seen_at`` … ``last_seen_at``). For a claim published at ``when``:

* :func:`observation_at` — the observation in effect then; when the claim
  predates every observation (the tracker started watching later) the earliest
  one stands for "then";
* :func:`had_tiers_then` — whether the API priced by prompt length at that time:
  a claim from a prompt-length tier table weighed against an API that then had one
  flat price describes another seller's offer (the provider's own tiers), not the
  API's;
* :func:`verdict` — ``consistent`` (true then and now), ``outdated`` (true when
  published, not any more: "was true until DATE"), ``disputed`` (not true when
  published). An undated claim is true if any observation ever matched it.

Pure: no database; observations are plain objects with the ``prices`` fields.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol


class ObservationLike(Protocol):
    first_seen_at: dt.datetime
    last_seen_at: dt.datetime | None


@dataclass(frozen=True, slots=True)
class Timed:
    """What the claim was weighed against and what came of it."""

    status: str  # consistent | outdated | disputed
    #: The observation the claim was weighed against (the one in effect when it was published).
    weighed: Any | None
    #: For ``outdated``: when the value the claim states stopped being the API's.
    valid_until: dt.datetime | None = None


def observation_at(history: Sequence[ObservationLike], when: dt.datetime) -> ObservationLike | None:
    """The observation in effect at ``when`` (``history`` oldest first); the earliest if ``when`` precedes all."""
    if not history:
        return None
    chosen = history[0]
    for row in history:
        if row.first_seen_at <= when:
            chosen = row
            if row.last_seen_at is None or when <= row.last_seen_at:
                break
    return chosen


def superseded_at(history: Sequence[ObservationLike], observation: ObservationLike) -> dt.datetime | None:
    """When ``observation`` stopped being in effect: the next observation's first sighting (or its last)."""
    later = [r for r in history if r.first_seen_at > observation.first_seen_at]
    if later:
        return min(r.first_seen_at for r in later)
    return observation.last_seen_at


def had_tiers_then(
    tier_histories: Mapping[str, Sequence[ObservationLike]], when: dt.datetime | None, first_observed: dt.datetime
) -> bool:
    """Whether any prompt-length tier (``{tier: history}``) was in effect at ``when``.

    ``first_observed`` is when the tracker first saw the model's prices: a claim
    older than that is weighed against the earliest observed state (the same
    stand-in as :func:`observation_at`); an undated claim against any tier ever.
    """
    observations = [row for rows in tier_histories.values() for row in rows]
    if not observations:
        return False
    if when is None:
        return True
    if when < first_observed:
        return any(row.first_seen_at <= first_observed for row in observations)
    return any(
        row.first_seen_at <= when and (row.last_seen_at is None or when <= row.last_seen_at) for row in observations
    )


def verdict(
    history: Sequence[Any],
    when: dt.datetime | None,
    current: Any,
    agrees: Callable[[Any], bool],
) -> Timed:
    """Weigh a claim against ``history`` (oldest first) at ``when``; ``agrees(observation)`` compares values.

    ``current`` is the value shown now (the latest observation or the shown claim).
    """
    if not history:
        return Timed("consistent" if agrees(current) else "disputed", current)
    if when is None:
        matching = [row for row in history if agrees(row)]
        if not matching:
            return Timed("disputed", history[-1])
        if agrees(current):
            return Timed("consistent", current)
        latest = matching[-1]
        return Timed("outdated", latest, superseded_at(history, latest))
    then = observation_at(history, when)
    if then is None or not agrees(then):
        return Timed("disputed", then)
    if agrees(current):
        return Timed("consistent", then)
    return Timed("outdated", then, superseded_at(history, then))
