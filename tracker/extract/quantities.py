"""Numbers as prose writes them: parameter counts, token counts, dollar amounts, dates.

All exact (:class:`~decimal.Decimal` or int), never float.

* Parameter counts: ``1T``, ``235B``, ``32.8B``, ``22 billion``, ``one trillion``,
  ``a trillion``; ``M``/``million`` too.
* Token counts: ``262,144``, ``256K`` (= 256,000: each source is kept as it
  says; tolerance decides later whether 256K and 262,144 agree), ``1M``.
* Dates: ``July 23, 2024``, ``Sept 25, 2024``, ``5 September 2025``, ``2025-09-05``.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation

WORD_NUMBERS = {
    "a": 1,
    "an": 1,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "half a": Decimal("0.5"),
}
SCALE = {
    "k": 10**3,
    "thousand": 10**3,
    "m": 10**6,
    "million": 10**6,
    "mn": 10**6,
    "b": 10**9,
    "bn": 10**9,
    "billion": 10**9,
    "t": 10**12,
    "trillion": 10**12,
}
#: ``1T``, ``32.8B``, ``22 billion``, ``one trillion``, ``a trillion``.
PARAM_AMOUNT = (
    r"(?P<num>\d{1,4}(?:[.,]\d+)?|(?:a|an|one|two|three|four|five|six|seven|eight|nine|ten|half a))"
    r"[\s-]?(?P<scale>[BbTtMm](?![A-Za-z])|billion|trillion|million|bn)"
)
#: ``262,144``, ``256K``, ``128k``, ``1M``, ``1 million``, ``32768``.
TOKEN_AMOUNT = r"(?P<tok>\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?\s?(?:[KkMm](?![A-Za-z])|million|thousand)|\d{4,8})"
_MONTH_NAMES = {
    "jan": 1,
    "january": 1,
    "feb": 2,
    "february": 2,
    "mar": 3,
    "march": 3,
    "apr": 4,
    "april": 4,
    "may": 5,
    "jun": 6,
    "june": 6,
    "jul": 7,
    "july": 7,
    "aug": 8,
    "august": 8,
    "sep": 9,
    "sept": 9,
    "september": 9,
    "oct": 10,
    "october": 10,
    "nov": 11,
    "november": 11,
    "dec": 12,
    "december": 12,
}
_MONTH = "|".join(sorted(_MONTH_NAMES, key=len, reverse=True))
DATE = (
    rf"(?P<date>(?:(?:{_MONTH})\.?\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}})"
    rf"|(?:\d{{1,2}}(?:st|nd|rd|th)?\s+(?:{_MONTH})\.?,?\s+\d{{4}})"
    r"|(?:\d{4}-\d{2}-\d{2}))"
)


def parse_number(text: str) -> Decimal | None:
    """``1,234.5`` / ``1.5`` / ``one`` → Decimal."""
    text = text.strip().lower()
    if text in WORD_NUMBERS:
        return Decimal(WORD_NUMBERS[text])
    try:
        value = Decimal(text.replace(",", ""))
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


def param_count(number: str, scale: str) -> int | None:
    """``("32.8", "B")`` → 32_800_000_000."""
    value = parse_number(number)
    factor = SCALE.get(scale.strip().lower())
    if value is None or factor is None or value <= 0:
        return None
    return int(value * factor)


def token_count(text: str) -> int | None:
    """``262,144`` → 262144; ``256K`` → 256000; ``1M`` → 1000000; ``32768`` → 32768."""
    match = re.fullmatch(r"(\d+(?:[.,]\d+)*)\s?([KkMm]|million|thousand)?", text.strip())
    if not match:
        return None
    digits, scale = match.groups()
    if scale:
        value = parse_number(digits)
        factor = SCALE[scale.lower()]
    else:
        value = parse_number(digits.replace(",", ""))
        factor = 1
    if value is None or value <= 0:
        return None
    count = int(value * factor)
    return count if 0 < count <= 100_000_000 else None


def parse_prose_date(text: str) -> dt.date | None:
    """``July 23, 2024`` / ``Sept 25, 2024`` / ``5 September 2025`` / ``2025-09-05`` → a date."""
    text = text.strip()
    iso = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", text)
    try:
        if iso:
            return dt.date(int(iso.group(1)), int(iso.group(2)), int(iso.group(3)))
        words = re.findall(r"[A-Za-z]+|\d+", text)
        month = next((_MONTH_NAMES[w.lower()] for w in words if w.lower() in _MONTH_NAMES), None)
        numbers = [int(w) for w in words if w.isdigit()]
        if month is None or len(numbers) != 2:
            return None
        day, year = (numbers[0], numbers[1]) if numbers[1] > 31 else (numbers[1], numbers[0])
        return dt.date(year, month, day)
    except ValueError:
        return None


def usd_per_mtok(amount: str, per: str) -> Decimal | None:
    """``("1.20", "million")`` → 1.20; ``("0.5", "1K")`` → 500 (per 1M)."""
    value = parse_number(amount)
    if value is None or value < 0:
        return None
    per = per.strip().lower().replace(" ", "")
    if per in ("m", "1m", "million", "1million", "onemillion", "mtok", "1mtok", "1,000,000", "mtokens"):
        return value
    if per in ("k", "1k", "thousand", "1thousand", "1,000", "1000", "ktok"):
        return value * 1000
    return None
