"""Parameter counts and context length: from metadata where present, else from the name.

* ``safetensors.total`` (the Hub counts every tensor) is the total, marked
  ``safetensors``; a GGUF repo's ``gguf.total`` is marked ``gguf``.
* Otherwise the name is read: ``Qwen3-235B-A22B`` → 235e9 total, 22e9 active;
  ``Ling-1T`` → 1e12; ``granite-3.1-1b-a400m`` → 1e9 / 4e8; marked ``name``.
  Only M / B / T units count (``128k`` is a context size, not a parameter
  count); ``8x7B`` (experts × size) is not read, because the product is not the
  total; effective sizes such as ``E4B`` are not totals either.
* Active parameters (MoE) only ever come from the name (``A3B``).
* Bounds: counts are stored as 8-byte integers. A metadata total beyond
  :data:`~tracker.normalize.bounds.INT8_MAX` rejects the repo
  (``out-of-range``: the metadata is corrupt); a size in a name beyond it, or
  written with more than 12 digits, is not read.
* Context length comes from the config (``max_position_embeddings`` and its
  synonyms, text config included) or GGUF metadata; each source's figure is
  kept as it says (``256K`` ≠ 262,144).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from tracker.errors import NormalizationError
from tracker.normalize.bounds import INT8_MAX

_UNITS = {"m": 10**6, "b": 10**9, "t": 10**12}
_SIZE = re.compile(r"(?:^|[-_/. ])(\d{1,12}(?:\.\d{1,6})?)([mbt])(?=$|[-_. ])", re.IGNORECASE)
_EXPERTS = re.compile(r"-\d+e(?=$|[-_. ])", re.IGNORECASE)
_ACTIVE = re.compile(r"(?:^|[-_/. ])a(\d{1,12}(?:\.\d{1,6})?)([mbt])(?=$|[-_. ])", re.IGNORECASE)
CONTEXT_KEYS = (
    "max_position_embeddings",
    "max_sequence_length",
    "max_seq_len",
    "seq_length",
    "n_positions",
    "n_ctx",
    "model_max_length",
)
#: Beyond this a "context length" is a sentinel (tokenizers use 1e30), not a fact.
MAX_CONTEXT = 100_000_000


@dataclass(frozen=True, slots=True)
class ParamCount:
    total: int | None
    total_source: str | None
    active: int | None
    active_source: str | None


def _amount(number: str, unit: str) -> int:
    return int(Decimal(number) * _UNITS[unit.lower()])


def params_from_name(name: str) -> tuple[int | None, int | None]:
    """``(total, active)`` read from a model name; None where the name does not say."""
    base = name.rsplit("/", 1)[-1]
    active_match = _ACTIVE.search(base)
    active = _amount(*active_match.groups()) if active_match else None
    total = None
    for match in _SIZE.finditer(base):
        if _EXPERTS.match(base, match.end()):
            # Llama-4-Scout-17B-16E: the size before an expert count is the active size
            if active is None:
                active = _amount(*match.groups())
            continue
        total = _amount(*match.groups())
        break
    if total is not None and total > INT8_MAX:
        total = None
    if active is not None and active > INT8_MAX:
        active = None
    if total is not None and active is not None and active > total:
        active = None
    return total, active


def count_params(name: str, safetensors: Any = None, gguf: Any = None) -> ParamCount:
    """Total and active parameters of a repo from its metadata and name."""
    name_total, name_active = params_from_name(name)
    total, total_source = None, None
    for source, block in (("safetensors", safetensors), ("gguf", gguf)):
        value = block.get("total") if isinstance(block, Mapping) else None
        if isinstance(value, int) and not isinstance(value, bool) and value > 0:
            if value > INT8_MAX:
                raise NormalizationError("out-of-range", f"{source}.total is a {value.bit_length()}-bit number")
            total, total_source = value, source
            break
    if total is None and name_total is not None:
        total, total_source = name_total, "name"
    active = name_active if name_active is not None and (total is None or name_active <= total) else None
    return ParamCount(total, total_source, active, "name" if active is not None else None)


def context_from_config(config: Any, gguf: Any = None) -> int | None:
    """The context length a config (or GGUF metadata) states, or None."""
    for block in (config, config.get("text_config") if isinstance(config, Mapping) else None):
        if not isinstance(block, Mapping):
            continue
        for key in CONTEXT_KEYS:
            value = block.get(key)
            if isinstance(value, int) and not isinstance(value, bool) and 0 < value <= MAX_CONTEXT:
                return value
    if isinstance(gguf, Mapping):
        value = gguf.get("context_length")
        if isinstance(value, int) and not isinstance(value, bool) and 0 < value <= MAX_CONTEXT:
            return value
    return None


def format_params(count: int | None) -> str:
    """``120412337472`` → ``120B``; ``32762123264`` → ``32.8B``; ``999885952`` → ``1B``; ``751632384`` → ``752M``."""
    if count is None:
        return ""
    text = str(count)
    for unit, size in (("M", 10**6), ("B", 10**9), ("T", 10**12)):
        value = Decimal(count) / size
        if value < Decimal("0.9995"):
            break
        text = f"{value:.1f}" if value < 100 else f"{value:.0f}"
        text = text.removesuffix(".0") + unit
    return text
