"""The context of one model's page: facts with sources, prices, claims, lineage, changes."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from urllib.parse import quote, urlsplit

from markupsafe import Markup

from tracker.events.types import PriceChanged
from tracker.normalize.releases import DateEvidence, ReleaseDate, release_date
from tracker.site import format as fmt
from tracker.site.changes import event_view
from tracker.site.contexts import (
    ClaimGroup,
    ClaimView,
    DisputeView,
    ExternalLink,
    Fact,
    LineageLink,
    ModelPage,
    ModelSummary,
    Offer,
    PriceSpan,
    Source,
    TierRow,
    TierTable,
)
from tracker.site.describe import attribute_label
from tracker.site.glossary import license_class_term, open_weight_term
from tracker.site.markdown import render_markdown
from tracker.site.queries import ClaimRow, DisputeRow, ListingRow, ModelRow, PriceRow
from tracker.site.summaries import current_base_prices, main_listing, price_cell
from tracker.site.svg import Series, Span, price_chart
from tracker.store.events import StoredEvent
from tracker.vocabulary import prices_in_force, reporter_label, unit_label

HF_PAGE = "https://huggingface.co/"
OPENROUTER_PAGE = "https://openrouter.ai/"
REPORTER_RANK = {"primary": 0, "vendor": 1, "aggregator": 2, "press": 3}
#: Changes listed on a model page (the change log has them all).
MAX_CHANGES = 50
MAX_DERIVATIVES = 100


@dataclass
class ModelInputs:
    """What :func:`model_page` needs about one model, gathered by the build."""

    model: ModelRow
    summary: ModelSummary
    listings: Sequence[ListingRow]
    prices: Sequence[PriceRow]
    events: Sequence[StoredEvent]
    claims: Sequence[ClaimRow]
    disputes: Sequence[DisputeRow]
    base: ModelSummary | None
    derivatives: Sequence[tuple[ModelSummary, str | None]]
    card_text: str | None
    card_url: str | None
    card_fetched_at: dt.datetime | None
    #: OpenRouter per-provider offers (cheapest first) and the announced retirement date.
    provider_offers: Sequence[Any] = ()
    retires_on: dt.date | None = None


def web_url(url: str | None) -> str | None:
    """``url`` if it is a public web address (http/https), else None (local archive paths are not links)."""
    if not url:
        return None
    return url if urlsplit(url).scheme in ("http", "https") else None


def source_label(url: str | None, fallback: str) -> str:
    if url and not web_url(url):
        name = urlsplit(url).path.rsplit("/", 1)[-1]
        return f"{fallback} (archived response {name})" if name else fallback
    return fallback


def _listing_source(listing: ListingRow | None) -> Source | None:
    if listing is None:
        return None
    return Source(source_label(listing.url, "OpenRouter API"), web_url(listing.url), listing.fetched_at)


def _claim_view(claim: ClaimRow, shown_id: int | None) -> ClaimView:
    value = f"{claim.value} {claim.unit}" if claim.unit else claim.value
    return ClaimView(
        id=claim.id,
        value=value,
        reporter=reporter_label(claim.reporter),
        source=Source(claim.source, web_url(claim.url), claim.published_at or claim.fetched_at, claim.quote),
        status=claim.status,
        shown=claim.id == shown_id or (shown_id is None and claim.status == "shown"),
    )


def _shown_claim(claims: Sequence[ClaimRow], attribute: str) -> ClaimRow | None:
    for claim in claims:
        if claim.attribute == attribute and claim.qualifier == "" and claim.status == "shown":
            return claim
    return None


def _claim_source(claim: ClaimRow | None) -> Source | None:
    if claim is None:
        return None
    return Source(
        f"{claim.source} ({reporter_label(claim.reporter)})",
        web_url(claim.url),
        claim.published_at or claim.fetched_at,
        claim.quote,
    )


def _release(claim: ClaimRow | None, listing: ListingRow | None) -> ReleaseDate | None:
    """The release date by precedence (:mod:`tracker.normalize.releases`) when a post or article dates it."""
    if claim is None or claim.reporter not in ("vendor", "press"):
        return None
    try:
        day = dt.date.fromisoformat(claim.value[:10])
    except ValueError:
        return None
    evidence = [DateEvidence(dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC), claim.reporter, claim.source)]
    if listing is not None and listing.created_upstream_at is not None:
        evidence.append(DateEvidence(listing.created_upstream_at, "openrouter", listing.id))
    return release_date(evidence)


def _facts(inputs: ModelInputs, listing: ListingRow | None) -> list[Fact]:
    m, claims = inputs.model, inputs.claims
    listing_source = _listing_source(listing)
    ow = open_weight_term(m.open_weight_status)
    facts = [
        Fact(
            "Open weights",
            ow.label,
            _claim_source(_shown_claim(claims, "openness")),
            href=inputs.summary.open_weight_path,
            note=ow.summary,
        ),
        Fact(
            "Licence",
            m.license_key or "none found",
            _claim_source(_shown_claim(claims, "license")),
            href=inputs.summary.license_path,
            note=license_class_term(m.license_class).label,
        ),
    ]
    if m.params_total is not None or m.params_active is not None:
        value = fmt.params(m.params_total)
        if m.params_active is not None:
            value += f" total, {fmt.params(m.params_active)} active"
        note = {"safetensors": "from the weight files", "name": "derived from the name"}.get(m.params_source or "")
        facts.append(
            Fact("Parameters", value, _claim_source(_shown_claim(claims, "params_total")), note=note or m.params_source)
        )
    context_source = _claim_source(_shown_claim(claims, "context_length"))
    if context_source is None and listing is not None and listing.context_length == m.context_length:
        context_source = listing_source
    facts.append(
        Fact("Context length", f"{fmt.tokens(m.context_length)} tokens" if m.context_length else "—", context_source)
    )
    release_claim = _shown_claim(claims, "release_date")
    release = _release(release_claim, listing)
    if release is not None and release.released is not None:
        # a date a vendor post or the press gives, credited to it; OpenRouter's created is when it was listed there
        facts.append(Fact("Released", fmt.date(release.released.at), _claim_source(release_claim)))
        if release.on_openrouter_since is not None:
            facts.append(Fact("On OpenRouter since", fmt.date(release.on_openrouter_since.at), listing_source))
    else:
        release_source = _claim_source(release_claim)
        if release_source is None and listing is not None and listing.created_upstream_at == m.released_at:
            release_source = listing_source
        facts.append(Fact("Released", fmt.date(m.released_at), release_source))
    if listing is not None:
        if listing.max_completion_tokens:
            facts.append(Fact("Longest output", f"{fmt.tokens(listing.max_completion_tokens)} tokens", listing_source))
        if listing.modality:
            facts.append(Fact("Modality", listing.modality, listing_source))
        if listing.knowledge_cutoff:
            facts.append(Fact("Knowledge cutoff", listing.knowledge_cutoff, listing_source))
        status = "listed" if listing.status == "listed" else f"delisted {fmt.date(listing.delisted_at)}"
        facts.append(
            Fact(
                "On OpenRouter",
                f"{listing.id} ({status})",
                listing_source,
                href=OPENROUTER_PAGE + quote(listing.id),
                external=True,
            )
        )
    if m.hf_repo_id:
        facts.append(Fact("On Hugging Face", m.hf_repo_id, None, href=HF_PAGE + quote(m.hf_repo_id), external=True))
    facts.append(Fact("First seen by tracker", fmt.timestamp(m.first_seen_at)))
    return facts


def _evidence(evidence: dict[str, Any] | None) -> tuple[tuple[str, str], ...]:
    if not evidence:
        return ()
    out = []
    for key in sorted(evidence):
        value = evidence[key]
        if isinstance(value, list | tuple):  # vendor statements read "source: “quote”"
            text = ", ".join(
                f"{v.get('source', '')}: “{v.get('quote', '')}”" if isinstance(v, dict) else str(v) for v in value
            )
        elif isinstance(value, dict):
            text = ", ".join(f"{k}: {v}" for k, v in sorted(value.items()))
        else:
            text = "—" if value is None else str(value)
        out.append((key.replace("_", " "), text))
    return tuple(out)


def _tier_table(listing: ListingRow | None, prices: Sequence[PriceRow]) -> TierTable | None:
    if listing is None:
        return None
    current = list(prices_in_force(prices, listing.id, all_tiers=True).values())
    if not current:
        return None
    components = sorted({p.component for p in current}, key=fmt.component_rank)
    tiers = sorted({(p.tier, p.min_prompt_tokens) for p in current}, key=lambda t: (t[0] != "", t[1] or 0, t[0]))
    cells = {(p.tier, p.component): p for p in current}
    rows = []
    for tier, min_tokens in tiers:
        row = []
        for component in components:
            p = cells.get((tier, component))
            text = "—" if p is None else fmt.price_text(p.status, p.amount)
            if p is not None and p.unit != "mtok" and p.status == "priced":
                text += f" {unit_label(p.unit)}"
            row.append(text)
        rows.append(TierRow(fmt.tier_label(tier, min_tokens), tuple(row)))
    newest = max(current, key=lambda p: (p.first_seen_at, p.url is not None))
    url = newest.url
    return TierTable(
        offer=listing.id,
        columns=tuple(fmt.component_label(c) for c in components),
        rows=tuple(rows),
        unit_note="USD per 1M tokens unless marked otherwise",
        source=Source(source_label(url, "OpenRouter API"), web_url(url), newest.first_seen_at),
    )


def _offers(listings: Sequence[ListingRow], main: ListingRow | None, prices: Sequence[PriceRow]) -> tuple[Offer, ...]:
    out = []
    for listing in listings:
        if main is not None and listing.id == main.id:
            continue
        base = current_base_prices(listing.id, prices)
        out.append(
            Offer(
                id=listing.id,
                variant=listing.variant or "",
                status=listing.status,
                input_price=price_cell(base.get("prompt")).text,
                output_price=price_cell(base.get("completion")).text,
            )
        )
    return tuple(out)


def _chart_amount(p: PriceRow) -> Decimal | None:
    if p.status == "free":
        return Decimal(0)
    return p.amount if p.status == "priced" else None


def _chart(summary: ModelSummary, listing: ListingRow | None, prices: Sequence[PriceRow]) -> Markup | None:
    if listing is None:
        return None
    series = []
    for component in ("prompt", "completion"):
        spans = tuple(
            Span(p.first_seen_at, p.last_seen_at, _chart_amount(p))
            for p in prices
            if p.subject == listing.id and p.tier == "" and p.component == component and p.provider is None
        )
        if spans:
            series.append(Series(f"{fmt.component_label(component)} (USD per 1M tokens)", spans))
    return price_chart(series, title=f"Price history of {summary.name}")


def _history(prices: Sequence[PriceRow]) -> tuple[PriceSpan, ...]:
    ordered = sorted(
        prices,
        key=lambda p: (p.subject, fmt.component_rank(p.component), p.min_prompt_tokens or 0, p.tier, p.first_seen_at),
    )
    return tuple(
        PriceSpan(
            offer=p.subject,
            component=fmt.component_label(p.component),
            tier=fmt.tier_label(p.tier, p.min_prompt_tokens),
            price=fmt.price_text(p.status, p.amount),
            unit=unit_label(p.unit),
            first_seen_at=p.first_seen_at,
            last_seen_at=p.last_seen_at,
            source=Source(source_label(p.url, p.source), web_url(p.url), p.first_seen_at) if p.url else None,
        )
        for p in ordered
    )


def dispute_views(disputes: Sequence[DisputeRow], claims: Sequence[ClaimRow]) -> tuple[DisputeView, ...]:
    out = []
    for d in sorted(disputes, key=lambda d: (d.status != "open", d.attribute, d.qualifier, d.id)):
        related = [c for c in claims if c.attribute == d.attribute and c.qualifier == d.qualifier]
        shown_row = next((c for c in related if c.id == d.shown_claim_id), None)
        if shown_row is None:
            shown_row = next((c for c in related if c.status == "shown"), None)
        # The ledger's verdict, never recomputed here: a claim it judged consistent within tolerance
        # (128,000 against a shown 131,072) is not contrary, whatever its text.
        contrary = [c for c in related if c.status == "disputed" and (shown_row is None or c.id != shown_row.id)]
        contrary.sort(key=lambda c: (REPORTER_RANK.get(c.reporter, 9), c.id))
        summary = (d.data or {}).get("summary")
        out.append(
            DisputeView(
                attribute=d.attribute,
                label=attribute_label(d.attribute),
                qualifier=d.qualifier,
                status=d.status,
                opened_at=d.opened_at,
                resolved_at=d.resolved_at,
                summary=summary if isinstance(summary, str) else None,
                shown=_claim_view(shown_row, shown_row.id) if shown_row else None,
                contrary=tuple(_claim_view(c, None) for c in contrary),
            )
        )
    return tuple(out)


def _claim_groups(claims: Sequence[ClaimRow], disputes: Sequence[DisputeRow]) -> tuple[ClaimGroup, ...]:
    open_disputes = {(d.attribute, d.qualifier): d for d in disputes if d.status == "open"}
    groups: dict[tuple[str, str], list[ClaimRow]] = {}
    for claim in claims:
        groups.setdefault((claim.attribute, claim.qualifier), []).append(claim)
    out = []
    for (attribute, qualifier), rows in sorted(groups.items(), key=lambda kv: (attribute_label(kv[0][0]), kv[0][1])):
        dispute = open_disputes.get((attribute, qualifier))
        shown_id = dispute.shown_claim_id if dispute else None
        rows.sort(key=lambda c: (REPORTER_RANK.get(c.reporter, 9), c.published_at or c.fetched_at, c.id))
        out.append(
            ClaimGroup(
                attribute=attribute,
                label=attribute_label(attribute),
                qualifier=qualifier,
                disputed=dispute is not None,
                claims=tuple(_claim_view(c, shown_id) for c in rows),
            )
        )
    return tuple(out)


def model_page(inputs: ModelInputs, models: Mapping[int, ModelSummary]) -> ModelPage:
    m, summary = inputs.model, inputs.summary
    listing = main_listing(m, inputs.listings)
    description = description_source = None
    if listing is not None and listing.description:
        description, _cut = render_markdown(listing.description, base_url=OPENROUTER_PAGE)
        description_source = _listing_source(listing)
    card = card_source = None
    card_truncated = False
    if inputs.card_text:
        base = f"{HF_PAGE}{m.hf_repo_id}/blob/main/" if m.hf_repo_id else None
        card, card_truncated = render_markdown(inputs.card_text, base_url=base)
        card_source = Source(
            source_label(inputs.card_url, "Hugging Face model card"), web_url(inputs.card_url), inputs.card_fetched_at
        )
    price_events = [e for e in inputs.events if isinstance(e.event, PriceChanged)]
    links = []
    if m.hf_repo_id:
        links.append(ExternalLink("Hugging Face", HF_PAGE + quote(m.hf_repo_id)))
    if listing is not None:
        links.append(ExternalLink("OpenRouter", OPENROUTER_PAGE + quote(listing.id)))
    base_link = None
    if m.base_model_id is not None:
        if inputs.base is not None:
            base_link = LineageLink(inputs.base.key, inputs.base.name, inputs.base.path, m.base_relation)
        else:
            base_link = LineageLink(str(m.base_model_id), "a model not on this site", None, m.base_relation)
    derivatives = tuple(
        LineageLink(d.key, d.name, d.path, relation) for d, relation in inputs.derivatives[:MAX_DERIVATIVES]
    )
    return ModelPage(
        path=summary.path,
        title=summary.name,
        section="models",
        model=summary,
        facts=tuple(_facts(inputs, listing)),
        open_weight=open_weight_term(m.open_weight_status),
        evidence=_evidence(m.open_weight_evidence),
        license_term=license_class_term(m.license_class),
        description=description,
        description_source=description_source,
        card=card,
        card_source=card_source,
        card_truncated=card_truncated,
        tiers=_tier_table(listing, inputs.prices),
        offers=_offers(inputs.listings, listing, inputs.prices),
        chart=_chart(summary, listing, inputs.prices),
        price_changes=tuple(event_view(e, models) for e in price_events),
        price_history=_history(inputs.prices),
        disputes=dispute_views(inputs.disputes, inputs.claims),
        claims=_claim_groups(inputs.claims, inputs.disputes),
        base=base_link,
        derivatives=derivatives,
        derivative_total=len(inputs.derivatives),
        links_out=tuple(links),
        changes=tuple(event_view(e, models) for e in inputs.events[:MAX_CHANGES]),
        change_total=len(inputs.events),
        provider_offers=tuple(inputs.provider_offers),
        retires_on=inputs.retires_on,
    )
