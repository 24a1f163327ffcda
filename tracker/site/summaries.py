"""Rows of the models tables, their sort orders, and the filter facets.

A model's row is rendered once per page depth (``root``) and reused by every
table that lists it: the full index in each sort order, vendor, licence and
open-weight pages.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from bisect import bisect_left
from collections import defaultdict
from collections.abc import Callable, Collection, Hashable, Iterable, Iterator, Mapping, Sequence
from decimal import Decimal
from typing import Any

from markupsafe import Markup

from tracker.normalize.identity import vendor_display
from tracker.normalize.numbers import format_decimal
from tracker.site import format as fmt
from tracker.site.contexts import FacetLink, ModelsTable, ModelSummary, Pager, PriceCell
from tracker.site.glossary import LICENSE_CLASSES, OPEN_WEIGHT_STATUSES, license_class_term, open_weight_term
from tracker.site.paths import SORTS, open_weight_path, paged_path, pager_numbers, root_of
from tracker.site.queries import ListingRow, ModelRow, PriceRow, SiteData
from tracker.site.render import environment
from tracker.urls import license_class_path, license_path, model_path, vendor_path
from tracker.vocabulary import prices_in_force, shown_offer, shown_prices

_NO_PRICE = PriceCell(None, None, "—", "")
#: Models per page of a vendor, licence, licence-class or open-weight listing.
PAGE_SIZE = 100


def main_listing(model: ModelRow, listings: Sequence[ListingRow]) -> ListingRow | None:
    """The model's shown offer (:func:`tracker.vocabulary.shown_offer`): its own OpenRouter listing."""
    offer = shown_offer((listing.id for listing in listings), openrouter_id=model.openrouter_id, key=model.key)
    return next((listing for listing in listings if listing.id == offer), None)


def price_cell(row: PriceRow | None) -> PriceCell:
    if row is None:
        return _NO_PRICE
    amount = row.amount
    if row.status == "priced" and amount is not None:
        return PriceCell(row.status, amount, fmt.usd(amount), format_decimal(amount))
    if row.status == "free":
        return PriceCell(row.status, Decimal(0), "free", "0")
    return PriceCell(row.status, None, row.status, "")


def current_base_prices(subject: str | None, prices: Sequence[PriceRow]) -> dict[str, PriceRow]:
    """Current base-tier prices of one offer, by component (:func:`tracker.vocabulary.prices_in_force`)."""
    return {component: p for (component, _tier), p in prices_in_force(prices, subject).items()}


def summarize(model: ModelRow, data: SiteData) -> ModelSummary:
    listings = data.listings.get(model.id, ())
    listing = main_listing(model, listings)
    base = shown_prices(
        data.prices.get(model.id, ()),
        offers=[listing.id for listing in listings],
        openrouter_id=model.openrouter_id,
        key=model.key,
    )
    status = model.open_weight_status or "unknown"
    license_class = model.license_class or "unknown"
    disputed = any(d.status == "open" for d in data.disputes.get(model.id, ()))
    return ModelSummary(
        id=model.id,
        key=model.key,
        name=model.name or model.key,
        path=model_path(model.key),
        vendor=model.vendor,
        vendor_path=vendor_path(model.vendor),
        open_weight_status=status,
        open_weight_label=open_weight_term(status).label,
        open_weight_path=open_weight_path(status),
        license_key=model.license_key,
        license_path=license_path(model.license_key) if model.license_key else None,
        license_class=license_class,
        license_class_label=license_class_term(license_class).label,
        license_class_path=license_class_path(license_class),
        input_price=price_cell(base.get("prompt")),
        output_price=price_cell(base.get("completion")),
        context_length=model.context_length,
        released_at=model.released_at,
        listing_status=listing.status if listing else "",
        disputed=disputed,
        is_derivative=model.is_derivative,
        vendor_name=vendor_display(model.vendor),
    )


_FAR_PAST = dt.datetime(1, 1, 1, tzinfo=dt.UTC)


def _price_key(cell: PriceCell) -> tuple[int, Decimal]:
    return (0, cell.amount) if cell.amount is not None else (1, Decimal(0))


#: Sort key → function ordering the rows (ties broken by model key).
SORT_KEYS: dict[str, Callable[[ModelSummary], Any]] = {
    "released": lambda m: (m.released_at is None, -(m.released_at or _FAR_PAST).timestamp(), m.key),
    "name": lambda m: (m.name.casefold(), m.key),
    "vendor": lambda m: (m.vendor.casefold(), m.name.casefold(), m.key),
    "input": lambda m: (*_price_key(m.input_price), m.key),
    "output": lambda m: (*_price_key(m.output_price), m.key),
    "context": lambda m: (m.context_length is None, -(m.context_length or 0), m.key),
}
SORT_LABELS: dict[str, str] = {
    "released": "newest release first",
    "name": "name",
    "vendor": "vendor",
    "input": "input price, lowest first",
    "output": "output price, lowest first",
    "context": "context length, longest first",
}
assert set(SORT_KEYS) == set(SORTS) == set(SORT_LABELS)


def summary_digest(model: ModelSummary) -> bytes:
    """PURE: the digest of one model's summary (everything its row shows)."""
    return hashlib.blake2b(repr(model).encode("utf-8", "surrogatepass"), digest_size=12).digest()


def paged_title(title: str, number: int) -> str:
    """A listing page's title: the listing's on its first page, with the page number on the others."""
    return title if number == 1 else f"{title} (page {number})"


class Tables:
    """Builds :class:`ModelsTable` values. A model's row is rendered at most once per build (with
    :data:`ROOT` in place of the page's root), and only when a page listing it is rendered; what a
    table's rows are made from is its ``rows_digest`` (the listed summaries' digests, in order)."""

    ROW_START = "<tr data-name="
    #: Rendered in place of the page's root and replaced per depth; escaped data can never contain "<".
    ROOT = Markup("<ROOT>")

    def __init__(self, summaries: Sequence[ModelSummary], digests: Mapping[int, bytes] | None = None) -> None:
        self.summaries = list(summaries)
        self._template = environment().get_template("_rows.html")
        self._generic: dict[int, str] = {}
        #: Rows' HTML a previous build made, by summary digest (:meth:`reuse_rows`).
        self._known: Mapping[bytes, str] = {}
        #: :func:`summary_digest` by model id (those of the last build's unchanged chunks given).
        self._digests: dict[int, bytes] = dict(digests or {})
        #: Sort → all the summaries in that order.
        self._full: dict[str, list[ModelSummary]] = {}
        #: Sort orders of an earlier build (:meth:`reuse_orders`): sort → model ids, and their digests.
        self._known_orders: Mapping[str, Sequence[int]] = {}
        self._known_digests: Mapping[int, bytes] = {}
        self._every: dict[int, bytes] | None = None
        self._ids: dict[int, ModelSummary] | None = None
        self._same: set[int] | None = None
        names = {m.vendor: m.vendor_name or m.vendor for m in self.summaries}
        self.vendors = tuple(sorted(names.items(), key=lambda kv: (kv[1].casefold(), kv[0])))
        self.statuses = _present(OPEN_WEIGHT_STATUSES, {m.open_weight_status for m in self.summaries}, open_weight_term)
        self.classes = _present(LICENSE_CLASSES, {m.license_class for m in self.summaries}, license_class_term)
        choices = repr((self.vendors, self.statuses, self.classes)).encode("utf-8", "surrogatepass")
        self.choices_digest = hashlib.blake2b(choices, digest_size=16).hexdigest()

    def order(self, sort: str) -> list[ModelSummary]:
        """All the summaries in a sort order, found once per build: one sort of all of them, or the last
        build's order with the changed models moved (:func:`merge_order`; the keys end with the model
        key, so the order is total). Lists of a part of them take their order from :meth:`grouped`."""
        full = self._full.get(sort)
        if full is None:
            full = self._full[sort] = self._sorted(sort)
        return list(full)

    def _sorted(self, sort: str) -> list[ModelSummary]:
        key = SORT_KEYS[sort]
        known = self._known_orders.get(sort)
        if known is not None:
            merged = merge_order(self._by_id(), known, self._unchanged(), key)
            if merged is not None:
                return merged
        return sorted(self.summaries, key=key)

    def _by_id(self) -> dict[int, ModelSummary]:
        if self._ids is None:
            self._ids = {m.id: m for m in self.summaries}
        return self._ids

    def _unchanged(self) -> set[int]:
        """The models whose summary digest is the one the kept orders were made of."""
        if self._same is None:
            known, digests = self._known_digests, self._all_digests()
            self._same = {i for i, d in digests.items() if known.get(i) == d}
        return self._same

    def reuse_orders(self, orders: Mapping[str, Sequence[int]], digests: Mapping[int, bytes]) -> None:
        """Take the sort orders an earlier build made from the same code (:meth:`known_orders`): a
        model whose summary digest is the one given keeps its place among the others."""
        self._known_orders, self._known_digests = orders, digests

    def known_orders(self) -> tuple[dict[str, Sequence[int]], dict[int, bytes]]:
        """The sort orders this build made (sort → model ids), and the summary digests they were made of."""
        orders: dict[str, Sequence[int]] = {sort: [m.id for m in full] for sort, full in self._full.items()}
        return orders, (self._all_digests() if orders else {})

    def _all_digests(self) -> dict[int, bytes]:
        if self._every is None:
            self._every = {m.id: self.digest(m) for m in self.summaries}
        return self._every

    def grouped(self, group: Callable[[ModelSummary], Hashable | None]) -> dict[Hashable, list[ModelSummary]]:
        """Every summary by ``group`` of it (None: in no group), each group newest release first (the
        order :meth:`pages` lists them in): one pass over that order instead of a sort of each group."""
        out: dict[Hashable, list[ModelSummary]] = defaultdict(list)
        for m in self.order("released"):
            name = group(m)
            if name is not None:
                out[name].append(m)
        return out

    def digest(self, model: ModelSummary) -> bytes:
        """The digest of one model's summary (everything its row shows)."""
        found = self._digests.get(model.id)
        if found is None:
            found = self._digests[model.id] = summary_digest(model)
        return found

    def generic(self, models: Sequence[ModelSummary] | None = None) -> dict[int, str]:
        """The HTML row of each of ``models`` (default: all) with :data:`ROOT` in place of the page's
        root; rows not rendered yet are rendered in one pass of ``_rows.html``."""
        models = self.summaries if models is None else models
        todo = [m for m in models if m.id not in self._generic]
        if todo and self._known:
            known, left = self._known, []
            for m in todo:
                html = known.get(self.digest(m))
                if html is None:
                    left.append(m)
                else:
                    self._generic[m.id] = html
            todo = left
        if todo:
            html = self._template.render(models=todo, root=self.ROOT)
            # Escaped values never contain "<", so each row begins exactly where ROW_START appears.
            parts = [self.ROW_START + p for p in html.split(self.ROW_START)[1:]]
            if len(parts) != len(todo):
                raise RuntimeError("_rows.html must render one <tr data-name=...> per model")
            self._generic.update((m.id, part) for m, part in zip(todo, parts, strict=True))
        return self._generic

    def reuse_rows(self, known: Mapping[bytes, str]) -> None:
        """Take rows' HTML made by an earlier build from the same templates and code (summary digest →
        HTML, as :meth:`known_rows` gave it): a row whose summary has that digest is not rendered again."""
        self._known = known

    def known_rows(self) -> dict[bytes, str]:
        """Summary digest → HTML of every row this build rendered or was given, for the models listed."""
        out: dict[bytes, str] = {}
        known, generic = self._known, self._generic
        for m in self.summaries:
            html = generic.get(m.id)
            if html is None and known:
                html = known.get(self.digest(m))
            if html is not None:
                out[self.digest(m)] = html
        return out

    def rows(self, root: str) -> dict[int, str]:
        """The HTML row of every model for pages at this depth."""
        return {i: html.replace(self.ROOT, root) for i, html in self.generic().items()}

    def pages(
        self, models: Sequence[ModelSummary], base: str, *, size: int | None = None
    ) -> Iterator[tuple[int, str, ModelsTable]]:
        """(number, path, table) of each page of ``models``, newest release first (the order
        :meth:`grouped` gives), listed at ``base``: :data:`PAGE_SIZE` a page; one page, at ``base``,
        when they are few or none."""
        size = size or PAGE_SIZE
        ordered = models
        count = max(1, -(-len(ordered) // size))
        for number in range(1, count + 1):
            path = paged_path(base, number)
            chunk = ordered[(number - 1) * size : number * size]
            pager = None
            if count > 1:
                pager = Pager(
                    number=number,
                    pages=count,
                    prev_path=paged_path(base, number - 1) if number > 1 else None,
                    next_path=paged_path(base, number + 1) if number < count else None,
                    links=tuple((n, paged_path(base, n)) for n in pager_numbers(number, count)),
                    first=(number - 1) * size + 1,
                    last=(number - 1) * size + len(chunk),
                    total=len(ordered),
                )
            yield number, path, self.table(chunk, root_of(path), pager=pager)

    def table(
        self,
        models: Iterable[ModelSummary],
        root: str,
        *,
        sort: str = "released",
        sort_links: bool = False,
        pager: Pager | None = None,
    ) -> ModelsTable:
        """The table of ``models``, which are in the ``sort`` order."""
        ordered = list(models)
        h = hashlib.blake2b(root.encode(), digest_size=16)
        digests, digest = self._digests, self.digest
        h.update(b"".join([digests.get(m.id) or digest(m) for m in ordered]))

        def render() -> str:
            # One replace over the joined rows: no per-depth copy of every row is kept.
            rows = self.generic(ordered)
            return "".join(rows[m.id] for m in ordered).replace(self.ROOT, root)

        return ModelsTable(
            count=len(ordered),
            sort=sort,
            sort_links=dict(SORTS) if sort_links else {},
            vendors=self.vendors,
            statuses=self.statuses,
            classes=self.classes,
            choices_digest=self.choices_digest,
            rows_digest=h.hexdigest(),
            render_rows=render,
            pager=pager,
        )


def merge_order(
    summaries: Mapping[int, ModelSummary],
    known: Sequence[int],
    unchanged: Collection[int],
    key: Callable[[ModelSummary], Any],
) -> list[ModelSummary] | None:
    """PURE: ``summaries`` (by model id) sorted by ``key``, from an earlier order of model ids
    (``known``): a model in ``unchanged`` (its summary is the one that order was made of) keeps its
    place among the others, as its key is made of its summary alone; the changed and new ones are put
    in by bisection. ``key`` must be total (distinct for distinct models). None when too many changed
    for bisection to cost less than a sort."""
    kept = [i for i in known if i in unchanged and i in summaries]
    if len(set(kept)) != len(kept):
        return None
    same = set(kept)
    changed = [m for i, m in summaries.items() if i not in same]
    if len(changed) * len(summaries).bit_length() > len(summaries):
        return None
    order = [summaries[i] for i in kept]
    for m in sorted(changed, key=key):  # a key is computed only for the places bisection looks at
        order.insert(bisect_left(order, key(m), key=key), m)
    return order


def _present(known: Iterable[str], present: set[str], term: Callable[[str], Any]) -> tuple[tuple[str, str], ...]:
    """(key, label) of the values present, known ones first in their usual order."""
    order = [k for k in known if k in present] + sorted(present - set(known))
    return tuple((k, term(k).label) for k in order)


def status_facets(summaries: Sequence[ModelSummary], current: str | None = None) -> tuple[FacetLink, ...]:
    counts: dict[str, int] = {}
    for m in summaries:
        counts[m.open_weight_status] = counts.get(m.open_weight_status, 0) + 1
    order = [k for k in OPEN_WEIGHT_STATUSES if k in counts] + sorted(
        k for k in counts if k not in OPEN_WEIGHT_STATUSES
    )
    return tuple(
        FacetLink(open_weight_term(k).label, open_weight_path(k), counts[k], current=k == current) for k in order
    )


def class_facets(summaries: Sequence[ModelSummary], current: str | None = None) -> tuple[FacetLink, ...]:
    counts: dict[str, int] = {}
    for m in summaries:
        counts[m.license_class] = counts.get(m.license_class, 0) + 1
    order = [k for k in LICENSE_CLASSES if k in counts] + sorted(k for k in counts if k not in LICENSE_CLASSES)
    return tuple(
        FacetLink(license_class_term(k).label, license_class_path(k), counts[k], current=k == current) for k in order
    )
