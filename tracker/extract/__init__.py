"""Deterministic claim extraction from article text (no models, no network).

:func:`extract_claims` reads a reading text (see :mod:`tracker.normalize.articles`)
and returns every claim it states about models: parameters (total / active),
context length, licence, openness (open weights vs API-only), prices (with
prompt-length tiers), release dates and benchmark scores, from sentences and
from tables. Each claim keeps the exact quote it was read from and the model
mention as written; linking mentions to models is :mod:`tracker.claims.linking`.

Pure: imports neither Scrapy nor SQLAlchemy.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
from collections import Counter

from tracker.extract.bounds import MAX_DOCUMENT_CHARS, MAX_SECONDS, Budget, mask_overlong_numbers
from tracker.extract.mentions import find_mentions
from tracker.extract.prose import Reader
from tracker.extract.tables import extract_from_table
from tracker.extract.text import Sentence, segment
from tracker.extract.types import ATTRIBUTES, Extracted
from tracker.normalize.identity import name_form

__all__ = ["ATTRIBUTES", "Extracted", "document_subject", "extract_claims", "find_mentions"]

log = logging.getLogger(__name__)


def document_subject(text: str, title: str | None = None) -> str | None:
    """The model a text is about: the first one its title names, else the one it names most."""
    if title:
        found = find_mentions(title)
        if found:
            return found[0].text
    mentions = find_mentions(text)
    if not mentions:
        return None
    counts = Counter(name_form(m.text) for m in mentions)
    best = max(counts.values())
    return next(m.text for m in mentions if counts[name_form(m.text)] == best)


def extract_claims(
    text: str,
    *,
    title: str | None = None,
    subject: str | None = None,
    published: dt.datetime | None = None,
    budget: Budget | None = None,
) -> list[Extracted]:
    """Every claim of ``text``; ``subject`` (a card's repo id) overrides the text's own subject.

    ``published`` (the post's date) dates relative release statements ("Today we release …",
    "On Thursday, X launched …"); without it they give no release date.

    Work is bounded (:mod:`tracker.extract.bounds`): overlong numbers are masked before
    any rule runs, at most ``MAX_DOCUMENT_CHARS`` are read and ``budget`` (default
    ``MAX_SECONDS``) stops the rules; a document cut short keeps what was found and
    ``budget.exhausted`` says why. Quotes are always exact spans of ``text``.
    """
    budget = budget if budget is not None else Budget(MAX_SECONDS)
    original = text
    if len(text) > MAX_DOCUMENT_CHARS:
        budget.exhausted = f"only the first {MAX_DOCUMENT_CHARS:,} characters were read"
        text = text[:MAX_DOCUMENT_CHARS]
    text = mask_overlong_numbers(text)
    if title is not None:
        title = mask_overlong_numbers(title[:1000])
    segmented = segment(text)
    day = published.astimezone(dt.UTC).date() if published is not None else None
    reader = Reader(document_subject=subject or document_subject(text, title), published=day)
    out: list[Extracted] = []
    for item in segmented.items:
        if budget.spent():
            break
        if isinstance(item, Sentence):
            out.extend(reader.read(item))
        else:
            # a two-column spec table is about the model its caption names, else the text's subject
            caption = find_mentions(item.caption) if item.caption else []
            if caption:
                found = extract_from_table(item, subject=caption[0].text, via="context")
            else:
                found = extract_from_table(item, subject=reader.document_subject, via="document")
            out.extend(found)
    if budget.exhausted:
        log.warning("claim extraction cut short: %s", budget.exhausted)
    unique: dict[tuple[str, str, str, str], Extracted] = {}
    for claim in out:
        # a claim spanning two sentences quotes both; a masked number is quoted as written
        quote = original[claim.start : claim.end]
        if claim.quote != quote:
            claim = dataclasses.replace(claim, quote=quote)
        unique.setdefault(claim.key(), claim)
    return list(unique.values())
