"""``build_site``: render the database into a self-contained static site, incrementally.

First the stamp of everything a build reads (:mod:`tracker.site.stamp`: a few aggregates per table,
plus the settings, the newsletter archive, the templates and the site's code) is compared with the
one the last build recorded in the output folder (:mod:`tracker.site.inputs`): equal, and every file
still there, the build stops — no row is read, no page rendered, no file written. Otherwise it reads
the database once (:mod:`tracker.site.queries`), hands the rows to the
page generators (:mod:`tracker.site.generators`, one small pure function per
page family producing page contexts), renders each context with Jinja and gives
it to :class:`~tracker.site.writer.SiteWriter`, which writes only what changed.
Model pages are rendered by worker processes (:mod:`tracker.site.workers`) while
this process renders the rest. Each page gets an input hash (of its context — a table by the digests
of the summaries it lists —, or for a model page of its inputs with its rows' aggregates in place of
its rows); a page whose hash equals the recorded one and whose file exists is not rendered at all.
Summaries and exports of chunks of models whose rows did not change come from the last build
(:class:`tracker.site.reading.ChunkCache`); the database copy is made in a thread meanwhile.
Nothing time-dependent comes from the clock: "this week" and the feed's ``updated`` come from the newest event.

:func:`render_site` only reads the database; :func:`build_site` then records the
pages that failed (``crawl_errors``, source ``site``) as a separate step.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from tracker.config import Settings
from tracker.normalize.rejection import Rejection
from tracker.site import collector
from tracker.site.inputs import archive_stamp, build_stamp, code_stamp, read_inputs, unchanged
from tracker.site.stamp import stamp_of, table_figures
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
    #: HTML pages actually rendered (the others' inputs were unchanged since the last build).
    rendered: int = 0

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
    previous = read_inputs(writer.out_dir)
    with factory() as session:
        say("comparing the inputs with the last build's")
        code, settings_part = code_stamp(), _settings_part(settings)
        figures = table_figures(session)
        stamp = build_stamp(
            stamp_of(figures), settings_part, archive_stamp(Path(settings.newsletter.archive_dir)), code
        )
        if previous is not None and unchanged(previous, stamp, writer.previous, writer.missing()):
            return SiteBuildResult(
                out_dir=writer.out_dir,
                pages=previous.pages,
                written=0,
                unchanged=len(writer.previous),
                removed=0,
                seconds=round(time.perf_counter() - started, 3),
                models=previous.models,
                problems=previous.problems,
            )
        # The renderers are imported only now: a build that finds nothing changed never needs them.
        from tracker.site.rebuild import Build, render_changed

        build = Build(settings, writer, previous, salt=build_stamp("", settings_part, "", code))
        try:
            return render_changed(build, session, settings, stamp, started, say, figures=figures)
        finally:
            collector.thaw()  # what the build read was frozen for the garbage collector
            for export in build.pending:
                export.tmp.unlink(missing_ok=True)  # put in place, or left by a failed build


def _settings_part(settings: Settings) -> tuple[Any, ...]:
    """The settings that shape the output (a change re-renders every page); not where it goes or how
    many processes render it."""
    site = replace(settings.site, out_dir="", workers=0)
    return (site, settings.huggingface.url, str(settings.newsletter.archive_dir))
