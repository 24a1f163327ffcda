"""Pure pieces: tolerances, article reading (charsets, front matter, HTML), entity-linking names."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from tracker.claims.linking import NameIndex, mention_form
from tracker.claims.tolerance import agrees
from tracker.normalize.articles import ArticleError, read_article


def c(value, value_num=None, unit=None, **extra):
    return {
        "value": value,
        "value_num": Decimal(value_num) if value_num is not None else None,
        "unit": unit,
        "extra": extra,
    }


@pytest.mark.parametrize(
    ("attribute", "claim", "reference", "expected"),
    [
        ("context_length", c("128000", 128000, as_written="128K"), c("131072", 131072), True),
        ("context_length", c("256000", 256000, as_written="256,000"), c("262144", 262144), True),
        ("context_length", c("1000000", 1000000, as_written="1 million"), c("1050000", 1050000), True),
        ("context_length", c("32000", 32000, as_written="32K"), c("131072", 131072), False),
        ("context_length", c("258048", 258048, as_written="258,048"), c("262144", 262144), False),
        ("context_length", c("32768", 32768, values=[32768, 131072]), c("131072", 131072), True),
        ("params_total", c("7000000000", 7 * 10**9), c("7615616512", 7615616512), True),
        ("params_total", c("72000000000", 72 * 10**9), c("1000000000000", 10**12), False),
        ("params_total", c("1000000000000", 10**12, bound="over"), c("1043000000000", 1043 * 10**9), True),
        ("price", c("1.2", "1.2"), c("1.2", "1.2"), True),
        ("price", c("1.2", "1.2"), c("1.21", "1.21"), True),
        ("price", c("0.861", "0.861"), c("1.2", "1.2"), False),
        ("benchmark", c("85.2", "85.2", "%"), c("0.852", "0.852", "fraction"), True),
        ("benchmark", c("85.2", "85.2", "%"), c("80.1", "80.1", "%"), False),
        ("openness", c("open"), c("gated"), True),
        ("openness", c("open"), c("api-only"), False),
        ("openness", c("open"), c("no-weights"), False),
        ("openness", c("api-only"), c("no-weights"), True),
        ("license", c("Apache-2.0"), c("apache-2.0"), True),
        ("license", c("Apache-2.0"), c("LicenseRef-qwen"), False),
        ("release_date", c("2025-09-05"), c("2025-09-06"), True),
        ("release_date", c("2025-09-05"), c("2025-09-24"), False),
        # a month-precision date ("released January 2025") agrees with every day of that month
        ("release_date", c("2025-01"), c("2025-01-13"), True),
        ("release_date", c("2025-01-30"), c("2025-01"), True),
        ("release_date", c("2025-01"), c("2025-02-01"), False),
        ("release_date", c("2025-01"), c("2025-01"), True),
        ("release_date", c("2025-01"), c("2024-12"), False),
    ],
)
def test_tolerances(attribute, claim, reference, expected):
    assert agrees(attribute, claim, reference) is expected


def test_names_link_exactly_never_by_substring():
    index = NameIndex()
    index.keys.update({1: "qwen/qwen3-max", 2: "qwen/qwen3-32b", 3: "a/qwen3-32b", 4: "qwen/qwen3-32b-awq"})
    index.by_key.update({v: k for k, v in index.keys.items()})
    index.derivatives.add(4)
    for model_id, key in index.keys.items():
        index.add(key, model_id)
    index.add("Qwen: Qwen3 Max", 1)
    assert index.resolve("Qwen 3 Max").model_id == 1
    assert index.resolve("Qwen3-Max-Preview").model_id == 1  # the reviewed alias
    assert index.resolve("Qwen 3").method == "unknown"
    assert index.resolve("Qwen 3 (72B)").method == "unknown"
    ambiguous = index.resolve("Qwen3-32B")  # two originals answer to that name
    assert ambiguous.model_id is None and ambiguous.method == "ambiguous" and set(ambiguous.candidates) == {2, 3}
    assert mention_form("Qwen: Qwen3 Max") == "qwen3max" and mention_form("Qwen 3 (72B)") == "qwen372b"


def test_markdown_front_matter_gives_title_and_date():
    body = b'---\ntitle: "Qwen3: Think Deeper"\ndate: 2025-04-29T04:00:00+08:00\n---\n\n' + b"Qwen3 is here. " * 10
    article = read_article(body, content_type="text/markdown; charset=utf-8", url="https://x/qwen3.md")
    assert article.title == "Qwen3: Think Deeper"
    assert article.published_at == dt.datetime(2025, 4, 28, 20, 0, tzinfo=dt.UTC)
    assert "title:" not in article.text and article.format == "markdown"


def test_html_keeps_the_article_and_its_tables_and_drops_the_chrome():
    html = (
        "<html><head><title>T</title></head><body><nav>Home | Blog | About</nav><article><h1>Launch</h1>"
        "<p>Today we release Qwen3-235B-A22B with 235B total parameters and 22B activated parameters, and more text "
        "so that this is clearly the main article of the page.</p><table><tr><th>Benchmark</th><th>Qwen3-235B-A22B</th>"
        "</tr><tr><td>AIME'24</td><td>85.7</td></tr></table></article><footer>© 2025 All rights reserved</footer>"
        "</body></html>"
    ).encode()
    article = read_article(html, content_type="text/html; charset=utf-8", url="https://x/launch")
    assert "| AIME'24 | 85.7 |" in article.text and "| Benchmark | Qwen3-235B-A22B |" in article.text
    assert "Home | Blog" not in article.text and "rights reserved" not in article.text


@pytest.mark.parametrize(
    ("body", "content_type", "reason"),
    [
        ("Qwen3-Max über alles. ".encode("latin-1") * 10, "text/plain; charset=utf-8", "wrong-charset"),
        (b"Qwen3-Max " * 20, "text/plain; charset=klingon", "unknown-charset"),
        (b"<html><body><nav><a href='/'>Home</a></nav></body></html>", "text/html", "no-article"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "image/png", "unsupported-type"),
        (b"# Big\n\n" + b"x" * 2000, "text/markdown", "too-large"),
    ],
)
def test_unreadable_pages_have_a_clear_reason(body, content_type, reason):
    with pytest.raises(ArticleError) as info:
        read_article(body, content_type=content_type, url="https://x/page", max_bytes=1000)
    assert info.value.reason == reason and info.value.detail


def test_a_utf8_body_declared_as_latin1_is_read_as_utf8_and_reported():
    text = "Qwen3-Max hat über eine Billion Parameter und ist nur über eine API verfügbar. " * 3
    article = read_article(text.encode("utf-8"), content_type="text/plain; charset=iso-8859-1", url="https://x/p.txt")
    assert "über" in article.text and article.warnings
