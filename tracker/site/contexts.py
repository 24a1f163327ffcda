"""The documented contexts of the site's pages: templates use these and nothing else.

Every page context has ``path`` (its site path, e.g. ``models/qwen/qwen3-max/``),
``title`` and ``root`` (the relative prefix back to the site root), so that a
template links to ``{{ root }}{{ other.path }}`` and the site works from any
sub-path. Text fields hold raw source text (Jinja escapes it); fields typed
:class:`~markupsafe.Markup` were produced by :mod:`tracker.site.markdown`,
:mod:`tracker.site.svg` or the row templates, which escape or sanitize
everything they include.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property
from typing import Any

from markupsafe import Markup

from tracker.site.glossary import Term
from tracker.site.paths import root_of


@dataclass(frozen=True, kw_only=True)
class Page:
    path: str
    title: str
    #: Which top navigation entry is current (``models``, ``vendors``, ...).
    section: str = ""

    @cached_property
    def root(self) -> str:
        return root_of(self.path)


@dataclass(frozen=True)
class Source:
    """Where a shown value comes from."""

    label: str
    #: An http(s) URL, or None when the source is not a public web address.
    url: str | None = None
    at: dt.datetime | None = None
    quote: str | None = None


@dataclass(frozen=True)
class ExternalLink:
    label: str
    url: str


@dataclass(frozen=True)
class PriceCell:
    """One price as shown in a table; ``sort`` is the value the live sorting uses."""

    status: str | None
    amount: Decimal | None
    text: str
    sort: str


@dataclass(frozen=True)
class ModelSummary:
    """One row of a models table."""

    id: int
    key: str
    name: str
    path: str
    vendor: str
    vendor_path: str
    open_weight_status: str
    open_weight_label: str
    open_weight_path: str
    license_key: str | None
    license_path: str | None
    license_class: str
    license_class_label: str
    license_class_path: str
    input_price: PriceCell
    output_price: PriceCell
    context_length: int | None
    released_at: dt.datetime | None
    #: ``listed``, ``delisted`` (on OpenRouter) or ``""`` (not on OpenRouter).
    listing_status: str
    disputed: bool
    is_derivative: bool
    #: The vendor as it spells itself (``Qwen``, ``inclusionAI``); ``vendor`` is the lower-case key.
    vendor_name: str = ""


@dataclass(frozen=True)
class FacetLink:
    label: str
    path: str
    count: int
    current: bool = False


@dataclass(frozen=True)
class Pager:
    """Where a page of a long models table is among its pages (vendor, licence, open-weight pages:
    :data:`tracker.site.summaries.PAGE_SIZE` models a page, linked without JavaScript)."""

    number: int
    pages: int
    prev_path: str | None
    next_path: str | None
    #: (page number, path) of the pages linked (first, last and those near this one).
    links: tuple[tuple[int, str], ...]
    #: 1-based positions of the first and last model of this page, and how many there are in all.
    first: int
    last: int
    total: int


@dataclass(frozen=True)
class ModelsTable:
    """A models table: its rows for the page's ``root`` plus the live-filter choices.

    The rows are rendered only when a template reads :attr:`rows` (a page whose inputs are unchanged
    is never rendered, so its rows never are); what they are made from is :attr:`rows_digest` (the
    digest of the listed models' summaries, in order, and the root), which the page's input hash sees.
    """

    count: int
    #: The sort key the rows are in (see :data:`tracker.site.paths.SORTS`).
    sort: str
    #: Column headers link to the pre-rendered sort orders (the full index only).
    sort_links: dict[str, str] = field(default_factory=dict)
    #: (vendor key, display name) of the vendors present, each once (the filter's choices; the page's
    #: input hash sees them through :attr:`choices_digest`, computed once per build).
    vendors: tuple[tuple[str, str], ...] = field(default=(), repr=False)
    statuses: tuple[tuple[str, str], ...] = field(default=(), repr=False)
    classes: tuple[tuple[str, str], ...] = field(default=(), repr=False)
    choices_digest: str = ""
    rows_digest: str = ""
    #: Set when the table is one page of a longer list.
    pager: Pager | None = None
    #: Renders the rows (HTML, escaped by the row template); not part of the page's inputs.
    render_rows: Callable[[], str] | None = field(default=None, repr=False, compare=False)

    @cached_property
    def rows(self) -> Markup:
        return Markup(self.render_rows() if self.render_rows is not None else "")


@dataclass(frozen=True)
class EventView:
    id: int
    kind: str
    kind_label: str
    detected_at: dt.datetime
    subject: str
    #: The model page, when the event is about a known model.
    model_path: str | None
    model_name: str | None
    summary: str
    source: str


@dataclass(frozen=True)
class Count:
    label: str
    value: int
    path: str | None = None


@dataclass(frozen=True)
class IssueSummary:
    week: str
    subject: str
    path: str


@dataclass(frozen=True, kw_only=True)
class HomePage(Page):
    site_title: str
    counts: tuple[Count, ...]
    #: The ISO week of the newest change (the site's "this week" comes from the data, not the clock).
    week: str | None
    week_changes: tuple[EventView, ...]
    week_change_total: int
    week_kinds: tuple[Count, ...]
    latest_change_at: dt.datetime | None
    latest_issue: IssueSummary | None
    status_facets: tuple[FacetLink, ...]
    class_facets: tuple[FacetLink, ...]
    #: Models whose retirement is announced, soonest first (on or after the newest change's day).
    retiring: tuple[RetiringView, ...] = ()


@dataclass(frozen=True)
class RetiringView:
    name: str
    path: str
    retires_on: dt.date
    days_left: int


@dataclass(frozen=True, kw_only=True)
class ModelsIndexPage(Page):
    table: ModelsTable
    total: int
    sort_label: str
    status_facets: tuple[FacetLink, ...]
    class_facets: tuple[FacetLink, ...]
    #: This page of the sort order (1-based), how many there are, and the neighbours' paths.
    number: int = 1
    pages: int = 1
    prev_path: str | None = None
    next_path: str | None = None
    #: (page number, path) of the pages linked from the pager (first, last and those near this one).
    page_links: tuple[tuple[int, str], ...] = ()
    #: 1-based position of the first and last model on this page.
    first: int = 0
    last: int = 0


@dataclass(frozen=True)
class Fact:
    label: str
    value: str
    source: Source | None = None
    #: A link for the value (site path or external URL).
    href: str | None = None
    external: bool = False
    note: str | None = None


@dataclass(frozen=True)
class TierRow:
    label: str
    cells: tuple[str, ...]


@dataclass(frozen=True)
class TierTable:
    """Current prices of one offer: a row per tier, a column per component."""

    offer: str
    columns: tuple[str, ...]
    rows: tuple[TierRow, ...]
    unit_note: str
    source: Source | None


@dataclass(frozen=True)
class Offer:
    """A variant listing (``:free``, ``:thinking``...) of the same model."""

    id: str
    variant: str
    status: str
    input_price: str
    output_price: str


@dataclass(frozen=True)
class PriceSpan:
    offer: str
    component: str
    tier: str
    price: str
    unit: str
    first_seen_at: dt.datetime
    last_seen_at: dt.datetime | None
    source: Source | None


@dataclass(frozen=True)
class ClaimView:
    id: int
    value: str
    reporter: str
    source: Source
    status: str
    shown: bool


@dataclass(frozen=True)
class ClaimGroup:
    attribute: str
    label: str
    qualifier: str
    disputed: bool
    claims: tuple[ClaimView, ...]


@dataclass(frozen=True)
class DisputeView:
    attribute: str
    label: str
    qualifier: str
    status: str
    opened_at: dt.datetime
    resolved_at: dt.datetime | None
    summary: str | None
    shown: ClaimView | None
    contrary: tuple[ClaimView, ...]


@dataclass(frozen=True)
class LineageLink:
    key: str
    name: str
    path: str | None
    relation: str | None


@dataclass(frozen=True, kw_only=True)
class ModelPage(Page):
    model: ModelSummary
    facts: tuple[Fact, ...]
    open_weight: Term
    evidence: tuple[tuple[str, str], ...]
    license_term: Term
    description: Markup | None
    description_source: Source | None
    card: Markup | None
    card_source: Source | None
    card_truncated: bool
    tiers: TierTable | None
    offers: tuple[Offer, ...]
    chart: Markup | None
    price_changes: tuple[EventView, ...]
    price_history: tuple[PriceSpan, ...]
    disputes: tuple[DisputeView, ...]
    claims: tuple[ClaimGroup, ...]
    base: LineageLink | None
    derivatives: tuple[LineageLink, ...]
    derivative_total: int
    links_out: tuple[ExternalLink, ...]
    changes: tuple[EventView, ...]
    change_total: int
    #: ``tracker.site.offers.ProviderOffer`` rows, cheapest first.
    provider_offers: tuple[Any, ...] = ()
    #: The announced retirement date (OpenRouter ``expiration_date``).
    retires_on: dt.date | None = None


@dataclass(frozen=True)
class VendorSummary:
    name: str
    path: str
    models: int
    open_weights: int
    latest_release: dt.datetime | None


@dataclass(frozen=True, kw_only=True)
class RenamedPage(Page):
    """The page left at a renamed model's old address (:mod:`tracker.site.renames`): where it went."""

    old_key: str
    new_key: str
    #: The new model's page, site-relative.
    new_path: str


@dataclass(frozen=True, kw_only=True)
class VendorsIndexPage(Page):
    vendors: tuple[VendorSummary, ...]


@dataclass(frozen=True, kw_only=True)
class VendorPage(Page):
    vendor: str
    table: ModelsTable
    status_counts: tuple[FacetLink, ...]
    #: The digest of the recent changes listed (:func:`tracker.site.changes.events_digest`): what
    #: :attr:`changes` are made from, and what the page's input hash sees.
    changes_digest: str = ""
    #: Makes the recent changes' views (only when the page is rendered); not part of its inputs.
    make_changes: Callable[[], tuple[EventView, ...]] | None = field(default=None, repr=False, compare=False)

    @cached_property
    def changes(self) -> tuple[EventView, ...]:
        return self.make_changes() if self.make_changes is not None else ()


@dataclass(frozen=True)
class LicenseSummary:
    key: str
    path: str
    license_class: str
    count: int


@dataclass(frozen=True)
class LicenseClassSummary:
    term: Term
    path: str
    count: int
    licenses: tuple[LicenseSummary, ...]


@dataclass(frozen=True, kw_only=True)
class LicensesIndexPage(Page):
    classes: tuple[LicenseClassSummary, ...]


@dataclass(frozen=True, kw_only=True)
class LicensePage(Page):
    key: str
    term: Term
    class_path: str
    table: ModelsTable


@dataclass(frozen=True, kw_only=True)
class LicenseClassPage(Page):
    term: Term
    licenses: tuple[LicenseSummary, ...]
    table: ModelsTable


@dataclass(frozen=True)
class MatrixRow:
    status: FacetLink
    cells: tuple[FacetLink, ...]


@dataclass(frozen=True, kw_only=True)
class OpenWeightsIndexPage(Page):
    terms: tuple[Term, ...]
    class_headers: tuple[FacetLink, ...]
    matrix: tuple[MatrixRow, ...]


@dataclass(frozen=True, kw_only=True)
class OpenWeightPage(Page):
    term: Term
    #: Set on the combined pages (status × licence class).
    class_term: Term | None
    combos: tuple[FacetLink, ...]
    table: ModelsTable


@dataclass(frozen=True, kw_only=True)
class ChangesPage(Page):
    page: int
    #: Archive pages (on the front page; 0 on archive pages, which show no totals).
    pages: int
    #: Events recorded (on the front page; 0 on archive pages).
    total: int
    #: Newer and older pages.
    prev_path: str | None
    next_path: str | None
    #: An archive page (numbered from the oldest event), holding events ``first``–``last``.
    archive: bool = False
    first: int = 0
    last: int = 0
    #: The digest of the listed events (each one's content, its model's name and path): what
    #: :attr:`events` are made from, and what the page's input hash sees.
    events_digest: str = ""
    #: Makes the listed events' views (only when the page is rendered); not part of its inputs.
    make_events: Callable[[], tuple[EventView, ...]] | None = field(default=None, repr=False, compare=False)

    @cached_property
    def events(self) -> tuple[EventView, ...]:
        return self.make_events() if self.make_events is not None else ()


@dataclass(frozen=True, kw_only=True)
class NewsletterIndexPage(Page):
    issues: tuple[IssueSummary, ...]


@dataclass(frozen=True, kw_only=True)
class NewsletterIssuePage(Page):
    week: str
    subject: str
    text: str
    data_path: str | None
    prev: IssueSummary | None
    next: IssueSummary | None


@dataclass(frozen=True)
class Download:
    label: str
    path: str
    description: str
    #: Bytes; None for the database copy, whose size depends on the SQLite version and schema, not on the data.
    size: int | None


@dataclass(frozen=True, kw_only=True)
class DataPage(Page):
    downloads: tuple[Download, ...]


@dataclass(frozen=True, kw_only=True)
class DisputesPage(Page):
    items: tuple[tuple[ModelSummary, DisputeView], ...]


@dataclass(frozen=True)
class SiteInfo:
    """Shared by every page: the site's title and its navigation (key, label, path)."""

    title: str
    nav: tuple[tuple[str, str, str], ...]
