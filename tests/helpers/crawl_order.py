"""The corpus sources crawled in a chosen order, and a canonical dump of what they leave behind.

Three kinds of source, each from ``../shared/corpus`` on one loopback server:

* ``openrouter`` — one recorded ``/models`` snapshot (:data:`SNAPSHOT`);
* ``huggingface`` — every recorded Hub organisation (details and cards);
* ``documents`` — a few vendor feeds (the Qwen blog's real RSS feed, DeepSeek, Meta,
  OpenAI, Moonshot) and the press feed, crawled as ``blogs`` then ``press``.

:func:`crawl_in_order` runs them through the real crawl path (``run_crawl``, a
crawl child per crawl) into one database; :func:`canonical` dumps models,
shown values, claims (with statuses) and disputes without ids, times or the
server's port, so that two databases built from the same data compare equal
exactly when they say the same things. Used by
``tests/integration/test_crawl_order.py`` and ``benchmarks/crawl_order.py``.
"""

from __future__ import annotations

import itertools
import json
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, aliased

from helpers.corpus import FakeHub, hub_cards, hub_details, serve_openrouter, snapshot
from helpers.server import FakeServer
from tracker.config import FeedSettings, HttpSettings, HuggingFaceSettings, OpenRouterSettings, Settings
from tracker.sources.runner import run_crawl
from tracker.store.tables import Claim, Dispute, Model

sys.path.append(str(Path(__file__).resolve().parent.parent / "claims"))  # content_server
from content_server import ContentServer

KINDS = ("openrouter", "huggingface", "documents")
#: Every order of the three kinds.
ORDERS = tuple(itertools.permutations(KINDS))
#: The OpenRouter snapshot served (the newest with prompt-length tiers).
SNAPSHOT = "2026-08-22"
BLOGS = ("deepseek", "meta", "openai", "moonshot")
#: The crawls of each kind, in the order they run.
CRAWLS = {"openrouter": ("openrouter",), "huggingface": ("huggingface",), "documents": ("blogs", "press")}


@dataclass
class OrderServer:
    """The loopback server with every source of the three kinds, and settings pointing at it."""

    server: FakeServer
    corpus: Path
    feeds: tuple[FeedSettings, ...] = ()
    orgs: tuple[str, ...] = ()

    @classmethod
    def install(cls, server: FakeServer, corpus: Path) -> OrderServer:
        serve_openrouter(server, snapshot(corpus, SNAPSHOT))
        details = hub_details(corpus)
        FakeHub(server, details, hub_cards(corpus)).install()
        content = ContentServer(server, corpus)
        feeds = [FeedSettings(url=content.serve_real_qwen_feed(), vendor="qwen")]
        feeds += [FeedSettings(url=content.serve_blog(v), vendor=v) for v in BLOGS]
        feeds.append(FeedSettings(url=content.serve_press(), vendor="news", kind="press"))
        orgs = tuple(sorted({repo.split("/")[0] for repo in details}))
        return cls(server=server, corpus=corpus, feeds=tuple(feeds), orgs=orgs)

    def settings(self, db_url: str) -> Settings:
        return Settings(
            database_url=db_url,
            http=HttpSettings(
                allowed_hosts=("127.0.0.1", "localhost"), retries=1, timeout_seconds=5.0, autothrottle=False
            ),
            openrouter=OpenRouterSettings(url=f"{self.server.url}/api/v1", offers="off"),
            huggingface=HuggingFaceSettings(url=self.server.url, orgs=self.orgs),
            feeds=self.feeds,
        )


def crawl_in_order(settings: Settings, order: tuple[str, ...]) -> list[str]:
    """Crawl every kind of ``order`` into ``settings.database_url``; the summaries' status lines."""
    statuses = []
    for kind in order:
        for source in CRAWLS[kind]:
            summary = run_crawl(settings, source, trigger="test")
            assert summary.status in ("success", "partial"), summary.render()
            statuses.append(f"{source}: {summary.status}")
    return statuses


# ───────────────────────────── the canonical dump ─────────────────────────────


@dataclass
class Dump:
    models: list[tuple[Any, ...]] = field(default_factory=list)
    claims: list[tuple[Any, ...]] = field(default_factory=list)
    disputes: list[tuple[Any, ...]] = field(default_factory=list)

    def figures(self) -> dict[str, int]:
        """The counts a reader compares: models, claims per source kind and status, disputes per status."""
        out: Counter[str] = Counter()
        out["models"] = len(self.models)
        for claim in self.claims:
            source, status = claim[6], claim[9]
            kind = source if source in ("openrouter", "huggingface") else "other"
            out[f"claims {kind}"] += 1
            out[f"claims {status}"] += 1
        for dispute in self.disputes:
            out[f"disputes {dispute[3]}"] += 1
        return dict(sorted(out.items()))


def _plain(value: Any, base_url: str) -> Any:
    """``value`` without the loopback server's address (ports differ between runs)."""
    if isinstance(value, str):
        return value.replace(base_url, "http://corpus")
    if isinstance(value, dict):
        return json.dumps(_plain_json(value, base_url), sort_keys=True)
    return value


def _plain_json(value: Any, base_url: str) -> Any:
    if isinstance(value, dict):
        return {k: _plain_json(v, base_url) for k, v in value.items() if k not in VOLATILE_EXTRA}
    if isinstance(value, list):
        return [_plain_json(v, base_url) for v in value]
    if isinstance(value, str):
        return value.replace(base_url, "http://corpus")
    return value


#: Keys of ``extra`` / ``data`` / evidence that hold crawl times, not facts.
VOLATILE_EXTRA = frozenset({"superseded_at", "since", "checked_at", "observed_at", "fetched_at", "at"})


def canonical(engine: Engine, base_url: str) -> Dump:
    """Models with their shown values, claims with statuses, disputes: no ids, times or ports."""
    dump = Dump()
    base = aliased(Model)
    with Session(engine) as session:
        for row in session.execute(
            select(
                Model.key,
                Model.vendor,
                Model.name,
                Model.open_weight_status,
                Model.open_weight_evidence,
                Model.license_key,
                Model.license_class,
                Model.params_total,
                Model.params_active,
                Model.params_source,
                Model.context_length,
                Model.is_derivative,
                base.key,
                Model.base_relation,
                Model.hf_repo_id,
                Model.openrouter_id,
                Model.released_at,
            ).outerjoin(base, base.id == Model.base_model_id)
        ):
            dump.models.append(tuple(_plain(v, base_url) for v in row))
        names: dict[int, str] = {}
        for row in session.execute(
            select(
                Claim.id,
                Model.key,
                Claim.mention,
                Claim.attribute,
                Claim.qualifier,
                Claim.value,
                Claim.unit,
                Claim.source,
                Claim.reporter,
                Claim.url,
                Claim.status,
                Claim.quote,
                Claim.published_at,
                Claim.extra,
            ).outerjoin(Model, Model.id == Claim.model_id)
        ):
            values = list(row)[1:]
            names[row.id] = _plain("|".join(str(v) for v in values[:8]), base_url)
            if row.reporter == "primary":
                values[11] = None  # the API's claims are dated by the crawl (first seen), not by the source
            extra = values[-1] or {}
            values[-1] = "superseded" if "superseded_at" in extra else "current"
            values.append(_plain(extra, base_url))
            dump.claims.append(tuple(_plain(v, base_url) for v in values))
        shown = aliased(Claim)
        for row in session.execute(
            select(
                Model.key,
                Dispute.attribute,
                Dispute.qualifier,
                Dispute.status,
                shown.source,
                shown.value,
                Dispute.comparable_reason,
                Dispute.data,
            )
            .join(Model, Model.id == Dispute.model_id)
            .outerjoin(shown, shown.id == Dispute.shown_claim_id)
        ):
            values = list(row)
            values[-1] = _claims_named(values[-1] or {}, names)
            dump.disputes.append(tuple(_plain(v, base_url) for v in values))
    for rows in (dump.models, dump.claims, dump.disputes):
        rows.sort(key=lambda r: tuple("" if v is None else str(v) for v in r))
    return dump


def _claims_named(data: dict[str, Any], names: dict[int, str]) -> dict[str, Any]:
    """A dispute's ``data`` with its claim ids replaced by what the claims say (ids differ between orders)."""
    out: dict[str, Any] = {}
    for key, value in data.items():
        if isinstance(value, list) and all(isinstance(v, int) for v in value):
            out[key] = sorted(names.get(v, "?") for v in value)
        elif isinstance(value, dict) and all(k.isdigit() for k in value):
            out[key] = {names.get(int(k), "?"): _named(v, names) for k, v in sorted(value.items())}
        else:
            out[key] = value
    return out


def _named(value: Any, names: dict[int, str]) -> Any:
    """``{"against": 2373, …}`` → ``{"against": "<what claim 2373 says>", …}``."""
    if isinstance(value, dict):
        return {k: names.get(v, "?") if k == "against" and isinstance(v, int) else v for k, v in value.items()}
    return value


def differences(a: Dump, b: Dump, limit: int = 12) -> list[str]:
    """Rows in one dump and not the other (at most ``limit`` per table), for an assertion message;
    a row whose first columns match a row of the other dump is shown by its differing columns."""
    out = []
    for name in ("models", "claims", "disputes"):
        left, right = set(getattr(a, name)), set(getattr(b, name))
        only_left, only_right = sorted(left - right, key=str), sorted(right - left, key=str)
        for row in only_left[:limit]:
            twin = next((r for r in only_right if r[:4] == row[:4]), None)
            if twin is None:
                out.append(f"{name} only in first: {row}")
                continue
            changed = [f"column {i}: {x!r} / {y!r}" for i, (x, y) in enumerate(zip(row, twin, strict=True)) if x != y]
            out.append(f"{name} {row[:4]} differs: {'; '.join(changed)}")
        paired = {r[:4] for r in only_left}
        out += [f"{name} only in second: {r}" for r in only_right if r[:4] not in paired][:limit]
    return out
