"""Reading text → blocks, sentences and tables, each with its offsets in the text.

The reading text (see :mod:`tracker.normalize.articles`) separates blocks with a
blank line; a block whose lines all start with ``|`` is a table. Sentences end
at ``.``, ``!`` or ``?`` before a capital, a digit or a quote (not after
``e.g.``, ``vs.``, a single initial or inside a number), and at an inline list
dash (``The details: - Fully open weights - Runs on…``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from tracker.extract.bounds import MAX_ROW_CELLS, MAX_SENTENCE_CHARS

_BLOCK_SEP = re.compile(r"\n[ \t]*\n+")
_BOUNDARY = re.compile(r"""(?<=[.!?])["”’)\]]*\s+(?=["“‘(\[]?[A-Z0-9]|[a-z]+-[a-z0-9])|\s+[-–•]\s+(?=[A-Z])""")
_ABBREVIATIONS = frozenset(
    [
        "e.g",
        "i.e",
        "vs",
        "etc",
        "mr",
        "mrs",
        "ms",
        "dr",
        "inc",
        "ltd",
        "co",
        "corp",
        "approx",
        "no",
        "fig",
        "eq",
        "al",
        "st",
        "jr",
        "sr",
        "u.s",
        "u.k",
        "cf",
        "ca",
        "resp",
        "est",
        "jan",
        "feb",
        "mar",
        "apr",
        "jun",
        "jul",
        "aug",
        "sep",
        "sept",
        "oct",
        "nov",
        "dec",
    ]
)
_SEPARATOR_ROW = re.compile(r"^\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?\s*$")


@dataclass(frozen=True)
class Sentence:
    text: str
    start: int
    end: int
    block: int


@dataclass(frozen=True)
class Row:
    cells: tuple[str, ...]
    #: The row's line, exactly as in the text (the quote of a claim read from it).
    line: str
    start: int
    end: int


@dataclass
class Table:
    header: Row | None
    rows: list[Row] = field(default_factory=list)
    block: int = 0
    #: The sentence just before the table (its caption, often naming the models).
    caption: str = ""
    #: The headings stacked directly above the table, outermost first (``Base Model``,
    #: ``Standard Benchmarks``): short one-line blocks with no prose between them and the table.
    headings: tuple[str, ...] = ()


@dataclass
class Segmented:
    sentences: list[Sentence]
    tables: list[Table]
    #: Sentences and tables in text order.
    items: list[Sentence | Table] = field(default_factory=list)


def _split_cells(line: str) -> tuple[str, ...]:
    inner = line.strip()
    if inner.startswith("|"):
        inner = inner[1:]
    if inner.endswith("|"):
        inner = inner[:-1]
    return tuple(cell.strip() for cell in inner.split("|", MAX_ROW_CELLS)[:MAX_ROW_CELLS])


def _blocks(text: str) -> Iterator[tuple[int, str]]:
    position = 0
    for match in _BLOCK_SEP.finditer(text):
        yield position, text[position : match.start()]
        position = match.end()
    yield position, text[position:]


def _sentences(line: str, offset: int, block: int) -> Iterator[Sentence]:
    start = 0
    for match in _BOUNDARY.finditer(line):
        piece = line[start : match.start()]
        if not match.group(0).strip().startswith(("-", "–", "•")):
            last = re.search(r"(^|[^A-Za-z0-9.])([A-Za-z.]+)\.\s*$", piece)
            word = last.group(2).lower() if last else ""
            if word in _ABBREVIATIONS or (len(word) == 1 and word.isalpha()):
                continue  # "e.g.", "vs.", an initial ("J. Smith"); not "3.6B."
        if piece.strip():
            yield from _sentence(line, start, match.start(), offset, block)
        start = match.end()
    if line[start:].strip():
        yield from _sentence(line, start, len(line), offset, block)


def _sentence(line: str, start: int, end: int, offset: int, block: int) -> Iterator[Sentence]:
    while start < end and line[start].isspace():
        start += 1
    while end > start and line[end - 1].isspace():
        end -= 1
    while end - start > MAX_SENTENCE_CHARS:  # no sentence is this long: read it in pieces
        cut = line.rfind(" ", start + MAX_SENTENCE_CHARS // 2, start + MAX_SENTENCE_CHARS)
        cut = cut if cut > start else start + MAX_SENTENCE_CHARS
        yield Sentence(line[start:cut], offset + start, offset + cut, block)
        start = cut
        while start < end and line[start].isspace():
            start += 1
    if end > start:
        yield Sentence(line[start:end], offset + start, offset + end, block)


def _unflattened(line: str, start: int) -> tuple[Row | None, list[Row]] | None:
    """A whole table a crawler wrote on one line (``| | | --- | --- | | MODEL | | a | b | | CONTEXT | | 64K |…``).

    The separator cells give the column count N; after them, rows are separated by an empty cell. Runs
    between empty cells are joined (with the empty cell they stand for) while they fit in N cells, so
    ``MODEL(1) | | deepseek-chat | deepseek-reasoner`` stays one row; a shorter run is a row whose first
    cells are spanned from the row above (a section label). Returns (header, rows), or None.
    """
    cells = list(_split_cells(line))
    separators = [i for i, c in enumerate(cells) if re.fullmatch(r":?-{3,}:?", c)]
    if len(separators) < 2 or separators != list(range(separators[0], separators[-1] + 1)):
        return None
    width = len(separators)
    stream = cells[separators[-1] + 1 :]
    if len(stream) < 2 * width:
        return None
    runs: list[list[str]] = [[]]
    for cell in stream:
        if cell:
            runs[-1].append(cell)
        elif runs[-1]:
            runs.append([])
    grouped: list[list[str]] = []
    for run in (r for r in runs if r):
        if grouped and len(grouped[-1]) + 1 + len(run) <= width and len(grouped[-1]) < width - 1:
            grouped[-1] += ["", *run]
        else:
            grouped.append(list(run))
    rows: list[Row] = []
    for group in grouped:
        if len(group) < width and rows:
            group = list(rows[-1].cells[: width - len(group)]) + group  # spanned from the row above
        rows.append(Row(tuple(group[:width]), line, start, start + len(line)))
    return (rows[0], rows[1:]) if rows else None


#: At most this many words make a one-line block a heading (``Standard Benchmarks (Models larger than 67B)``).
HEADING_WORDS = 8


def heading_text(block: str) -> str | None:
    """The heading a block is (``### Base Model`` → ``Base Model``), or None for prose and tables.

    A heading is one short line (at most :data:`HEADING_WORDS` words) that does not end like a
    sentence or a lead-in (``.``, ``:``, ``;``, ``,``, ``!``, ``?``).
    """
    lines = [line.strip() for line in block.split("\n") if line.strip()]
    if len(lines) != 1 or lines[0].startswith("|"):
        return None
    text = lines[0].lstrip("#").strip().strip("*_").strip()
    if not text or len(text.split()) > HEADING_WORDS or text[-1] in ".:;,!?":
        return None
    return text


def segment(text: str) -> Segmented:
    """Every sentence and table of ``text``, in order, with offsets into ``text``."""
    sentences: list[Sentence] = []
    tables: list[Table] = []
    items: list[Sentence | Table] = []
    headings: list[str] = []  # the heading blocks since the last prose block or table
    for index, (offset, block) in enumerate(_blocks(text)):
        lines = block.split("\n")
        if lines and all(line.lstrip().startswith("|") for line in lines if line.strip()):
            table = Table(
                header=None,
                block=index,
                caption=sentences[-1].text if sentences else "",
                headings=tuple(headings),
            )
            headings = []
            position = offset
            pending: Row | None = None
            for line in lines:
                row = Row(_split_cells(line), line, position, position + len(line))
                position += len(line) + 1
                if _SEPARATOR_ROW.match(line.strip()):
                    if pending is not None and table.header is None and not table.rows:
                        table.header = pending
                        pending = None
                    continue
                if pending is not None:
                    table.rows.append(pending)
                pending = row
            if pending is not None:
                table.rows.append(pending)
            if len([line for line in lines if line.strip()]) == 1:
                line = next(line for line in lines if line.strip())
                flat = _unflattened(line, offset + block.index(line))
                if flat is not None:
                    table.header, table.rows = flat
            tables.append(table)
            items.append(table)
            continue
        heading = heading_text(block)
        if heading is not None:
            headings.append(heading)
        elif block.strip():
            headings = []
        position = offset
        for line in lines:
            found = list(_sentences(line, position, index))
            sentences.extend(found)
            items.extend(found)
            position += len(line) + 1
    return Segmented(sentences=sentences, tables=tables, items=items)
