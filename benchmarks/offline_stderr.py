"""Figure: what an offline ``tracker run`` prints on stderr (issue 14 item 10, issue 15).

Runs ``tracker run`` once in a temporary folder with no configuration file; every base URL
(OpenRouter, the Hub, the default sources' mirror) points at a closed loopback port, so each
source is unreachable (``--internet`` keeps the real URLs instead: on a machine without network
they fail on DNS). Prints the stderr lines, those that are tracker's own progress lines (the
floor: what must be there), and the rest (Scrapy's), with how many are ERROR lines.

    .venv/bin/python benchmarks/offline_stderr.py [--internet] [--tree PATH_OF_ANOTHER_CHECKOUT]
"""

from __future__ import annotations

import argparse
import os
import re
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

OWN_LINE = re.compile(r"^(\[\d+/\d+\] crawling [a-z]+…|building .+…|  [a-z-]+: .+)$")


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--internet", action="store_true", help="keep the real base URLs (DNS fails offline)")
    parser.add_argument("--tree", type=Path, help="run the tracker package of another checkout (e.g. /work/main)")
    args = parser.parse_args()
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRACKER_") and k != "HF_TOKEN"}
    if not args.internet:
        dead = f"http://127.0.0.1:{closed_port()}"
        env.update(TRACKER_OPENROUTER_URL=f"{dead}/api/v1", TRACKER_HF_URL=dead, TRACKER_SOURCES_MIRROR=dead)
    if args.tree:
        env["PYTHONPATH"] = str(args.tree.resolve())
    with tempfile.TemporaryDirectory() as folder:
        done = subprocess.run(
            [sys.executable, "-m", "tracker", "run"], cwd=folder, env=env, capture_output=True, text=True, check=False
        )
    lines = done.stderr.splitlines()
    own = [line for line in lines if OWN_LINE.match(line)]
    other = [line for line in lines if not OWN_LINE.match(line)]
    errors = [line for line in other if " ERROR" in line or line.startswith("ERROR")]
    print(f"tracker run exit status {done.returncode} ({'real URLs' if args.internet else 'closed loopback port'})")
    print(f"stderr lines:                {len(lines)}")
    print(f"  tracker's own (the floor): {len(own)}")
    print(f"  other (Scrapy's):          {len(other)}, of which ERROR lines: {len(errors)}")
    unreachable = [line for line in done.stdout.splitlines() if "unreachable" in line]
    print(f"summary lines saying 'unreachable' (stdout): {len(unreachable)}")
    for line in other[:3]:
        print(f"  e.g. {line[:160]}")


if __name__ == "__main__":
    main()
