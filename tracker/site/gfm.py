"""GitHub-flavoured markdown → HTML with cmark-gfm, without its wrapper's memory leak.

``cmarkgfm.github_flavored_markdown_to_html`` (2025.10.22) never frees the document tree nor the
rendered HTML string of a call: ~150 KB lost per 4.5 KB card, so the site's page workers grew
by ~30 KB per model page (1.8 GiB each at 100,000 models). This is the same sequence of cmark calls
(same options, same extensions, hence the same HTML) made by :func:`tracker.normalize.cmark.render_html`,
which frees both. Where the library's free functions cannot be found the wrapper is used as it is.
"""

from __future__ import annotations

import cmarkgfm
from cmarkgfm.cmark import Options

from tracker.normalize.cmark import frees as cmark_frees
from tracker.normalize.cmark import render_html

EXTENSIONS = ("table", "autolink", "tagfilter", "strikethrough", "tasklist")


def github_markdown_to_html(text: str, options: int = 0) -> str:
    """What ``cmarkgfm.github_flavored_markdown_to_html(text, options)`` returns, freeing what it allocates."""
    if not cmark_frees():
        return cmarkgfm.github_flavored_markdown_to_html(text, options=options)
    return render_html(text, options=options | Options.CMARK_OPT_GITHUB_PRE_LANG, extensions=EXTENSIONS)
