"""The sanitizer's two cleaners: markup with no link is cleaned by the one without the relative-link
callback, and gives exactly what the one with it gives."""

from __future__ import annotations

import pytest

from tracker.site import markdown
from tracker.site.markdown import sanitize

BASE = "https://huggingface.co/o/r/blob/main/"


def _with_callback(html: str, base_url: str | None) -> str:
    token = markdown._BASE_URL.set(base_url)
    try:
        return markdown._CLEANER.clean(html)
    finally:
        markdown._BASE_URL.reset(token)


@pytest.mark.parametrize(
    "html",
    [
        "<p>plain &amp; <strong>bold</strong></p>\n<pre lang=\"python\"><code>x = '<b>'\n</code></pre>",
        "<table><thead><tr><th colspan=2 style=x>a</th></tr></thead>"
        "<tbody><tr><td onclick=x>1</td></tr></tbody></table>",
        "<script>alert(1)</script><style>p{}</style><!-- c --><iframe src=x></iframe><svg><a>s</a></svg>ok",
        "<img src=x onerror=alert(1)><form action=y><input formaction=z></form><object data=w></object>",
        '<DIV TITLE=t><ABBR title="w">W</ABBR><details><summary>s</summary>x</details></DIV><u>unclosed',
    ],
)
def test_markup_without_links_is_cleaned_as_the_callback_cleaner_does(html):
    assert "href" not in html.lower()
    for base in (BASE, None):
        assert sanitize(html, base_url=base) == _with_callback(html, base)


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        ('<a HREF="docs/x.md">x</a>', f'<a href="{BASE}docs/x.md" rel="nofollow noopener noreferrer">x</a>'),
        ('<a hReF="https://a.example/">a</a>', '<a href="https://a.example/" rel="nofollow noopener noreferrer">a</a>'),
        ('<a href="javascript:alert(1)">j</a>', '<a rel="nofollow noopener noreferrer">j</a>'),
    ],
)
def test_links_in_any_case_still_resolve_against_the_source_page(html, expected):
    assert sanitize(html, base_url=BASE) == expected


def test_a_relative_link_without_a_source_page_is_dropped():
    assert sanitize('<a href="docs/x.md">x</a>', base_url=None) == '<a rel="nofollow noopener noreferrer">x</a>'


#: Attributes that hold an address a browser follows or loads.
ADDRESS_ATTRIBUTES = {
    "href", "src", "srcset", "cite", "action", "formaction", "poster", "data", "background", "longdesc", "ping",
    "xlink:href", "manifest", "icon", "codebase", "archive", "usemap",
}  # fmt: skip


def test_a_links_href_is_the_only_address_the_rules_keep():
    """Markup without "href" skips the relative-link callback: safe only while no other attribute that
    holds an address (an image's src, a quote's cite) gets past the rules."""
    kept = {(tag, name) for tag, names in markdown.ALLOWED_ATTRIBUTES.items() for name in names}
    assert {(tag, name) for tag, name in kept if name in ADDRESS_ATTRIBUTES} == {("a", "href")}
