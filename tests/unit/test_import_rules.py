"""The layering rules, read statically from every module's imports (no module is imported)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2] / "tracker"


def _package_of(path: Path) -> str:
    parts = path.relative_to(ROOT.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports(path: Path) -> list[tuple[str, list[str], int]]:
    """``(module, imported names, line)`` of every import in ``path`` (relative imports made absolute)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    package = _package_of(path)
    if path.name != "__init__.py":
        package = package.rsplit(".", 1)[0]
    out: list[tuple[str, list[str], int]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out.extend((alias.name, [], node.lineno) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            module = node.module or ""
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                module = ".".join([*base, module] if module else base)
            out.append((module, [alias.name for alias in node.names], node.lineno))
    return out


def modules_under(package: str) -> list[Path]:
    return sorted((ROOT / package).rglob("*.py"))


def offenders(package: str, forbidden: tuple[str, ...]) -> list[str]:
    found = []
    for path in modules_under(package):
        for module, names, line in imports(path):
            targets = [module] + [f"{module}.{name}" for name in names]
            if any(t == f or t.startswith(f + ".") for t in targets for f in forbidden):
                found.append(f"{path.relative_to(ROOT.parent)}:{line} imports {module}")
    return found


def private_imports(package: str) -> list[str]:
    """Underscore names (or modules) imported from another top-level package of tracker."""
    found = []
    for path in modules_under(package):
        for module, names, line in imports(path):
            if not module.startswith("tracker.") or module.startswith(f"tracker.{package}"):
                continue
            private = [n for n in names if n.startswith("_") and not n.startswith("__")]
            if any(part.startswith("_") and not part.startswith("__") for part in module.split(".")):
                private.append(module)
            if private:
                found.append(f"{path.relative_to(ROOT.parent)}:{line} imports {', '.join(private)} from {module}")
    return found


def test_the_rule_reader_sees_what_is_there():
    module = ROOT / "store" / "claims.py"
    found = {m for m, _names, _line in imports(module)}
    assert "tracker.store.bulk" in found and "sqlalchemy" in found
    assert offenders("store", ("tracker.store.bulk",))  # the reader finds what is there
    assert [f for f in engine_builders("store") if f.startswith("tracker/store/db.py:")]  # and the engine factory


def test_the_store_imports_no_domain_logic_and_no_scrapy_side():
    assert offenders("store", ("tracker.claims", "tracker.extract", "tracker.sources", "tracker.site")) == []


def test_the_scrapy_side_imports_no_claims():
    assert offenders("sources", ("tracker.claims",)) == []


#: Known offender, in code the "present" change owns (the site's paths): it must import a public name.


@pytest.mark.parametrize(
    "package",
    ["site", "newsletter"],
)
def test_the_site_and_the_newsletter_import_no_private_names_of_other_packages(package):
    assert private_imports(package) == []


def engine_builders(package: str, *, allowed: tuple[str, ...] = ()) -> list[str]:
    """Calls of ``make_engine`` / ``create_engine`` under ``package`` (outside the ``allowed`` modules)."""
    found = []
    for path in modules_under(package):
        name = str(path.relative_to(ROOT.parent))
        if name in allowed:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call):
                func = node.func
                called = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
                if called in ("make_engine", "create_engine"):
                    found.append(f"{name}:{node.lineno} calls {called}")
    return found


def test_nothing_in_the_store_or_the_pipelines_builds_an_engine():
    """The engine comes from the process's edge (CLI, scheduler, runner, the crawl child's factory)."""
    assert engine_builders("store", allowed=("tracker/store/db.py",)) == []
    assert engine_builders("sources/pipelines") == []
    assert engine_builders("sources", allowed=("tracker/sources/runner.py", "tracker/sources/database.py")) == []


@pytest.mark.parametrize("module", ["tracker/claims/ledger.py", "tracker/update/hub.py", "tracker/normalize/shown.py"])
def test_the_deciders_are_pure(module):
    """The deciders read no database and no crawl: they import neither SQLAlchemy nor Scrapy."""
    found = [m for m, _names, _line in imports(ROOT.parent / module)]
    assert [m for m in found if m.split(".")[0] in ("sqlalchemy", "scrapy")] == []
