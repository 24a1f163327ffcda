"""What a Hub crawl sets off, in the update sequence.

1. **load and decide**: the stored state of the crawled repos, then the pure
   :func:`tracker.update.hub.decide_repos` (new / changed / refreshed / deferred);
2. **identity**: a model for each new repo, and for any stored repo without one;
3. **observations** (writes only): card documents, observations, repos, the
   Hub's facts as claims (:func:`tracker.store.claims.upsert`), repos absent from
   a complete listing marked removed (:func:`tracker.update.hub.decide_removed`),
   organisations crawled completely for the first time;
4. **shown values** of every touched model;
5. **card claims**, then **primary claims and the ledger** (:func:`hub_card_claims`: the claims of each
   card body were extracted before the transaction by the pure :func:`extract_cards`; only the
   linking to stored models, the writes and the ledger run inside it);
6. **events** (:func:`tracker.update.hub.repo_events`, the shown-value and ledger events), stored together.

Only repos whose detail was fetched are written, and only what differs: an
unchanged re-crawl writes nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from tracker.claims.linking import build_index
from tracker.claims.records import DocumentRef, claim_records
from tracker.events.types import Event
from tracker.extract import extract_claims
from tracker.extract.types import Extracted
from tracker.normalize.articles import ArticleError, read_markdown
from tracker.normalize.identity import org_of
from tracker.store.claims import ClaimRecord, upsert
from tracker.store.crosswalk import RepoIdentity, resolve_hub_models
from tracker.store.events import insert_events
from tracker.store.ingest_documents import card_texts
from tracker.store.ingest_huggingface import (
    HubBatch,
    HubIngestResult,
    RepoRecord,
    hub_claims,
    known_orgs,
    listed_repos_of,
    load_stored,
    mark_removed,
    model_keys,
    models_based_on,
    record_orgs,
    unseen_repos_of,
    write_documents,
    write_observations,
    write_repos,
)
from tracker.store.shown import awaiting_weights, refresh_models
from tracker.store.tables import Dispute
from tracker.update.documents import CardClaims, NameIndexCache
from tracker.update.hub import decide_removed, decide_repos, repo_events
from tracker.update.ledger import checked_among, reweigh

SOURCE = "huggingface"


def apply_hub(session: Session, batch: HubBatch, *, run_id: int | None) -> HubIngestResult:
    """Apply one crawl's repos to the database and return what changed."""
    now = batch.observed_at
    result = HubIngestResult(seen=len(batch.listed))
    orgs = known_orgs(session)
    stored = load_stored(session, batch.records)
    plan = decide_repos(batch, stored, orgs)
    result.deferred = len(plan.deferred)

    # identity: a model for each new repo (and for any stored repo that has none)
    kept = plan.changed + plan.refreshed
    unlinked = plan.new + [r for r in kept if stored[r.lower()].model_id is None]
    links, identity_writes = resolve_hub_models(
        session,
        [RepoIdentity(repo_id=r, org=org_of(r), is_derivative=batch.records[r].facts.is_derivative) for r in unlinked],
        now=now,
    )
    result.writes += identity_writes
    model_of = {r: m for r in kept if (m := stored[r.lower()].model_id) is not None}
    model_of.update({r: link.model_id for r, link in links.items()})

    # observations: writes only
    written = [batch.records[r] for r in plan.written]
    documents = write_documents(session, written, run_id, now)
    observations = write_observations(session, written, plan.hashes, run_id, now)
    result.writes += len(documents.inserted) + len(observations)
    result.writes += write_repos(
        session,
        batch.records,
        plan.new,
        plan.changed,
        plan.refreshed,
        stored,
        plan.hashes,
        model_of,
        documents.ids,
        observations,
        now,
    )
    claims = upsert(session, hub_claims(written, model_of, documents.ids, now))
    result.claims = len(claims.inserted) + claims.confirmed
    result.writes += result.claims
    complete = [o for o, n in batch.complete_orgs.items() if n]
    if batch.seen_key is not None:  # a chunked crawl: what it listed is in the database, not in the batch
        removed = decide_removed(batch, unseen_repos_of(session, complete, batch.seen_key))
    else:
        removed = decide_removed(batch, listed_repos_of(session, complete))
    result.removed = mark_removed(session, removed, now)
    result.writes += result.removed
    searched_now = [org for org in sorted(batch.listed_orgs) if org.lower() not in orgs]
    result.writes += record_orgs(session, batch.listed_orgs, orgs, now)

    # shown values
    touched = {model_of[r] for r in plan.written + plan.refreshed if r in model_of}
    touched.update(model_id for _repo, model_id in removed if model_id is not None)
    touched.update(models_based_on(session, plan.new))
    touched.update(awaiting_weights(session, searched_now))  # a first search decides api-only (issue 12)
    shown = refresh_models(session, touched, now=now, source=SOURCE, fresh_repos=plan.fresh)
    result.writes += shown.writes

    keys = model_keys(session, set(model_of.values()) | {m for _r, m in removed if m is not None})
    new_benchmarks = [
        (record.mention or "", dict(record.extra))
        for record in claims.inserted
        if record.attribute == "benchmark" and record.extra
    ]
    events: list[Event] = repo_events(
        plan,
        batch,
        stored,
        created={r: link.model_id for r, link in links.items() if link.created},
        model_of=model_of,
        keys=keys,
        new_benchmarks=new_benchmarks,
        removed=removed,
        now=now,
    )
    events.extend(shown.events)
    # card bodies → vendor claims, then primary claims and the ledger
    cards = hub_card_claims(
        session, documents.inserted, now=now, changed=touched, names=batch.names, extracted=batch.extracted
    )
    events.extend(cards.events)
    result.writes += cards.writes
    result.events = events
    result.writes += insert_events(session, events, run_id=run_id)
    result.new, result.changed, result.refreshed = len(plan.new), len(plan.changed), len(plan.refreshed)
    result.unchanged = max(0, result.seen - result.new - result.changed)
    return result


# ───────────────────────────── card claims ─────────────────────────────


@dataclass(frozen=True, slots=True)
class CardExtraction:
    """The claims read from one card body (``claims`` None: the body is empty or unreadable)."""

    text: str
    claims: tuple[Extracted, ...] | None


def extract_card(text: str, repo_id: str) -> tuple[Extracted, ...] | None:
    """The claims of one card body about its repo (pure: markdown rendering and the sentence rules)."""
    try:
        article = read_markdown(text)
    except ArticleError:
        return None  # an empty or unreadable body: nothing to extract (the Hub step recorded the card's state)
    name = repo_id.split("/", 1)[1]
    return tuple(extract_claims(article.text, title=name, subject=name))


def extract_cards(
    records: Iterable[RepoRecord], *, skip: Collection[tuple[str, str]] = ()
) -> dict[tuple[str, str], CardExtraction]:
    """Extract the claims of the records' card bodies, keyed by ``(card url, repo id)``, before any transaction.

    ``skip``: ``(card url, content hash)`` of the cards already stored (their claims are not read again).
    """
    out: dict[tuple[str, str], CardExtraction] = {}
    for record in records:
        facts = record.facts
        body = facts.card.body
        if body is None or not facts.card_hash or (record.card_url, facts.card_hash) in skip:
            continue
        out[(record.card_url, facts.repo_id)] = CardExtraction(body, extract_card(body, facts.repo_id))
    return out


def hub_card_claims(
    session: Session,
    document_ids: Sequence[int],
    *,
    now: dt.datetime,
    changed: Collection[int] = (),
    names: NameIndexCache | None = None,
    extracted: Mapping[tuple[str, str], CardExtraction] | None = None,
) -> CardClaims:
    """Claims from the newly stored card bodies (vendor claims about the card's model), then re-weigh.

    A card whose claims were extracted beforehand (``extracted``, by :func:`extract_cards`, for the same
    text) is not read again: inside the transaction only the linking, the writes and the ledger run.
    The ledger re-weighs the card models, every model with an open dispute, and the checked models
    among ``changed``. Events are returned, not stored (the Hub step stores its events together).
    """
    out = CardClaims()
    cards = card_texts(session, document_ids)
    index = (build_index(session) if names is None else names.current(session)) if cards else None
    records: list[ClaimRecord] = []
    touched: set[int] = set()
    for card in cards:
        before = extracted.get((card.url, card.repo_id)) if extracted else None
        if before is not None and before.text == card.text:
            found = before.claims
        else:
            found = extract_card(card.text, card.repo_id)
        if found is None:
            continue
        ref = DocumentRef(
            url=card.url,
            kind="card",
            source=card.repo_id,
            fetched_at=card.fetched_at,
            vendor=card.org,
            document_id=card.document_id,
            published_at=card.published_at,
            title=card.repo_id,
            subject_model_id=card.model_id,
            subject_name=card.repo_id.split("/", 1)[1],
        )
        assert index is not None
        linked = claim_records(found, ref, index, now=now)
        records.extend(linked)
        touched.update(r.model_id for r in linked if r.model_id is not None)
        out.cards += 1
    written = upsert(session, records)
    out.claims_new = len(written.inserted)
    out.writes += written.writes
    targets = touched | set(session.scalars(select(Dispute.model_id).where(Dispute.status == "open")))
    targets |= checked_among(session, changed)
    if targets:
        if names is not None:  # the crawl's index, current (no model was added since): not built again
            index = names.current(session)
        # The scope (only the claims stored since the last re-link) assumes one writer: on Postgres another
        # crawl may commit a claim with a lower id after this one read past it, so every claim is read there.
        one_writer = session.get_bind().dialect.name == "sqlite"
        scope = names.scope if names is not None and one_writer else None
        ledger = reweigh(session, now=now, model_ids=targets, index=index, relink_scope=scope)
        out.writes += ledger.writes
        out.events = list(ledger.events)
    return out
