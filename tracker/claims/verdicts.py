"""One claim's verdict: which value it is weighed against, whether it may be, and what came of it.

:func:`weigh_claim` is the pure step the ledger calls for every claim of a
(model, attribute, qualifier) group other than the shown one:

1. **reference** — the first of the shown claim and the group's other primary
   claims that :func:`tracker.claims.comparability.comparable` accepts (a
   vendor's native context is weighed against the Hub config, not OpenRouter's
   served window, when both are there); none → ``None``: the claim is shown
   beside the others, never disputed;
2. **time** — a price weighed against a primary source is weighed against the
   API price in effect when the claim was published (:mod:`tracker.claims.timing`):
   ``outdated`` with ``valid_until`` when it was true then and is not now; a
   claim from a prompt-length tier table when the API then had one flat price is
   another seller's offer (not comparable);
3. **tolerance** — :func:`tracker.claims.tolerance.agrees`, or for a served vs
   native context window "the served window is at most the native one".

The result says why the two values were comparable and which observation the
claim was weighed against; the ledger stores both with the dispute.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from tracker.claims.comparability import Comparability, comparable, facts
from tracker.claims.timing import had_tiers_then, verdict
from tracker.claims.tolerance import agrees
from tracker.normalize.numbers import format_decimal

_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


@dataclass(frozen=True, slots=True)
class Weighing:
    """``status``: consistent | outdated | disputed; ``reference``: the value compared with."""

    status: str
    reference: dict[str, Any]
    reason: str
    against: Any
    #: The primary observation (a ``prices`` row) the claim was weighed against, if any.
    observation: Any | None = None
    valid_until: dt.datetime | None = None


def as_reference(row: Any) -> dict[str, Any]:
    return {"value": row.value, "value_num": row.value_num, "unit": row.unit, "extra": row.extra}


def price_reference(price: Any) -> dict[str, Any]:
    amount = Decimal(0) if price.status == "free" else price.usd_per_mtok
    return {
        "value": format_decimal(amount) if amount is not None else "",
        "value_num": amount,
        "unit": "usd_per_mtok",
        "extra": {"since": price.first_seen_at.isoformat(), "observation": getattr(price, "id", None)},
    }


def document_key(row: Any, documents: Mapping[int, str]) -> str | None:
    """A claim's document identity: its content hash when the document is known, else its URL."""
    document_id = getattr(row, "document_id", None)
    if document_id is not None and document_id in documents:
        return f"sha:{documents[document_id]}"
    return getattr(row, "url", None)


def _tiered(row: Any) -> bool:
    extra = row.extra or {}
    return "min_prompt_tokens" in extra or "@" in (row.qualifier or "")


def _relation_agrees(relation: str, claim: dict[str, Any], reference: dict[str, Any], attribute: str) -> bool:
    if agrees(attribute, claim, reference):
        return True
    a, b = reference.get("value_num"), claim.get("value_num")
    if a is None or b is None:
        return False
    if relation == "at_most":  # the reference (served) may be smaller than the claim (native)
        return Decimal(a) <= Decimal(b)
    if relation == "at_least":
        return Decimal(a) >= Decimal(b)
    return False


def weigh_claim(
    row: Any,
    shown: Any,
    primaries: Sequence[Any],
    model: Any,
    history: Mapping[tuple[str, str], list[Any]],
    documents: Mapping[int, str] | None = None,
) -> Weighing | None:
    """The verdict on ``row`` (see the module docstring); None when nothing comparable holds a value."""
    documents = documents or {}
    key = getattr(model, "key", None)
    api_only = getattr(model, "open_weight_status", None) == "api-only"
    mine = facts(row, document=document_key(row, documents), model_key=key, api_only=api_only)
    choice: tuple[Any, Comparability] | None = None
    for candidate in [shown, *[p for p in primaries if p is not shown and p.id != shown.id]]:
        theirs = facts(candidate, document=document_key(candidate, documents), model_key=key, api_only=api_only)
        decision = comparable(theirs, mine)
        if decision.ok:
            choice = (candidate, decision)
            break
    if choice is None:
        return None
    against, decision = choice
    claim = as_reference(row)
    reference = as_reference(against)
    openrouter_id = getattr(model, "openrouter_id", None)
    if row.attribute == "price" and against.reporter == "primary" and row.reporter != "primary" and openrouter_id:
        prices = history.get((openrouter_id, row.qualifier), [])
        if prices:
            when = row.published_at
            if _tiered(row):
                tiers = {q: h for (s, q), h in history.items() if s == openrouter_id and "@" in q}
                first = min(p.first_seen_at for (s, _), h in history.items() if s == openrouter_id for p in h)
                if not had_tiers_then(tiers, when, first):
                    return None  # a tier table where the API had one flat price: another seller's offer
            current = prices[-1] if prices[-1].last_seen_at is None else None
            timed = verdict(
                prices,
                when,
                current if current is not None else against,
                lambda p: agrees("price", claim, price_reference(p) if hasattr(p, "usd_per_mtok") else as_reference(p)),
            )
            weighed = timed.weighed
            ref = price_reference(weighed) if weighed is not None and hasattr(weighed, "usd_per_mtok") else reference
            return Weighing(
                timed.status,
                ref,
                f"{decision.reason}; weighed against the API price in effect when it was published",
                against,
                observation=weighed if weighed is not None and hasattr(weighed, "usd_per_mtok") else None,
                valid_until=timed.valid_until,
            )
    agreed = _relation_agrees(decision.relation, claim, reference, row.attribute)
    return Weighing("consistent" if agreed else "disputed", reference, decision.reason, against)
