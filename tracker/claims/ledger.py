"""The claims ledger: which claim is shown, which agree, which are disputed.

For every (model, attribute, qualifier) the claims are weighed:

1. **Shown claim**, by precedence: primary API > vendor post > aggregator > press.
   Among primary claims the one equal to the model's shown column wins (the
   ``models`` row, computed from the APIs by :mod:`tracker.store.shown`); among the
   others the most recent publication of the best-ranked reporter.
2. Every other claim is compared with the shown one within the attribute's
   tolerance (:mod:`tracker.claims.tolerance`): ``consistent`` or ``disputed``.
   A price is compared with the API price *in effect at the claim's date* (the
   earliest observed one when the claim predates the tracker): $1.20 said in
   September 2025 agrees with the $1.20 of December 2025 even after the March 2026
   cut. Primary claims never dispute each other (they are different vantage
   points of the APIs: a repo config's native context and the served one).
3. A group with a disputed claim has an open row in ``disputes`` (with the shown
   claim, the contrary and the consistent claims and a one-line summary) and a
   ``claim_disputed`` event for each newly disputed claim; when no claim is
   disputed any more (the weights were published, the press was corrected) the
   dispute is resolved with a ``dispute_resolved`` event.

Only what changed is written: re-running the ledger on unchanged claims writes
nothing and emits nothing.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from tracker.claims.primary import price_history, sync_primary_claims
from tracker.claims.verdicts import Weighing, weigh_claim
from tracker.events.types import ClaimDisputed, DisputeResolved, Event
from tracker.store.shown import awaiting_weights, refresh_models, vendor_statements
from tracker.store.tables import Claim, Dispute, Document, Model

REPORTER_RANK = {"primary": 0, "vendor": 1, "aggregator": 2, "press": 3}
REPORTER_LABEL = {"primary": "primary API", "vendor": "vendor", "aggregator": "aggregator", "press": "press"}
ATTRIBUTE_WORDS = {
    "openness": "open weights",
    "license": "licence",
    "params_total": "total parameters",
    "params_active": "active parameters",
    "context_length": "context length",
    "price": "price",
    "release_date": "release date",
    "benchmark": "benchmark score",
}
SOURCE = "claims"
CHUNK = 500
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


@dataclass
class LedgerResult:
    checked: int = 0
    writes: int = 0
    opened: int = 0
    resolved: int = 0
    events: list[Event] = field(default_factory=list)


def _chunks(items: Sequence[Any], size: int = CHUNK) -> Iterable[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def models_with_claims(session: Session) -> set[int]:
    """Models that have a claim from a post, a card body or the press (the ones the ledger checks)."""
    found = set(
        session.scalars(
            select(Claim.model_id).where(Claim.model_id.is_not(None), Claim.reporter != "primary").distinct()
        )
    )
    found.update(session.scalars(select(Dispute.model_id).where(Dispute.status == "open").distinct()))
    return found


def _superseded(row: Any) -> bool:
    return bool((row.extra or {}).get("superseded_at"))


def _when(row: Any) -> dt.datetime:
    return row.published_at or row.fetched_at or _EPOCH


def _column_value(model: Any, attribute: str, qualifier: str) -> str | None:
    if qualifier:
        return None
    value = {
        "openness": model.open_weight_status,
        "license": model.license_key,
        "context_length": model.context_length,
        "params_total": model.params_total,
        "params_active": model.params_active,
    }.get(attribute)
    return None if value is None or value == "unknown" else str(value)


def pick_shown(rows: list[Any], model: Any) -> Any | None:
    """The claim shown for one (model, attribute, qualifier), by precedence."""
    live = [r for r in rows if not _superseded(r)]
    primary = [r for r in live if r.reporter == "primary"]
    if primary:
        column = _column_value(model, rows[0].attribute, rows[0].qualifier)
        matching = [r for r in primary if column is not None and r.value == column]
        pool = matching or primary
        return max(pool, key=lambda r: ((r.extra or {}).get("follows") == "api", r.fetched_at or _EPOCH, r.id))
    if not live:
        return None
    return min(live, key=lambda r: (REPORTER_RANK.get(r.reporter, 9), -_when(r).timestamp(), r.id))


def evaluate(
    row: Any, shown: Any, model: Any, history: dict[tuple[str, str], list[Any]]
) -> tuple[bool, dict[str, Any]] | None:
    """``(agrees, what it was compared with)`` for ``row`` against the shown claim; None when not comparable.

    The rules are :func:`tracker.claims.verdicts.weigh_claim`'s (an outdated claim agreed when published).
    """
    weighing = weigh_claim(row, shown, [], model, history)
    if weighing is None:
        return None
    return weighing.status != "disputed", weighing.reference


def source_label(row: Any) -> str:
    return f"{row.source} ({REPORTER_LABEL.get(row.reporter, row.reporter)})"


def _value_text(row: Any) -> str:
    if row.attribute == "price":
        return f"${row.value} per 1M tokens"
    if row.attribute == "context_length":
        return f"{int(row.value_num):,} tokens" if row.value_num is not None else row.value
    if row.attribute in ("params_total", "params_active") and row.value_num is not None:
        from tracker.normalize.params import format_params

        return format_params(int(row.value_num))
    return str(row.value)


def summary(
    attribute: str, shown: Any, disputed: list[Any], references: dict[int, dict[str, Any]] | None = None
) -> str:
    """One line for the site and the digest: who shows what, who says otherwise."""
    words = ATTRIBUTE_WORDS.get(attribute, attribute)
    if attribute == "openness" and shown.value in ("api-only", "no-weights"):
        head = "API-only: no downloadable weights found" if shown.value == "api-only" else "no weights published"
        reporters = sorted({REPORTER_LABEL.get(c.reporter, c.reporter) for c in disputed})
        return f"{head}, but {len(disputed)} {'/'.join(reporters)} claim(s) call it open source or open weights."
    references = references or {}

    def said(c: Any) -> str:
        reference = references.get(c.id)
        if attribute == "price" and reference and reference.get("value") != shown.value:
            since = str((reference.get("extra") or {}).get("since", ""))[:10]
            return f"{c.source} says {_value_text(c)} (the API then: ${reference['value']}, since {since})"
        return f"{c.source} says {_value_text(c)}"

    others = "; ".join(said(c) for c in disputed[:3])
    more = f" and {len(disputed) - 3} more" if len(disputed) > 3 else ""
    return f"{words}: {source_label(shown)} shows {_value_text(shown)}; {others}{more}."[:500]


def reconcile(session: Session, *, now: dt.datetime, model_ids: Collection[int] | None = None) -> LedgerResult:
    """Re-weigh the claims of ``model_ids`` (default: every model with a non-primary claim)."""
    result = LedgerResult()
    ids = sorted(models_with_claims(session) if model_ids is None else set(model_ids))
    if not ids:
        return result
    # a vendor's statement of released weights is evidence: the shown openness of its models is re-decided
    said = vendor_statements(session, awaiting_weights(session, every=True))
    if said:
        shown = refresh_models(session, said, now=now, source=SOURCE)
        result.writes += shown.writes
        result.events.extend(shown.events)
    result.writes += sync_primary_claims(session, ids, now=now)
    models: dict[int, Any] = {}
    claims: dict[tuple[int, str, str], list[Any]] = defaultdict(list)
    disputes: dict[tuple[int, str, str], Any] = {}
    for part in _chunks(ids):
        for row in session.execute(
            select(
                Model.id,
                Model.key,
                Model.openrouter_id,
                Model.open_weight_status,
                Model.license_key,
                Model.context_length,
                Model.params_total,
                Model.params_active,
            ).where(Model.id.in_(part))
        ):
            models[row.id] = row
        for row in session.execute(
            select(
                Claim.id,
                Claim.model_id,
                Claim.attribute,
                Claim.qualifier,
                Claim.value,
                Claim.value_num,
                Claim.unit,
                Claim.reporter,
                Claim.source,
                Claim.url,
                Claim.published_at,
                Claim.fetched_at,
                Claim.quote,
                Claim.status,
                Claim.extra,
                Claim.mention,
                Claim.document_id,
                Claim.valid_until,
            )
            .where(Claim.model_id.in_(part))
            .order_by(Claim.id)  # a stable order: the same data must give the same dispute rows on every database
        ):
            claims[(row.model_id, row.attribute, row.qualifier)].append(row)
        for row in session.execute(
            select(Dispute.id, Dispute.model_id, Dispute.attribute, Dispute.qualifier, Dispute.status, Dispute.data)
            .where(Dispute.model_id.in_(part))
            .order_by(Dispute.id)
        ):
            disputes[(row.model_id, row.attribute, row.qualifier)] = row  # the latest per group
    history = price_history(session, [m.openrouter_id for m in models.values() if m.openrouter_id])
    documents = document_hashes(session, {r.document_id for group in claims.values() for r in group})
    status_updates: list[dict[str, Any]] = []
    for group_key in sorted(set(claims) | set(disputes), key=lambda k: (k[0], k[1], k[2])):
        model_id, attribute, qualifier = group_key
        model = models.get(model_id)
        if model is None:
            continue
        rows = claims.get(group_key, [])
        shown = pick_shown(rows, model) if rows else None
        statuses: dict[int, str] = {}
        disputed: list[Any] = []
        consistent: list[Any] = []
        references: dict[int, dict[str, Any]] = {}
        weighings: dict[int, Weighing] = {}
        valid_until: dict[int, dt.datetime | None] = {}
        for row in rows:
            if shown is None or _superseded(row):
                statuses[row.id] = "unchecked"
                continue
            if row.id == shown.id:
                statuses[row.id] = "shown"
                continue
            primaries = [r for r in rows if r.reporter == "primary" and not _superseded(r)]
            weighing = weigh_claim(row, shown, primaries, model, history, documents)  # the verdict rules
            if weighing is None:
                statuses[row.id] = "unchecked"
                continue
            references[row.id], weighings[row.id] = weighing.reference, weighing
            if row.reporter == "primary":
                statuses[row.id] = "consistent" if weighing.status != "disputed" else "unchecked"
            elif weighing.status == "outdated":
                statuses[row.id] = "outdated"
                valid_until[row.id] = weighing.valid_until
            elif weighing.status == "consistent":
                statuses[row.id] = "consistent"
                consistent.append(row)
            else:
                statuses[row.id] = "disputed"
                disputed.append(row)
        result.checked += len(rows)
        for row in rows:
            until = valid_until.get(row.id)
            if statuses[row.id] != row.status or until != row.valid_until:
                status_updates.append({"id": row.id, "status": statuses[row.id], "valid_until": until})
        disputed = one_per_statement(disputed)  # a document is one source, however often fetched or checked
        consistent = one_per_statement(consistent)
        for row in disputed:
            if row.status != "disputed" and shown is not None:
                result.events.append(_disputed_event(model, attribute, qualifier, shown, row, references[row.id], now))
        existing = disputes.get(group_key)
        if disputed and shown is not None:
            data = {
                "shown": [shown.id],
                "contrary": sorted(r.id for r in disputed),
                "consistent": sorted(r.id for r in consistent),
                "summary": summary(attribute, shown, disputed, references),
                "reasons": {str(r.id): weighings[r.id].reason for r in disputed},
                "weighed": {str(r.id): _weighed(weighings[r.id]) for r in disputed},
            }
            first = weighings[disputed[0].id]
            why = {
                "comparable_reason": first.reason[:2000],
                "weighed_observation_id": getattr(first.observation, "id", None),
            }
            if existing is None:
                session.add(
                    Dispute(
                        model_id=model_id,
                        attribute=attribute,
                        qualifier=qualifier,
                        status="open",
                        opened_at=now,
                        shown_claim_id=shown.id,
                        data=data,
                        **why,
                    )
                )
                result.opened += 1
                result.writes += 1
            elif existing.status != "open" or existing.data != data:
                values: dict[str, Any] = {"shown_claim_id": shown.id, "data": data, **why}
                if existing.status != "open":
                    values.update(status="open", opened_at=now, resolved_at=None)
                    result.opened += 1
                session.execute(update(Dispute).where(Dispute.id == existing.id).values(values))
                result.writes += 1
        elif existing is not None and existing.status == "open":
            session.execute(
                update(Dispute)
                .where(Dispute.id == existing.id)
                .values(status="resolved", resolved_at=now, shown_claim_id=shown.id if shown is not None else None)
            )
            result.resolved += 1
            result.writes += 1
            result.events.append(
                DisputeResolved(
                    subject=model.key,
                    source=SOURCE,
                    detected_at=now,
                    model_key=model.key,
                    attribute=attribute,
                    qualifier=qualifier,
                    value=shown.value if shown is not None else None,
                )
            )
    for part in _chunks(status_updates, 1000):
        session.execute(update(Claim), list(part))
    result.writes += len(status_updates)
    session.flush()
    return result


def document_hashes(session: Session, document_ids: Collection[int | None]) -> dict[int, str]:
    """``documents.id`` → content hash (two fetches of one text are one source)."""
    ids = sorted(i for i in document_ids if i is not None)
    out: dict[int, str] = {}
    for part in _chunks(ids):
        for document_id, digest in session.execute(
            select(Document.id, Document.content_hash).where(Document.id.in_(part))
        ):
            out[document_id] = digest
    return out


def one_per_statement(rows: list[Any]) -> list[Any]:
    """One claim per (value, quoted sentence), the latest stored: the same article stored twice is listed once."""
    latest: dict[tuple[str, str], Any] = {}
    for row in rows:
        key = (str(row.value), " ".join((row.quote or "").split()).lower() or f"#{row.id}")
        if key not in latest or row.id > latest[key].id:
            latest[key] = row
    return sorted(latest.values(), key=lambda r: r.id)


def _weighed(weighing: Weighing) -> dict[str, Any]:
    observation = weighing.observation
    out: dict[str, Any] = {"against": weighing.against.id, "value": str(weighing.reference.get("value", ""))}
    if observation is not None:
        out["observation"] = getattr(observation, "id", None)
        out["since"] = observation.first_seen_at.isoformat()
    return out


def _disputed_event(
    model: Any, attribute: str, qualifier: str, shown: Any, row: Any, reference: dict[str, Any], now: dt.datetime
) -> Event:
    return ClaimDisputed(
        subject=model.key,
        source=SOURCE,
        detected_at=now,
        model_key=model.key,
        attribute=attribute,
        qualifier=qualifier,
        shown=str(reference.get("value", shown.value)),
        contrary=row.value,
        shown_source=source_label(shown),
        contrary_source=source_label(row),
        quote=row.quote,
        url=row.url,
    )


def mark_unresolved(session: Session) -> int:
    """Claims without a model are ``unresolved`` (the mention is kept, no model is assumed)."""
    result = session.execute(
        update(Claim).where(Claim.model_id.is_(None), Claim.status != "unresolved").values(status="unresolved")
    )
    return result.rowcount or 0
