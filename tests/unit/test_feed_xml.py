"""The Atom feed is well-formed XML whatever the upstream text holds."""

import datetime as dt
import xml.etree.ElementTree as ET

import pytest

from tracker.site.contexts import EventView
from tracker.site.feed import atom_feed

HOSTILE = ["Qwen\x00 Max", "bell\x07 and esc\x1b[31m", "rtl \u202eexe.txt", "<script>&amp;</script>", "\ufffe\udc80x"]


@pytest.mark.parametrize("name", HOSTILE)
def test_the_feed_parses_with_hostile_names(name):
    event = EventView(
        id=1,
        kind="model_added",
        kind_label="new model",
        detected_at=dt.datetime(2026, 3, 17, tzinfo=dt.UTC),
        subject=name,
        model_path="models/x/y/",
        model_name=name,
        summary=f"{name} was listed",
        source=name,
    )
    body = atom_feed([event], base_url="https://tracker.example.org/", title=name)
    root = ET.fromstring(body)  # raises on invalid XML
    entry = root.find("{http://www.w3.org/2005/Atom}entry")
    title = entry.find("{http://www.w3.org/2005/Atom}title").text
    assert "\x00" not in title and "\x07" not in title
    if name.startswith("<script>"):
        assert title.startswith("<script>&amp;</script>")  # escaped on the way in, read back as text
