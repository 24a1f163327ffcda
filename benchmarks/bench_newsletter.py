"""Send one weekly issue to 10,000 subscribers through a local SMTP server; print messages/s and peak RSS.

    .venv/bin/python benchmarks/bench_newsletter.py [--subscribers 10000] [--keep DIR]

The database is a fresh SQLite file holding the real OpenRouter snapshots of
2026-01-29, 2026-03-16 and 2026-03-17 (the corpus' week 2026-W12: 226 items,
a ~94 KB HTML part) when ``../shared/corpus`` is there, else a small synthetic
week. The SMTP server (aiosmtpd, counting and discarding) runs in its own
process; the sender runs in a fresh process too, so its peak RSS is the
sender's alone. Every delivery is recorded (three commits per message) exactly
as ``tracker newsletter send`` does it.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import multiprocessing as mp
import resource
import shutil
import socket
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "corpus" / "openrouter"
WEEK = "2026-W12"
NOW = dt.datetime(2026, 3, 23, 8, tzinfo=dt.UTC)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def smtp_server(port: int, ready: Any, count: Any, stop: Any) -> None:
    from aiosmtpd.controller import Controller

    class Counter:
        async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
            with count.get_lock():
                count.value += 1
            return "250 OK"

    controller = Controller(Counter(), hostname="127.0.0.1", port=port)
    controller.start()
    ready.set()
    stop.wait()
    controller.stop()


def settings_for(db_url: str, folder: Path, port: int) -> Any:
    from tracker.config import NewsletterSettings, Settings, SmtpSettings

    return Settings(
        database_url=db_url,
        newsletter=NewsletterSettings(archive_dir=str(folder / "archive"), unsubscribe_secret="bench-secret"),
        smtp=SmtpSettings(host="127.0.0.1", port=port, mail_from="tracker <news@tracker.example.org>"),
    )


def prepare(db_url: str, folder: Path, subscribers: int) -> dict[str, Any]:
    from tracker.backfill import backfill_openrouter
    from tracker.deliver.subscribers import add
    from tracker.newsletter.build import build_issue
    from tracker.store.db import make_engine, make_sessionmaker, session_scope, upgrade

    engine = make_engine(db_url)
    upgrade(engine)
    factory = make_sessionmaker(engine)
    files = [CORPUS / f"models-{day}.json" for day in ("2026-01-29", "2026-03-16", "2026-03-17")]
    if all(f.is_file() for f in files):
        backfill_openrouter(factory, db_url, files, trigger="benchmark")
        data = "corpus (OpenRouter 2026-01-29, 2026-03-16, 2026-03-17)"
    else:
        synthetic = []
        for i, day in enumerate(("2026-03-15", "2026-03-17")):
            entries = [
                {
                    "id": f"bench/m{n}",
                    "name": f"Bench M{n}",
                    "context_length": 131072,
                    "pricing": {"prompt": str((n + 1 + i) / 1e7), "completion": "0.000002"},
                }
                for n in range(50)
            ]
            path = folder / f"models-{day}.json"
            path.write_text(json.dumps({"data": entries}))
            synthetic.append(path)
        backfill_openrouter(factory, db_url, synthetic, trigger="benchmark")
        data = "synthetic (50 models, one price change each)"
    started = time.perf_counter()
    with session_scope(factory) as session:
        add(session, [f"reader{n:05d}@example.org" for n in range(subscribers)], confirmed=True, origin="bench")
    added = time.perf_counter() - started
    started = time.perf_counter()
    issue = build_issue(factory, settings_for(db_url, folder, 0), WEEK, now=NOW, trigger="benchmark")
    built = time.perf_counter() - started
    engine.dispose()
    html = (issue.path / "email.html").stat().st_size
    return {"data": data, "items": issue.items, "html_bytes": html, "build_s": built, "subscribe_s": added}


RAW_MESSAGES = 300


def sample_message(folder: Path) -> bytes:
    """The issue as one recipient gets it (built the way ``send_issue`` builds it)."""
    from tracker.deliver.message import parse_sender
    from tracker.newsletter.send import _prepare

    prepared = _prepare(folder / "archive" / WEEK, WEEK, parse_sender("tracker <news@tracker.example.org>"))
    return prepared.template.render(
        "reader@example.org", "https://tracker.example.org/unsubscribe?token=x", "<x@tracker.example.org>"
    )


def raw_ceiling(settings: Any, folder: Path) -> float:
    """Messages/s the same server takes for the same bytes with no bookkeeping at all."""
    from tracker.deliver.smtp import SmtpSender

    data = sample_message(folder)
    with SmtpSender(settings.smtp) as smtp:
        started = time.perf_counter()
        for _ in range(RAW_MESSAGES):
            smtp.send("news@tracker.example.org", "ceiling@example.org", data)
        return RAW_MESSAGES / (time.perf_counter() - started)


def sender(db_url: str, folder: str, port: int, out: Any) -> None:
    from tracker.newsletter.send import send_issue
    from tracker.store.db import make_engine, make_sessionmaker

    engine = make_engine(db_url)
    factory = make_sessionmaker(engine)
    settings = settings_for(db_url, Path(folder), port)
    ceiling = raw_ceiling(settings, Path(folder))
    started = time.perf_counter()
    result = send_issue(factory, settings, WEEK, now=NOW, trigger="benchmark")
    elapsed = time.perf_counter() - started
    started = time.perf_counter()
    again = send_issue(factory, settings, WEEK, now=NOW, trigger="benchmark")
    rerun = time.perf_counter() - started
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    out.put(
        {
            "sent": result.sent,
            "failed": result.failed,
            "connections": result.connections,
            "seconds": elapsed,
            "rerun_sent": again.sent,
            "rerun_skipped": again.skipped,
            "rerun_seconds": rerun,
            "peak_rss_mib": peak_kib / 1024,
            "ceiling": ceiling,
            "message_bytes": len(sample_message(Path(folder))),
        }
    )
    engine.dispose()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subscribers", type=int, default=10_000)
    parser.add_argument("--keep", type=Path, help="work in this folder and keep it")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    folder = args.keep or Path(tempfile.mkdtemp(prefix="bench-newsletter-"))
    folder.mkdir(parents=True, exist_ok=True)
    db_url = f"sqlite:///{folder / 'bench.db'}"
    setup = prepare(db_url, folder, args.subscribers)

    ctx = mp.get_context("spawn")
    port = free_port()
    ready, stop, count = ctx.Event(), ctx.Event(), ctx.Value("i", 0)
    server = ctx.Process(target=smtp_server, args=(port, ready, count, stop), daemon=True)
    server.start()
    ready.wait(30)
    out = ctx.Queue()
    child = ctx.Process(target=sender, args=(db_url, str(folder), port, out))
    child.start()
    figures = out.get(timeout=3600)
    child.join()
    stop.set()
    server.join(30)

    rate = figures["sent"] / figures["seconds"] if figures["seconds"] else 0.0
    print(f"data: {setup['data']}; issue {WEEK}: {setup['items']} items, HTML part {setup['html_bytes']:,} bytes")
    print(
        f"subscribe {args.subscribers:,} addresses: {setup['subscribe_s']:.2f} s; build issue: {setup['build_s']:.2f} s"
    )
    print(
        f"send: {figures['sent']:,} messages in {figures['seconds']:.1f} s = {rate:.0f} messages/s "
        f"over {figures['connections']} SMTP connection(s); failed {figures['failed']}; "
        f"server received {count.value:,}"
    )
    print(
        f"second run (all already sent): sent {figures['rerun_sent']}, skipped {figures['rerun_skipped']:,} "
        f"in {figures['rerun_seconds']:.2f} s"
    )
    print(
        f"the same server takes {figures['ceiling']:.0f} messages/s of the same {figures['message_bytes']:,} bytes "
        "with no database bookkeeping (its own ceiling)"
    )
    print(f"sender peak RSS: {figures['peak_rss_mib']:.0f} MiB")
    ok = figures["sent"] == args.subscribers == count.value - RAW_MESSAGES
    if args.keep:
        print(f"work folder: {folder}")
    else:
        shutil.rmtree(folder, ignore_errors=True)
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
