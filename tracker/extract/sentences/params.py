"""Parameter counts in sentences: total and active, ``235B-A22B``, ``over one trillion``."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from tracker.extract.quantities import (
    PARAM_AMOUNT,
    param_count,
)
from tracker.extract.sentences.context import _Context, _emit, _Here, _Sub, _subjects, _variant_of_topic
from tracker.normalize.params import params_from_name

_BOUND = r"(?P<bound>over|more than|about|approximately|nearly|roughly|around|almost|~|up to|just under|under)?\s*"
_PARAMS_NOUN = re.compile(
    _BOUND + PARAM_AMOUNT + r"\s+(?P<kind>total\s+|activated\s+|active\s+|activation\s+)?(?:parameters|params)\b",
    re.IGNORECASE,
)
_PARAMS_LIST = re.compile(
    r"(?P<amounts>(?:\d{1,4}(?:\.\d+)?\s?(?:[BbTtMm]|billion|trillion|million)\s*(?:,\s*(?:and\s+)?|\s+and\s+|\s*/\s*))+"
    r"\d{1,4}(?:\.\d+)?\s?(?:[BbTtMm]|billion|trillion|million))"
    r"\s+(?P<kind>total\s+|activated\s+|active\s+)?(?:parameters|params)\b",
)
_PARAMS_ADJ = re.compile(
    r"(?:(?P<num>\d{1,4}(?:\.\d+)?|one|a)[\s-]?)?(?P<scale>[BT](?![A-Za-z])|billion|trillion)-parameters?\b",
    re.IGNORECASE,
)
_PARAMS_ACTIVATES = re.compile(r"\b(?:activates?|activating)\s+(?:only\s+)?" + PARAM_AMOUNT, re.IGNORECASE)
_PARAMS_WITH_ACTIVE = re.compile(
    r"\bwith\s+(?:only\s+)?" + PARAM_AMOUNT + r"(?:\s+(?:parameters|params))?"
    r"(?=\s+(?:activated|active|per token|for each token)|\s+(?:parameters|params)\s+(?:per|for each) token)",
    re.IGNORECASE,
)
_NUMBER_OF_PARAMS = re.compile(r"\b(?:total )?number of (?:total )?parameters (?:is|are|was)\b", re.IGNORECASE)
#: "Number of Parameters: 32.8B", "Activated Parameters: 3B" (spec lines); not the non-embedding count
_PARAMS_LABEL = re.compile(
    r"\b(?:Number of |Total |# ?)?(?P<which>Activated |Active )?(?:Parameters|Params)"
    r"(?:\s*\((?:Total|total)\))?\s*[:=]\s*" + PARAM_AMOUNT,
)
_PARAMS_ACTIVATED_AFTER = re.compile(PARAM_AMOUNT + r"\s+(?:activated|active)\b(?!\s+(?:parameters|params))", re.I)
_RANGE_BEFORE = re.compile(r"(?:\bfrom|\bbetween|\brange[sd]?\s+from|\d[\d.]*\s*[BMT]?\s*(?:to|-|–|and))\s*$", re.I)
#: ``235B-A22B``: total and active parameters written as a pair (read like a model name).
_SIZE_PAIR = re.compile(r"(?<![\w-])\d+(?:\.\d+)?[BT]-A\d+(?:\.\d+)?[BM](?![\w-])")
_NOT_PARAMS_BEFORE = re.compile(
    r"(?:\bnot|n't|\bnever|\brather than|\binstead of|\bno)(?:\s+\w+){0,3}\s*$|\beffective(?:ly)?(?:\s+\w+){0,3}\s*$",
    re.IGNORECASE,
)
#: "17B active parameters out of ~400B total"
_TOTAL_AFTER = re.compile(r"\bout of\s+~?\s*" + PARAM_AMOUNT + r"\s+total\b", re.IGNORECASE)
#: "Llama 4 Maverick (~400B)"
_SIZE_AFTER_MENTION = re.compile(r"\s*\(~\s*" + PARAM_AMOUNT + r"\)")
_EACH_AFTER = re.compile(r"\s*(?:parameters|params)?\s*(?:each|apiece|per expert)\b", re.IGNORECASE)
_GENERIC_BEFORE = re.compile(r"(?:\ba|\ban|\bany|\bsmaller|\blarger|\bbigger|\bother)\s+$", re.IGNORECASE)


_CLASS_NOUN = re.compile(
    r"\b(?:models|llms|networks|systems|ones|variants|checkpoints|alternatives|competitors|rivals|baselines)\b"
    r"(?:\s+(?:of|with|under|below|above|over|at|sized|having|that have|in the|in|between|from|ranging from))+"
    r"(?:\s+(?:up to|under|below|over|fewer than|less than|more than|at most|at least|around|about|roughly|"
    r"the|a|an|only|just|roughly|~|between|from))*\s*$",
    re.IGNORECASE,
)
_CLASS_BOUND = re.compile(r"\b(?:fewer than|less than|below|at most|no more than|up to)\s*$", re.IGNORECASE)


def generic_class(text: str, start: int) -> bool:
    """The amount at ``start`` bounds or sizes a class of models (``LLMs of up to 137B``), not one model."""
    before = text[max(0, start - 60) : start]
    return bool(_CLASS_NOUN.search(before))


#: Every rule below needs one of these: a parameter noun or adjective, "activated"/"active", a per-token
#: phrase, a size after a name ("(~400B)") or a total–active pair ("235B-A22B"). Most sentences have none.
_ANY_PARAMS = re.compile(r"param|activ|token|\(~|\d[BT]-A\d", re.IGNORECASE)


def _params(ctx: _Context, here: _Here) -> None:
    text = here.text
    if not _ANY_PARAMS.search(text) or re.search(r"non[- ]embedding", text, re.IGNORECASE):
        return
    found: list[tuple[int, int, int, str, str | None]] = []  # start, end, count, kind, bound
    listed_positions: set[int] = set()
    for match in _PARAMS_LIST.finditer(text):
        # "117b and 21b total parameters respectively": every amount of the list
        kind_word = (match.group("kind") or "").strip().lower()
        kind = "params_active" if kind_word.startswith("activ") else "params_total"
        for amount in re.finditer(PARAM_AMOUNT, match.group("amounts"), re.IGNORECASE):
            count = param_count(amount.group("num"), amount.group("scale"))
            if count is not None and count >= 10**7:
                position = match.start("amounts") + amount.start()
                found.append((position, match.start("amounts") + amount.end(), count, kind, None))
                listed_positions.add(position)
    for match in _PARAMS_NOUN.finditer(text):
        if any(s <= match.start("num") < e for s, e, *_ in found):
            continue
        count = param_count(match.group("num"), match.group("scale"))
        if count is None or count < 10**7:
            continue
        before = text[: match.start()]
        after = text[match.end() : match.end() + 12]
        if _RANGE_BEFORE.search(before[-12:]) or re.match(r"\s*(?:to|-|–)\s*\d", after):
            continue  # "from 1B to 27B parameters": a family range, not one model
        kind_word = (match.group("kind") or "").strip().lower()
        activates = re.search(r"\bactivat(?:es?|ing)\s*(?:only\s*)?$", before[-20:], re.IGNORECASE)
        kind = "params_active" if kind_word.startswith("activ") or activates else "params_total"
        found.append((match.start(), match.end(), count, kind, match.group("bound")))
    for match in (*_PARAMS_ACTIVATES.finditer(text), *_PARAMS_WITH_ACTIVE.finditer(text)):
        count = param_count(match.group("num"), match.group("scale"))
        if count is not None and not any(s <= match.start("num") < e for s, e, *_ in found):
            found.append((match.start("num"), match.end(), count, "params_active", None))
    if _NUMBER_OF_PARAMS.search(text):
        # "The total number of parameters is not 56B, but about 45B."
        for match in re.finditer(_BOUND + PARAM_AMOUNT + r"(?!\s*(?:parameters|params))", text, re.IGNORECASE):
            count = param_count(match.group("num"), match.group("scale"))
            if count is not None and count >= 10**8 and not any(s <= match.start("num") < e for s, e, *_ in found):
                found.append((match.start("num"), match.end(), count, "params_total", match.group("bound")))
    for match in _PARAMS_LABEL.finditer(text):
        count = param_count(match.group("num"), match.group("scale"))
        if count is not None and count >= 10**7 and not any(s <= match.start("num") < e for s, e, *_ in found):
            kind = "params_active" if match.group("which") else "params_total"
            found.append((match.start("num"), match.end(), count, kind, None))
    for match in _PARAMS_ACTIVATED_AFTER.finditer(text):
        count = param_count(match.group("num"), match.group("scale"))
        if count is not None and not any(s <= match.start() < e for s, e, *_ in found):
            found.append((match.start(), match.end(), count, "params_active", None))
    # generic talk about a class of models is not a claim (issue 12): "LLMs of up to 137B parameters",
    # "models with fewer than 150M parameters", "Models of 7B parameters", "dense models under 40B"
    found = [f for f in found if not generic_class(text, f[0])]
    if here.mentions:
        for match in _PARAMS_ADJ.finditer(text):
            if any(s <= match.start() < e for s, e, *_ in found):
                continue
            if re.match(r"\s+(?:\w+\s+)?models\b", text[match.end() :]):
                continue  # "the 4, 12 and 27 billion parameter models": sizes of a family
            if _GENERIC_BEFORE.search(text[: match.start()]) and not here.mentions:
                continue
            number = match.group("num") or "1"
            count = param_count(number, match.group("scale"))
            if count is not None and count >= 10**8:
                found.append((match.start(), match.end(), count, "params_total", None))
    for match in _TOTAL_AFTER.finditer(text):
        count = param_count(match.group("num"), match.group("scale"))
        if count is not None and count >= 10**7 and "parameter" in text[: match.start()].lower():
            found.append(
                (match.start(), match.end(), count, "params_total", "about" if "~" in match.group(0) else None)
            )
    for mention in here.mentions:
        size = _SIZE_AFTER_MENTION.match(text, mention.end)
        if size:
            count = param_count(size.group("num"), size.group("scale"))
            if count is not None and count >= 10**7:
                found.append((size.start("num"), size.end(), count, "params_total", "about"))
    for match in _SIZE_PAIR.finditer(text):
        if any(m.start <= match.start() < m.end for m in here.mentions):
            continue  # part of a model's name ("Qwen3-235B-A22B"): the name is not a claim
        total, active = params_from_name(match.group(0))
        if total is not None and active is not None:
            found.append((match.start(), match.end(), total, "params_total", None))
            found.append((match.start(), match.end(), active, "params_active", None))
    found = [f for f in found if not _NOT_PARAMS_BEFORE.search(text[: f[0]]) and not _EACH_AFTER.match(text, f[1])]
    found.sort()
    respectively = "respectively" in text.lower()
    if respectively and len(found) >= 2:
        targets = [m for m in here.mentions if not here.compared(m)]
        if len(targets) != len(found) and ctx.topic_list is not None:
            targets = ctx.topic_list
        if len(targets) == len(found):
            for (start, _end, count, kind, bound), mention in zip(found, targets, strict=True):
                _emit_params(ctx, here, _Sub(mention.text, "sentence"), kind, count, bound, text[start:_end])
            return
    listed = [f for f in found if f[3] == "params_total" and f[0] in listed_positions]
    named_here = [m for m in here.mentions if not here.compared(m)]
    if len(listed) >= 2 and not respectively and len({f[2] for f in listed}) > 1 and len(named_here) < 2:
        return  # "DeepSeek-Coder-V2 with 16B and 236B parameters": two models named as one
    for start, end, count, kind, bound in found:
        phrase = text[start:end]
        generic = _GENERIC_BEFORE.search(text[:start]) and re.search(r"-param|model", text[end : end + 8])
        if generic and not here.mentions:
            continue
        size = next(
            (m for m in here.mentions if _SIZE_AFTER_MENTION.match(text, m.end) and m.end < start <= m.end + 12), None
        )
        if size is not None:
            subs = [_Sub(size.text, "sentence")]
        else:
            variant = _variant_of_topic(ctx, here)
            subs = [variant] if variant is not None else _subjects(ctx, here, start, end)
        for sub in subs:
            _emit_params(ctx, here, sub, kind, count, bound, phrase)


def _emit_params(ctx: _Context, here: _Here, sub: _Sub, kind: str, count: int, bound: str | None, phrase: str) -> None:
    extra: dict[str, Any] = {"as_written": phrase.strip()}
    if bound:
        extra["bound"] = bound.lower()
    _emit(ctx, here, sub, kind, str(count), value_num=Decimal(count), unit="parameters", extra=extra)
