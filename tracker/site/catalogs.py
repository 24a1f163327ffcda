"""The catalog-accuracy page (``catalogs/``) and, on each model page, what each catalog says and a cost calculator.

Contexts only: the verdicts come from :mod:`tracker.peers.report`, the arithmetic from :mod:`tracker.cost`.
Everything is rendered server-side (no JavaScript needed); ``static/site.js`` adds a calculator for any size.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from tracker.cost import PRESETS, Request, TierPrice, compare_offers, money_text
from tracker.peers.report import (
    PRIMARY_URL,
    CatalogSummary,
    Finding,
    ModelCatalogValue,
    label_of,
)
from tracker.site.contexts import Page, Source
from tracker.site.queries import PriceRow
from tracker.urls import model_path

PATH = "catalogs/"
VERDICT_WORDS = {
    "agree": "agrees",
    "stale": "stale",
    "wrong": "wrong",
    "unlinked": "unlinked",
    "not-comparable": "not comparable",
    "no-primary": "no OpenRouter value",
}
#: Disagreements listed per catalog on the page.
SHOWN = 200


def _web(url: str | None) -> str | None:
    return url if url and url.startswith(("https://", "http://")) else None


def _num(value: Decimal | None, label: str) -> str:
    if value is None:
        return "—"
    if label.startswith("price"):
        return money_text(value) if value else "0"
    return f"{int(value):,}"


@dataclass(frozen=True)
class TallyRow:
    label: str
    compared: int
    agree: int
    stale: int
    wrong: int
    unlinked: int


@dataclass(frozen=True)
class DisagreementRow:
    model_name: str
    model_path: str | None
    openrouter_id: str
    label: str
    catalog_value: str
    primary_value: str
    verdict: str
    difference: str
    stale_note: str
    catalog_source: Source
    primary_source: Source


@dataclass(frozen=True)
class EvidenceRow:
    model_name: str
    model_path: str
    says: str
    shown: str
    quote: str


@dataclass(frozen=True)
class CatalogView:
    catalog: str
    anchor: str
    title: str
    source: Source
    snapshot_at: dt.datetime | None
    entries: int
    rejected: tuple[tuple[str, int], ...]
    other_offers: int
    linked: tuple[tuple[str, int], ...]
    unlinked: int
    tallies: tuple[TallyRow, ...]
    disagreements: tuple[DisagreementRow, ...]
    disagreement_total: int
    #: Open-weight statements about linked models: how many, how many agree, and the conflicts.
    evidence_total: int = 0
    evidence_agree: int = 0
    evidence_conflicts: tuple[EvidenceRow, ...] = ()


@dataclass(frozen=True)
class CatalogsPage(Page):
    catalogs: tuple[CatalogView, ...] = ()


def _disagreement(f: Finding) -> DisagreementRow:
    o = f.outcome
    label = f.label
    difference = "—"
    if o.difference is not None:
        sign = "+" if o.difference > 0 else "−" if o.difference < 0 else ""
        amount = _num(abs(o.difference), label)
        difference = f"{sign}{'$' if label.startswith('price') else ''}{amount}"
        if o.percent is not None:
            difference += f" ({sign}{abs(o.percent)} %)"
    stale_note = ""
    if o.verdict == "stale" and o.stale_since is not None and o.matched is not None:
        since = o.matched_since.date().isoformat() if o.matched_since else "?"
        stale_note = (
            f"OpenRouter's value from {since} until it changed on {o.stale_since.date().isoformat()}: "
            f"stale since {o.stale_since.date().isoformat()}"
        )
    return DisagreementRow(
        model_name=f.model_name or f.model_key or f.entry,
        model_path=model_path(f.model_key) if f.model_key else None,
        openrouter_id=f.openrouter_id or "",
        label=label_of(f.attribute, f.qualifier),
        catalog_value=_num(f.catalog_value, label),
        primary_value=_num(o.primary, label),
        verdict=VERDICT_WORDS.get(str(o.verdict), str(o.verdict)),
        difference=difference,
        stale_note=stale_note,
        catalog_source=Source(label=f"{f.source} “{f.entry}”", url=_web(f.url), at=f.at),
        primary_source=Source(label="OpenRouter API", url=PRIMARY_URL, at=o.primary_since),
    )


def catalogs_page(summaries: Sequence[CatalogSummary]) -> CatalogsPage:
    views = []
    for s in summaries:
        counts = s.run_counts
        disagreements = s.disagreements
        views.append(
            CatalogView(
                catalog=s.catalog,
                anchor="catalog-" + "".join(ch if ch.isalnum() else "-" for ch in s.catalog),
                title=s.title,
                source=Source(label=s.source, url=None, at=s.snapshot_at),
                snapshot_at=s.snapshot_at,
                entries=int(counts.get("entries", 0)),
                rejected=tuple(sorted((counts.get("rejected") or {}).items())),
                other_offers=int(counts.get("other_offer_entries", 0)),
                linked=tuple(sorted((counts.get("linked") or {}).items())),
                unlinked=int(counts.get("unlinked", 0)),
                tallies=tuple(
                    TallyRow(label_of(*_split(t.attribute)), t.compared, t.agree, t.stale, t.wrong, t.unlinked)
                    for t in s.tallies
                    if t.compared or t.unlinked
                ),
                disagreements=tuple(_disagreement(f) for f in disagreements[:SHOWN]),
                disagreement_total=len(disagreements),
                evidence_total=len(s.evidence),
                evidence_agree=sum(1 for e in s.evidence if e.agrees),
                evidence_conflicts=tuple(
                    EvidenceRow(e.model_name or e.model_key, model_path(e.model_key), e.says, e.shown, e.quote or "")
                    for e in s.evidence_conflicts
                ),
            )
        )
    return CatalogsPage(path=PATH, title="Catalog accuracy", section="catalogs", catalogs=tuple(views))


def _split(label: str) -> tuple[str, str]:
    attribute, _, qualifier = label.partition(":")
    return attribute, qualifier


# ───────────────────────── model pages ─────────────────────────


@dataclass(frozen=True)
class CatalogValueRow:
    catalog: str
    label: str
    value: str
    verdict: str
    note: str
    source: Source


@dataclass(frozen=True)
class PresetCost:
    label: str
    prompt: int
    completion: int
    #: (offer, total, tier label, arithmetic lines), cheapest first.
    offers: tuple[tuple[str, str, str, tuple[str, ...]], ...]


@dataclass(frozen=True)
class PeerPanel:
    catalog_rows: tuple[CatalogValueRow, ...]
    presets: tuple[PresetCost, ...]
    #: The offers' tiers as JSON for the calculator in ``static/site.js`` (an escaped attribute, never executed).
    cost_data: str | None


def _value_text(v: ModelCatalogValue) -> str:
    if v.attribute == "price":
        return f"${money_text(Decimal(v.value))}"
    if v.attribute in ("context_length", "params_total"):
        return f"{int(v.value):,}"
    return v.value


def _offers(rows: Sequence[PriceRow]) -> list[tuple[str, list[TierPrice]]]:
    offers: dict[str, list[TierPrice]] = defaultdict(list)
    for p in rows:
        if p.last_seen_at is not None or ":" in p.subject.split("@", 1)[0]:
            continue
        name = p.subject.split("@", 1)[0] + (f" via {p.provider}" if p.provider is not None else "")
        priced = p.status in ("priced", "free")
        amount = p.usd_per_mtok if p.unit == "mtok" else p.usd_per_unit
        offers[name].append(TierPrice(p.component, p.tier, p.min_prompt_tokens, amount if priced else None, p.unit))
    return sorted(offers.items(), key=lambda item: (" via " in item[0], item[0]))


def _token(price: TierPrice) -> bool:
    """Token prices (USD per 1M) and the per-request fee: what the calculator adds up."""
    return price.amount is not None and (price.unit == "mtok" or price.component == "request")


def peer_panel(values: Sequence[ModelCatalogValue], prices: Sequence[PriceRow]) -> PeerPanel | None:
    rows = []
    for v in values:
        note = ""
        if v.verdict == "stale" and v.stale_since:
            note = f"OpenRouter changed it on {v.stale_since[:10]}"
        elif v.verdict == "wrong" and v.primary is not None:
            note = f"OpenRouter: {v.primary}"
        rows.append(
            CatalogValueRow(
                catalog=v.catalog,
                label=label_of(v.attribute, v.qualifier),
                value=_value_text(v),
                verdict=VERDICT_WORDS.get(v.verdict or "", "") if v.verdict else "",
                note=note,
                source=Source(label=v.source, url=_web(v.url), at=v.at, quote=v.quote),
            )
        )
    offers = _offers(prices)
    presets = []
    for label, prompt, completion in PRESETS if offers else ():
        costs, _problems = compare_offers(offers, Request(prompt, completion))
        presets.append(
            PresetCost(
                label=label,
                prompt=prompt,
                completion=completion,
                offers=tuple((c.offer, money_text(c.total_usd), c.tier_label, tuple(c.arithmetic())) for c in costs),
            )
        )
    if not rows and not presets:
        return None
    data = None
    if offers:
        # compact: [[offer, [[component, tier, min_prompt_tokens, usd_per_mtok (request: usd)], …]], …]
        payload = [
            [name, [[p.component, p.tier, p.min_prompt_tokens, format(p.amount, "f")] for p in tiers if _token(p)]]
            for name, tiers in offers
        ]
        data = json.dumps(payload, separators=(",", ":"))  # an attribute value: the template escapes it
    return PeerPanel(catalog_rows=tuple(rows), presets=tuple(presets), cost_data=data)
