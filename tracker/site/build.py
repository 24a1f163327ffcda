"""``build_site``: render the database into a self-contained static site.

Reads the database once (:mod:`tracker.site.queries`), builds each page's
context, renders it with Jinja and hands it to :class:`~tracker.site.writer.SiteWriter`,
which writes only what changed. Nothing time-dependent comes from the clock:
"this week" and the feed's ``updated`` come from the newest event. The build
only reads the database.
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import os
import sys
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from tracker.config import Settings
from tracker.normalize.rejection import Rejection
from tracker.paths import templates_dir
from tracker.site import exports
from tracker.site.archive import read_archive
from tracker.site.changes import change_pages, event_view
from tracker.site.contexts import (
    Count,
    DataPage,
    DisputesPage,
    Download,
    FacetLink,
    HomePage,
    IssueSummary,
    LicenseClassPage,
    LicenseClassSummary,
    LicensePage,
    LicensesIndexPage,
    LicenseSummary,
    MatrixRow,
    ModelsIndexPage,
    ModelSummary,
    NewsletterIndexPage,
    NewsletterIssuePage,
    OpenWeightPage,
    OpenWeightsIndexPage,
    Page,
    SiteInfo,
    VendorPage,
    VendorsIndexPage,
    VendorSummary,
)
from tracker.site.describe import kind_label
from tracker.site.feed import atom_feed
from tracker.site.format import iso_week
from tracker.site.glossary import LICENSE_CLASSES, OPEN_WEIGHT_STATUSES, license_class_term, open_weight_term
from tracker.site.model_page import ModelInputs, dispute_views, model_page
from tracker.site.paths import DATA, FEED, SORTS, open_weight_path, output_file, root_of
from tracker.site.queries import CardRef, EventRow, SiteData, card_texts, load_site_data
from tracker.site.render import environment
from tracker.site.retiring import retiring_views
from tracker.site.summaries import SORT_LABELS, Tables, class_facets, status_facets, summarize
from tracker.site.writer import SiteWriter, write_if_changed
from tracker.store.db import session_scope
from tracker.store.runs import record_errors
from tracker.urls import license_class_path, newsletter_path

log = logging.getLogger(__name__)

NAV = (
    ("models", "Models", "models/"),
    ("vendors", "Vendors", "vendors/"),
    ("licenses", "Licences", "licenses/"),
    ("open-weights", "Open weights", "open-weights/"),
    ("changes", "Changes", "changes/"),
    ("disputes", "Disputes", "disputes/"),
    ("newsletter", "Newsletter", "newsletter/"),
    ("data", "Downloads", "data/"),
)
#: Model pages rendered per batch of card texts read from the database.
BATCH = 500
WEEK_CHANGES_SHOWN = 50
VENDOR_CHANGES_SHOWN = 20


@dataclass(frozen=True)
class SiteBuildResult:
    out_dir: Path
    #: HTML pages rendered.
    pages: int
    #: Files written because they were new or their content changed.
    written: int
    #: Files left alone because their content was already right.
    unchanged: int
    #: Files of the previous build that this build no longer produces.
    removed: int
    seconds: float
    models: int
    problems: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["out_dir"] = str(self.out_dir)
        out["problems"] = list(self.problems)
        return out


Progress = Callable[[str], None]


def build_site(
    factory: sessionmaker[Session], settings: Settings, out_dir: Path, *, progress: Progress | None = None
) -> SiteBuildResult:
    """Render the whole site into ``out_dir``; files whose content is unchanged are not rewritten."""
    started = time.perf_counter()
    out_dir = Path(out_dir)
    writer = SiteWriter(out_dir)
    build = _Build(settings, writer, progress or (lambda _message: None))
    with factory() as session:
        build.run(session)
    writer.finish()
    if build.failures:
        with session_scope(factory) as session:
            record_errors(
                session,
                [Rejection(key, "page-failed", detail, None) for key, detail in build.failures],
                source="site",
                run_id=None,
            )
    return SiteBuildResult(
        out_dir=out_dir,
        pages=build.pages,
        written=len(writer.written),
        unchanged=len(writer.unchanged),
        removed=len(writer.removed),
        seconds=round(time.perf_counter() - started, 3),
        models=build.model_count,
        problems=tuple(build.problems) + tuple(f"model page {key}: {detail}" for key, detail in build.failures),
    )


class _Build:
    def __init__(self, settings: Settings, writer: SiteWriter, progress: Progress) -> None:
        self.settings = settings
        self.writer = writer
        self.progress = progress
        self.env = environment()
        self.site = SiteInfo(title=settings.site.title, nav=NAV)
        self.pages = 0
        self.model_count = 0
        self.problems: list[str] = []
        #: Model pages that could not be rendered: (model key, error).
        self.failures: list[tuple[str, str]] = []

    def render(self, template: str, page: Page) -> None:
        html = self.env.get_template(template).render(page=page, site=self.site)
        self.writer.write(output_file(page.path), html)
        self.pages += 1

    def run(self, session: Session) -> None:
        self.progress("reading the database")
        data = load_site_data(session)
        self.model_count = len(data.models)
        summaries = {m.id: summarize(m, data) for m in data.models}
        ordered = [summaries[m.id] for m in data.models]
        tables = Tables(ordered)
        self.progress(f"rendering {len(ordered)} model pages")
        # Model pages are rendered by worker processes (when there are enough of them) while this
        # process renders the index, vendor, licence and change pages and writes the downloads.
        with self.model_pages(session, data, summaries) as collect:
            self.progress("rendering index, vendor, licence and open-weight pages")
            self.models_index(ordered, tables)
            self.vendor_pages(data, summaries, tables)
            self.license_pages(ordered, tables)
            self.open_weight_pages(ordered, tables)
            self.disputes_page(data, summaries)
            self.progress("rendering the change log and the feed")
            for page in change_pages(data.events, summaries, per_page=self.settings.site.changes_per_page):
                self.render("changes.html", page)
            feed_events = [event_view(e, summaries) for e in data.events[: max(self.settings.site.feed_entries, 0)]]
            self.writer.write(FEED, atom_feed(feed_events, base_url=self.settings.site.base_url, title=self.site.title))
            issues = self.newsletter_pages()
            self.home(data, summaries, ordered, issues)
            self.progress("writing downloads")
            self.downloads(session, data, summaries)
            self.static_files()
            self.progress("waiting for the model pages")
            collect()

    # -- models -------------------------------------------------------------------------------

    @contextlib.contextmanager
    def model_pages(
        self, session: Session, data: SiteData, summaries: dict[int, ModelSummary]
    ) -> Iterator[Callable[[], None]]:
        """Render the model pages; the caller may do other work inside the block, then calls ``collect``.

        With worker processes the pages are rendered while the block runs; with one process they are
        rendered when ``collect`` is called. Each worker reads its batches' card texts itself.
        """
        events: dict[int, list[EventRow]] = defaultdict(list)
        for event in data.events:
            if event.model_id is not None:
                events[event.model_id].append(event)
        derivatives: dict[int, list[tuple[ModelSummary, str | None]]] = defaultdict(list)
        for m in data.models:
            if m.base_model_id is not None:
                derivatives[m.base_model_id].append((summaries[m.id], m.base_relation))
        hub = self.settings.huggingface.url.rstrip("/")
        cards: dict[int, CardRef] = {}
        for m in data.models:
            ref = data.cards_by_model.get(m.id)
            if ref is None and m.hf_repo_id:
                ref = data.cards_by_url.get(f"{hub}/{m.hf_repo_id}/raw/main/README.md")
            if ref is not None:
                cards[m.id] = ref
        engine = session.get_bind()
        assert isinstance(engine, Engine)
        global _SHARED
        _SHARED = _ModelPagesJob(self.writer.out_dir, self.site, data, summaries, events, derivatives, cards, engine)
        tasks = [(start, min(start + BATCH, len(data.models))) for start in range(0, len(data.models), BATCH)]
        workers = _workers(self.settings.site.workers, len(data.models), engine)
        results: list[list[tuple[str, bool, tuple[str, str] | None]]] = []
        collected = False

        def collect_serial() -> None:
            nonlocal collected
            results.extend(_render_batch(session, task) for task in tasks)
            collected = True

        try:
            if workers > 1:
                with multiprocessing.get_context("fork").Pool(workers, initializer=_worker_started) as pool:
                    pending = [pool.apply_async(_render_models, (task,)) for task in tasks]

                    def collect_parallel() -> None:
                        nonlocal collected
                        results.extend(p.get() for p in pending)
                        collected = True

                    yield collect_parallel
                    if not collected:
                        collect_parallel()
            else:
                yield collect_serial
                if not collected:
                    collect_serial()
        finally:
            _SHARED = None
        for outcome in results:
            for rel_path, written, problem in outcome:
                if problem is None:
                    self.writer.record(rel_path, bool(written))
                    self.pages += 1
                else:
                    self.writer.keep(rel_path)
                    self.failures.append(problem)

    def models_index(self, ordered: Sequence[ModelSummary], tables: Tables) -> None:
        statuses, classes = status_facets(ordered), class_facets(ordered)
        for sort, path in SORTS.items():
            page = ModelsIndexPage(
                path=path,
                title="Models" if sort == "released" else f"Models by {SORT_LABELS[sort]}",
                section="models",
                table=tables.table(ordered, root_of(path), sort=sort, sort_links=True),
                total=len(ordered),
                sort_label=SORT_LABELS[sort],
                status_facets=statuses,
                class_facets=classes,
            )
            self.render("models_index.html", page)

    def vendor_pages(self, data: SiteData, summaries: dict[int, ModelSummary], tables: Tables) -> None:
        groups: dict[str, list[ModelSummary]] = defaultdict(list)
        for m in summaries.values():
            groups[m.vendor_path].append(m)
        recent: dict[str, list[EventRow]] = defaultdict(list)
        for event in data.events:
            model = summaries.get(event.model_id) if event.model_id is not None else None
            if model is not None and len(recent[model.vendor_path]) < VENDOR_CHANGES_SHOWN:
                recent[model.vendor_path].append(event)
        listing = []
        for path, models in groups.items():
            name = Counter(m.vendor for m in models).most_common(1)[0][0]
            releases = [m.released_at for m in models if m.released_at is not None]
            listing.append(
                VendorSummary(
                    name=name,
                    path=path,
                    models=len(models),
                    open_weights=sum(1 for m in models if m.open_weight_status == "open"),
                    latest_release=max(releases) if releases else None,
                )
            )
            self.render(
                "vendor.html",
                VendorPage(
                    path=path,
                    title=name,
                    section="vendors",
                    vendor=name,
                    table=tables.table(models, root_of(path)),
                    status_counts=status_facets(models),
                    changes=tuple(event_view(e, summaries) for e in recent.get(path, ())),
                ),
            )
        listing.sort(key=lambda v: (v.name.casefold(), v.path))
        self.render(
            "vendors.html",
            VendorsIndexPage(path="vendors/", title="Vendors", section="vendors", vendors=tuple(listing)),
        )

    def license_pages(self, ordered: Sequence[ModelSummary], tables: Tables) -> None:
        by_license: dict[str, list[ModelSummary]] = defaultdict(list)
        by_class: dict[str, list[ModelSummary]] = defaultdict(list)
        for m in ordered:
            by_class[m.license_class].append(m)
            if m.license_path is not None:
                by_license[m.license_path].append(m)
        licenses: dict[str, list[tuple[str, str, int]]] = defaultdict(list)
        for path, models in sorted(by_license.items()):
            key = Counter(m.license_key for m in models).most_common(1)[0][0] or path
            license_class = Counter(m.license_class for m in models).most_common(1)[0][0]
            term = license_class_term(license_class)
            licenses[license_class].append((key, path, len(models)))
            self.render(
                "license.html",
                LicensePage(
                    path=path,
                    title=key,
                    section="licenses",
                    key=key,
                    term=term,
                    class_path=license_class_path(license_class),
                    table=tables.table(models, root_of(path)),
                ),
            )
        summaries = []
        for key in [*LICENSE_CLASSES, *sorted(k for k in by_class if k not in LICENSE_CLASSES)]:
            term = license_class_term(key)
            path = license_class_path(key)
            items = tuple(
                LicenseSummary(key=k, path=p, license_class=key, count=n)
                for k, p, n in sorted(licenses.get(key, ()), key=lambda t: t[0].casefold())
            )
            models = by_class.get(key, [])
            summaries.append(LicenseClassSummary(term=term, path=path, count=len(models), licenses=items))
            self.render(
                "license_class.html",
                LicenseClassPage(
                    path=path,
                    title=f"{term.label} licences",
                    section="licenses",
                    term=term,
                    licenses=items,
                    table=tables.table(models, root_of(path)),
                ),
            )
        self.render(
            "licenses.html",
            LicensesIndexPage(path="licenses/", title="Licences", section="licenses", classes=tuple(summaries)),
        )

    def open_weight_pages(self, ordered: Sequence[ModelSummary], tables: Tables) -> None:
        by_status: dict[str, list[ModelSummary]] = defaultdict(list)
        for m in ordered:
            by_status[m.open_weight_status].append(m)
        statuses = [*OPEN_WEIGHT_STATUSES, *sorted(k for k in by_status if k not in OPEN_WEIGHT_STATUSES)]
        classes = [*LICENSE_CLASSES, *sorted({m.license_class for m in ordered} - set(LICENSE_CLASSES))]
        matrix = []
        for status in statuses:
            term = open_weight_term(status)
            models = by_status.get(status, [])
            by_class: dict[str, list[ModelSummary]] = defaultdict(list)
            for m in models:
                by_class[m.license_class].append(m)
            cells = tuple(
                FacetLink(
                    f"{term.label}, {license_class_term(c).label}",
                    open_weight_path(status, c),
                    len(by_class.get(c, ())),
                )
                for c in classes
            )
            combos = tuple(
                FacetLink(license_class_term(c).label, open_weight_path(status, c), len(by_class[c]))
                for c in classes
                if by_class.get(c)
            )
            path = open_weight_path(status)
            matrix.append(MatrixRow(FacetLink(term.label, path, len(models)), cells))
            self.render(
                "open_weight.html",
                OpenWeightPage(
                    path=path,
                    title=f"{term.label} models",
                    section="open-weights",
                    term=term,
                    class_term=None,
                    combos=combos,
                    table=tables.table(models, root_of(path)),
                ),
            )
            for license_class, subset in sorted(by_class.items()):
                combo_path = open_weight_path(status, license_class)
                class_term = license_class_term(license_class)
                self.render(
                    "open_weight.html",
                    OpenWeightPage(
                        path=combo_path,
                        title=f"{term.label}, {class_term.label} licence",
                        section="open-weights",
                        term=term,
                        class_term=class_term,
                        combos=tuple(FacetLink(c.label, c.path, c.count, current=c.path == combo_path) for c in combos),
                        table=tables.table(subset, root_of(combo_path)),
                    ),
                )
        headers = tuple(
            FacetLink(
                license_class_term(c).label, license_class_path(c), sum(1 for m in ordered if m.license_class == c)
            )
            for c in classes
        )
        self.render(
            "open_weights.html",
            OpenWeightsIndexPage(
                path="open-weights/",
                title="Open weights",
                section="open-weights",
                terms=tuple(open_weight_term(s) for s in statuses),
                class_headers=headers,
                matrix=tuple(matrix),
            ),
        )

    def disputes_page(self, data: SiteData, summaries: dict[int, ModelSummary]) -> None:
        items = []
        for model_id, disputes in data.disputes.items():
            open_ones = [d for d in disputes if d.status == "open"]
            if not open_ones or model_id not in summaries:
                continue
            for view in dispute_views(open_ones, data.claims.get(model_id, ())):
                items.append((summaries[model_id], view))
        items.sort(key=lambda item: (-item[1].opened_at.timestamp(), item[0].key, item[1].attribute))
        self.render(
            "disputes.html",
            DisputesPage(path="disputes/", title="Disputed claims", section="disputes", items=tuple(items)),
        )

    # -- home, newsletter, downloads ------------------------------------------------------------

    def home(
        self,
        data: SiteData,
        summaries: dict[int, ModelSummary],
        ordered: Sequence[ModelSummary],
        issues: Sequence[IssueSummary],
    ) -> None:
        latest = data.latest_event_at
        week = iso_week(latest) if latest else None
        this_week: list[EventRow] = []
        for event in data.events:
            if iso_week(event.detected_at) != week:
                break
            this_week.append(event)
        kinds = Counter(e.kind for e in this_week)
        open_disputes = sum(1 for ds in data.disputes.values() for d in ds if d.status == "open")
        counts = (
            Count("models", len(ordered), "models/"),
            Count("vendors", len({m.vendor_path for m in ordered}), "vendors/"),
            Count(
                "with open weights", sum(1 for m in ordered if m.open_weight_status == "open"), open_weight_path("open")
            ),
            Count(
                "API only", sum(1 for m in ordered if m.open_weight_status == "api-only"), open_weight_path("api-only")
            ),
            Count("open disputes", open_disputes, "disputes/"),
            Count("changes recorded", len(data.events), "changes/"),
        )
        page = HomePage(
            path="",
            title=self.site.title,
            section="home",
            site_title=self.site.title,
            counts=counts,
            week=week,
            week_changes=tuple(event_view(e, summaries) for e in this_week[:WEEK_CHANGES_SHOWN]),
            week_change_total=len(this_week),
            week_kinds=tuple(Count(kind_label(k), n) for k, n in sorted(kinds.items(), key=lambda kv: (-kv[1], kv[0]))),
            latest_change_at=latest,
            latest_issue=issues[-1] if issues else None,
            status_facets=status_facets(ordered),
            class_facets=class_facets(ordered),
            retiring=retiring_views(data, summaries),
        )
        self.render("home.html", page)

    def newsletter_pages(self) -> list[IssueSummary]:
        archived, problems = read_archive(Path(self.settings.newsletter.archive_dir))
        self.problems.extend(problems)
        summaries = [IssueSummary(i.week, i.subject, newsletter_path(i.week)) for i in archived]
        for index, issue in enumerate(archived):
            path = newsletter_path(issue.week)
            data_path = None
            if issue.data_json is not None:
                data_path = f"{path}data.json"
                self.writer.write(data_path, issue.data_json)
            self.render(
                "newsletter_issue.html",
                NewsletterIssuePage(
                    path=path,
                    title=issue.subject,
                    section="newsletter",
                    week=issue.week,
                    subject=issue.subject,
                    text=issue.text,
                    data_path=data_path,
                    prev=summaries[index - 1] if index > 0 else None,
                    next=summaries[index + 1] if index + 1 < len(summaries) else None,
                ),
            )
        self.render(
            "newsletter_index.html",
            NewsletterIndexPage(
                path="newsletter/", title="Newsletter archive", section="newsletter", issues=tuple(reversed(summaries))
            ),
        )
        return summaries

    def downloads(self, session: Session, data: SiteData, summaries: dict[int, ModelSummary]) -> None:
        records = exports.model_records(data, summaries)
        prices = list(exports.price_records(data.models, data.prices))
        files = [
            (
                "models.json",
                "data/models.json",
                "Current models: shown values, current base prices, sources' ids.",
                exports.to_json(records),
            ),
            ("models.csv", "data/models.csv", "The same as CSV.", exports.to_csv(records, exports.MODEL_COLUMNS)),
            (
                "prices.json",
                "data/prices.json",
                "Price history: every distinct price of every offer, with the time span it held.",
                exports.to_json(prices),
            ),
            ("prices.csv", "data/prices.csv", "The same as CSV.", exports.to_csv(prices, exports.PRICE_COLUMNS)),
        ]
        downloads = []
        for label, path, description, content in files:
            encoded = content.encode("utf-8")
            self.writer.write(path, encoded)
            downloads.append(Download(label, path, description, len(encoded)))
        if self.settings.site.download_database:
            tmp = self.writer.out_dir / ".tracker.db.tmp"
            self.writer.out_dir.mkdir(parents=True, exist_ok=True)
            try:
                exports.export_database(session.get_bind(), tmp)  # type: ignore[arg-type]
                self.writer.adopt("data/tracker.db", tmp)
            finally:
                tmp.unlink(missing_ok=True)
            downloads.append(
                Download(
                    "tracker.db",
                    "data/tracker.db",
                    "SQLite database with the public tables (models, prices, events, claims, disputes, documents, "
                    "Hub repositories) and the analyst views; open it with sqlite3 or Datasette.",
                    None,
                )
            )
        self.render("data.html", DataPage(path=DATA, title="Downloads", section="data", downloads=tuple(downloads)))

    def static_files(self) -> None:
        folder = templates_dir() / "site" / "static"
        for source in sorted(folder.iterdir()):
            if source.is_file():
                self.writer.write(f"static/{source.name}", source.read_bytes())


@dataclass
class _ModelPagesJob:
    """What the processes rendering model pages share (inherited through ``fork``, never pickled)."""

    out_dir: Path
    site: SiteInfo
    data: SiteData
    summaries: dict[int, ModelSummary]
    events: dict[int, list[EventRow]]
    derivatives: dict[int, list[tuple[ModelSummary, str | None]]]
    cards: dict[int, CardRef]
    engine: Engine


_SHARED: _ModelPagesJob | None = None


def _workers(setting: int, models: int, engine: Engine) -> int:
    """How many processes render model pages.

    Forking is used only where it is safe (Linux, no threads) and where a worker can open its own
    connection to the same database (not an in-memory SQLite database).
    """
    in_memory = engine.dialect.name == "sqlite" and engine.url.database in (None, "", ":memory:")
    if setting == 1 or models < 2 * BATCH or sys.platform != "linux" or threading.active_count() > 1 or in_memory:
        return 1
    if setting > 1:
        return setting
    return max(1, min(os.cpu_count() or 1, 4))


def _worker_started() -> None:
    """In a forked worker: drop the parent's pooled connections without closing them (they are the parent's)."""
    job = _SHARED
    assert job is not None, "model page worker started outside build_site"
    job.engine.dispose(close=False)


def _render_models(task: tuple[int, int]) -> list[tuple[str, bool, tuple[str, str] | None]]:
    """In a worker: read the batch's card texts over the worker's own connection and render the pages."""
    job = _SHARED
    assert job is not None, "model pages rendered outside build_site"
    with Session(job.engine) as session:
        return _render_batch(session, task)


def _render_batch(session: Session, task: tuple[int, int]) -> list[tuple[str, bool, tuple[str, str] | None]]:
    """Render and write the model pages ``start:end``; returns (file, written, problem) for each.

    A model whose page cannot be rendered is reported (problem = (key, error)) and the others go on.
    """
    start, end = task
    job = _SHARED
    assert job is not None, "model pages rendered outside build_site"
    batch = job.data.models[start:end]
    texts = card_texts(session, [job.cards[m.id].document_id for m in batch if m.id in job.cards])
    template = environment().get_template("model.html")
    out = []
    for m in batch:
        ref = job.cards.get(m.id)
        inputs = ModelInputs(
            model=m,
            summary=job.summaries[m.id],
            listings=job.data.listings.get(m.id, ()),
            prices=job.data.prices.get(m.id, ()),
            events=job.events.get(m.id, ()),
            claims=job.data.claims.get(m.id, ()),
            disputes=job.data.disputes.get(m.id, ()),
            base=job.summaries.get(m.base_model_id) if m.base_model_id is not None else None,
            derivatives=job.derivatives.get(m.id, ()),
            card_text=texts.get(ref.document_id) if ref else None,
            card_url=ref.url if ref else None,
            card_fetched_at=ref.fetched_at if ref else None,
            provider_offers=job.data.provider_offers.get(m.id, ()),
            retires_on=job.data.retirements.get(m.id),
        )
        rel_path = output_file(job.summaries[m.id].path)
        try:
            html = template.render(page=model_page(inputs, job.summaries), site=job.site)
        except Exception as exc:  # one broken record must not take the whole site down
            log.exception("cannot render the page of %s", m.key)
            out.append((rel_path, False, (m.key, f"{type(exc).__name__}: {exc}")))
            continue
        out.append((rel_path, write_if_changed(job.out_dir / rel_path, html), None))
    return out
