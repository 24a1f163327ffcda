"""The top navigation, written in Python: the same bytes as the template loop it replaces."""

from __future__ import annotations

from pathlib import Path

import pytest

from tracker.site.nav_links import nav_links
from tracker.site.render import environment

#: The loop of ``templates/site/base.html`` when the links were rendered by Jinja (the reference).
LOOP = (Path(__file__).parent / "nav_links_reference.html").read_text(encoding="utf-8")
NAV = (("models", "Models", "models/"), ("changes", "Changes & <more>", "changes/?a=1&b=2"), ("x", "X", '"q"'))


@pytest.mark.parametrize("section", ["models", "changes", None, "other"])
@pytest.mark.parametrize("root", ["", "../../", "<&>"])
def test_links_are_the_template_bytes(root: str, section: str | None) -> None:
    expected = environment().from_string(LOOP).render(site={"nav": NAV}, page={"root": root, "section": section})
    assert str(nav_links(NAV, root, section)) == expected
    assert expected.count('aria-current="page"') == (section in ("models", "changes"))
