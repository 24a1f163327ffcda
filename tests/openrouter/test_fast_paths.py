"""The fast paths of the OpenRouter crawl give what the plain ones gave.

* the spider's one-pass split of the body (msgspec) hands on the very entries and top-level fields that
  decoding the whole body with :func:`json.loads` gives, and leaves any other body to the earlier readers;
* the normalizer's shared price objects are told apart by the raw value's type.

(The store's tuple rows and keyed reads are tested with the other bulk writers, tests/integration/test_bulk_writes.py.)
"""

from __future__ import annotations

import json

import pytest

from tracker.normalize.pricing import price_value
from tracker.sources.spiders.openrouter import split_listing

ENTRY = {"id": "acme/model-1", "pricing": {"prompt": "0.000001", "completion": "0.000002"}, "name": "Model 1"}

BODIES = [
    {"data": [ENTRY]},
    {"data": [ENTRY, {**ENTRY, "id": "acme/model-2"}], "total_count": 2, "links": {"next": "/models?page=2"}},
    {"data": [ENTRY], "total_count": None, "links": {}},
    {"data": [ENTRY], "total_count": "1", "links": []},
    {"data": [ENTRY], "total_count": 2**64, "links": {"next": None}},
    {"data": [{**ENTRY, "context_length": 2**64}, {**ENTRY, "context_length": 10**19}, {**ENTRY, "created": 1.5}]},
    {"data": [{**ENTRY, "name": "é \u202e \x00 \U0001f600"}, 7, "text", None, [1, 2]]},
]


def _pages(listing) -> list:
    return [entry for page in listing.pages(2) for entry in page]


@pytest.mark.parametrize("payload", BODIES)
def test_the_split_gives_what_decoding_the_whole_body_gives(payload):
    body = json.dumps(payload).encode()
    listing = split_listing(body)
    assert listing is not None
    expected = json.loads(body)
    assert _pages(listing) == expected["data"]
    assert [type(v) for e in _pages(listing) if isinstance(e, dict) for v in e.values()] == [
        type(v) for e in expected["data"] if isinstance(e, dict) for v in e.values()
    ]
    if "total_count" in expected:
        assert listing.meta["total_count"] == expected["total_count"]
        assert type(listing.meta["total_count"]) is type(expected["total_count"])
    else:
        assert "total_count" not in listing.meta
    links = expected.get("links")
    assert listing.meta.get("links") == (links if isinstance(links, dict) and links else None)


def test_entries_beyond_strict_json_values_are_decoded_as_before():
    out_of_range = b'{"data": [{"id": "acme/a", "context_length": 1e400}]}'  # split, then decoded by json
    listing = split_listing(out_of_range)
    assert listing is not None
    assert _pages(listing) == json.loads(out_of_range)["data"]
    assert split_listing(b'{"data": [{"id": "acme/a", "name": "\\ud800"}]}') is None  # a lone surrogate: as before


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"[]",
        b'{"data": []}',
        b'{"data": {}}',
        b'{"error": {"message": "no"}}',
        b'{"data": [1,',
        b'{"data": [1]} x',
    ],
)
def test_other_bodies_are_left_to_the_earlier_readers(body):
    assert split_listing(body) is None


def test_equal_prices_are_one_object_unless_their_raw_values_differ_in_type():
    assert price_value("prompt", "0.000001") is price_value("prompt", "0.000001")
    assert price_value("prompt", "0.000001", tier="prompt>=1", min_prompt_tokens=1) is not price_value(
        "prompt", "0.000001"
    )
    one, one_float = price_value("request", 1), price_value("request", 1.0)
    assert (one.raw, one_float.raw) == ("1", "1.0")
    with pytest.raises(Exception, match="unparsable"):
        price_value("request", True)
