"""The Hub decider: which repos of a crawl are new, changed, refreshed or removed, and what events they raise.

Pure (no database): the update step loads what is stored (:class:`StoredRepo`),
asks :func:`decide_repos` what to do with a crawl's :class:`HubBatch`, writes
the plan, then asks :func:`repo_events` which events the writes amount to.

* A repo whose detail arrived is **new** when nothing is stored for it;
  **changed** when its meaningful content, its status, the case of its id or
  its watched flag differ; **refreshed** otherwise (its sha moved without a
  meaningful change: only bookkeeping is written).
* A stored repo whose card could not be fetched this time is **deferred**: it
  keeps its stored state and is fetched again next crawl.
* A repo seen before its organisation's first complete crawl was recorded is
  part of the **baseline**: stored, but announced by no ``model_released`` or
  benchmark event.
* A repo absent from a *complete* listing of its watched organisation is
  **removed** (never after a failed or partial listing, nor from an empty one).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from tracker.events.hashing import content_hash
from tracker.events.types import (
    BenchmarkClaimAdded,
    Event,
    GatingChanged,
    LicenseChanged,
    ModelDelisted,
    ModelReleased,
)
from tracker.normalize.identity import org_of
from tracker.store.ingest_huggingface import HubBatch, StoredRepo

SOURCE = "huggingface"


@dataclass
class RepoPlan:
    """What to write for one crawl (repo ids as the crawl spells them)."""

    new: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    refreshed: list[str] = field(default_factory=list)
    deferred: list[str] = field(default_factory=list)
    #: Meaningful-content hash of every repo not deferred.
    hashes: dict[str, str] = field(default_factory=dict)
    #: New repos of organisations never crawled completely before (no release events).
    baseline: set[str] = field(default_factory=set)

    #: Changed repos whose content moved (not only their status, id case or watched flag).
    content_changed: list[str] = field(default_factory=list)
    #: New watched repos outside the baseline: their shown status changes are news.
    fresh: list[str] = field(default_factory=list)

    @property
    def written(self) -> list[str]:
        """Repos whose detail, card and claims are (re)written: the new ones and those whose content moved."""
        return self.new + self.content_changed


def decide_repos(batch: HubBatch, stored: Mapping[str, StoredRepo], known_orgs: Collection[str]) -> RepoPlan:
    """Sort the crawl's repos (``stored`` is keyed by lower-case repo id; ``known_orgs`` lower-case)."""
    plan = RepoPlan()
    for repo_id in sorted(batch.records):
        record = batch.records[repo_id]
        row = stored.get(repo_id.lower())
        if row is not None and record.facts.card.state == "unavailable":
            plan.deferred.append(repo_id)
            continue
        digest = content_hash(record.facts.meaningful())
        plan.hashes[repo_id] = digest
        if row is None:
            plan.new.append(repo_id)
            if org_of(repo_id).lower() not in known_orgs:
                plan.baseline.add(repo_id)
            elif record.watched:
                plan.fresh.append(repo_id)
        elif row.content_hash != digest or row.status != "listed" or row.id != repo_id or row.watched != record.watched:
            plan.changed.append(repo_id)
            if row.content_hash != digest:
                plan.content_changed.append(repo_id)
        else:
            plan.refreshed.append(repo_id)
    return plan


def decide_removed(
    batch: HubBatch, listed_by_org: Mapping[str, Sequence[tuple[str, int | None]]]
) -> list[tuple[str, int | None]]:
    """Stored, listed, watched repos absent from a complete listing of their organisation.

    ``listed_by_org``: organisation (as in ``batch.complete_orgs``) → its stored listed watched repos
    ``(repo id, model id)``.
    """
    listed = {repo_id.lower() for repo_id in batch.listed}
    removed: list[tuple[str, int | None]] = []
    for org, count in sorted(batch.complete_orgs.items()):
        if count == 0:
            continue  # an empty "complete" listing is more likely an upstream glitch than a wiped org
        removed.extend((r, m) for r, m in listed_by_org.get(org, ()) if r.lower() not in listed)
    return removed


def repo_events(
    plan: RepoPlan,
    batch: HubBatch,
    stored: Mapping[str, StoredRepo],
    *,
    created: Mapping[str, int],
    model_of: Mapping[str, int],
    keys: Mapping[int, str],
    new_benchmarks: Sequence[tuple[str, dict[str, Any]]],
    removed: Sequence[tuple[str, int | None]],
    now: dt.datetime,
) -> list[Event]:
    """The events of a written plan, in a fixed order: releases, gating and licence changes, benchmarks, removals.

    ``created``: new repos for which the identity step created a model (repo → model id);
    ``new_benchmarks``: benchmark claims inserted by this crawl, as ``(repo id, score)``.
    """
    events: list[Event] = []
    for repo_id in plan.new:
        record = batch.records[repo_id]
        facts = record.facts
        if record.watched and not facts.is_derivative and repo_id not in plan.baseline and repo_id in created:
            events.append(
                ModelReleased(
                    subject=repo_id,
                    source=SOURCE,
                    detected_at=now,
                    model_key=keys.get(created[repo_id]),
                    name=repo_id.split("/", 1)[1],
                    vendor=org_of(repo_id),
                    license_key=facts.license.key,
                    open_weight_status=str(facts.weights.status),
                )
            )
    for repo_id in plan.changed:
        facts, row = batch.records[repo_id].facts, stored[repo_id.lower()]
        model_key = keys.get(model_of.get(repo_id, -1))
        if row.gated != facts.gated:
            events.append(
                GatingChanged(
                    subject=repo_id, source=SOURCE, detected_at=now, model_key=model_key, old=row.gated, new=facts.gated
                )
            )
        if row.license_key != facts.license.key:
            events.append(
                LicenseChanged(
                    subject=repo_id,
                    source=SOURCE,
                    detected_at=now,
                    model_key=model_key,
                    old=row.license_key,
                    new=facts.license.key,
                    old_class=row.license_class,
                    new_class=facts.license.license_class,
                )
            )
    for repo_id, score in new_benchmarks:
        if repo_id in plan.baseline or not batch.records[repo_id].watched:
            continue
        events.append(
            BenchmarkClaimAdded(
                subject=repo_id,
                source=SOURCE,
                detected_at=now,
                model_key=keys.get(model_of.get(repo_id, -1)),
                benchmark=score["benchmark"],
                value=score["value"],
                unit=score["unit"],
                settings=score["settings"] or None,
                reporter=score["reporter"],
                self_reported=not score["verified"],
            )
        )
    for repo_id, model_id in removed:
        events.append(
            ModelDelisted(
                subject=repo_id,
                source=SOURCE,
                detected_at=now,
                model_key=keys.get(model_id) if model_id is not None else None,
                name=repo_id.split("/", 1)[1],
            )
        )
    return events
