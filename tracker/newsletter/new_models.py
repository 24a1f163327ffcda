"""Which models are a week's new models: the evidence read from the database, judged by the pure rules.

:func:`release_evidence` collects, per model, the dates its sources give (a
vendor's or the press's ``release_date`` claim with its quote, the Hub's
``createdAt``, OpenRouter's ``created``) and :func:`baselines` when each source's
first crawl ended; :func:`new_model_ids` applies
:func:`tracker.normalize.releases.is_news` to the models that could be news in the
week. Read-only.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Collection

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from tracker.normalize.releases import DateEvidence, NewsVerdict, ReleaseDate, Sighting, is_news, release_date
from tracker.store.bulk import in_chunks
from tracker.store.tables import Claim, Model, OpenRouterListing, Run
from tracker.store.tables.huggingface import HfRepo


def _claim_date(value: str) -> dt.datetime | None:
    try:
        day = dt.date.fromisoformat(value[:10])
    except ValueError:
        return None
    return dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC)


def baselines(session: Session) -> dict[str, dt.datetime]:
    """Source → when its first crawl ended: what it recorded until then is a baseline, not news."""
    out: dict[str, dt.datetime] = {}
    first_listing = session.scalar(select(func.min(OpenRouterListing.first_seen_at)))
    if first_listing is not None:
        out["openrouter"] = first_listing
    first_hub = session.execute(
        select(Run.finished_at, Run.observed_at)
        .where(Run.source == "huggingface", Run.status.in_(("success", "partial")))
        .order_by(Run.started_at, Run.id)
        .limit(1)
    ).first()
    if first_hub is not None and (first_hub.finished_at or first_hub.observed_at) is not None:
        out["huggingface"] = first_hub.finished_at or first_hub.observed_at
    return out


def release_evidence(
    session: Session, model_ids: Collection[int]
) -> tuple[dict[int, ReleaseDate], dict[int, list[Sighting]]]:
    """Per model: its release date (with the source that says it) and when each source first recorded it."""
    evidence: dict[int, list[DateEvidence]] = defaultdict(list)
    sightings: dict[int, list[Sighting]] = defaultdict(list)
    ids = sorted(set(model_ids))
    for part in in_chunks(ids):
        for row in session.execute(
            select(
                OpenRouterListing.model_id,
                OpenRouterListing.id,
                OpenRouterListing.created_upstream_at,
                OpenRouterListing.first_seen_at,
            ).where(OpenRouterListing.model_id.in_(part))
        ):
            sightings[row.model_id].append(Sighting("openrouter", row.first_seen_at))
            if row.created_upstream_at is not None:
                evidence[row.model_id].append(DateEvidence(row.created_upstream_at, "openrouter", row.id))
        for row in session.execute(
            select(HfRepo.model_id, HfRepo.id, HfRepo.created_upstream_at, HfRepo.first_seen_at).where(
                HfRepo.model_id.in_(part)
            )
        ):
            sightings[row.model_id].append(Sighting("huggingface", row.first_seen_at))
            if row.created_upstream_at is not None:
                evidence[row.model_id].append(DateEvidence(row.created_upstream_at, "hub", row.id))
        for row in session.execute(
            select(Claim.model_id, Claim.value, Claim.reporter, Claim.source, Claim.url, Claim.quote).where(
                Claim.model_id.in_(part),
                Claim.attribute == "release_date",
                Claim.reporter.in_(("vendor", "press")),
                Claim.status.in_(("shown", "consistent", "unchecked")),
            )
        ):
            at = _claim_date(row.value)
            if at is not None:
                evidence[row.model_id].append(DateEvidence(at, row.reporter, row.source, row.url, row.quote))
    return {i: release_date(evidence.get(i, [])) for i in ids}, sightings


def new_model_ids(session: Session, start: dt.datetime, end: dt.datetime) -> dict[int, NewsVerdict]:
    """The models that are news in ``[start, end)`` (originals released in the week, never a baseline)."""
    candidates = {
        row.id: row
        for row in session.execute(
            select(Model.id, Model.first_seen_at, Model.released_at).where(
                Model.is_derivative.is_(False),
                Model.first_seen_at < end,
                or_(
                    Model.first_seen_at >= start,
                    Model.released_at >= start,
                    Model.id.in_(
                        select(OpenRouterListing.model_id).where(
                            OpenRouterListing.created_upstream_at >= start, OpenRouterListing.created_upstream_at < end
                        )
                    ),
                ),
            )
        )
    }
    if not candidates:
        return {}
    releases, sightings = release_evidence(session, candidates)
    known = baselines(session)
    out: dict[int, NewsVerdict] = {}
    for model_id, row in candidates.items():
        release = releases[model_id]
        if release.evidence is None:  # no source dates it: the tracker's own record stands in
            release = ReleaseDate(None, None, DateEvidence(row.released_at or row.first_seen_at, "tracker", "tracker"))
        verdict = is_news(
            derivative=False,
            release=release,
            sightings=sightings.get(model_id, []),
            baselines=known,
            start=start,
            end=end,
        )
        if verdict.news:
            out[model_id] = verdict
    return out
