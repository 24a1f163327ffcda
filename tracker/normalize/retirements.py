"""Retirements (pure): OpenRouter's ``expiration_date`` → a typed "retirement announced" event; who retires soon.

* :func:`retirement_date` reads an announced date (``2026-06-01``, or a full ISO time);
* :func:`retirement_events` compares the dates listed now with the last ones announced: a new
  date (or a moved one) is announced once; an unchanged date, or one that disappears, is not;
* :func:`retiring_after` keeps the retirements still to come on a day, soonest first.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from tracker.events.types import RetirementAnnounced

#: A date this far beyond the observation is a placeholder (OpenRouter lists ``2098-12-31``), not a retirement.
PLACEHOLDER_AFTER = dt.timedelta(days=5 * 366)


def retirement_date(text: str | None) -> dt.date | None:
    """The date in an ``expiration_date`` value (``None`` when there is none or it cannot be read)."""
    if not text or not isinstance(text, str):
        return None
    value = text.strip()
    try:
        return dt.date.fromisoformat(value[:10])
    except ValueError:
        return None


@dataclass(frozen=True)
class Listed:
    """A listing's announced retirement as the source lists it now."""

    subject: str
    model_key: str | None
    expiration_date: str | None
    url: str | None = None


def retirement_events(
    listed: Iterable[Listed], announced: Mapping[str, str], *, at: dt.datetime, source: str = "openrouter"
) -> list[RetirementAnnounced]:
    """Events for retirement dates not announced yet (``announced``: subject → the last date announced)."""
    events = []
    for item in sorted(listed, key=lambda i: i.subject):
        date = retirement_date(item.expiration_date)
        if date is None or date > at.date() + PLACEHOLDER_AFTER:
            continue
        iso = date.isoformat()
        previous = announced.get(item.subject)
        if previous == iso:
            continue
        events.append(
            RetirementAnnounced(
                subject=item.subject,
                source=source,
                detected_at=at,
                model_key=item.model_key,
                retires_on=iso,
                previous=previous,
                url=item.url,
            )
        )
    return events


@dataclass(frozen=True)
class Retiring:
    key: str
    name: str | None
    vendor: str | None
    subject: str
    retires_on: dt.date
    source: str

    def days_left(self, today: dt.date) -> int:
        return (self.retires_on - today).days


def retiring_after(items: Iterable[Retiring], today: dt.date, *, within_days: int | None = None) -> list[Retiring]:
    """Retirements on ``today`` or later (within ``within_days`` if given), soonest first, one per model."""
    kept: dict[str, Retiring] = {}
    for item in items:
        if item.retires_on < today or (within_days is not None and item.days_left(today) > within_days):
            continue
        if item.retires_on > today + PLACEHOLDER_AFTER:
            continue
        old = kept.get(item.key)
        if old is None or item.retires_on < old.retires_on:
            kept[item.key] = item
    return sorted(kept.values(), key=lambda r: (r.retires_on, r.key))


# ───────────── vendor deprecation statements in posts and docs ─────────────

_DATE_FORMATS = ("%Y/%m/%d", "%Y-%m-%d", "%B %d, %Y", "%b %d, %Y", "%d %B %Y", "%d %b %Y")
_SENTENCE = re.compile(
    r"(?P<model>`?[A-Za-z][\w.\-/ ]{1,60}?`?)\s+(?:will be|is scheduled to be|is going to be)\s+"
    r"(?:retired|shut down|discontinued|sunset)\s+on\s+(?P<date>[A-Z][a-z]+\.? \d{1,2}(?:st|nd|rd|th)?, \d{4}|"
    r"\d{4}[-/]\d{2}[-/]\d{2}|\d{1,2} [A-Z][a-z]+ \d{4})"
)
#: Table headers of columns that name a model's API identifiers.
_NAME_HEADERS = ("api", "endpoint", "model id", "identifier")
_MARKUP = re.compile(r"[`*_]|<br\s*/?>|\[([^\]]*)\]\([^)]*\)")


@dataclass(frozen=True)
class Statement:
    """A vendor saying a model retires on a date, with the exact text it said it in."""

    #: Names to resolve, most specific first (the model column, then API names in backticks).
    mentions: tuple[str, ...]
    retires_on: dt.date
    quote: str


def _statement_date(text: str) -> dt.date | None:
    value = re.sub(r"(\d)(st|nd|rd|th)\b", r"\1", text.strip().rstrip("."))
    for fmt in _DATE_FORMATS:
        try:
            return dt.datetime.strptime(value, fmt).date()
        except ValueError:
            continue
    return None


def _cells(line: str) -> list[str]:
    return [c.strip() for c in line.strip().strip("|").split("|")]


def _clean(cell: str) -> str:
    return _MARKUP.sub(lambda m: m.group(1) or "", cell).strip()


def deprecation_statements(text: str, *, published: dt.datetime | None = None) -> list[Statement]:
    """Retirement dates a post or docs page states: a table with a "Retirement date" column, or a
    sentence ("X will be retired on June 16, 2025"). Placeholder dates far in the future are skipped."""
    out: list[Statement] = []
    limit = published.date() + PLACEHOLDER_AFTER if published is not None else None
    column: int | None = None
    name_columns: list[int] = []
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped.startswith("|"):
            column = None
            continue
        cells = _cells(stripped)
        lowered = [c.lower() for c in cells]
        if any("retirement date" in c for c in lowered):
            column = next(i for i, c in enumerate(lowered) if "retirement date" in c)
            # the model's name, then its API names (``API Endpoints``, ``Model ID``…)
            name_columns = [0] + [i for i, c in enumerate(lowered) if i and any(w in c for w in _NAME_HEADERS)]
            continue
        if column is None or set(stripped) <= set("|:- ") or column >= len(cells):
            continue
        date = _statement_date(_clean(cells[column]))
        if date is None or (limit is not None and date > limit):
            continue
        names = [_clean(cells[i]) for i in name_columns if i < len(cells)]
        names += re.findall(r"`([^`]+)`", stripped)
        mentions = tuple(dict.fromkeys(n for n in names if n and not n.endswith("-latest")))
        if mentions:
            out.append(Statement(mentions, date, stripped[:500]))
    for match in _SENTENCE.finditer(text):
        date = _statement_date(match.group("date"))
        if date is None or (limit is not None and date > limit):
            continue
        model = _clean(match.group("model"))
        if model.lower().startswith(("the ", "it ", "this ")):
            model = model.split(" ", 1)[1] if " " in model else model
        out.append(Statement((model,), date, match.group(0)[:500]))
    return out
