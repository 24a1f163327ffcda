"""The test suite's wall time beside the CPU it used (every process it started), and where the CPU went.

    .venv/bin/python benchmarks/suite_cpu.py [--top N] [-- PYTEST ARGS…]

Runs ``pytest -q`` (the README's command; extra arguments are passed on) with a plugin that
puts each pytest-xdist worker in a cgroup-v1 ``cpuacct`` group of its own, so that a test's
CPU includes its crawl processes, servers and subprocesses. Prints the wall time, the CPU-s of
all workers, the machine's share they used (CPU-s / (wall × cores): near 1 means the suite is
CPU-bound and only less work makes it faster) and the tests that used the most CPU. The floor
beside the wall time is the CPU-s divided by the cores: the suite cannot finish sooner without
doing less. Needs root and ``/sys/fs/cgroup/cpuacct`` (cgroup v1); without them it prints the
wall time only.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CGROUP = Path("/sys/fs/cgroup/cpuacct")

PLUGIN = '''
import json, os, time
from pathlib import Path
import pytest

GROUP = Path(os.environ["SUITE_CPU_GROUP"]) / os.environ.get("PYTEST_XDIST_WORKER", "main")
OUT = Path(os.environ["SUITE_CPU_OUT"])


def usage():
    return int((GROUP / "cpuacct.usage").read_text()) / 1e9


def pytest_configure(config):
    GROUP.mkdir(parents=True, exist_ok=True)
    (GROUP / "cgroup.procs").write_text(str(os.getpid()))


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item, nextitem):
    cpu, wall = usage(), time.perf_counter()
    yield
    with (OUT / (GROUP.name + ".jsonl")).open("a") as out:
        out.write(json.dumps([item.nodeid, usage() - cpu, time.perf_counter() - wall]) + "\\n")
'''


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--top", type=int, default=15, help="how many of the costliest tests to list")
    parser.add_argument("pytest_args", nargs="*", help="passed to pytest (after --)")
    args = parser.parse_args()
    measured = CGROUP.is_dir() and os.access(CGROUP, os.W_OK)
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        (folder / "suite_cpu_plugin.py").write_text(PLUGIN)
        group = CGROUP / f"tracker-suite-{uuid.uuid4().hex[:8]}"
        env = dict(os.environ)
        command = [str(ROOT / ".venv" / "bin" / "pytest"), "-q", *args.pytest_args]
        if measured:
            env.update(SUITE_CPU_GROUP=str(group), SUITE_CPU_OUT=str(folder))
            env["PYTHONPATH"] = os.pathsep.join(p for p in (str(folder), env.get("PYTHONPATH")) if p)
            command[2:2] = ["-p", "suite_cpu_plugin"]
        started = time.perf_counter()
        code = subprocess.run(command, cwd=ROOT, env=env, check=False).returncode
        wall = time.perf_counter() - started
        cores = os.cpu_count() or 1
        print(f"\nsuite: {wall:.1f} s wall (exit {code}), load average {os.getloadavg()[0]:.1f}, {cores} cores")
        if not measured:
            print("(no writable cgroup-v1 cpuacct: CPU not measured)")
            return code
        rows = [json.loads(line) for f in folder.glob("*.jsonl") for line in f.read_text().splitlines()]
        total = sum(int((g / "cpuacct.usage").read_text()) for g in group.iterdir() if g.is_dir()) / 1e9
        in_tests = sum(r[1] for r in rows)
        print(
            f"CPU: {total:.1f} CPU-s in all ({in_tests:.1f} in the {len(rows)} tests, the rest start-up and"
            f" collection); floor at {cores} cores: {total / cores:.1f} s; share of the machine used:"
            f" {total / (wall * cores):.0%}"
        )
        print(f"\nthe {args.top} tests that used the most CPU (CPU-s, wall s):")
        for nodeid, cpu, seconds in sorted(rows, key=lambda r: -r[1])[: args.top]:
            print(f"  {cpu:6.1f} {seconds:6.1f}  {nodeid[:150]}")
        for sub in [*(g for g in group.iterdir() if g.is_dir()), group]:
            try:
                sub.rmdir()
            except OSError:  # a process of the suite is still alive in it
                print(f"(left {sub}: a process of the suite still runs in it)")
        return code


if __name__ == "__main__":
    sys.exit(main())
