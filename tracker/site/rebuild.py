"""The build when something changed (:func:`tracker.site.build.render_site` found the stamp different):
read the database, render what changed, write it. Imported only then, so that a build with nothing to
do does not import the renderers, templates and exporters."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable, Mapping
from pathlib import Path

from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from tracker.config import Settings
from tracker.paths import templates_dir
from tracker.peers.report import model_catalog_values
from tracker.site import collector, exports, reuse
from tracker.site.archive import read_archive
from tracker.site.build import NAV, Progress, SiteBuildResult
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
from tracker.site.inputs import (
    BuiltInputs,
    content_hash,
    needs_render,
    page_hash,
    write_inputs,
)
from tracker.site.page_keys import static_digest
from tracker.site.paths import output_file
from tracker.site.queries import load_site_data
from tracker.site.reading import ChunkCache, ExportFile, summaries_and_exports
from tracker.site.render import fresh_environment
from tracker.site.stamp import rows_by_model
from tracker.site.status import load_status
from tracker.site.workers import ModelPagesJob, model_pages, worker_count
from tracker.site.writer import SiteWriter


def render_changed(
    build: Build,
    session: Session,
    settings: Settings,
    stamp: str,
    started: float,
    say: Progress,
    *,
    figures: Mapping[str, object] | None = None,
) -> SiteBuildResult:
    """``figures``: the database stamp's, by table (:func:`tracker.site.stamp.table_figures`); given,
    model pages whose quick key is unchanged are kept without hashing their inputs."""
    writer = build.writer
    previous = build.previous
    say("reading the database")
    with collector.reading():  # long-lived rows, no garbage: the collector off, then they are frozen
        row_keys = rows_by_model(session)
        static = static_digest(build.salt, figures) if figures is not None else None
        cache = ChunkCache(writer.out_dir, build.salt, row_keys, previous.hashes if previous else {}, static=static)
        # The events the last build found valid are decoded only when a page shows them.
        data = load_site_data(session, rows=False, known_events=cache.known_events)
        cache.event_digests = data.event_digests
        status = load_status(session, settings)
        build.problems.extend(f"event {row_id} not shown: {error}" for row_id, error in data.broken_events)
        engine = session.get_bind()
        assert isinstance(engine, Engine)
        workers = worker_count(settings.site.workers, len(data.models), engine)
        summaries, export_files = summaries_and_exports(session, data, writer.out_dir, cache=cache, workers=workers)
        build.pending = export_files
        reuse.compile_templates(cache.kept, build.env)
        inputs = site_inputs(data, summaries, cache.digests)
        inputs.tables.reuse_rows(cache.kept.rows)
        inputs.tables.reuse_orders(cache.kept.orders, cache.kept.order_digests)
    job = ModelPagesJob(
        writer.out_dir,
        build.site,
        model_pages_inputs(inputs, hub_url=settings.huggingface.url),
        engine,
        catalog_values=model_catalog_values(session, [m.id for m in data.models]),
        previous=previous.hashes if previous is not None else {},
        salt=build.salt,
        row_keys=row_keys,
        static_key=static,
    )
    tasks = batches(len(data.models))
    say(f"rendering {len(data.models)} model pages")
    if workers > 1:
        build.env.get_template("model.html")  # compiled once here, not once in each worker
    # Model pages are rendered by worker processes (when there are enough of them) while this
    # process renders the index, vendor, licence and change pages and writes the downloads.
    with model_pages(job, session, tasks, workers) as collect:
        # The database copy is SQLite's work (it releases the GIL): a thread makes it meanwhile.
        copying = build.start_database_copy(engine) if settings.site.download_database else None
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
        if copying is not None:
            build.finish_database_copy(copying)
        sizes = build.exports(export_files)
        build.emit(download_files(inputs, database=site.download_database, sizes=sizes))
        build.static_files()
        say("waiting for the model pages")
        results = collect()
    for outcome in results:
        for rel_path, written, problem, digest in outcome:
            if problem is None:
                writer.record(rel_path, bool(written))
                build.hashes[rel_path] = digest
                build.pages += 1
                build.rendered += written is not None
            else:
                writer.keep(rel_path)
                build.failures.append(problem)
    del results  # a tuple a model page: their paths and digests are kept in the writer and the hashes
    writer.finish()
    problems = tuple(build.problems) + tuple(f"model page {key}: {detail}" for key, detail in build.failures)
    # The rows' HTML and compiled templates, for the next build (the chunks were saved before the exports).
    cache.save(export_files, cache.kept.to_raw(inputs.tables.known_rows(), inputs.tables.known_orders()))
    # A build with failed pages records no stamp, so that the next build tries them again.
    write_inputs(
        writer.out_dir,
        BuiltInputs(
            stamp="" if build.failures else stamp,
            models=len(data.models),
            pages=build.pages,
            hashes=build.hashes,
            problems=problems,
        ),
    )
    return SiteBuildResult(
        out_dir=writer.out_dir,
        pages=build.pages,
        written=len(writer.written),
        unchanged=len(writer.unchanged),
        removed=len(writer.removed),
        seconds=round(time.perf_counter() - started, 3),
        models=len(data.models),
        problems=problems,
        failures=tuple(build.failures),
        rendered=build.rendered,
    )


class Build:
    """Renders generators' outputs and hands them to the writer, counting pages."""

    def __init__(self, settings: Settings, writer: SiteWriter, previous: BuiltInputs | None, *, salt: str) -> None:
        self.writer = writer
        self.env = fresh_environment()
        self.site = SiteInfo(title=settings.site.title, nav=NAV)
        self.previous = previous
        self.salt = salt
        self.pages = 0
        self.rendered = 0
        self.hashes: dict[str, str] = {}
        self.problems: list[str] = []
        self.failures: list[tuple[str, str]] = []
        #: Exports streamed into temporary files, not yet put in place (removed if the build fails).
        self.pending: list[ExportFile] = []

    def emit(self, outputs: Iterable[Output]) -> None:
        for out in outputs:
            if isinstance(out, FileOut):
                self._file(out.path, out.content)
                continue
            rel_path = output_file(out.page.path)
            digest = page_hash(self.salt, out.template, out.page)
            self.hashes[rel_path] = digest
            self.pages += 1
            if not self._fresh(rel_path, digest):
                html = self.env.get_template(out.template).render(page=out.page, site=self.site)
                self.writer.write(rel_path, html)
                self.rendered += 1

    def _file(self, rel_path: str, content: str | bytes) -> None:
        digest = content_hash(content)
        self.hashes[rel_path] = digest
        if not self._fresh(rel_path, digest):
            self.writer.write(rel_path, content)

    def _fresh(self, rel_path: str, digest: str) -> bool:
        """The file is as the last build left it from the same inputs: keep it without rendering."""
        return not needs_render(self.previous, rel_path, digest) and self.writer.keep(rel_path)

    def start_database_copy(self, engine: Engine) -> _DatabaseCopy:
        copy = _DatabaseCopy(engine, self.writer.out_dir / ".tracker.db.tmp")
        copy.start()
        return copy

    def finish_database_copy(self, copy: _DatabaseCopy) -> None:
        try:
            copy.join()
            if copy.error is not None:
                raise copy.error
            self.writer.adopt(DATABASE.path, copy.tmp)
            self.hashes[DATABASE.path] = "copied"  # made whenever the stamp changed
        finally:
            copy.tmp.unlink(missing_ok=True)

    def exports(self, files: list[ExportFile]) -> dict[str, int]:
        """Put the JSON/CSV exports (streamed into the folder while the summaries were made) in place
        where they changed; their sizes by path."""
        sizes = {}
        for export in files:
            sizes[export.rel_path] = export.size
            self.hashes[export.rel_path] = export.digest
            if (
                needs_render(self.previous, export.rel_path, export.digest)
                or not self.writer.target(export.rel_path).is_file()
            ):
                self.writer.adopt(export.rel_path, export.tmp)
            else:
                export.tmp.unlink()
                self.writer.keep(export.rel_path)
        return sizes

    def static_files(self) -> None:
        folder = templates_dir() / "site" / "static"
        for source in sorted(folder.iterdir()):
            if source.is_file():
                self._file(f"static/{source.name}", source.read_bytes())


class _DatabaseCopy(threading.Thread):
    """Makes the database download (:func:`tracker.site.exports.export_database`) in a thread."""

    def __init__(self, engine: Engine, tmp: Path) -> None:
        super().__init__(name="site-database-copy", daemon=True)
        self.engine, self.tmp = engine, tmp
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            self.tmp.parent.mkdir(parents=True, exist_ok=True)
            exports.export_database(self.engine, self.tmp)
        except BaseException as exc:  # re-raised by the build in its own thread
            self.error = exc
