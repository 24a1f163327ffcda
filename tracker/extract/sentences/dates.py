"""Release dates in sentences: absolute, relative to the post, dated lists and headings."""

from __future__ import annotations

import datetime as dt
import re

from tracker.extract.dates import date_value
from tracker.extract.mentions import FAMILIES, Mention
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


_LISTED = re.compile(
    r"^(?:Introducing\s+|Announcing\s+)?(?P<name>.+?)\s+(?:(?:Release|Released|Launch|Launched)\s+)?"
    r"(?P<date>\d{4}[/-]\d{1,2}[/-]\d{1,2})$"
)
_HEADING_DATE = re.compile(r"^" + DATE + r"$", re.IGNORECASE)
_RELEASED_NOW = re.compile(r"^(?:We(?:'ve| have)?\s+(?:just\s+)?released|New models?\s+available\s*:)", re.IGNORECASE)


def _dated_list(ctx: _Context, here: _Here) -> None:
    """``DeepSeek-R1-0528 Release 2025/05/28``, ``Introducing DeepSeek-V3 2024/12/26``: a line of a dated list
    (release notes, a news index) that is one model's name, a release word and a date, nothing else.

    A line naming no model (``Context Caching is Available 2024/08/02``) or more than the name is no claim.
    """
    match = _LISTED.match(here.text)
    if match is None or len(here.mentions) != 1:
        return
    mention = here.mentions[0]
    if mention.start != match.start("name") or not match.end("name") <= mention.end <= match.end("date"):
        return  # the name is the mention ("DeepSeek-V3 2024" read as one name ends at the name)
    mention = Mention(match.group("name"), mention.start, match.end("name"))
    stated = date_value(match.group("date"))
    if stated is None or stated.precision != "day":
        return
    _emit(ctx, here, _Sub(mention.text, "sentence"), "release_date", stated.value, extra={"as_written": match.group(0)})


_NAMED_ENDPOINT = re.compile(
    r"(?<![\w-])(?P<name>[A-Z][\w.]*(?:\s+(?:[A-Z][\w.]*|v?\d[\w.]*)){1,3})\s+\((?P<id>[a-z][a-z0-9.-]*-[a-z0-9.-]+)"
)


def _with_endpoint_names(here: _Here) -> list[Mention]:
    """The sentence's mentions, plus names a changelog pairs with an endpoint id (``Magistral Medium
    (magistral-medium-2506)``): a family and a word name a model there, as in a table's Model column."""
    out = list(here.mentions)
    for match in _NAMED_ENDPOINT.finditer(here.text):
        name = match.group("name")
        if name.split()[0] not in FAMILIES or any(m.start <= match.start() < m.end for m in out):
            continue
        out.append(Mention(name, match.start("name"), match.end("name")))
    return sorted(out, key=lambda m: m.start)


def _changelog(ctx: _Context, here: _Here) -> None:
    """A heading that is only a date (``September 18, 2025``) dates the ``We released X and Y`` lines under it,
    for each model they name (not the endpoint ids in brackets); until the next dated heading."""
    heading = _HEADING_DATE.match(here.text.strip().rstrip("."))
    if heading is not None:
        date = parse_prose_date(heading.group("date"))
        ctx.heading_date = (date, heading.group("date")) if date is not None else None
        return
    if ctx.heading_date is None or not _RELEASED_NOW.match(here.text) or _DATE_RE.search(here.text):
        return
    date, as_written = ctx.heading_date
    for mention in _with_endpoint_names(here):
        before = here.text[: mention.start].rstrip()
        if before.endswith(("(", "aka")) or here.compared(mention):
            continue
        sub = _Sub(mention.text, "sentence")
        _emit(ctx, here, sub, "release_date", date.isoformat(), extra={"as_written": as_written})


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
        if len(between) > 60 or re.search(r"[.;:!?](?:\s|$)", between):  # a clause end, not "K2.5"
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
