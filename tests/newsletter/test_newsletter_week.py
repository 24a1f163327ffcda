import datetime as dt
import zoneinfo

import pytest

from tracker.errors import ConfigError
from tracker.newsletter.errors import NewsletterError
from tracker.newsletter.week import IsoWeek, last_complete_week, parse_week, timezone, week_of


def test_parse_and_label():
    assert parse_week("2026-W12") == IsoWeek(2026, 12)
    assert parse_week("2026w05").label == "2026-W05"
    for bad in ("2026-12", "W12", "2026-W54", "2026-W00", ""):
        with pytest.raises(NewsletterError):
            parse_week(bad)
    assert parse_week("2026-W53").label == "2026-W53"  # 2026 has 53 ISO weeks
    with pytest.raises(NewsletterError, match="no ISO week 53"):
        parse_week("2025-W53")


def test_bounds_in_utc_and_in_another_timezone():
    week = parse_week("2026-W12")
    assert week.bounds(dt.UTC) == (
        dt.datetime(2026, 3, 16, tzinfo=dt.UTC),
        dt.datetime(2026, 3, 23, tzinfo=dt.UTC),
    )
    tokyo = zoneinfo.ZoneInfo("Asia/Tokyo")
    assert week.bounds(tokyo)[0] == dt.datetime(2026, 3, 15, 15, tzinfo=dt.UTC)
    # The week of the European DST switch (29 March 2026) is 167 hours long in Berlin.
    start, end = parse_week("2026-W13").bounds(zoneinfo.ZoneInfo("Europe/Berlin"))
    assert end - start == dt.timedelta(hours=167)


def test_default_is_the_last_complete_week_in_the_configured_zone():
    monday_morning_utc = dt.datetime(2026, 3, 23, 8, tzinfo=dt.UTC)
    assert last_complete_week(monday_morning_utc, dt.UTC).label == "2026-W12"
    # Sunday 23:30 UTC is already Monday in Tokyo: there W12 is complete, in UTC it is not.
    sunday_night = dt.datetime(2026, 3, 22, 23, 30, tzinfo=dt.UTC)
    assert last_complete_week(sunday_night, dt.UTC).label == "2026-W11"
    assert last_complete_week(sunday_night, zoneinfo.ZoneInfo("Asia/Tokyo")).label == "2026-W12"
    assert week_of(dt.datetime(2027, 1, 1, tzinfo=dt.UTC), dt.UTC).label == "2026-W53"


def test_unknown_timezone_is_a_config_error():
    assert timezone("UTC") is dt.UTC
    with pytest.raises(ConfigError, match="unknown timezone"):
        timezone("Mars/Olympus")
