"""The status page: every source's health (the facts of ``tracker status`` and ``tracker sources``)."""

from __future__ import annotations

from tracker.site.generators import Outputs, PageOut
from tracker.site.status import StatusData, status_page


def status_pages(status: StatusData) -> Outputs:
    yield PageOut("status.html", status_page(status))
