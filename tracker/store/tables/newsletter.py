"""The newsletter: subscribers, built issues, and one delivery row per recipient × issue.

A delivery row is the send log consulted before every message: its unique
``(issue_id, email)`` constraint is what makes an issue impossible to send twice
to one address, also across crashes and concurrent senders. Its ``status``
walks ``pending`` → ``claimed`` (owned by a send run) → ``sending`` (committed
just before the message body goes on the wire) → ``sent``; see
``tracker.newsletter.send`` for the recovery rules.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from tracker.store.base import Base, UTCDateTime


class Subscriber(Base):
    """One e-mail address and its consent state."""

    __tablename__ = "subscribers"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    #: The validated address, lower-cased (one person, one row).
    email: Mapped[str] = mapped_column(String(320), unique=True)
    #: ``pending`` (awaiting confirmation), ``confirmed`` or ``unsubscribed``.
    status: Mapped[str] = mapped_column(String(16), default="pending", index=True)
    #: How the address arrived: ``cli``, ``import``, ...
    origin: Mapped[str] = mapped_column(String(64), default="cli")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    confirmed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    unsubscribed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())


class NewsletterIssue(Base):
    """A built weekly issue; its rendered files and data live in the archive folder."""

    __tablename__ = "newsletter_issues"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    #: ISO week, ``2026-W12``.
    week: Mapped[str] = mapped_column(String(8), unique=True)
    subject: Mapped[str] = mapped_column(Text)
    #: The week's bounds in UTC (Monday 00:00 to next Monday 00:00 in ``timezone``).
    starts_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    ends_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    timezone: Mapped[str] = mapped_column(String(64))
    #: Number of items in the digest (models, price changes, disputes, ...).
    items: Mapped[int] = mapped_column(Integer, default=0)
    #: ``sha256:`` of the archived data.json.
    data_hash: Mapped[str] = mapped_column(String(80))
    path: Mapped[str] = mapped_column(Text)
    built_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    first_sent_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())


class Delivery(Base):
    """One recipient of one issue: what happened to that message."""

    __tablename__ = "deliveries"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    issue_id: Mapped[int] = mapped_column(ForeignKey("newsletter_issues.id", ondelete="CASCADE"))
    subscriber_id: Mapped[int | None] = mapped_column(ForeignKey("subscribers.id", ondelete="SET NULL"), index=True)
    #: The address the issue goes (went) to.
    email: Mapped[str] = mapped_column(String(320))
    #: ``pending``, ``claimed``, ``sending``, ``sent``, ``failed``, ``uncertain``, ``cancelled``.
    status: Mapped[str] = mapped_column(String(16), default="pending")
    #: Transmission attempts so far (bounded by ``smtp.max_attempts``).
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    #: The SMTP reply code of the last attempt.
    smtp_code: Mapped[int | None] = mapped_column(Integer)
    last_error: Mapped[str | None] = mapped_column(Text)
    message_id: Mapped[str | None] = mapped_column(String(255))
    #: The send run that claimed the row last.
    run_id: Mapped[int | None] = mapped_column(ForeignKey("runs.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    sent_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())

    __table_args__ = (
        UniqueConstraint("issue_id", "email"),
        Index("ix_deliveries_issue_status", "issue_id", "status"),
    )
