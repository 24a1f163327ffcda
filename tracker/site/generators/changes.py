"""The paginated change log and the Atom feed of the newest changes."""

from __future__ import annotations

from tracker.site.changes import change_pages, event_view
from tracker.site.feed import atom_feed
from tracker.site.generators import FileOut, Outputs, PageOut, SiteInputs
from tracker.site.paths import FEED


def change_log(inputs: SiteInputs, *, per_page: int, feed_entries: int, base_url: str, title: str) -> Outputs:
    events, summaries = inputs.data.events, inputs.summaries
    for page in change_pages(events, summaries, per_page=per_page):
        yield PageOut("changes.html", page)
    feed = [event_view(e, summaries) for e in events[: max(feed_entries, 0)]]
    yield FileOut(FEED, atom_feed(feed, base_url=base_url, title=title))
