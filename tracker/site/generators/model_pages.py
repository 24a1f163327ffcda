"""Each model's page: what the page of one model needs, gathered once for all of them.

The pages themselves are built by :func:`tracker.site.model_page.model_page` (pure) and
rendered in batches (:mod:`tracker.site.workers`), because each batch first reads
its models' card texts, the only large values, from the database.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass

from tracker.site.contexts import ModelSummary
from tracker.site.generators import SiteInputs
from tracker.site.model_page import ModelInputs
from tracker.site.paths import output_file
from tracker.site.queries import CardRef, ListingRow, ModelRow, PriceRow
from tracker.store.events import StoredEvent

#: Model pages rendered per batch of card texts read from the database.
BATCH = 500


@dataclass
class ModelPagesInputs:
    """The site's rows indexed the way model pages need them."""

    site: SiteInputs
    #: Model id → its events, newest first.
    events: dict[int, list[StoredEvent]]
    #: Model id → its derivatives and how each derives from it.
    derivatives: dict[int, list[tuple[ModelSummary, str | None]]]
    #: Model id → the document holding its card.
    cards: dict[int, CardRef]


def model_pages_inputs(inputs: SiteInputs, *, hub_url: str) -> ModelPagesInputs:
    data, summaries = inputs.data, inputs.summaries
    events: dict[int, list[StoredEvent]] = defaultdict(list)
    for event in data.events:
        if event.model_id is not None:
            events[event.model_id].append(event)
    derivatives: dict[int, list[tuple[ModelSummary, str | None]]] = defaultdict(list)
    for m in data.models:
        if m.base_model_id is not None:
            derivatives[m.base_model_id].append((summaries[m.id], m.base_relation))
    hub = hub_url.rstrip("/")
    cards: dict[int, CardRef] = {}
    for m in data.models:
        ref = data.cards_by_model.get(m.id)
        if ref is None and m.hf_repo_id:
            ref = data.cards_by_url.get(f"{hub}/{m.hf_repo_id}/raw/main/README.md")
        if ref is not None:
            cards[m.id] = ref
    return ModelPagesInputs(site=inputs, events=events, derivatives=derivatives, cards=cards)


def batches(count: int, size: int | None = None) -> list[tuple[int, int]]:
    """``(start, end)`` of each batch of ``count`` models (:data:`BATCH` a batch unless ``size``)."""
    size = size or BATCH
    return [(start, min(start + size, count)) for start in range(0, count, size)]


def batch_models(pages: ModelPagesInputs, task: tuple[int, int]) -> list[ModelRow]:
    start, end = task
    return pages.site.data.models[start:end]


def card_ids(pages: ModelPagesInputs, models: list[ModelRow]) -> list[int]:
    """The card documents a batch needs."""
    return [pages.cards[m.id].document_id for m in models if m.id in pages.cards]


def model_page_inputs(
    pages: ModelPagesInputs,
    models: list[ModelRow],
    texts: Mapping[int, str],
    rows: tuple[Mapping[int, Sequence[ListingRow]], Mapping[int, Sequence[PriceRow]]] | None = None,
) -> Iterator[tuple[ModelRow, str, ModelInputs]]:
    """(model, output file, what its page needs) for each model of a batch, given its card texts and,
    when the site's data holds none, the batch's listings and prices (``rows``)."""
    data, summaries = pages.site.data, pages.site.summaries
    listings, prices = rows if rows is not None else (data.listings, data.prices)
    for m in models:
        ref = pages.cards.get(m.id)
        inputs = ModelInputs(
            model=m,
            summary=summaries[m.id],
            listings=listings.get(m.id, ()),
            prices=prices.get(m.id, ()),
            events=pages.events.get(m.id, ()),
            claims=data.claims.get(m.id, ()),
            disputes=data.disputes.get(m.id, ()),
            base=summaries.get(m.base_model_id) if m.base_model_id is not None else None,
            derivatives=pages.derivatives.get(m.id, ()),
            card_text=texts.get(ref.document_id) if ref else None,
            card_url=ref.url if ref else None,
            card_fetched_at=ref.fetched_at if ref else None,
            provider_offers=data.provider_offers.get(m.id, ()),
            retires_on=data.retirements.get(m.id),
        )
        yield m, output_file(summaries[m.id].path), inputs
