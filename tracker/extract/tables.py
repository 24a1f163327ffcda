"""Claims in tables: benchmarks × models, models × specs, and label | value spec tables.

Three shapes are read (anything else is left alone):

* **model columns** — the header names models (``| Benchmark | Metric | Kimi K2
  Instruct | DeepSeek-V3-0324 |``): each row is a benchmark (or a spec row such as
  ``# Total Params``, ``Context Length``, ``License``), each numeric cell a claim
  about its column's model. A ``Metric`` or ``# Shots`` column and the header's
  ``(non-thinking)`` become the score's settings.
* **model rows** — the first column names models (``| Models | Layers | … |
  Context Length |``): each recognised column (context length, total / activated
  parameters, licence, release date, known benchmarks) gives one claim per row.
* **spec tables** — two columns of label and value (``| Total Parameters | 1T |``),
  about the current topic of the text (or the text's subject).

The quote of a table claim is the row's line as it stands in the text; the
column (model or attribute) is kept in ``extra``.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable
from decimal import Decimal
from functools import lru_cache
from typing import Any

from tracker.extract import licenses as lic
from tracker.extract.benchnames import is_metric_label, resolve_benchmark
from tracker.extract.cells import read_cell
from tracker.extract.dates import date_value
from tracker.extract.headers import header_role
from tracker.extract.mentions import FAMILIES, Mention, find_mentions
from tracker.extract.quantities import (
    PARAM_AMOUNT,
    TOKEN_AMOUNT,
    param_count,
    parse_number,
    parse_prose_date,
    token_count,
)
from tracker.extract.text import Row, Table
from tracker.extract.types import Extracted
from tracker.normalize.licenses import license_table
from tracker.normalize.numbers import format_decimal
from tracker.normalize.params import params_from_name

_EMPTY = {"", "-", "—", "–", "n/a", "na", "/", "?", "x", "✗", "✓", "tbd", "—*", "-*"}
_SPEC_WORDS = re.compile(
    r"\b(?:layers?|heads?|dimension|dim|vocab\w*|experts?|hidden|tokens?|size|embedding|length|rate|batch|steps?|"
    r"training|params?|parameters|price|cost|architecture|attention|activation|mechanism|precision|languages?|"
    r"window|release|date|license|licen[cs]e|download|link|gpus?|memory|quantization|throughput|latency)\b",
    re.IGNORECASE,
)
_PARAMS_TOTAL = re.compile(r"^#?\s*(?:total\s+)?(?:params|parameters|param\w*|model size|size)(?:\s*\(total\))?$", re.I)
_PARAMS_TOTAL_2 = re.compile(r"^#?\s*total\s*(?:params|parameters)$|^number of parameters$", re.IGNORECASE)
_PARAMS_ACTIVE = re.compile(r"^#?\s*(?:activated|active|activation)\s*(?:params|parameters)?$", re.IGNORECASE)
_CONTEXT = re.compile(
    r"^(?:input\s+|max(?:imum)?\s+)?context(?:\s+(?:length|window|size))*(?:\s*\(tokens\))?$", re.IGNORECASE
)
_LICENSE = re.compile(r"^licen[cs]e$", re.IGNORECASE)
_AVAILABILITY = re.compile(r"^(?:availability|access|weights|open weights)$", re.IGNORECASE)
_ATTRIBUTE_HEADER = re.compile(
    r"^(?:licen[cs]e|availability|access|base model|params|parameters|context.*|size)$", re.I
)
_RELEASE = re.compile(r"^(?:release date|released|release)$", re.IGNORECASE)
_MODEL_HEADER = re.compile(r"^(?:models?|model name|name|checkpoint|variant)s?$", re.IGNORECASE)
_BENCH_HEADER = re.compile(r"benchmark|task|dataset|eval", re.IGNORECASE)
_METRIC_HEADER = re.compile(r"^(?:metric|metrics|measure)$", re.IGNORECASE)
_SHOTS_HEADER = re.compile(r"^#?\s*shots?$|^few[- ]shot$", re.IGNORECASE)
_NUMBER = re.compile(r"^[~≈]?(?P<num>\d{1,4}(?:\.\d+)?)\s*(?P<pct>%)?\s*\*{0,2}\s*(?:\(.*\))?$")
_PAIR_CELL = re.compile(r"^\d+(?:\.\d+)?[BT]-A\d+(?:\.\d+)?[BM]$")
_PARAM_CELL = re.compile(rf"^~?\s*{PARAM_AMOUNT}$", re.IGNORECASE)
#: A statement in a cell of a benchmark table: ``Context window is 128K`` (often merged over several columns).
_CONTEXT_CELL = re.compile(
    rf"^(?:the\s+)?context\s+(?:window|length)\s*(?:is|:|=|of)?\s*{TOKEN_AMOUNT}(?:\s*tokens?)?\.?$", re.IGNORECASE
)

Emit = Callable[..., None]


@lru_cache(maxsize=4096)  # pure, and asked for the same header and label cells once per row
def _clean(cell: str) -> str:
    text = cell.replace("**", "").replace("__", "").strip()
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)
    return re.sub(r"\s+", " ", text).strip()


_VENDOR_PREFIX = re.compile(
    r"^(?:OpenAI|Anthropic|Google|Meta|Alibaba|Mistral(?: AI)?|Microsoft|xAI|DeepSeek|Moonshot(?: AI)?|"
    r"Zhipu(?: AI)?)\s+",
)


_REPO_ID = re.compile(r"^[A-Za-z0-9][\w.-]*/[A-Za-z0-9][\w.-]*$")


def _cell_mention(cell: str) -> Mention | None:
    """The model a header cell names (the cell must start with the mention, a vendor's name aside).

    A Hub repo id (``mistralai/Mixtral-8x7B-v0.1``, ``HuggingFaceH4/zephyr-7b-beta``) names a model
    whatever its family.
    """
    text = _clean(cell)
    if _REPO_ID.match(text):
        return Mention(text, 0, len(text))
    prefix = _VENDOR_PREFIX.match(text)
    offset = prefix.end() if prefix and find_mentions(text[prefix.end() :]) else 0
    mentions = find_mentions(text[offset:])
    if not mentions or mentions[0].start > 2:
        return None
    return mentions[0]


_NAME_CELL = re.compile(r"^[A-Za-z][\w.+:-]*(?:[ /][\w.+:-]+){0,5}$")


def _row_mention(cell: str, *, by_header: bool) -> Mention | None:
    """The model a row's first cell names; under a ``Model`` header any name-like cell counts."""
    found = _cell_mention(cell)
    if found is not None or not by_header:
        return found
    text = _clean(cell)
    api_id = re.fullmatch(r"[a-z][a-z0-9]*(?:[-_.][a-z0-9]+)+", text)  # "acme-chat", "deepseek-reasoner"
    # in a Model column the cell is the name: "Mistral Embed" (a family and a word) names a model there
    family_name = len(text.split()) >= 2 and text.split()[0] in FAMILIES
    named = any(ch.isdigit() for ch in text) or api_id or family_name
    if _NAME_CELL.match(text) and not _SPEC_WORDS.search(text) and named:
        return Mention(text, 0, len(text))
    return None


def _known_benchmark(label: str) -> bool:
    bench = resolve_benchmark(_clean(label))
    return bench is not None and bench.known


def _score(cell: str) -> tuple[Decimal, bool] | None:
    text = _clean(cell).rstrip("*†‡").strip()
    if text.lower() in _EMPTY:
        return None
    match = _NUMBER.match(text)
    if not match:
        return None
    value = parse_number(match.group("num"))
    if value is None:
        return None
    return value, bool(match.group("pct"))


def _decimal_text(value: Decimal) -> str:
    return format(value.normalize(), "f") if value == value.to_integral() else format(value, "f")


def _quote(row: Row) -> dict[str, Any]:
    return {"quote": row.line, "start": row.start, "end": row.end}


def _make(attribute: str, value: str, row: Row, mention: str | None, via: str, **more: Any) -> Extracted:
    return Extracted(
        attribute=attribute,
        value=value,
        mention=mention,
        via=via,
        qualifier=more.pop("qualifier", ""),
        value_num=more.pop("value_num", None),
        unit=more.pop("unit", None),
        extra=more.pop("extra", {}),
        **_quote(row),
    )


def _spec_claim(
    label: str, cell: str, row: Row, mention: str | None, via: str, column: str
) -> Extracted | list[Extracted] | None:
    """A claim from a spec cell: parameters, context, licence or release date (None for other labels)."""
    label_text = _clean(label).strip(" :")
    value_text = _clean(cell)
    if not value_text or value_text.lower() in _EMPTY:
        return None
    extra = {"column": column, "label": label_text, "as_written": value_text}
    role = header_role(label_text).role
    if _PARAMS_ACTIVE.match(label_text) or role == "params_active":
        attribute = "params_active"
    elif _PARAMS_TOTAL.match(label_text) or _PARAMS_TOTAL_2.match(label_text) or role == "params_total":
        attribute = "params_total"
    else:
        attribute = ""
    if role in ("weights", "description") or (role == "license" and not _LICENSE.match(label_text)):
        return _role_claims(role, cell, row, mention, via, extra)
    if attribute:
        pair = _PAIR_CELL.match(value_text)
        if pair and attribute == "params_total":
            total, active = params_from_name(value_text)
            if total is not None and active is not None:
                return [
                    _make(
                        "params_total",
                        str(total),
                        row,
                        mention,
                        via,
                        value_num=Decimal(total),
                        unit="parameters",
                        extra=extra,
                    ),
                    _make(
                        "params_active",
                        str(active),
                        row,
                        mention,
                        via,
                        value_num=Decimal(active),
                        unit="parameters",
                        extra=extra,
                    ),
                ]
        match = _PARAM_CELL.match(value_text) or _PARAM_CELL.match(re.sub(r"\s*\(.*\)$", "", value_text))
        count = param_count(match.group("num"), match.group("scale")) if match else None
        if count is None or count < 10**7:
            return None
        return _make(attribute, str(count), row, mention, via, value_num=Decimal(count), unit="parameters", extra=extra)
    if _CONTEXT.match(label_text) or role == "context_length":
        value_text = read_cell(value_text).text
        if len(re.findall(r"\d[\d,.]*\s?[KkMm]\b", value_text)) > 1:
            return None  # "32k (1B) 128k (4B, 12B, 27B)": per size, not one figure
        first = re.match(r"^(?:up to\s+)?(\d[\d,.]*\s?[KkMm]?)\b", value_text)
        count = token_count(first.group(1)) if first else None
        if count is None or count < 512:
            return None
        return _make(
            "context_length", str(count), row, mention, via, value_num=Decimal(count), unit="tokens", extra=extra
        )
    if _LICENSE.match(label_text) or _AVAILABILITY.match(label_text):
        key = lic.resolve(value_text)
        if key is not None and key != "LicenseRef-proprietary":
            return _make("license", key, row, mention, via, extra=extra)
        if _AVAILABILITY.match(label_text) and re.match(r"^(?:proprietary|closed|api(?: only)?)$", value_text, re.I):
            return _make("openness", "api-only", row, mention, via, extra=extra)
        return None
    if _RELEASE.match(label_text) or role == "release_date":
        date = parse_prose_date(value_text)
        if date is not None:
            return _make("release_date", date.isoformat(), row, mention, via, extra=extra)
        stated = date_value(value_text)
        if stated is None:
            return None
        extra["precision"] = stated.precision
        return _make("release_date", stated.value, row, mention, via, extra=extra)
    return None


_RELEASED_IN = re.compile(
    r"\breleased\s+(?:in\s+|on\s+)?(?P<when>(?:(?:the\s+)?(?:end|early|late|mid|beginning)(?:-|\s+of\s+))?"
    r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?(?:\s+\d{1,2}(?:st|nd|rd|th)?,?)?\s+\d{4})",
    re.IGNORECASE,
)
_A_SIZE_MODEL = re.compile(r"^(?:An?|The)\s+" + PARAM_AMOUNT + r"\s+(?:[\w-]+\s+){0,2}model\b")
_DOWNLOAD_WORDS = re.compile(r"\b(?:hugging\s*face|raw[_ ]weights|modelscope|download|weights)\b", re.IGNORECASE)


def _license_of(cell_text: str, links: tuple[tuple[str, str], ...]) -> str | None:
    """A licence a cell names (its text, its parts, or the target of a link in it), through the licence table."""
    cell = read_cell(cell_text)
    for candidate in (cell.text, *cell.parts, *(text for text, _ in cell.links)):
        key = lic.resolve(candidate)
        if key is not None and key not in ("LicenseRef-proprietary", "LicenseRef-other"):
            return key
    for _, target in (*cell.links, *links):
        entry = license_table().by_link(target)
        if entry is not None:
            return entry.key
    return None


def _role_claims(
    role: str, raw: str, row: Row, mention: str | None, via: str, extra: dict[str, Any]
) -> list[Extracted] | None:
    """Cells of a weights, licence or description column (typed: glyphs, links, parts)."""
    cell = read_cell(raw)
    out: list[Extracted] = []
    if role == "weights":
        key = _license_of(raw, cell.links)
        downloadable = cell.flag is True or bool(_DOWNLOAD_WORDS.search(cell.text)) or key is not None
        if downloadable:
            out.append(_make("openness", "open", row, mention, via, extra=dict(extra)))
        elif cell.flag is False or re.match(r"^(?:proprietary|closed|api(?: only)?)$", cell.text, re.IGNORECASE):
            out.append(_make("openness", "api-only", row, mention, via, extra=dict(extra)))
        if key is not None:
            out.append(_make("license", key, row, mention, via, extra=dict(extra)))
    elif role == "license":
        key = _license_of(raw, cell.links)
        if key is not None:
            out.append(_make("license", key, row, mention, via, extra=dict(extra)))
    elif role == "description":
        released = _RELEASED_IN.search(cell.text)
        stated = date_value(released.group("when")) if released else None
        if stated is not None:
            out.append(
                _make("release_date", stated.value, row, mention, via, extra={**extra, "precision": stated.precision})
            )
        size = _A_SIZE_MODEL.match(cell.text)
        count = param_count(size.group("num"), size.group("scale")) if size else None
        if count is not None and count >= 10**7:
            out.append(
                _make("params_total", str(count), row, mention, via, value_num=Decimal(count), unit="parameters")
            )
    return out or None


def _benchmark_claim(
    label: str, cell: str, row: Row, mention: str, *, metric: str, shots: str, column: str
) -> Extracted | None:
    label_text = _clean(label)
    if not label_text or is_metric_label(label_text):
        return None
    score = _score(cell)
    if score is None:
        return None
    bench = resolve_benchmark(label_text, metric=_clean(metric), shots=_clean(shots), column=column)
    if bench is None:
        return None
    if not bench.known and _SPEC_WORDS.search(bench.name):
        return None
    value, pct = score
    if value > 100 and pct:
        return None
    unit = "%" if pct else "score"
    return _make(
        "benchmark",
        _decimal_text(value),
        row,
        mention,
        "table",
        qualifier=bench.qualifier,
        value_num=value,
        unit=unit,
        extra={
            "benchmark": bench.name,
            "known": bench.known,
            "settings": bench.settings,
            "column": _clean(column),
            "label": label_text,
            **({"metric": bench.metric} if bench.metric else {}),
        },
    )


_SECTION_BASE = re.compile(r"\b(?:base|pre-?trained|pretrained)\b(?:\s+\w+){0,3}\s*(?:models?|checkpoints?)?", re.I)
_SECTION_INSTRUCT = re.compile(r"\b(?:instruct(?:ion)?[- ]?(?:tuned)?|chat|post-?trained|fine-?tuned)\b", re.I)
#: Column words that make a column a variant of the model it names (the variant's own key).
_VARIANT_WORDS = (
    (re.compile(r"\bspin\s?quant\b", re.I), "spinquant"),
    (re.compile(r"\bq-?lora\b", re.I), "qlora"),
    (re.compile(r"\bqat\b", re.I), "qat"),
    (re.compile(r"\b(?:vanilla\s+)?ptq\b", re.I), "ptq"),
    (re.compile(r"\bint4\b|\bw4a16\b", re.I), "int4"),
    (re.compile(r"\bint8\b|\bw8a8\b", re.I), "int8"),
    (re.compile(r"\bquanti[sz]ed\b", re.I), "quantized"),
    (re.compile(r"\bgptq\b", re.I), "gptq"),
    (re.compile(r"\bawq\b", re.I), "awq"),
)
_PRECISION_WORDS = re.compile(r"^\s*(?:\(?\s*(?:bf16|fp16|fp32|full precision)\s*\)?)\s*$", re.I)


def section_variant(caption: str) -> str:
    """``Base Pretrained Models`` → ``base``; ``Instruction Tuned Models`` → ``instruct``; else ``""``.

    Only a heading-like caption (at most eight words) names the section of the table under it.
    """
    text = _clean(caption)
    if not text or len(text.split()) > 8:
        return ""
    if _SECTION_BASE.search(text) and not _SECTION_INSTRUCT.search(text):
        return "base"
    if _SECTION_INSTRUCT.search(text) and not _SECTION_BASE.search(text):
        return "instruct"
    return ""


def table_section(table: Table) -> str:
    """The variant the section of a table names: its caption's, else the innermost heading above it that
    names one (``Base Model`` / ``Standard Benchmarks`` / table → ``base``)."""
    section = section_variant(table.caption)
    for heading in reversed(table.headings):
        if section:
            break
        section = section_variant(heading)
    return section


def column_model(header: str, mention: Mention, section: str) -> tuple[str, str]:
    """The model a column's values belong to and its variant.

    ``Llama 3.2 1B Spin Quant`` is the variant's own name (variant ``spinquant``), never the plain
    model; ``Llama 3.2 1B bf16`` under an instruction-tuned heading is the plain name, variant
    ``instruct``; a column naming ``Base`` / ``Instruct`` itself keeps its own name.
    """
    text = _clean(header).replace("*", "").strip()
    rest = text[mention.end :] if text.startswith(mention.text) else ""
    for pattern, variant in _VARIANT_WORDS:
        if pattern.search(rest) or pattern.search(mention.text):
            return text, variant
    if re.search(r"\b(?:base|instruct|chat|it|pt)\b", mention.text, re.IGNORECASE):
        return mention.text, ""
    if rest and not _PRECISION_WORDS.match(rest):
        return mention.text, section
    return mention.text, section


def _with_variant(claims: list[Extracted], mention: str, variant: str) -> list[Extracted]:
    if not variant:
        return [c if c.mention == mention else dataclasses.replace(c, mention=mention) for c in claims]
    return [dataclasses.replace(c, mention=mention, extra={**c.extra, "variant": variant}) for c in claims]


def _columns_table(header: tuple[str, ...], rows: list[Row], section: str = "") -> list[Extracted] | None:
    models = {j: _cell_mention(cell) for j, cell in enumerate(header) if j > 0}
    models = {j: m for j, m in models.items() if m is not None}
    if header_role(_clean(header[0])).role == "model":
        # "| MODEL(1) | | deepseek-chat | deepseek-reasoner |": a transposed table names its models in the header
        named = {j: _row_mention(cell, by_header=True) for j, cell in enumerate(header) if j > 0}
        models = {j: m for j, m in named.items() if m is not None} or models
    if not models:
        return None
    first_model = min(models)
    label_columns = list(range(first_model))
    if not label_columns or _cell_mention(header[0]) is not None:
        return None
    metric_col = next((j for j in label_columns if _METRIC_HEADER.match(_clean(header[j]))), None)
    shots_col = next((j for j in label_columns if _SHOTS_HEADER.match(_clean(header[j]))), None)
    candidates = [j for j in label_columns if j not in (metric_col, shots_col)]
    label_col = next((j for j in candidates if _BENCH_HEADER.search(_clean(header[j]))), None)
    if label_col is None:
        # the label column is the one whose cells name the most benchmarks
        def known(j: int) -> int:
            return sum(1 for r in rows if j < len(r.cells) and _known_benchmark(r.cells[j]))

        label_col = max(candidates, key=known) if candidates else 0
    setting_col = next(
        (j for j in label_columns if j != label_col and header_role(_clean(header[j])).role == "setting"), None
    )
    out: list[Extracted] = []
    previous_label = ""
    for row in rows:
        cells = row.cells
        if len(cells) <= label_col:
            continue
        label = cells[label_col]
        setting = _clean(cells[setting_col]).lower() if setting_col is not None and setting_col < len(cells) else ""
        if not _clean(label) and setting and previous_label:
            label = previous_label  # "| | | Spanish | 41.5 |": the benchmark of the row above, another setting
        previous_label = label if _clean(label) else previous_label
        metric = cells[metric_col] if metric_col is not None and metric_col < len(cells) else ""
        shots = cells[shots_col] if shots_col is not None and shots_col < len(cells) else ""
        for j, mention in models.items():
            if j >= len(cells):
                continue
            column = header[j]
            who, variant = column_model(column, mention, section)
            price = _row_price(cells, label_columns, j, row, who)
            if price is not None:
                out.extend(price)
                continue
            stated = _context_cell(cells, j, models, row, header)
            if stated:
                out.extend(stated)
                continue
            spec = _spec_claim(label, cells[j], row, mention.text, "table", _clean(column))
            if spec is not None:
                out.extend(_with_variant(spec if isinstance(spec, list) else [spec], who, variant))
                continue
            if _SPEC_WORDS.search(_clean(label)) and not _known_benchmark(label):
                continue
            claim = _benchmark_claim(label, cells[j], row, mention.text, metric=metric, shots=shots, column=column)
            if claim is not None:
                if setting:
                    claim = dataclasses.replace(
                        claim, qualifier=f"{claim.qualifier}; {setting}", extra={**claim.extra, "setting": setting}
                    )
                out.extend(_with_variant([claim], who, variant))
    return out


def _context_cell(
    cells: tuple[str, ...] | list[str], j: int, models: dict[int, Mention], row: Row, header: tuple[str, ...]
) -> list[Extracted]:
    """``| Context window is 128K |  |`` in the columns of two models: the statement, for each model it spans.

    A merged cell comes out of HTML as the statement followed by empty cells; the empty model columns
    right after it share the statement. Empty cells after it are not read as claims of their own.
    """
    match = _CONTEXT_CELL.match(_clean(cells[j]))
    count = token_count(match.group("tok")) if match else None
    if match is None or count is None or count < 512:
        return []
    spanned = [j]
    k = j + 1
    while k in models and k < len(cells) and not _clean(cells[k]):
        spanned.append(k)
        k += 1
    return [
        _make(
            "context_length",
            str(count),
            row,
            models[i].text,
            "table",
            value_num=Decimal(count),
            unit="tokens",
            extra={"as_written": _clean(cells[j]), "column": _clean(header[i])},
        )
        for i in spanned
    ]


def _continued(rows: list[Row]) -> list[Row]:
    """Rows whose first cell is empty continue the row above (a rowspan flattened): its empty cells are taken
    from the row above. ``| Llama 3.2 | 1B (1.23B) | 128k |`` then ``|  | 3B (3.21B) |  |``."""
    out: list[Row] = []
    for row in rows:
        if out and row.cells and not _clean(row.cells[0]) and any(_clean(c) for c in row.cells[1:]):
            above = out[-1].cells
            cells = tuple(c if _clean(c) or k >= len(above) else above[k] for k, c in enumerate(row.cells))
            row = Row(cells, row.line, row.start, row.end)
        out.append(row)
    return out


_SIZE_WITH_EXACT = re.compile(r"^(?P<size>\d+(?:\.\d+)?[BM])\s*\((?P<exact>\d+(?:\.\d+)?[BM])\)$")


def _sized_cell(cell: str) -> str:
    """``1B (1.23B)`` → ``1.23B`` (the exact figure the rounded size stands for); other cells unchanged."""
    match = _SIZE_WITH_EXACT.match(_clean(cell))
    return match.group("exact") if match else cell


def _sized_row(row: Row, mention: Mention, header: tuple[str, ...]) -> tuple[Mention, str]:
    """A family row with a size column (``| Llama 3.2 Quantized (text only) | … | 1B (1.23B) |``) is about
    the family's model of that size (``Llama 3.2 1B``), with the row label's variant (``quantized``)."""
    variant = next((v for pattern, v in _VARIANT_WORDS if pattern.search(_clean(row.cells[0]))), "")
    if re.search(r"\d+(?:\.\d+)?[BMT]\b", mention.text):
        return mention, variant
    for j, cell in enumerate(row.cells[1:], start=1):
        if j < len(header) and header_role(_clean(header[j])).role == "params_total":
            match = _SIZE_WITH_EXACT.match(_clean(cell))  # "1B (1.23B)": one size of a family row
            if match:
                return Mention(f"{mention.text} {match.group('size')}", mention.start, mention.end), variant
    return mention, variant


def _rows_table(header: tuple[str, ...], rows: list[Row]) -> list[Extracted] | None:
    if len(header) < 2:
        return None
    model_column = header_role(_clean(header[0])).role == "model"
    rows = _continued(rows)
    row_models = [_row_mention(r.cells[0], by_header=model_column) if r.cells else None for r in rows]
    named = sum(1 for m in row_models if m is not None)
    spec_columns = any(
        _CONTEXT.match(_clean(h))
        or _PARAMS_TOTAL.match(_clean(h))
        or header_role(_clean(h)).role in ("context_length", "params_total", "params_active", "weights", "license")
        for h in header[1:]
    )
    if named == 0 or (named < 2 and not _MODEL_HEADER.match(_clean(header[0])) and not spec_columns):
        return None
    # a table whose columns are mostly known benchmarks: its other score columns are benchmarks too
    benchmark_columns = sum(1 for h in header[1:] if _known_benchmark(h)) >= 2
    out: list[Extracted] = []
    for row, mention in zip(rows, row_models, strict=True):
        if mention is None:
            continue
        mention, row_variant = _sized_row(row, mention, header)
        # "| gemma-3-1b-pt | gemma-3-1b-it | … |": a row about two models
        named = [mention]
        second = _cell_mention(row.cells[1]) if len(row.cells) > 1 else None
        if (
            second is not None
            and _clean(row.cells[1]) != _clean(row.cells[0])
            and second.end >= len(_clean(row.cells[1])) - 1  # the whole cell is a model name
            and not _ATTRIBUTE_HEADER.match(_clean(header[1]))
        ):
            named.append(second)
        for j in range(len(named), min(len(header), len(row.cells))):
            column = _clean(header[j])
            specs = [_spec_claim(column, _sized_cell(row.cells[j]), row, who.text, "table", column) for who in named]
            if any(spec is not None for spec in specs):
                for spec, who in zip(specs, named, strict=True):
                    if spec is not None:
                        out.extend(_with_variant(spec if isinstance(spec, list) else [spec], who.text, row_variant))
                continue
            bench = resolve_benchmark(column)
            if bench is None or (not bench.known and not benchmark_columns) or _SPEC_WORDS.search(column):
                continue
            claim = _benchmark_claim(column, row.cells[j], row, mention.text, metric="", shots="", column=row.cells[0])
            if claim is not None:
                out.append(claim)
    return out


_MONEY = re.compile(r"^(?:US)?\$\s?(?P<amount>\d+(?:\.\d+)?)\b")
_TIER_CELL = re.compile(
    r"^(?:(?P<low>\d+(?:\.\d+)?)\s?(?P<lu>[KkMm])?\s*(?:[-–~]|to)\s*(?P<high>\d+(?:\.\d+)?)\s?(?P<hu>[KkMm])"
    r"|(?:[≤<]=?|up to)\s*(?P<upto>\d+(?:\.\d+)?)\s?(?P<uu>[KkMm])"
    r"|(?:[≥>]=?|above|over)\s*(?P<above>\d+(?:\.\d+)?)\s?(?P<au>[KkMm]))",
    re.IGNORECASE,
)


def _tokens(number: str, unit: str | None) -> int:
    return int(Decimal(number) * (10**6 if (unit or "k").lower() == "m" else 1000))


def _tier_of(cell: str) -> int | None:
    """``0-32K`` → 0, ``32K–128K`` → 32000, ``>128K`` → 128000 (the tier's ``min_prompt_tokens``)."""
    match = _TIER_CELL.match(_clean(cell))
    if not match:
        return None
    if match.group("low") is not None:
        return _tokens(match.group("low"), match.group("lu") or match.group("hu"))
    if match.group("upto") is not None:
        return 0
    return _tokens(match.group("above"), match.group("au"))


def _price_component(header: str) -> str | None:
    text = _clean(header).lower()
    if "cache" in text and ("hit" in text or "read" in text):
        return "input_cache_read"
    if re.search(r"\b(?:input|prompt)\b", text):
        return "prompt"
    if re.search(r"\b(?:output|completion)\b", text):
        return "completion"
    return None


def _price_claim(
    cell: str, row: Row, mention: str | None, via: str, component: str, tier: int | None
) -> Extracted | None:
    match = _MONEY.match(_clean(cell))
    if not match:
        return None
    amount = Decimal(match.group("amount"))
    qualifier = component if not tier else f"{component}@prompt>={tier}"
    extra: dict[str, Any] = {"as_written": _clean(cell), "currency": "USD"}
    if tier is not None:
        extra["min_prompt_tokens"] = tier
    return _make(
        "price",
        format_decimal(amount),
        row,
        mention,
        via,
        qualifier=qualifier,
        value_num=amount,
        unit="usd_per_mtok",
        extra=extra,
    )


def _price_table(header: tuple[str, ...], rows: list[Row], subject: str | None, via: str) -> list[Extracted] | None:
    """A price table in USD per 1M tokens: tiers × components (about the text's model), or models × components."""
    components = {j: _price_component(h) for j, h in enumerate(header) if j > 0}
    components = {j: c for j, c in components.items() if c is not None}
    if not components or not any(
        _MONEY.match(_clean(r.cells[j])) for r in rows for j in components if j < len(r.cells)
    ):
        return None
    if not re.search(r"1M|million|mtok|per\s+1m|/\s*m\b", " ".join(header) + " ".join(r.line for r in rows[:1]), re.I):
        return None  # a price per request or per 1K tokens: not read
    out: list[Extracted] = []
    for row in rows:
        if not row.cells:
            continue
        tier = _tier_of(row.cells[0])
        mention = _cell_mention(row.cells[0]) if tier is None else None
        if tier is None and mention is None:
            continue
        for j, component in components.items():
            if j >= len(row.cells):
                continue
            claim = _price_claim(
                row.cells[j], row, mention.text if mention else subject, "table" if mention else via, component, tier
            )
            if claim is not None:
                out.append(claim)
    return out


_OFF_PEAK = re.compile(r"\b(?:discount|off[- ]peak|night|promotion(?:al)?|limited[- ]time)\b", re.IGNORECASE)


def _row_price(cells: tuple[str, ...], label_columns: list[int], j: int, row: Row, who: str) -> list[Extracted] | None:
    """A price row of a transposed table (``| STANDARD PRICE | 1M TOKENS INPUT (CACHE HIT) | $0.07 | $0.14 |``):
    the component from the row's labels, per 1M tokens. Off-peak / discount windows are another offer in
    time, not the price: they are not read. None when the row is no price row."""
    labels = " ".join(_clean(cells[k]) for k in label_columns if k < len(cells))
    if not _MONEY.match(_clean(cells[j])):
        return None
    component = _price_component(labels)
    if component is None or not re.search(r"\b1M\b|million|mtok|per\s+1m", labels, re.IGNORECASE):
        return None
    if _OFF_PEAK.search(labels):
        return []
    claim = _price_claim(cells[j], row, who, "table", component, None)
    return [claim] if claim is not None else []


def _spec_table(rows: list[Row], subject: str | None, via: str) -> list[Extracted]:
    out: list[Extracted] = []
    for row in rows:
        if len(row.cells) != 2:
            continue
        spec = _spec_claim(row.cells[0], row.cells[1], row, subject, via, "")
        if spec is not None:
            out.extend(spec if isinstance(spec, list) else [spec])
    return out


def _score_table(header: tuple[str, ...]) -> bool:
    """``| Benchmark | Score |``: a model's own results, one benchmark a row."""
    return header_role(_clean(header[0])).role == "benchmark" and header_role(_clean(header[1])).role == "score"


def _own_scores(rows: list[Row], subject: str, via: str) -> list[Extracted]:
    """The rows of a two-column ``Benchmark | Score`` table, as scores of the text's model.

    Benchmarks the alias table does not know are kept under their written name (``ScreenSpot_v2_Web``),
    unless the label is a spec word (``Context Length``) or a metric.
    """
    out: list[Extracted] = []
    for row in rows:
        if len(row.cells) != 2:
            continue
        claim = _benchmark_claim(row.cells[0], row.cells[1], row, subject, metric="", shots="", column="")
        if claim is not None:
            out.append(dataclasses.replace(claim, via=via))
    return out


def extract_from_table(table: Table, *, subject: str | None, via: str) -> list[Extracted]:
    """Claims of one table; ``subject``/``via`` name the model a two-column spec table is about."""
    if table.header is not None:
        header, rows = table.header.cells, table.rows
    elif table.rows:
        header, rows = table.rows[0].cells, table.rows[1:]
    else:
        return []
    section = table_section(table)
    if sum(1 for c in header if _clean(c)) <= 1 and rows and sum(1 for c in rows[0].cells if _clean(c)) >= 3:
        # "| Pre-trained models | | |": a title row above the real header
        section = section_variant(" ".join(header)) or section
        header, rows = rows[0].cells, rows[1:]
    prices = _price_table(header, rows, subject, via)
    if prices is not None:
        return prices
    found = _columns_table(header, rows, section)
    if found:
        return found
    found = _rows_table(header, rows)
    if found:
        return found
    if len(header) == 2 and subject and _score_table(header):
        return _own_scores(rows, subject, via)
    if len(header) == 2:
        spec_rows = list(table.rows)
        if table.header is not None and any(_clean(c) for c in header):
            spec_rows.insert(0, table.header)
        return _spec_table(spec_rows, subject, via)
    return []
