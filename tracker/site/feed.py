"""The Atom feed of changes (RFC 4287), newest first, with absolute links.

Built with :mod:`xml.etree.ElementTree` so every value is escaped as XML; text
from sources goes into ``type="text"`` elements only. ``updated`` comes from
the newest event, never from the clock, so an unchanged database yields a
byte-identical feed.
"""

from __future__ import annotations

import datetime as dt
import re
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from urllib.parse import urlsplit

from tracker.site.contexts import EventView
from tracker.site.format import iso
from tracker.site.paths import FEED
from tracker.urls import absolute, changes_path

ATOM = "http://www.w3.org/2005/Atom"
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


#: Characters XML 1.0 cannot hold at all (ElementTree would write them and the feed would not parse).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_text(value: str) -> str:
    """``value`` without the characters XML 1.0 forbids (a NUL from an upstream name, say)."""
    return _NOT_XML.sub("", value)


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    element = ET.SubElement(parent, tag, {k: xml_text(v) for k, v in attrs.items()})
    if text is not None:
        element.text = xml_text(text)
    return element


def atom_feed(events: Sequence[EventView], *, base_url: str, title: str) -> bytes:
    host = urlsplit(base_url).hostname or "tracker.invalid"
    feed = ET.Element("feed", {"xmlns": ATOM})
    _sub(feed, "id", absolute(base_url, FEED))
    _sub(feed, "title", f"{title}: changes", type="text")
    _sub(feed, "subtitle", "Model releases, delistings, price, licence and openness changes, disputed claims.")
    _sub(feed, "updated", iso(events[0].detected_at if events else _EPOCH))
    _sub(feed, "link", rel="self", type="application/atom+xml", href=absolute(base_url, FEED))
    _sub(feed, "link", rel="alternate", type="text/html", href=absolute(base_url, changes_path()))
    author = _sub(feed, "author")
    _sub(author, "name", title)
    _sub(feed, "generator", "tracker")
    for event in events:
        entry = _sub(feed, "entry")
        _sub(entry, "id", f"tag:{host},{event.detected_at.strftime('%Y-%m-%d')}:event/{event.id}")
        who = event.model_name or event.subject
        _sub(entry, "title", f"{who}: {event.summary}", type="text")
        _sub(entry, "updated", iso(event.detected_at))
        link = absolute(base_url, event.model_path or changes_path())
        _sub(entry, "link", rel="alternate", type="text/html", href=link)
        _sub(entry, "category", term=event.kind, label=event.kind_label)
        _sub(
            entry,
            "content",
            f"{event.kind_label} — {event.subject}: {event.summary} (source: {event.source})",
            type="text",
        )
    ET.indent(feed)
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True) + b"\n"
