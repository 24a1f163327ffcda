"""Release dates in sentences: absolute, relative to the post, dated lists and headings."""

from __future__ import annotations

import datetime as dt
import re

from tracker.extract.quantities import (
    DATE,
    parse_prose_date,
)
from tracker.extract.sentences.context import _Context, _emit, _Here, _Sub, _subject
from tracker.extract.types import Extracted

_RELEASE_VERB = re.compile(
    r"\b(?:released|releases|releasing|release date|launched|launches|launching|unveiled|unveils|announced|announces|"
    r"introduced|"
    r"introduces|debuted|debuts|open[- ]sourced|made available)\b",
    re.IGNORECASE,
)
_DATE_RE = re.compile(DATE, re.IGNORECASE)


def _release(ctx: _Context, here: _Here) -> None:
    text = here.text
    verb = _RELEASE_VERB.search(text)
    dates = list(_DATE_RE.finditer(text))
    pending = ctx.pending_date
    ctx.pending_date = None
    if verb is None:
        if len(dates) == 1 and dates[0].start() == 0:
            ctx.pending_date = (here.sentence, dates[0].group("date"))  # "September 5, 2025, marks a watershed…"
        return
    if not dates and pending is not None and pending[0].block == here.sentence.block and here.mentions:
        after = [m for m in here.mentions if m.start >= verb.end() and m.start - verb.end() <= 40]
        date = parse_prose_date(pending[1])
        if after and date is not None:
            first = pending[0]
            ctx.out.append(
                Extracted(
                    attribute="release_date",
                    value=date.isoformat(),
                    quote="",  # the two sentences: filled from the text by extract_claims
                    start=first.start,
                    end=here.sentence.end,
                    mention=after[0].text,
                    via="sentence",
                    extra={"as_written": pending[1]},
                )
            )
        return
    if not dates and ctx.published is not None:
        relative = _relative_day(text, verb, ctx.published)
        if relative is not None:
            # only a model named in the sentence: "Mistral released a new … model on Thursday" names none
            _release_of(ctx, here, verb, relative[0], relative[1], named_only=True)
        return
    if len(dates) != 1:
        return
    date = parse_prose_date(dates[0].group("date"))
    if date is None:
        return
    _release_of(ctx, here, verb, date, dates[0].group("date"))


_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_RELATIVE_DAY = re.compile(
    r"\b(?:(?P<today>today)|(?P<yesterday>yesterday)|on (?P<weekday>" + "|".join(_WEEKDAYS) + r"))\b",
    re.IGNORECASE,
)


def _relative_day(text: str, verb: re.Match[str], published: dt.date) -> tuple[dt.date, str] | None:
    """``Today, we're releasing …`` / ``On Thursday, OpenAI released …``: the day, counted from the post's date.

    Only a day word in the clause of the release verb counts (at most 60 characters away); a weekday
    is the latest such day on or before the publication day.
    """
    for match in _RELATIVE_DAY.finditer(text):
        between = text[match.end() : verb.start()] if match.end() <= verb.start() else text[verb.end() : match.start()]
        if len(between) > 60 or re.search(r"[.;:!?]", between):
            continue
        if match.group("today"):
            return published, match.group(0)
        if match.group("yesterday"):
            return published - dt.timedelta(days=1), match.group(0)
        weekday = _WEEKDAYS.index(match.group("weekday").lower())
        return published - dt.timedelta(days=(published.weekday() - weekday) % 7), match.group(0)
    return None


def _release_of(
    ctx: _Context, here: _Here, verb: re.Match[str], date: dt.date, as_written: str, *, named_only: bool = False
) -> None:
    """A release-date claim for the model the release verb is about."""
    text = here.text
    if re.search(r"\b(?:will|expected|planned|plans? to|rumou?red|reportedly)\b", text, re.IGNORECASE):
        return
    after = [m for m in here.mentions if m.start >= verb.end() and m.start - verb.end() <= 40]
    if after:
        sub: _Sub | None = _Sub(after[0].text, "sentence")
    else:
        sub = _subject(ctx, here, verb.start(), verb.end(), allow_fallback=not named_only)
    if sub is None:
        return
    _emit(ctx, here, sub, "release_date", date.isoformat(), extra={"as_written": as_written})
