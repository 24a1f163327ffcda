"""The site's top navigation links written in Python (they were a loop of ``base.html``).

Every page has them; they depend only on the navigation, the page's way back to the root and its
section, so each combination is written once per process. Every value is escaped as template output
escapes it (:func:`tracker.site.render.output_escape`); the text is the loop's, byte for byte.
"""

from __future__ import annotations

from functools import lru_cache

from markupsafe import Markup

from tracker.site.render import output_escape as e


@lru_cache(maxsize=256)
def nav_links(nav: tuple[tuple[str, str, str], ...], root: str, section: str | None) -> Markup:
    """An ``<a>`` line per ``(key, label, path)``, ``aria-current`` on the page's ``section``."""
    current = ' aria-current="page"'
    return Markup(
        "".join(
            f'<a href="{e(root)}{e(path)}"{current if section == key else ""}>{e(label)}</a>\n'
            for key, label, path in nav
        )
    )
