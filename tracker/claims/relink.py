"""Links of stored claims decided again against the models known now (pure).

A post or an article is read once, when it is fetched; the models it speaks of
may come later (an OpenRouter listing or a Hub organisation crawled after the
blog), and a name that fitted one model may fit two once another source adds
one. So the link of a stored claim is a function of its mention and the name
index, not of the moment it was read: :func:`relink` gives, for each stored
claim, the link :func:`tracker.claims.records.claim_records` would give it now
(model, method, candidates, reporter, status), and only the claims whose link
differs. Claims linked by their document (a card's sentences about its own
model: ``link = document``) and primary claims are not touched.

:mod:`tracker.update.relink` loads the claims and writes what differs.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from tracker.claims.linking import NameIndex, Resolution, same_vendor

#: Link methods decided by the name index (and so decided again when the index changes).
BY_NAME = frozenset({"alias", "normalized-name", "unknown", "ambiguous"})


@dataclass(frozen=True, slots=True)
class StoredLink:
    """A stored document claim: its mention and how it is linked now."""

    id: int
    model_id: int | None
    mention: str | None
    reporter: str
    status: str
    extra: Mapping[str, Any]
    #: The claim's document: its kind (``vendor``, ``press``, ``card``) and vendor.
    document_kind: str
    document_vendor: str | None = None


@dataclass(frozen=True, slots=True)
class Relink:
    """A claim's new link: the columns to write."""

    claim_id: int
    model_id: int | None
    reporter: str
    status: str
    extra: dict[str, Any]


def relink(claims: Iterable[StoredLink], index: NameIndex) -> list[Relink]:
    """The claims whose link the index decides differently now, with their new link."""
    out: list[Relink] = []
    resolved: dict[str, Resolution] = {}  # many claims share a mention
    vendors: dict[tuple[str | None, int], bool] = {}
    for claim in claims:
        extra = dict(claim.extra)
        if claim.reporter == "primary" or extra.get("link") not in BY_NAME or not claim.mention:
            continue
        resolution = resolved.get(claim.mention)
        if resolution is None:
            resolution = resolved[claim.mention] = index.resolve(claim.mention)
        model_id = resolution.model_id
        third_party = False
        if model_id is not None and (claim.document_vendor, model_id) not in vendors:
            vendors[(claim.document_vendor, model_id)] = same_vendor(claim.document_vendor, index.vendors.get(model_id))
        if claim.document_kind == "press":
            reporter = "press"
        elif model_id is not None and not vendors[(claim.document_vendor, model_id)]:
            reporter, third_party = "press", True
        else:
            reporter = "vendor"
        extra["link"] = resolution.method
        extra.pop("candidates", None)
        if resolution.candidates:
            extra["candidates"] = [index.keys.get(c, str(c)) for c in resolution.candidates]
        extra.pop("third_party", None)
        if third_party:
            extra["third_party"] = True
        if model_id is None:
            status = "unresolved"
        elif claim.model_id != model_id or claim.status == "unresolved":
            status = "unchecked"  # the ledger weighs it with its new model's claims
        else:
            status = claim.status
        if (model_id, reporter, status, extra) != (claim.model_id, claim.reporter, claim.status, dict(claim.extra)):
            out.append(Relink(claim.id, model_id, reporter, status, extra))
    return out
