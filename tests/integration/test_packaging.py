"""The top-level templates/ and migrations/ are found from an installed, non-editable package."""

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_wheel_carries_templates_and_migrations_and_init_works(tmp_path):
    wheels = tmp_path / "wheels"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(wheels), str(REPO)],
        check=True,
        capture_output=True,
    )
    [wheel] = wheels.glob("tracker-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "tracker/_bundled/migrations/env.py" in names
    assert any(n.startswith("tracker/_bundled/migrations/versions/0001") for n in names)
    assert "tracker/_bundled/templates/README.md" in names

    target = tmp_path / "installed"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(target), str(wheel)],
        check=True,
        capture_output=True,
    )
    workdir = tmp_path / "elsewhere"
    workdir.mkdir()
    env = {**os.environ, "PYTHONPATH": str(target), "TRACKER_DATABASE_URL": f"sqlite:///{workdir / 'x.db'}"}
    env.pop("TRACKER_CONFIG", None)
    probe = subprocess.run(
        [
            sys.executable,
            "-c",
            "import tracker, tracker.paths as p; print(tracker.__file__); "
            "print(p.templates_dir()); print(p.migrations_dir())",
        ],
        cwd=workdir,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    module, templates, migrations = probe.stdout.split()
    assert module.startswith(str(target))
    assert templates.startswith(str(target)) and migrations.startswith(str(target))
    init = subprocess.run(
        [sys.executable, "-m", "tracker", "init"], cwd=workdir, env=env, capture_output=True, text=True
    )
    assert init.returncode == 0, init.stderr
    assert "upgraded" in init.stdout
