"""Build a weekly issue: query, render, archive, and record it.

``build_issue(factory, settings, week=None)`` is the entry point used by the
CLI, ``tracker run`` and the scheduler. The default week is the last complete
ISO week in ``settings.newsletter.timezone``. An issue whose sending has begun
is frozen: building it again returns the archived issue untouched, so that
every recipient of one issue gets the same content.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from tracker.config import Settings
from tracker.newsletter import archive
from tracker.newsletter.content import build_context, threshold_of
from tracker.newsletter.errors import NewsletterError
from tracker.newsletter.render import render_issue
from tracker.newsletter.week import IsoWeek, resolve_week, timezone
from tracker.store.db import session_scope
from tracker.store.runs import finish_run, start_run
from tracker.store.tables import Run
from tracker.store.tables.newsletter import Delivery, NewsletterIssue

#: Delivery states that mean sending has begun (the issue is frozen).
STARTED = ("claimed", "sending", "sent", "uncertain")


@dataclass
class IssueResult:
    week: str
    path: Path
    subject: str
    items: int
    #: True when any archived file changed.
    written: bool = False
    #: True when the issue was already being sent and was left as archived.
    frozen: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {
            "week": self.week,
            "path": str(self.path),
            "subject": self.subject,
            "items": self.items,
            "written": self.written,
            "frozen": self.frozen,
        }


def week_bounds(settings: Settings, week: str | None, now: dt.datetime | None = None) -> tuple[IsoWeek, Any]:
    tz = timezone(settings.newsletter.timezone)
    return resolve_week(week, tz, now), tz


def build_issue(
    factory: sessionmaker[Session],
    settings: Settings,
    week: str | None = None,
    *,
    now: dt.datetime | None = None,
    trigger: str = "cli",
) -> IssueResult:
    """Render the issue for ``week`` (default: the last complete week) into the archive."""
    now = now or dt.datetime.now(dt.UTC)
    iso, tz = week_bounds(settings, week, now)
    start, end = iso.bounds(tz)
    if start > now:
        raise NewsletterError(f"{iso.label} has not begun yet (it starts {start.isoformat()})")
    threshold = threshold_of(settings.newsletter.price_change_threshold_percent)
    folder = archive.issue_dir(settings.newsletter.archive_dir, iso.label)

    with session_scope(factory) as session:
        issue = session.scalar(select(NewsletterIssue).where(NewsletterIssue.week == iso.label))
        if issue is not None and _sending_began(session, issue.id) and (folder / archive.DATA).is_file():
            context = archive.read_context(folder)
            return IssueResult(iso.label, folder, issue.subject, context.items, written=False, frozen=True)
        run = start_run(session, job="newsletter-build", source=None, trigger=trigger, observed_at=end)
        run_id = run.id

    with factory() as session:
        context = build_context(
            session,
            iso,
            tz_name=settings.newsletter.timezone,
            start=start,
            end=end,
            base_url=settings.site.base_url,
            unsubscribe_url=settings.newsletter.unsubscribe_url,
            threshold_percent=threshold,
        )
    rendered = render_issue(context)
    written = archive.write_issue(folder, context, rendered)
    digest = archive.data_hash(archive.data_bytes(context))

    with session_scope(factory) as session:
        record_issue(
            session,
            iso,
            tz_name=settings.newsletter.timezone,
            start=start,
            end=end,
            subject=rendered.subject,
            items=context.items,
            data_hash=digest,
            path=folder,
            now=now,
        )
        finish_run(
            session,
            session.get_one(Run, run_id),
            status="success",
            counts={"items": context.items, "written": int(written)},
        )
    return IssueResult(iso.label, folder, rendered.subject, context.items, written=written)


def _sending_began(session: Session, issue_id: int) -> bool:
    query = select(func.count(Delivery.id)).where(Delivery.issue_id == issue_id, Delivery.status.in_(STARTED))
    return bool(session.execute(query).scalar_one())


def record_issue(
    session: Session,
    iso: IsoWeek,
    *,
    tz_name: str,
    start: dt.datetime,
    end: dt.datetime,
    subject: str,
    items: int,
    data_hash: str,
    path: Path,
    now: dt.datetime,
) -> NewsletterIssue:
    """Insert or update the ``newsletter_issues`` row of ``iso``."""
    issue = session.scalar(select(NewsletterIssue).where(NewsletterIssue.week == iso.label))
    if issue is None:
        issue = NewsletterIssue(week=iso.label)
        session.add(issue)
    issue.subject = subject
    issue.starts_at, issue.ends_at, issue.timezone = start, end, tz_name
    issue.items, issue.data_hash, issue.path, issue.built_at = items, data_hash, str(path), now
    session.flush()
    return issue
