"""Site generators: one small, pure function per page family.

Each generator takes the :class:`SiteInputs` read from the database (and, for the
newsletter archive, the issues read from the archive folder) and yields what to
write: :class:`PageOut` (a template and its documented context,
:mod:`tracker.site.contexts`) or :class:`FileOut` (a file's path and content). No
generator touches the database, the file system or the clock; rendering and
writing are :mod:`tracker.site.build`'s and :mod:`tracker.site.writer`'s job.

=================  =====================================================
``models``         the models index in every sort order
``vendors``        one page per vendor and the vendors index
``licenses``       one page per licence and per licence class, the index
``open_weights``   one page per open-weight status (× licence class), the matrix
``disputes``       the open disputes
``changes``        the paginated change log and the Atom feed
``newsletter``     the archived issues and their index
``home``           the home page
``downloads``      the JSON/CSV exports and the downloads page
``model_pages``    each model's page (rendered in batches, in worker processes)
``status``         every source's health (from :func:`tracker.site.status.load_status`, not ``SiteInputs``)
=================  =====================================================
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from tracker.site.contexts import ModelSummary, Page
from tracker.site.queries import SiteData
from tracker.site.summaries import Tables, summarize


@dataclass(frozen=True)
class PageOut:
    """A page to render: ``template`` with ``page`` as its context."""

    template: str
    page: Page


@dataclass(frozen=True)
class FileOut:
    """A file to write as it is (site-relative ``path``)."""

    path: str
    content: str | bytes


Output = PageOut | FileOut
Outputs = Iterator[Output]


@dataclass
class SiteInputs:
    """What every generator reads: the database's rows and each model's summary (its table row)."""

    data: SiteData
    #: Model id → summary.
    summaries: dict[int, ModelSummary]
    #: Summaries in model-key order.
    ordered: list[ModelSummary]
    tables: Tables


def site_inputs(
    data: SiteData, summaries: dict[int, ModelSummary] | None = None, digests: Mapping[int, bytes] | None = None
) -> SiteInputs:
    """The generators' inputs; ``summaries`` when already made (read in chunks, :mod:`tracker.site.reading`),
    with the ``digests`` of those the last build made (:func:`tracker.site.summaries.summary_digest`)."""
    if summaries is None:
        summaries = {m.id: summarize(m, data) for m in data.models}
    ordered = [summaries[m.id] for m in data.models]
    return SiteInputs(data=data, summaries=summaries, ordered=ordered, tables=Tables(ordered, digests))
