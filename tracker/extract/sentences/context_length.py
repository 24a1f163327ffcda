"""Context lengths in sentences, the native and the extended one."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from tracker.extract.quantities import (
    TOKEN_AMOUNT,
    token_count,
)
from tracker.extract.sentences.context import _Context, _emit, _Here, _subjects

_CONTEXT_BEFORE = re.compile(
    r"\b(?:context|context window|context length|context size)s?\b[^;$]{0,40}?"
    r"(?:of|is|to|up to|:|=|supports?|reach(?:es)?|extend(?:s|ed)?(?: to)?|full)?\s*(?:up to\s+|a\s+|an\s+)?"
    + TOKEN_AMOUNT
    + r"(?:[\s-]?tokens?)?",
    re.IGNORECASE,
)
_CONTEXT_AFTER = re.compile(
    TOKEN_AMOUNT + r"[\s-]?(?:tokens?[\s-]?)?(?:long[\s-])?(?:context|ctx)(?:[\s-]?(?:window|length|size))?\b",
    re.IGNORECASE,
)
_SECOND_CONTEXT = re.compile(
    r"\s*(?:tokens?)?\s*(?:context)?\s*(?:\(?natively\)?)?\s*(?:,|and|or)\s*(?:(?:can|could) be\s+)?"
    r"(?:(?:extended|scaled|expanded|extrapolated)\s+)?(?:up\s+)?(?:to\s+)?" + TOKEN_AMOUNT,
    re.IGNORECASE,
)
_FROM_TO = re.compile(r"\s*(?:tokens?\s*)?to\s+" + TOKEN_AMOUNT, re.IGNORECASE)


_TASK_CONTEXT = re.compile(r"\b(?:tasks?|inputs?|documents?|models)\s+with\s+(?:a\s+)?context\b", re.IGNORECASE)


def _context(ctx: _Context, here: _Here) -> None:
    text = here.text
    if ctx.described_block == here.sentence.block:
        return  # "RULER: An extended benchmark … The maximum context length is 128K.": the benchmark's, not a model's
    if re.search(r"\b(?:pre-?train\w*|training|trained|stage|fine-?tun\w*|curriculum)\b", text, re.IGNORECASE):
        return  # "pretrained … with a context length of 4K tokens": how it was trained, not what it serves
    taken: list[tuple[int, int]] = []
    for pattern in (_CONTEXT_BEFORE, _CONTEXT_AFTER):
        for match in pattern.finditer(text):
            start, end = match.start("tok"), match.end("tok")
            if any(s <= start < e for s, e in taken):
                continue
            follow = text[end : end + 24].lower()
            if re.match(r"[\s-]*(?:tokens?\s+)?(?:input|output|of output|generation|training|languages|pages)", follow):
                continue
            if re.match(r"[/.-]\d", text[end : end + 2]) or re.search(r"\d[/.-]$", text[:start]):
                continue  # "Context Caching is Available 2024/08/02": a date, not a size
            if _TASK_CONTEXT.search(text[max(0, match.start() - 30) : start]):
                continue  # "tasks with a context of over 128K tokens", "models with a context length of 1M"
            count = token_count(match.group("tok"))
            if count is None or count < 512:
                continue
            moved = _FROM_TO.match(text, end) if re.search(r"\bfrom\s*$", text[:start]) else None
            if moved is not None:
                # "expanded from 128K to 200K tokens": the new size
                count = token_count(moved.group("tok")) or count
                start, end = moved.start("tok"), moved.end("tok")
            values = [count]
            second = _SECOND_CONTEXT.match(text, end)
            if second and not re.match(r"\s*(?:tokens?\s+)?(?:input|output)", text[second.end() : second.end() + 16]):
                other = token_count(second.group("tok"))
                if other:
                    values.append(other)
                    end = second.end()
            taken.append((match.start(), end))
            # "32,768 natively and 131,072 tokens with YaRN": two claims, the native and the extended length
            extra: dict[str, Any] = {"as_written": text[start:end].strip()}
            if len(values) > 1:
                extra["values"] = values
                extra["setting"] = "native"
            for sub in _subjects(ctx, here, start, end):
                _emit(
                    ctx, here, sub, "context_length", str(count), value_num=Decimal(count), unit="tokens", extra=extra
                )
                if len(values) > 1 and values[1] != count:
                    _emit(
                        ctx,
                        here,
                        sub,
                        "context_length",
                        str(values[1]),
                        value_num=Decimal(values[1]),
                        unit="tokens",
                        extra={**extra, "setting": "extended"},
                    )
