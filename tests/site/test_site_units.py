"""Pure parts of the site: the price chart, markdown sanitizing, display formats, event wording, paths."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest

from tracker.events.types import Event, decode
from tracker.site import format as fmt
from tracker.site.describe import describe, kind_label
from tracker.site.markdown import excerpt, render_markdown
from tracker.site.model_page import dispute_views
from tracker.site.paths import open_weight_path, output_file, root_of
from tracker.site.queries import ClaimRow, DisputeRow
from tracker.site.svg import Series, Span, price_chart

UTC = dt.UTC


def day(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=UTC)


def test_price_chart_steps_through_each_price_and_marks_the_cut():
    svg = price_chart(
        [
            Series(
                "Input <in>",
                (
                    Span(day("2025-12-02"), day("2026-03-16"), Decimal("1.2")),
                    Span(day("2026-03-17"), None, Decimal("0.78")),
                ),
            ),
            Series("Output", (Span(day("2025-12-02"), None, Decimal(6)),)),
        ],
        title='Price history of "x" <y>',
    )
    assert svg is not None
    text = str(svg)
    assert text.startswith("<svg") and text.endswith("</svg>")
    assert "Input &lt;in&gt;" in text and "&#34;x&#34; &lt;y&gt;" in text  # labels escaped
    assert "<title>2026-03-17: Input &lt;in&gt; $1.20 → $0.78</title>" in text
    paths = re.findall(r'<path d="([^"]+)"', text)
    assert len(paths) == 2
    ys = [float(p.split(",")[1]) for p in paths[0].removeprefix("M").split(" L")]
    assert ys[0] == ys[1] > ys[2] == ys[3] or ys[0] == ys[1] < ys[2] == ys[3]  # a step, not a slope
    assert "$10.00" in text  # 6 × 1.1 rounded up to a nice axis maximum
    assert price_chart([Series("Input", (Span(day("2025-01-01"), None, None),))], title="t") is None
    assert str(price_chart([Series("a", (Span(day("2025-01-01"), None, Decimal(1)),))], title="t")) == str(
        price_chart([Series("a", (Span(day("2025-01-01"), None, Decimal(1)),))], title="t")
    )


@pytest.mark.parametrize(
    ("source", "present", "absent"),
    [
        ("plain text & more", ["<p>plain text &amp; more</p>"], []),
        ("**bold** [site](https://a.example/)", ["<strong>bold</strong>", 'rel="nofollow noopener noreferrer"'], []),
        ("<script>alert(1)</script>", ["&lt;script&gt;alert(1)&lt;/script&gt;"], ["<script"]),
        ("<img src=x onerror=alert(1)>", ["&lt;img src=x onerror=alert(1)&gt;"], ["<img"]),
        ("[x](javascript:alert(1))", ["[x](javascript:alert(1))"], ["href="]),
        ('<a href="JaVaScRiPt:alert(1)">x</a>', ['&lt;a href="JaVaScRiPt:alert(1)"&gt;x'], ['<a href="JaVa']),
        ("<div align=center><img src=https://evil.example/t.gif></div>", [], ["<img", "evil.example"]),
        ("![logo](https://evil.example/l.png)", ['href="https://evil.example/l.png"', "[image: logo]"], ["<img"]),
        ("[rel](docs/x.md)", ['href="https://huggingface.co/o/r/blob/main/docs/x.md"'], []),
        ("| a | b |\n|---|---|\n| 1 | 2 |", ["<table>", "<td>1</td>"], []),
        ("---\nlicense: mit\n---\n# Title", ["<h1>Title</h1>"], ["license"]),
    ],
)
def test_markdown_is_rendered_and_sanitized(source, present, absent):
    html, _ = render_markdown(source, base_url="https://huggingface.co/o/r/blob/main/")
    for part in present:
        assert part in html
    for part in absent:
        assert part not in html


def test_long_cards_are_cut_at_a_paragraph_outside_code():
    text = "intro\n\n```\n" + "code line\n\n" * 50 + "```\n\n" + "more text\n\n" * 500
    cut, truncated = excerpt(text, 400)
    assert truncated and cut.endswith("\n") and len(cut) <= 400
    assert cut.count("```") % 2 == 0  # never inside a fence
    html, truncated = render_markdown("x " * 10_000, max_chars=100)
    assert truncated and len(html) < 200


def test_display_formats():
    assert fmt.usd(Decimal("1.2")) == "$1.20" and fmt.usd(Decimal("0.156")) == "$0.156"
    assert fmt.usd(Decimal("2.4375")) == "$2.4375" and fmt.usd(Decimal(6)) == "$6.00" and fmt.usd(None) == "—"
    assert fmt.usd(Decimal("1E-7")) == "$0.0000001"
    assert fmt.price_text("free", Decimal(0)) == "free" and fmt.price_text("dynamic", None) == "dynamic"
    assert fmt.tokens(262144) == "262,144"
    assert (
        fmt.params(116_830_000_000) == "117B"
        and fmt.params(5_130_000_000) == "5.1B"
        and fmt.params(10**12) == "1T"
        and fmt.params(235 * 10**9) == "235B"
    )
    assert (
        fmt.tier_label("prompt>=32000", 32000) == "Prompts ≥ 32,000 tokens" and fmt.tier_label("", None) == "Base price"
    )
    assert fmt.iso_week(day("2026-03-17")) == "2026-W12" and fmt.iso_week(day("2027-01-01")) == "2026-W53"
    assert fmt.percent("-35") == "−35%" and fmt.percent(Decimal("12.5")) == "+12.5%"
    assert fmt.iso(day("2026-03-17T19:34:00")) == "2026-03-17T19:34:00Z"


def _event(kind: str, **data: object) -> Event:
    """A typed event as read back from a stored row."""
    return decode(kind, data, subject="qwen/qwen3-max", source="openrouter", detected_at=day("2026-03-17"))


def test_event_wording():
    assert describe(
        _event(
            "price_changed",
            component="prompt",
            old="1.2",
            new="0.78",
            old_status="priced",
            new_status="priced",
            percent="-35",
            unit="usd_per_mtok",
        )
    ) == ("Input: $1.20 → $0.78 per 1M tokens (−35%)")
    assert describe(
        _event(
            "price_changed",
            component="completion",
            tier="prompt>=128000",
            min_prompt_tokens=128000,
            new="9.75",
            old_status="absent",
            new_status="priced",
        )
    ) == ("Output price (prompts ≥ 128,000 tokens) added: $9.75 per 1M tokens")
    assert describe(
        _event("price_changed", component="prompt", old=None, new="0", old_status="dynamic", new_status="free")
    ).startswith("Input: dynamic → free")
    assert describe(_event("context_length_changed", old=131072, new=262144)) == (
        "Context length 131,072 → 262,144 tokens"
    )
    assert kind_label("something_new") == "Something new"


def test_site_paths_are_relative_and_folder_based():
    assert root_of("") == "./" and root_of("models/") == "../" and root_of("models/qwen/qwen3-max/") == "../../../"
    assert root_of("feed.xml") == "./" and root_of("changes/page/2/") == "../../../"
    assert output_file("models/") == "models/index.html" and output_file("") == "index.html"
    assert output_file("feed.xml") == "feed.xml"
    assert open_weight_path("open", "permissive") == "open-weights/open/permissive/"
    assert open_weight_path("../etc") == "open-weights/etc/"


def _claim(id_: int, value: str, status: str, reporter: str = "press") -> ClaimRow:
    return ClaimRow(
        id=id_,
        model_id=1,
        attribute="context_length",
        qualifier="",
        value=value,
        unit="tokens",
        reporter=reporter,
        source=f"source {id_}",
        url=f"https://example.com/{id_}",
        published_at=None,
        fetched_at=day("2026-03-17"),
        quote=None,
        status=status,
        document_id=None,
    )


def test_a_dispute_shows_the_ledgers_verdicts_not_differing_text():
    """128,000 judged consistent with the shown 131,072 (within tolerance) is not shown as contrary."""
    claims = [
        _claim(1, "131072", "shown", reporter="primary"),
        _claim(2, "128000", "consistent"),
        _claim(3, "32768", "disputed"),
        _claim(4, "1000000", "unchecked"),
    ]
    dispute = DisputeRow(
        id=1,
        model_id=1,
        attribute="context_length",
        qualifier="",
        status="open",
        opened_at=day("2026-03-17"),
        resolved_at=None,
        shown_claim_id=1,
        data=None,
    )
    [view] = dispute_views([dispute], claims)
    assert view.shown is not None and view.shown.value == "131072 tokens"
    assert [c.value for c in view.contrary] == ["32768 tokens"]
