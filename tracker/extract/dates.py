"""Date *values* of spans the rules found: ``Sept 25, 2024``, ``2025/05/28``, ``August 2025``.

The rules find where a text states a date (``Model Release Date: …``, ``released
June 2025``, a dated heading, ``X Release 2025/05/28``); this module only turns that
span into a value. ISO and ``YYYY/MM/DD`` forms are read directly; anything else
goes to dateparser (English, no relative dates, no guessing of missing parts). A
span with a month and a year but no day is a month-precision value ``YYYY-MM``.
dateparser is never used to *find* dates in free text.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import cache
from typing import Any

_ISO = re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$")
_YEAR_MONTH = re.compile(r"^(\d{4})[-/](\d{1,2})$")
_DAY = re.compile(r"(?<!\d)\d{1,2}(?:st|nd|rd|th)?(?!\d)")
#: Years a model statement can be about.
YEARS = range(2015, 2100)


@dataclass(frozen=True)
class DateValue:
    """A stated date: ``value`` is ``YYYY-MM-DD`` (precision ``day``) or ``YYYY-MM`` (``month``)."""

    date: dt.date
    precision: str

    @property
    def value(self) -> str:
        return self.date.isoformat() if self.precision == "day" else self.date.strftime("%Y-%m")


@cache
def _parser() -> Any:
    from dateparser.date import DateDataParser  # imported on first use: it is slow to import

    return DateDataParser(
        languages=["en"],
        settings={
            "PREFER_DAY_OF_MONTH": "first",
            "REQUIRE_PARTS": ["month", "year"],
            "RETURN_AS_TIMEZONE_AWARE": False,
            "PARSERS": ["absolute-time"],
        },
    )


def date_value(span: str) -> DateValue | None:
    """The date ``span`` states, or None (a span of more than 40 characters is not a date)."""
    text = re.sub(r"\s+", " ", span).strip(" .,;:()")
    text = re.sub(r"^(?:end|early|late|mid|the end|beginning|start)(?:-| of )", "", text, flags=re.IGNORECASE)
    if not text or len(text) > 40:
        return None
    iso = _ISO.match(text)
    try:
        if iso:
            found = dt.date(int(iso.group(1)), int(iso.group(2)), int(iso.group(3)))
            return DateValue(found, "day") if found.year in YEARS else None
        month = _YEAR_MONTH.match(text)
        if month:
            found = dt.date(int(month.group(1)), int(month.group(2)), 1)
            return DateValue(found, "month") if found.year in YEARS else None
    except ValueError:
        return None
    if not re.search(r"\d{4}", text):
        return None
    data = _parser().get_date_data(text)
    if data is None or data.date_obj is None or data.date_obj.year not in YEARS:
        return None
    without_year = re.sub(r"\d{4}", " ", text)
    precision = "day" if data.period == "day" and _DAY.search(without_year) else "month"
    return DateValue(data.date_obj.date(), precision)
