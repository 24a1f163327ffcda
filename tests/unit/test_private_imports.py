"""The site, the newsletter and the CLI use other packages' public names only (no ``_private`` imports)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import tracker

ROOT = Path(tracker.__file__).parent
PACKAGES = ("site", "newsletter", "cli")


def private_imports(source: str, package: str) -> list[str]:
    """``module:name`` of each private name (or private module) ``source`` imports from outside ``package``."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.ImportFrom) or not node.module or node.level:
            continue
        if not node.module.startswith("tracker.") or node.module.startswith(f"tracker.{package}"):
            continue
        private_module = any(p.startswith("_") for p in node.module.split("."))
        for alias in node.names:
            if private_module or alias.name.startswith("_"):
                found.append(f"{node.module}:{alias.name}")
    return found


@pytest.mark.parametrize("package", PACKAGES)
def test_no_private_names_of_other_packages(package):
    found = {
        str(path.relative_to(ROOT)): names
        for path in sorted((ROOT / package).rglob("*.py"))
        if (names := private_imports(path.read_text(encoding="utf-8"), package))
    }
    assert found == {}


def test_the_rule_finds_private_imports():
    source = (
        "from tracker.urls import _segment, absolute\n"
        "from tracker.sources._child import run\n"
        "from tracker.site.paths import _private_here\n"
        "from . import _relative\n"
    )
    assert private_imports(source, "site") == ["tracker.urls:_segment", "tracker.sources._child:run"]
