"""The crawl frontier of the blogs and press crawls: every article URL discovered, and every listing's health."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from tracker.store.base import Base, UTCDateTime


class FrontierUrl(Base):
    """One article URL a feed or an index page linked to, and where fetching it stands.

    ``state``: ``pending`` (discovered, never fetched), ``fetched`` (with the body's hash),
    ``failed`` (``reason``, ``attempts``, ``next_retry_at``), ``gone`` (404/410 twice).
    Rows are never deleted: nothing discovered is forgotten.
    """

    __tablename__ = "frontier"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    #: The crawl that owes it (``blogs`` or ``press``).
    source: Mapped[str] = mapped_column(String(32))
    url: Mapped[str] = mapped_column(String(2048))
    #: The feed or index page it was found on, and that listing's vendor and kind.
    feed_url: Mapped[str | None] = mapped_column(Text)
    vendor: Mapped[str | None] = mapped_column(String(128))
    kind: Mapped[str] = mapped_column(String(16))
    title: Mapped[str | None] = mapped_column(Text)
    date_text: Mapped[str | None] = mapped_column(String(128))
    state: Mapped[str] = mapped_column(String(16))
    content_hash: Mapped[str | None] = mapped_column(String(80))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    #: 404/410 answers in a row (two make it ``gone``).
    gone_answers: Mapped[int] = mapped_column(Integer, default=0)
    reason: Mapped[str | None] = mapped_column(String(64))
    http_status: Mapped[int | None] = mapped_column(Integer)
    next_retry_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    first_seen_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    last_attempt_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    fetched_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())

    __table_args__ = (
        Index("ix_frontier_source_url", "source", "url", unique=True),
        Index("ix_frontier_source_state", "source", "state"),
    )


class SourceListing(Base):
    """A configured feed or index page (its first page) and whether it still works."""

    __tablename__ = "source_listings"

    url: Mapped[str] = mapped_column(String(2048), primary_key=True)
    source: Mapped[str] = mapped_column(String(32))
    #: The default list's id (or the user's ``name``).
    name: Mapped[str | None] = mapped_column(String(128))
    #: ``ok``, ``failed``, ``empty``, ``moved``, ``gone``.
    state: Mapped[str] = mapped_column(String(16))
    http_status: Mapped[int | None] = mapped_column(Integer)
    detail: Mapped[str | None] = mapped_column(Text)
    #: Crawls in a row that got an error or no entry from it.
    problem_runs: Mapped[int] = mapped_column(Integer, default=0)
    entries: Mapped[int | None] = mapped_column(Integer)
    moved_to: Mapped[str | None] = mapped_column(Text)
    checked_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    last_ok_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
