"""``build_site``: render the database into a self-contained static site.

Reads the database once (:mod:`tracker.site.queries`), hands the rows to the
page generators (:mod:`tracker.site.generators`, one small pure function per
page family producing page contexts), renders each context with Jinja and gives
it to :class:`~tracker.site.writer.SiteWriter`, which writes only what changed.
Model pages are rendered by worker processes (:mod:`tracker.site.workers`) while
this process renders the rest. Nothing time-dependent comes from the clock:
"this week" and the feed's ``updated`` come from the newest event.

:func:`render_site` only reads the database; :func:`build_site` then records the
pages that failed (``crawl_errors``, source ``site``) as a separate step.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from tracker.config import Settings
from tracker.normalize.rejection import Rejection
from tracker.paths import templates_dir
from tracker.peers.report import model_catalog_values
from tracker.site import exports
from tracker.site.archive import read_archive
from tracker.site.contexts import SiteInfo
from tracker.site.generators import FileOut, Output, site_inputs
from tracker.site.generators.catalogs import catalog_pages
from tracker.site.generators.changes import change_log
from tracker.site.generators.disputes import disputes_page
from tracker.site.generators.downloads import DATABASE, download_files
from tracker.site.generators.home import home_page
from tracker.site.generators.licenses import license_pages
from tracker.site.generators.model_pages import batches, model_pages_inputs
from tracker.site.generators.models import models_index
from tracker.site.generators.newsletter import issue_summaries, newsletter_pages
from tracker.site.generators.open_weights import open_weight_pages
from tracker.site.generators.status import status_pages
from tracker.site.generators.vendors import vendor_pages
from tracker.site.paths import output_file
from tracker.site.queries import load_site_data
from tracker.site.render import environment
from tracker.site.status import load_status
from tracker.site.workers import ModelPagesJob, model_pages, worker_count
from tracker.site.writer import SiteWriter
from tracker.store.db import session_scope
from tracker.store.runs import record_errors

log = logging.getLogger(__name__)

NAV = (
    ("models", "Models", "models/"),
    ("vendors", "Vendors", "vendors/"),
    ("licenses", "Licences", "licenses/"),
    ("open-weights", "Open weights", "open-weights/"),
    ("changes", "Changes", "changes/"),
    ("disputes", "Disputes", "disputes/"),
    ("catalogs", "Catalogs", "catalogs/"),
    ("newsletter", "Newsletter", "newsletter/"),
    ("data", "Downloads", "data/"),
    ("status", "Status", "status/"),
)


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
    #: Model pages that could not be rendered: (model key, error); their last good page stays.
    failures: tuple[tuple[str, str], ...] = ()

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["out_dir"] = str(self.out_dir)
        out["problems"] = list(self.problems)
        out.pop("failures")
        return out


Progress = Callable[[str], None]


def build_site(
    factory: sessionmaker[Session], settings: Settings, out_dir: Path, *, progress: Progress | None = None
) -> SiteBuildResult:
    """Render the whole site into ``out_dir`` (files whose content is unchanged are not rewritten),
    then record the model pages that could not be rendered."""
    result = render_site(factory, settings, out_dir, progress=progress)
    if result.failures:
        with session_scope(factory) as session:
            record_errors(
                session,
                [Rejection(key, "page-failed", detail, None) for key, detail in result.failures],
                source="site",
                run_id=None,
            )
    return result


def render_site(
    factory: sessionmaker[Session], settings: Settings, out_dir: Path, *, progress: Progress | None = None
) -> SiteBuildResult:
    """Render the whole site into ``out_dir``, reading the database and nothing else of it."""
    started = time.perf_counter()
    say = progress or (lambda _message: None)
    writer = SiteWriter(Path(out_dir))
    build = _Build(settings, writer)
    with factory() as session:
        say("reading the database")
        data = load_site_data(session)
        status = load_status(session, settings)
        build.problems.extend(f"event {row_id} not shown: {error}" for row_id, error in data.broken_events)
        inputs = site_inputs(data)
        engine = session.get_bind()
        assert isinstance(engine, Engine)
        job = ModelPagesJob(
            writer.out_dir,
            build.site,
            model_pages_inputs(inputs, hub_url=settings.huggingface.url),
            engine,
            catalog_values=model_catalog_values(session, [m.id for m in data.models]),
        )
        tasks = batches(len(data.models))
        workers = worker_count(settings.site.workers, len(data.models), engine)
        say(f"rendering {len(data.models)} model pages")
        # Model pages are rendered by worker processes (when there are enough of them) while this
        # process renders the index, vendor, licence and change pages and writes the downloads.
        with model_pages(job, session, tasks, workers) as collect:
            say("rendering index, vendor, licence and open-weight pages")
            build.emit(models_index(inputs))
            build.emit(vendor_pages(inputs))
            build.emit(license_pages(inputs))
            build.emit(open_weight_pages(inputs))
            build.emit(disputes_page(inputs))
            build.emit(catalog_pages(inputs))
            build.emit(status_pages(status))
            say("rendering the change log and the feed")
            site = settings.site
            build.emit(
                change_log(
                    inputs,
                    per_page=site.changes_per_page,
                    feed_entries=site.feed_entries,
                    base_url=site.base_url,
                    title=build.site.title,
                )
            )
            archived, problems = read_archive(Path(settings.newsletter.archive_dir))
            build.problems.extend(problems)
            build.emit(newsletter_pages(archived))
            build.emit(home_page(inputs, issue_summaries(archived), title=build.site.title))
            say("writing downloads")
            if site.download_database:
                build.export_database(engine)
            build.emit(download_files(inputs, database=site.download_database))
            build.static_files()
            say("waiting for the model pages")
            results = collect()
    for outcome in results:
        for rel_path, written, problem in outcome:
            if problem is None:
                writer.record(rel_path, bool(written))
                build.pages += 1
            else:
                writer.keep(rel_path)
                build.failures.append(problem)
    writer.finish()
    return SiteBuildResult(
        out_dir=writer.out_dir,
        pages=build.pages,
        written=len(writer.written),
        unchanged=len(writer.unchanged),
        removed=len(writer.removed),
        seconds=round(time.perf_counter() - started, 3),
        models=len(data.models),
        problems=tuple(build.problems) + tuple(f"model page {key}: {detail}" for key, detail in build.failures),
        failures=tuple(build.failures),
    )


class _Build:
    """Renders generators' outputs and hands them to the writer, counting pages."""

    def __init__(self, settings: Settings, writer: SiteWriter) -> None:
        self.writer = writer
        self.env = environment()
        self.site = SiteInfo(title=settings.site.title, nav=NAV)
        self.pages = 0
        self.problems: list[str] = []
        self.failures: list[tuple[str, str]] = []

    def emit(self, outputs: Iterable[Output]) -> None:
        for out in outputs:
            if isinstance(out, FileOut):
                self.writer.write(out.path, out.content)
                continue
            html = self.env.get_template(out.template).render(page=out.page, site=self.site)
            self.writer.write(output_file(out.page.path), html)
            self.pages += 1

    def export_database(self, engine: Engine) -> None:
        tmp = self.writer.out_dir / ".tracker.db.tmp"
        self.writer.out_dir.mkdir(parents=True, exist_ok=True)
        try:
            exports.export_database(engine, tmp)
            self.writer.adopt(DATABASE.path, tmp)
        finally:
            tmp.unlink(missing_ok=True)

    def static_files(self) -> None:
        folder = templates_dir() / "site" / "static"
        for source in sorted(folder.iterdir()):
            if source.is_file():
                self.writer.write(f"static/{source.name}", source.read_bytes())
