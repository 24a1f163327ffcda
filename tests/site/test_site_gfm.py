"""The leak-free cmark-gfm call renders exactly what cmarkgfm's own wrapper renders."""

from __future__ import annotations

import cmarkgfm
import pytest
from cmarkgfm.cmark import Options

from tracker.normalize import cmark
from tracker.site import gfm

TEXTS = [
    "",
    "plain words",
    "# Title\n\n**bold** ~~gone~~ www.example.org [link](https://example.org/x) ![img](a.png)",
    "| Benchmark | Score |\n|---|---|\n| MMLU-Pro | 71.2 |\n",
    "- [ ] task\n- [x] done\n\n```python\nprint('x')\n```\n",
    "<script>alert(1)</script><iframe src=x></iframe> <b onmouseover=alert(1)>x</b>",
    "日本語の **説明** and emoji 🙂\x00 NUL",
]


@pytest.mark.parametrize("text", TEXTS)
def test_the_same_html_as_the_wrapper(text):
    for options in (0, Options.CMARK_OPT_UNSAFE):
        assert gfm.github_markdown_to_html(text, options) == cmarkgfm.github_flavored_markdown_to_html(
            text, options=options
        )


def test_the_library_exports_what_is_freed():
    assert cmark.frees()  # else every call leaks its tree and its HTML again
