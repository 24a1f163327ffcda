"""An inline SVG step chart of price history (pure: no I/O, no templates).

Each series is a list of spans (a price and the time it held). A price holds
until the next span of its series starts (the change happened between the two
observations); the current price runs to the right edge. Coordinates are
computed with :class:`~decimal.Decimal` so the output is byte-identical on
every machine. All text is escaped; the result is safe to inline.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_HALF_EVEN, Decimal

from markupsafe import Markup, escape

from tracker.site.format import usd

WIDTH, HEIGHT = 720, 240
LEFT, RIGHT, TOP, BOTTOM = 72, 20, 30, 44
COLORS = ("#2563eb", "#c2410c", "#15803d", "#7c3aed")
_PX = Decimal("0.1")
#: Minimum distance between two date labels on the x axis, in pixels.
LABEL_GAP = 84


@dataclass(frozen=True)
class Span:
    start: dt.datetime
    #: Last time the price was seen; None while it is current.
    end: dt.datetime | None
    #: USD (per 1M tokens for token prices); None for dynamic/unknown prices (not drawn).
    amount: Decimal | None


@dataclass(frozen=True)
class Series:
    label: str
    spans: tuple[Span, ...]


def _px(value: Decimal) -> str:
    text = format(value.quantize(_PX, rounding=ROUND_HALF_EVEN), "f")
    return text[:-2] if text.endswith(".0") else text


#: Amounts with more digits than this are placed with Decimal arithmetic (``y_text`` in :func:`price_chart`).
_EXACT_DIGITS = 20


def _ratio_px(numerator: int, denominator: int) -> str:
    """What :func:`_px` writes for the positive number ``numerator / denominator`` (``denominator`` > 0),
    computed exactly with integers. The same text as the Decimal arithmetic it replaces: a coordinate's
    denominator is a time span in seconds or an amount's, so a value that is not a tie is at least
    1/(20 × denominator) from one, far beyond the 28 digits Decimal keeps; a tie is exact in both."""
    tenths, rest = divmod(numerator * 10, denominator)
    if 2 * rest > denominator or (2 * rest == denominator and tenths % 2):
        tenths += 1
    whole, tenth = divmod(tenths, 10)
    return f"{whole}.{tenth}" if tenth else str(whole)


def _nice_ceiling(value: Decimal) -> Decimal:
    """The smallest 1, 2, 2.5 or 5 × 10^n at or above ``value``."""
    if value <= 0:
        return Decimal(1)
    exponent = value.adjusted()
    for _ in range(2):
        for step in (Decimal(1), Decimal(2), Decimal("2.5"), Decimal(5)):
            candidate = step.scaleb(exponent)
            if candidate >= value:
                return candidate
        exponent += 1
    return value.to_integral_value(rounding=ROUND_CEILING)


def _day(moment: dt.datetime) -> str:
    """``moment.strftime("%Y-%m-%d")``, without strftime's cost (~1 µs) for years of four digits."""
    return moment.date().isoformat() if moment.year >= 1000 else moment.strftime("%Y-%m-%d")


def _seconds(moment: dt.datetime) -> int:
    return int(moment.timestamp())


def price_chart(series: Sequence[Series], *, title: str) -> Markup | None:
    """An SVG chart of the series, or None when there is nothing to draw."""
    drawn = [s for s in series if any(sp.amount is not None for sp in s.spans)]
    if not drawn:
        return None
    starts = [_seconds(sp.start) for s in drawn for sp in s.spans]
    ends = [_seconds(sp.end) for s in drawn for sp in s.spans if sp.end is not None]
    t0 = min(starts)
    t_last = max(starts + ends)
    span_seconds = max(t_last - t0, 86400)
    t_end = t_last + max(span_seconds // 8, 86400)
    y_top = _nice_ceiling(max(sp.amount for s in drawn for sp in s.spans if sp.amount is not None) * Decimal("1.1"))
    plot_w = Decimal(WIDTH - LEFT - RIGHT)
    plot_h = Decimal(HEIGHT - TOP - BOTTOM)

    def x(seconds: int) -> Decimal:
        return Decimal(LEFT) + plot_w * Decimal(seconds - t0) / Decimal(t_end - t0)

    def y(amount: Decimal) -> Decimal:
        return Decimal(TOP) + plot_h - plot_h * amount / y_top

    # the coordinates written, in integers: x = LEFT + width × (s − t0) / (t_end − t0) (s ≥ t0);
    # y = TOP + height × (1 − amount / y_top), with amount / y_top ≤ 1 / 1.1
    duration, width, height = t_end - t0, WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    top_n, top_d = y_top.as_integer_ratio()

    def x_text(seconds: int) -> str:
        return _ratio_px(LEFT * duration + width * (seconds - t0), duration)

    def y_text(amount: Decimal) -> str:
        if len(amount.as_tuple().digits) > _EXACT_DIGITS or amount < 0:
            return _px(y(amount))
        n, d = amount.as_integer_ratio()
        denominator = d * top_n
        return _ratio_px((TOP + height) * denominator - height * n * top_d, denominator)

    parts: list[str] = [
        f'<svg class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'role="img" aria-label="{escape(title)}" font-family="sans-serif" font-size="12">',
        f"<title>{escape(title)}</title>",
    ]
    bottom = Decimal(TOP) + plot_h
    for fraction in (Decimal(0), Decimal("0.5"), Decimal(1)):
        amount = y_top * fraction
        yy = y_text(amount)
        parts.append(
            f'<line x1="{LEFT}" y1="{yy}" x2="{WIDTH - RIGHT}" y2="{yy}" stroke="#d4d4d8" stroke-width="1"/>'
            f'<text x="{LEFT - 6}" y="{yy}" text-anchor="end" dominant-baseline="middle" fill="#52525b">'
            f"{escape(usd(amount.normalize()))}</text>"
        )
    label_times: list[int] = [t0]
    markers: list[str] = []
    for index, s in enumerate(drawn):
        color = COLORS[index % len(COLORS)]
        spans = sorted(s.spans, key=lambda sp: sp.start)
        points: list[str] = []
        path: list[str] = []
        previous: Span | None = None
        for position, sp in enumerate(spans):
            start = _seconds(sp.start)
            following = spans[position + 1] if position + 1 < len(spans) else None
            if following is not None:
                stop = _seconds(following.start)
            elif sp.end is None:
                stop = t_end
            else:
                stop = _seconds(sp.end)
            if sp.amount is None:
                if points:
                    path.append("M" + " L".join(points))
                    points = []
            else:
                yy = y_text(sp.amount)
                points.append(f"{x_text(start)},{yy}")
                points.append(f"{x_text(stop)},{yy}")
            if previous is not None:
                label_times.append(start)
                change = f"{_day(sp.start)}: {s.label} {_amount(previous)} → {_amount(sp)}"
                anchor = sp.amount if sp.amount is not None else Decimal(0)
                markers.append(
                    f'<circle cx="{x_text(start)}" cy="{y_text(anchor)}" r="4" fill="{color}">'
                    f"<title>{escape(change)}</title></circle>"
                )
            previous = sp
        if points:
            path.append("M" + " L".join(points))
        if path:
            parts.append(
                f'<path d="{" ".join(path)}" fill="none" stroke="{color}" stroke-width="2" '
                f'stroke-linejoin="round"><title>{escape(s.label)}</title></path>'
            )
        legend_x = LEFT + index * 170
        parts.append(
            f'<line x1="{legend_x}" y1="12" x2="{legend_x + 18}" y2="12" stroke="{color}" stroke-width="3"/>'
            f'<text x="{legend_x + 24}" y="12" dominant-baseline="middle" fill="#18181b">{escape(s.label)}</text>'
        )
    parts.extend(markers)
    axis, tick, label_y = _px(bottom), _px(bottom + 5), _px(bottom + 18)
    parts.append(f'<line x1="{LEFT}" y1="{axis}" x2="{WIDTH - RIGHT}" y2="{axis}" stroke="#71717a" stroke-width="1"/>')
    placed: list[Decimal] = []
    for seconds in sorted(set(label_times)):
        xx = x(seconds)
        if any(abs(xx - other) < LABEL_GAP for other in placed):
            continue
        placed.append(xx)
        day = _day(dt.datetime.fromtimestamp(seconds, dt.UTC))
        at = _px(xx)
        parts.append(
            f'<line x1="{at}" y1="{axis}" x2="{at}" y2="{tick}" stroke="#71717a"/>'
            f'<text x="{at}" y="{label_y}" text-anchor="middle" fill="#52525b">{day}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))


def _amount(span: Span) -> str:
    return usd(span.amount) if span.amount is not None else "n/a"
