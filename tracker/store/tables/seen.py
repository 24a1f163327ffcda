"""What a running crawl has seen so far: one row per listed subject, per crawl (issue 17).

A crawl stores in chunks, each its own transaction, so the end-of-crawl completeness decision
(delistings, Hub repos removed) cannot read the listing from memory: it reads these rows. They are
bookkeeping, not data: the crawl deletes its own when it finishes, and any left by a crawl that
died are deleted by the next crawl of the same source.
"""

from __future__ import annotations

from sqlalchemy import Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from tracker.store.base import Base


class CrawlSeen(Base):
    __tablename__ = "crawl_seen"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    #: ``run:<id>`` for a recorded run, else a random key of the crawl.
    crawl_key: Mapped[str] = mapped_column(String(64))
    run_id: Mapped[int | None] = mapped_column(Integer)
    source: Mapped[str] = mapped_column(String(32))
    #: The listed id in lower case (a Hub repo id, an OpenRouter listing id).
    subject: Mapped[str] = mapped_column(String(512))

    __table_args__ = (Index("ix_crawl_seen_key_subject", "crawl_key", "subject"),)
