"""Hub chunks built in memory (as the crawl's pipeline holds them) and a vendor post whose claims name models
not stored yet: the inputs of the chunked-store and re-link tests."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Sequence
from urllib.parse import urlsplit

from sqlalchemy import insert
from sqlalchemy.orm import Session

from helpers.corpus import hub_detail
from tracker.normalize.hfcard import parse_card
from tracker.normalize.huggingface import CardOutcome, normalize_detail
from tracker.sources.items import Provenance
from tracker.sources.pipelines import huggingface as pipeline
from tracker.store.tables import Claim, Document

NOW = dt.datetime(2026, 12, 1, tzinfo=dt.UTC)
CARD = (
    "---\nlicense: apache-2.0\npipeline_tag: text-generation\n---\n# {name}\n\n"
    "{name} is a language model with {size}B parameters and a context window of {context}K tokens.\n"
)


def chunk_state(repos: Sequence[str]) -> pipeline.HubCrawlState:
    """A crawl state holding these repos' details and cards (the i-th: ``3 + i`` B parameters, ``8 (i + 1)`` K
    context), ready for :func:`pipeline.store_chunk`."""
    state = pipeline.HubCrawlState(first_fetch=NOW)
    for i, repo in enumerate(repos):
        sha = hashlib.sha1(repo.encode()).hexdigest()
        detail = normalize_detail(hub_detail(repo, sha=sha, cardData={"license": "apache-2.0"}))
        card = CARD.format(name=repo.split("/")[1], size=3 + i, context=8 * (i + 1)).encode()
        provenance = Provenance("huggingface", f"http://hub.test/api/models/{repo}", NOW, 200, "sha256:x")
        state.details[repo.lower()] = (detail, provenance, True)
        state.cards[repo.lower()] = (
            CardOutcome.from_card(parse_card(card, max_bytes=1 << 20)),
            f"http://hub.test/{repo}/raw/main/README.md",
        )
    return state


def vendor_post(session: Session, url: str, vendor: str, mentions: Sequence[str], values: Sequence[str]) -> None:
    """A vendor post, stored before any model it names: one unresolved ``params_total`` claim per mention."""
    doc = session.execute(
        insert(Document).returning(Document.id),
        {
            "url": url,
            "kind": "vendor",
            "vendor": vendor,
            "fetched_at": NOW,
            "content_hash": "sha256:post",
            "text": "...",
        },
    ).scalar_one()
    session.execute(
        insert(Claim),
        [
            {
                "model_id": None,
                "mention": mention,
                "attribute": "params_total",
                "qualifier": "",
                "value": value,
                "reporter": "vendor",
                "source": urlsplit(url).hostname,
                "url": url,
                "document_id": doc,
                "fetched_at": NOW,
                "status": "unresolved",
                "extra": {"link": "unknown", "document_kind": "vendor"},
                "claim_hash": f"{url}#{i}",
                "created_at": NOW,
            }
            for i, (mention, value) in enumerate(zip(mentions, values, strict=True))
        ],
    )
