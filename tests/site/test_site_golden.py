"""Golden output: the small fixed database renders exactly the files under tests/site/golden/.

After an intended change to templates or wording, regenerate with
``TRACKER_UPDATE_GOLDEN=1 .venv/bin/pytest tests/site/test_site_golden.py`` and review the diff.
The database copy (``data/tracker.db``) is binary and depends on the SQLite version, so its
content is checked by query in test_site_exports.py instead.
"""

from __future__ import annotations

import difflib
import os
import shutil
from pathlib import Path

GOLDEN = Path(__file__).resolve().parent / "golden"
#: The build's record of its inputs holds hashes of the code, so it changes with every edit; so does
#: its cache of summaries and export spans.
SKIP = {"data/tracker.db", ".tracker-site-inputs.json", ".tracker-site-rows.pickle"}


def _files(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and p.relative_to(root).as_posix() not in SKIP
    }


def test_small_database_renders_the_golden_site(small_site):
    built = _files(small_site.out)
    if os.environ.get("TRACKER_UPDATE_GOLDEN"):
        shutil.rmtree(GOLDEN, ignore_errors=True)
        for rel, data in built.items():
            target = GOLDEN / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
    expected = _files(GOLDEN)
    assert sorted(built) == sorted(expected), "the set of files changed"
    for rel, data in expected.items():
        if built[rel] != data:
            diff = difflib.unified_diff(
                data.decode("utf-8", "replace").splitlines(),
                built[rel].decode("utf-8", "replace").splitlines(),
                f"golden/{rel}",
                f"built/{rel}",
                lineterm="",
                n=2,
            )
            raise AssertionError("\n".join(list(diff)[:60]))
