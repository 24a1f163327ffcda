"""The price chart's coordinates: integer arithmetic writes what the Decimal arithmetic wrote."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from tracker.site.svg import HEIGHT, LEFT, RIGHT, Series, Span, _px, _ratio_px, price_chart


def test_a_ratio_is_written_as_decimal_division_and_rounding_write_it():
    rng = random.Random(17)
    cases = [(1, 20), (3, 20), (5, 20), (25, 2), (7, 1), (0, 5), (628 * 86400, 86400 * 9)]
    cases += [(rng.randrange(10**12), rng.randrange(1, 10**9)) for _ in range(3000)]
    for numerator, denominator in cases:
        assert _ratio_px(numerator, denominator) == _px(Decimal(numerator) / Decimal(denominator)), (
            numerator,
            denominator,
        )


def _reference_coordinates(spans: list[Span]) -> tuple[list[str], list[str]]:
    """x and y of each span start as the chart computed them with Decimal (one series, current last)."""
    starts = [int(s.start.timestamp()) for s in spans]
    t0, t_last = min(starts), max(starts)
    t_end = t_last + max(max(t_last - t0, 86400) // 8, 86400)
    y_top = max(s.amount for s in spans if s.amount is not None) * Decimal("1.1")
    exponent = y_top.adjusted()
    y_top = next(
        c
        for e in (exponent, exponent + 1)
        for c in (Decimal(k).scaleb(e) for k in (1, 2, Decimal("2.5"), 5))
        if c >= y_top
    )
    plot_w, plot_h = Decimal(WIDTH_PLOT), Decimal(HEIGHT_PLOT)
    xs = [_px(Decimal(LEFT) + plot_w * Decimal(t - t0) / Decimal(t_end - t0)) for t in starts]
    ys = [_px(Decimal(30) + plot_h - plot_h * s.amount / y_top) for s in spans if s.amount is not None]
    return xs, ys


WIDTH_PLOT = 720 - LEFT - RIGHT
HEIGHT_PLOT = HEIGHT - 30 - 44


def test_chart_points_are_where_the_decimal_arithmetic_put_them():
    rng = random.Random(5)
    start = dt.datetime(2025, 1, 6, tzinfo=dt.UTC)
    for _ in range(200):
        moments = sorted(start + dt.timedelta(seconds=rng.randrange(10**8)) for _ in range(rng.randrange(2, 6)))
        amounts = [Decimal(rng.randrange(1, 10**6)).scaleb(-rng.randrange(0, 9)) for _ in moments]
        spans = [Span(m, None, a) for m, a in zip(moments, amounts, strict=True)]
        svg = str(price_chart([Series("Input", tuple(spans))], title="t"))
        xs, ys = _reference_coordinates(spans)
        path = svg.split('<path d="M', 1)[1].split('"', 1)[0].split(" L")
        assert [p.split(",")[0] for p in path[::2]] == xs
        assert [p.split(",")[1] for p in path[::2]] == ys


def test_days_are_written_as_strftime_writes_them():
    from tracker.site.svg import _day

    for moment in (
        dt.datetime(2026, 3, 7, 23, 59, tzinfo=dt.UTC),
        dt.datetime(2026, 3, 7, 23, 59, tzinfo=dt.timezone(dt.timedelta(hours=-8))),
        dt.datetime(999, 1, 2, tzinfo=dt.UTC),
        dt.datetime(1000, 12, 31),
    ):
        assert _day(moment) == moment.strftime("%Y-%m-%d")
