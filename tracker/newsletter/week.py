"""ISO weeks (``2026-W12``) in a configurable timezone.

A week runs from Monday 00:00 to the next Monday 00:00 *local time* in the
newsletter's timezone (default UTC); :meth:`IsoWeek.bounds` gives those two
instants in UTC, the half-open interval ``[start, end)`` the digest covers.
Local midnight is used even across a DST switch, so such a week is 167 or 169
hours long.
"""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from dataclasses import dataclass

from tracker.errors import ConfigError
from tracker.newsletter.errors import NewsletterError

_WEEK = re.compile(r"^\s*(\d{4})-?W(\d{1,2})\s*$", re.IGNORECASE)


@dataclass(frozen=True, order=True)
class IsoWeek:
    year: int
    week: int

    def __post_init__(self) -> None:
        if not 1 <= self.week <= weeks_in_year(self.year):
            raise NewsletterError(f"{self.year} has no ISO week {self.week} (it has {weeks_in_year(self.year)})")

    @property
    def label(self) -> str:
        """``2026-W12``."""
        return f"{self.year:04d}-W{self.week:02d}"

    def __str__(self) -> str:
        return self.label

    @property
    def monday(self) -> dt.date:
        return dt.date.fromisocalendar(self.year, self.week, 1)

    @property
    def sunday(self) -> dt.date:
        return dt.date.fromisocalendar(self.year, self.week, 7)

    def bounds(self, tz: dt.tzinfo) -> tuple[dt.datetime, dt.datetime]:
        """The week's start and end (exclusive) as aware UTC datetimes."""
        start = dt.datetime.combine(self.monday, dt.time(0), tzinfo=tz)
        end = dt.datetime.combine(self.monday + dt.timedelta(days=7), dt.time(0), tzinfo=tz)
        return start.astimezone(dt.UTC), end.astimezone(dt.UTC)

    def previous(self) -> IsoWeek:
        return week_of_date(self.monday - dt.timedelta(days=7))


def weeks_in_year(year: int) -> int:
    """52 or 53: the ISO week of 28 December is the year's last."""
    return dt.date(year, 12, 28).isocalendar().week


def parse_week(text: str) -> IsoWeek:
    """``2026-W12`` (also ``2026W12``, ``2026-w12``) → :class:`IsoWeek`."""
    match = _WEEK.match(text or "")
    if not match:
        raise NewsletterError(f"not an ISO week: {text!r} (expected YYYY-Www, e.g. 2026-W12)")
    return IsoWeek(int(match.group(1)), int(match.group(2)))


def week_of_date(day: dt.date) -> IsoWeek:
    iso = day.isocalendar()
    return IsoWeek(iso.year, iso.week)


def week_of(moment: dt.datetime, tz: dt.tzinfo) -> IsoWeek:
    """The ISO week that contains ``moment`` (aware) in ``tz``."""
    if moment.tzinfo is None:
        raise ValueError("week_of needs an aware datetime")
    return week_of_date(moment.astimezone(tz).date())


def last_complete_week(now: dt.datetime, tz: dt.tzinfo) -> IsoWeek:
    """The newest week that has ended at ``now`` (the week before the current one)."""
    return week_of(now, tz).previous()


def timezone(name: str) -> dt.tzinfo:
    """The configured zone; ``UTC`` needs no tz database."""
    if name.strip().upper() in {"UTC", "Z", "ETC/UTC"}:
        return dt.UTC
    try:
        return zoneinfo.ZoneInfo(name.strip())
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
        raise ConfigError(
            f"newsletter.timezone: unknown timezone {name!r} (use an IANA name such as Europe/Berlin)"
        ) from exc


def resolve_week(week: str | None, tz: dt.tzinfo, now: dt.datetime | None = None) -> IsoWeek:
    """``week`` parsed, or the last complete week at ``now`` (default: the current time)."""
    if week:
        return parse_week(week)
    return last_complete_week(now or dt.datetime.now(dt.UTC), tz)
