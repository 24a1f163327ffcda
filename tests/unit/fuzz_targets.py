"""Hostile inputs for every normalizer, and what each must guarantee (shared by tests and benchmarks).

A target is a hypothesis strategy for raw input and a check that runs the normalizer on it: the
normalizer either returns a value within the bounds both databases accept, or raises
:class:`~tracker.errors.NormalizationError` (a rejection with a reason). Any other exception is a
bug: it would lose the page or the crawl.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from hypothesis import strategies as st

from tracker.errors import NormalizationError
from tracker.normalize.bounds import EARLIEST, INT4_MAX, INT8_MAX, LATEST, has_unsafe
from tracker.normalize.hfcard import parse_card
from tracker.normalize.huggingface import CardOutcome, build_facts, listing_entry, normalize_detail
from tracker.normalize.licenses import resolve_license
from tracker.normalize.openrouter import OpenRouterModel, normalize_entry
from tracker.normalize.params import count_params, params_from_name
from tracker.normalize.pricing import normalize_pricing

#: Text that has broken parsers before: controls, bidi overrides, superscripts, huge digit runs.
_NASTY_TEXT = st.sampled_from(
    [
        "",
        "\x00",
        "Qwen\x00Max",
        "\u202eevil",
        "²",
        "١٢٣",
        "9" * 4301,
        "1e1000000",
        "-1",
        "NaN",
        "Infinity",
        "0x10",
        " 12 ",
        "0001-01-01T00:00:00+01:00",
        "9999-12-31T23:59:59Z",
        "2026-02-30T00:00:00Z",
        "\x1b[31m",
        "../../etc/passwd",
        "a/b",
        "🙂" * 50,
    ]
)
_TEXT = st.one_of(st.text(max_size=60), _NASTY_TEXT)
_INTS = st.one_of(
    st.integers(min_value=-(2**70), max_value=2**70),
    st.sampled_from([0, 1, -1, 2**31 - 1, 2**31, 2**63 - 1, 2**63, 2**64, 10**20, 10**400]),
)
_SCALARS = st.one_of(st.none(), st.booleans(), _INTS, st.floats(allow_nan=True, allow_infinity=True), _TEXT)
JSON = st.recursive(
    _SCALARS,
    lambda children: st.one_of(
        st.lists(children, max_size=4), st.dictionaries(st.text(max_size=12), children, max_size=4)
    ),
    max_leaves=12,
)


def _maybe(fields: dict[str, st.SearchStrategy[Any]]) -> st.SearchStrategy[dict[str, Any]]:
    """A dict with any subset of ``fields``, each either its plausible strategy or any JSON."""
    return st.fixed_dictionaries({}, optional={name: st.one_of(strategy, JSON) for name, strategy in fields.items()})


_OPENROUTER_ID = st.one_of(
    st.sampled_from(["qwen/qwen3-max", "openai/gpt-5:free", "~anthropic/claude-latest", "x/y:thinking"]),
    _TEXT,
    JSON,
)
_PRICE = st.one_of(
    st.sampled_from(["0", "-1", "0.0000012", "1e-30", "5e6", "0.00000020000000000000002"]), _TEXT, _INTS, JSON
)
PRICING = st.one_of(
    st.dictionaries(st.sampled_from(["prompt", "completion", "request", "image", "web_search"]), _PRICE, max_size=5),
    st.fixed_dictionaries(
        {"prompt": _PRICE, "completion": _PRICE},
        optional={"overrides": st.lists(st.dictionaries(st.sampled_from(["min_prompt_tokens", "prompt"]), JSON))},
    ),
    JSON,
)
OPENROUTER_ENTRY = st.builds(
    lambda base, extra: {**extra, **base},
    st.fixed_dictionaries({"id": _OPENROUTER_ID, "pricing": PRICING}),
    _maybe(
        {
            "name": _TEXT,
            "description": _TEXT,
            "created": _INTS,
            "context_length": st.one_of(_INTS, _TEXT),
            "canonical_slug": _TEXT,
            "hugging_face_id": _TEXT,
            "architecture": st.fixed_dictionaries({}, optional={"modality": _TEXT, "input_modalities": JSON}),
            "top_provider": st.fixed_dictionaries({}, optional={"max_completion_tokens": st.one_of(_INTS, _TEXT)}),
            "supported_parameters": st.lists(_TEXT, max_size=3),
            "alias_target": JSON,
        }
    ),
)
_TIME = st.one_of(
    st.datetimes(min_value=dt.datetime(1, 1, 2), timezones=st.just(dt.UTC)).map(lambda d: d.isoformat()), _TEXT
)
HUB_ENTRY = st.builds(
    lambda base, extra: {**extra, **base},
    st.fixed_dictionaries({"id": st.one_of(st.sampled_from(["Qwen/Qwen3-8B", "org/repo"]), _TEXT, JSON)}),
    _maybe(
        {
            "sha": _TEXT,
            "lastModified": _TIME,
            "createdAt": _TIME,
            "gated": st.one_of(st.booleans(), st.sampled_from(["auto", "manual"]), _TEXT),
            "pipeline_tag": _TEXT,
            "author": _TEXT,
            "library_name": _TEXT,
            "tags": st.lists(_TEXT, max_size=4),
            "cardData": JSON,
            "siblings": st.lists(st.fixed_dictionaries({"rfilename": _TEXT}), max_size=3),
            "safetensors": st.fixed_dictionaries({"total": _INTS}),
            "gguf": st.fixed_dictionaries({}, optional={"total": _INTS, "context_length": _INTS}),
            "config": st.fixed_dictionaries({}, optional={"max_position_embeddings": _INTS}),
        }
    ),
)
CARD = st.one_of(
    st.binary(max_size=200),
    st.builds(lambda fm, body: f"---\n{fm}\n---\n{body}".encode(), _TEXT, _TEXT),
    st.sampled_from([b"---\nlicense: [apache-2.0\n---\n", b"---\n" + b"a: " * 3000 + b"\n---\n", b"\xff\xfe---"]),
)


def _text_ok(value: str | None) -> None:
    assert value is None or not has_unsafe(value), repr(value)


def _time_ok(value: dt.datetime | None) -> None:
    assert value is None or (value.tzinfo is not None and EARLIEST <= value <= LATEST), value


def check_openrouter(raw: Any) -> None:
    try:
        record = normalize_entry(raw)
    except NormalizationError:
        return
    _text_ok(record.name)
    if isinstance(record, OpenRouterModel):
        _text_ok(record.description)
        _time_ok(record.created_at)
        for count in (record.context_length, record.max_completion_tokens):
            assert count is None or 0 <= count <= INT4_MAX
        for price in record.prices:
            assert price.raw is None or len(price.raw) <= 64
            assert price.amount is None or abs(price.amount.adjusted()) < 30


def check_pricing(raw: Any) -> None:
    try:
        prices = normalize_pricing(raw)
    except NormalizationError:
        return
    for price in prices:
        assert len(price.component) <= 48 and len(price.tier) <= 64
        assert price.min_prompt_tokens is None or 0 <= price.min_prompt_tokens <= INT4_MAX


def check_hub(raw: Any) -> None:
    try:
        entry = listing_entry(raw, watched=True)
    except NormalizationError:
        entry = None
    if entry is not None:
        _time_ok(entry.last_modified)
        _time_ok(entry.created_at)
    try:
        detail = normalize_detail(raw)
        facts = build_facts(detail, CardOutcome("unavailable"))
    except NormalizationError:
        return
    _text_ok(facts.pipeline_tag)
    assert facts.params.total is None or 0 < facts.params.total <= INT8_MAX
    assert facts.context_length is None or 0 < facts.context_length <= INT4_MAX


def check_card(raw: bytes) -> None:
    try:
        card = parse_card(raw, max_bytes=10_000)
    except NormalizationError:
        return
    assert "\x00" not in card.body


def check_params(name: Any) -> None:
    total, active = params_from_name(str(name))
    assert total is None or 0 <= total <= INT8_MAX
    assert active is None or 0 <= active <= INT8_MAX
    with contextlib.suppress(NormalizationError):
        count_params(str(name), {"total": name} if isinstance(name, int) else None)


def check_license(values: Any) -> None:
    first, second, third = ([*values, None, None, None])[:3] if isinstance(values, list) else (values, None, None)
    resolve_license(first, second, third)


@dataclass(frozen=True)
class Target:
    name: str
    strategy: st.SearchStrategy[Any]
    check: Callable[[Any], None]


TARGETS = (
    Target("openrouter", OPENROUTER_ENTRY, check_openrouter),
    Target("pricing", PRICING, check_pricing),
    Target("huggingface", HUB_ENTRY, check_hub),
    Target("hfcard", CARD, check_card),
    Target("params", st.one_of(_TEXT, _INTS), check_params),
    Target("licenses", st.lists(JSON, max_size=3), check_license),
)
