"""Claims stated in sentences: parameters, context length, licence, openness, prices,
release dates and benchmark scores.

Each rule finds an expression (``235 billion total parameters``, ``a context window
of 262,144 tokens``, ``$1.20 per million input tokens``, ``85.2% on SuperGLUE``,
``closed-source with API access only``) and then its subject:

1. a model mentioned in the same sentence: for numbers the nearest mention
   before the expression (else the first one after it that is not a comparison:
   ``than``, ``vs``, ``outperforming``…); for openness and licence statements
   every mention of the sentence that is not a comparison;
2. else the current topic: the last model named at the start of a sentence
   (``Qwen 3 Max isn't just… the model achieves 85.2% on SuperGLUE``);
3. else the text's own subject (the title's model, or the card's repo).

Generic statements are not claims: ``open-weight models compete with…``,
``a 7B model``, ``from 1B to 27B parameters``.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from tracker.extract import licenses as lic
from tracker.extract.benchnames import BenchmarkName, resolve_benchmark, settings_of
from tracker.extract.mentions import NAME_WORDS, Mention, find_mentions
from tracker.extract.quantities import (
    DATE,
    PARAM_AMOUNT,
    TOKEN_AMOUNT,
    param_count,
    parse_number,
    parse_prose_date,
    token_count,
    usd_per_mtok,
)
from tracker.extract.text import Sentence
from tracker.extract.types import Extracted
from tracker.normalize.params import params_from_name

_COMPARISON = re.compile(
    r"(?:\bthan|\bvs\.?|\bversus|\bcompared (?:to|with)|\bcomparison with|\boutperform\w*|\boutcompete\w*|\bbeat\w*|"
    r"\bsurpass\w*|\brival\w*|\bunlike|\bagainst|\bexceed\w*|\bahead of|\bbehind|\bmatch(?:es|ing)?|"
    r"\bthe likes of|\bpredecessor\w*|\bsuccessor\w*|\bsimilar to|\bcomparable (?:to|with)|\bcompet\w* with|"
    r"\bon par with|\bsuperior to|\binferior to|\brelative to)\W*(?:[\w'’-]+\W+){0,5}$"
    r"|(?:\bover|\bfrom|\bbased on|\bbuilt (?:on|upon)|\bdistill\w* from|\bclose to|\bequal to)"
    r"\W*(?:[\w'’-]+\W+){0,2}$",
    re.IGNORECASE,
)
_INCLUSION = re.compile(r"(?:\blike|\bsuch as|\bincluding|\be\.g\.,?|\bnamely)\W*$", re.IGNORECASE)
_ENUM_GAP = re.compile(r"^\s*(?:,|and|or|&|/|,\s*and|,\s*or)\s*$", re.IGNORECASE)
_PLURAL_ANAPHOR = re.compile(
    r"\b(?:these|both|the|the two|all (?:of )?(?:these|the)) (?:\w+ )?models\b|\bboth\b|\bthey\b", re.IGNORECASE
)
_ANAPHOR = re.compile(r"\b(?:the|this|that) (?:model|release|version|llm|system)\b|\b(?:it|its|it's)\b", re.IGNORECASE)


@dataclass
class _Context:
    """What the rules know while reading a text, sentence after sentence."""

    document_subject: str | None
    topic: Mention | None = None
    #: Highest prompt-length tier a price table or sentence named (``the highest range``).
    highest_tier: int | None = None
    #: The models the previous sentence listed (for "…respectively").
    topic_list: list[Mention] | None = None
    #: A sentence that opened with a date and no release verb (the next one may say what was released).
    pending_date: tuple[Sentence, str] | None = None
    #: The day the text was published (UTC): what "today" and "on Thursday" mean in it.
    published: dt.date | None = None
    #: Models given a total parameter count earlier in the text (a sized model is not a family of sizes).
    sized: set[str] = field(default_factory=set)
    out: list[Extracted] = field(default_factory=list)


@dataclass(frozen=True)
class _Sub:
    mention: str | None
    via: str


class _Here:
    """One sentence with its mentions (offsets relative to the sentence)."""

    def __init__(self, sentence: Sentence, short_names: dict[str, str] | None = None) -> None:
        self.sentence = sentence
        self.text = sentence.text
        self.mentions = find_mentions(self.text)
        if short_names:
            # "Maverick" alone, after "Llama 4 Maverick" was named: that model
            for match in re.finditer(r"\b(" + "|".join(map(re.escape, short_names)) + r")\b", self.text):
                if not any(m.start <= match.start() < m.end for m in self.mentions):
                    self.mentions.append(Mention(short_names[match.group(1)], match.start(), match.end()))
            self.mentions.sort(key=lambda m: m.start)
        self._positions: dict[Mention, int] | None = None
        self._list_starts: list[int] = []

    def position(self, mention: Mention) -> int:
        """The index of ``mention`` in :attr:`mentions` (one pass per sentence, not one per call)."""
        if self._positions is None or len(self._positions) != len(self.mentions):
            self._positions = {}
            for i, m in enumerate(self.mentions):
                self._positions.setdefault(m, i)
            self._list_starts = []
            for i, m in enumerate(self.mentions):
                joined = i > 0 and _ENUM_GAP.match(self.text[self.mentions[i - 1].end : m.start])
                self._list_starts.append(self._list_starts[-1] if joined else m.start)
        return self._positions[mention]

    def _enumeration_start(self, mention: Mention) -> int:
        """Where the list a mention belongs to starts (``X, Y and Z``: X's start for all three)."""
        if self._positions is None or len(self._positions) != len(self.mentions):
            self.position(self.mentions[0]) if self.mentions else None
        if self._positions is None or mention not in self._positions:
            return mention.start
        return self._list_starts[self._positions[mention]]

    def included(self, mention: Mention) -> bool:
        """The mention is an example in a list (``models like X``, ``including X, Y``)."""
        start = self._enumeration_start(mention)
        return bool(_INCLUSION.search(self.text[max(0, start - 25) : start]))

    def compared(self, mention: Mention) -> bool:
        """The mention is what something is compared with (``outperforms X``, ``compared to models such as X``)."""
        start = self._enumeration_start(mention)
        before = self.text[max(0, start - 60) : start]
        if self.included(mention):
            before = _INCLUSION.sub("", before)
        return bool(_COMPARISON.search(before))

    def subject_at(self, start: int, end: int) -> Mention | None:
        """The mention a number at ``start:end`` is about (see the module docstring)."""
        before = [m for m in self.mentions if m.end <= start]
        if before:
            candidate = before[-1]
            # "GPT-5 with thinking mode (94.6% on AIME25)": the nearest mention, comparison or not
            return candidate
        after = [m for m in self.mentions if m.start >= end and not self.compared(m)]
        return after[0] if after else None


def _subjects(ctx: _Context, here: _Here, start: int, end: int) -> list[_Sub]:
    """Like :func:`_subject`, but "the models" / "both" with two models just named means both of them."""
    if not here.mentions and _SIZE_VARIANT.search(here.text):
        # "The 30B model supports …": that size of the topic model, or nobody we can name
        variant = _variant_of_topic(ctx, here)
        return [variant] if variant is not None else []
    if not here.mentions and ctx.topic_list and _PLURAL_ANAPHOR.search(here.text):
        return [_Sub(m.text, "context") for m in ctx.topic_list]
    sub = _subject(ctx, here, start, end)
    return [sub] if sub is not None else []


def _subject(ctx: _Context, here: _Here, start: int, end: int, *, allow_fallback: bool = True) -> _Sub | None:
    mention = here.subject_at(start, end)
    if mention is not None:
        return _Sub(mention.text, "sentence")
    if here.mentions:
        return None  # the sentence names only models it compares with
    if not allow_fallback:
        return None
    if ctx.topic is not None:
        return _Sub(ctx.topic.text, "context")
    return _Sub(ctx.document_subject, "document")


def _emit(ctx: _Context, here: _Here, sub: _Sub, attribute: str, value: str, **more: Any) -> None:
    s = here.sentence
    if attribute == "params_total" and sub.mention:
        ctx.sized.add(sub.mention)
    ctx.out.append(
        Extracted(
            attribute=attribute,
            value=value,
            quote=s.text,
            start=s.start,
            end=s.end,
            mention=sub.mention,
            via=sub.via,
            qualifier=more.pop("qualifier", ""),
            value_num=more.pop("value_num", None),
            unit=more.pop("unit", None),
            extra=more.pop("extra", {}),
        )
    )


# ───────────────────────────── parameters ─────────────────────────────

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


def _params(ctx: _Context, here: _Here) -> None:
    text = here.text
    if re.search(r"non[- ]embedding", text, re.IGNORECASE):
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


_SIZE_VARIANT = re.compile(r"\b(?:[Tt]he|[Aa]|[Ii]ts|[Tt]his)\s+(\d+(?:\.\d+)?[BM])\s+(?:[\w-]+\s+){0,4}model\b")


def _variant_of_topic(ctx: _Context, here: _Here) -> _Sub | None:
    """ "The 26B Mixture of Experts model …" with no model named: that size of the topic (``Gemma 4 26B``)."""
    family = ctx.topic.text if ctx.topic is not None else ctx.document_subject
    if here.mentions or family is None or re.search(r"\d+(?:\.\d+)?[BMT]\b", family):
        return None
    if family in ctx.sized:
        # "the 2-billion-parameter Sarvam 1 model … The 30B model …": another model, not a size of Sarvam 1
        return None
    match = _SIZE_VARIANT.search(here.text)
    return _Sub(f"{family} {match.group(1)}", "context") if match else None


def _emit_params(ctx: _Context, here: _Here, sub: _Sub, kind: str, count: int, bound: str | None, phrase: str) -> None:
    extra: dict[str, Any] = {"as_written": phrase.strip()}
    if bound:
        extra["bound"] = bound.lower()
    _emit(ctx, here, sub, kind, str(count), value_num=Decimal(count), unit="parameters", extra=extra)


# ───────────────────────────── context length ─────────────────────────────

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


def _context(ctx: _Context, here: _Here) -> None:
    text = here.text
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
            # the first figure is the claim ("32,768 natively"); an extended one ("131,072 with YaRN") is kept too
            extra: dict[str, Any] = {"as_written": text[start:end].strip()}
            if len(values) > 1:
                extra["values"] = values
            for sub in _subjects(ctx, here, start, end):
                _emit(
                    ctx, here, sub, "context_length", str(count), value_num=Decimal(count), unit="tokens", extra=extra
                )


# ───────────────────────────── licence ─────────────────────────────


_LICENSE_DROPPED = re.compile(
    r"\b(?:dump\w*|drop\w*|abandon\w*|replac\w*|no longer|instead of|away from|switch\w* from|moving off)\b"
    r"[^.;]{0,40}$",
    re.IGNORECASE,
)


_THIS_REPOSITORY = re.compile(r"\b(?:this|the) (?:code )?repository\b|\bthe model weights\b", re.IGNORECASE)
_LICENSE_OF_ORIGIN = re.compile(
    r"\b(?:derived from|based on|built (?:on|upon)|fine-?tuned (?:from|on)|distilled from)\b[^.;]*?\bwhich\b[^.;]*$",
    re.IGNORECASE,
)


def _licenses(ctx: _Context, here: _Here) -> None:
    text = here.text
    code_only = re.search(
        r"\b(?:code|codebase|repository|repo|source code|scripts?)\b[^.]{0,40}\b(?:licen[sc]ed|under)\b", text, re.I
    )
    if code_only and not re.search(r"\b(?:model|weights)\b[^.]{0,60}\blicen[sc]", text, re.IGNORECASE):
        return  # "This code repository is licensed under the MIT License": the code, not the model
    seen: set[str] = set()
    for found in lic.find_licenses(text):
        if found.key in seen:
            continue
        seen.add(found.key)
        if _LICENSE_DROPPED.search(text[: found.start]):
            continue  # "it's dumping the custom Gemma license": no longer its licence
        if _LICENSE_OF_ORIGIN.search(text[: found.start]) or re.search(
            r"\boriginally\b[^.;]{0,30}$", text[: found.start]
        ):
            continue  # "derived from Qwen-2.5 series, which are originally licensed under Apache 2.0": the origin's
        mentions = [m for m in here.mentions if not (found.start <= m.start < found.end)]
        targets = [m for m in mentions if not here.compared(m) or here.included(m)]
        if not targets and not mentions and _THIS_REPOSITORY.search(text):
            subs = [_Sub(ctx.document_subject, "document")]  # "the code and the model weights are released under…"
        elif not targets and not mentions and ctx.topic_list and _PLURAL_ANAPHOR.search(text):
            subs = [_Sub(m.text, "context") for m in ctx.topic_list]
        elif not targets and not mentions:
            if ctx.topic is None or _THIS_REPOSITORY.search(text):
                subs = [_Sub(ctx.document_subject, "document")]  # "this repository and the model weights…"
            else:
                subs = [_Sub(ctx.topic.text, "context")]
        elif not targets:
            sub = _subject(ctx, here, found.start, found.end)
            subs = [sub] if sub is not None else []
        else:
            subs = [_Sub(m.text, "sentence") for m in targets]
        for sub in subs:
            _emit(ctx, here, sub, "license", found.key, extra={"as_written": found.text})


# ───────────────────────────── openness ─────────────────────────────

_OPEN = re.compile(
    r"\bopen[\s-]?(?:source[sd]?|sourcing|weights?|weighted|weighting)\b|\bopenly (?:released|available)\b|"
    r"\bopen model\b|\bweights (?:are|were|have been) (?:released|published|made available|available|open)|"
    r"\bopenly releas\w*",
    re.IGNORECASE,
)
_CLOSED = re.compile(r"\bclosed[\s-]?(?:source[sd]?|weights?)\b|\bproprietary model\b", re.IGNORECASE)
#: Statements that say API-only whatever surrounds them.
_API_ONLY = re.compile(
    r"\bAPI[\s-]only\b|\bAPI access only\b|\bonly (?:available )?(?:via|through) (?:an |the |its |their )?"
    r"(?:API|cloud)\b|\b(?:access|availability) (?:is )?(?:limited|restricted) (?:exclusively |only )?to\b"
    r"[^.]{0,60}\bAPIs?\b|\b(?:no|without) (?:open |downloadable )?weights\b|\bweights (?:are|were|will) not "
    r"(?:be )?(?:released|published|available)",
    re.IGNORECASE,
)
_NEGATION_CUE = re.compile(r"(?:\bnot|n't|\bnever|\bno|\bnor|\bwithout|\banything but)\s+((?:[\w-]+\s+){0,5})$", re.I)
_NEGATION_FILLERS = frozenset(
    [
        "actually",
        "really",
        "truly",
        "fully",
        "yet",
        "be",
        "been",
        "being",
        "made",
        "available",
        "in",
        "an",
        "a",
        "the",
        "as",
        "released",
        "to",
        "going",
        "ever",
        "currently",
        "publicly",
    ]
)
_PREDICATIVE_BEFORE = re.compile(
    r"(?:\bis|\bare|\bwas|\bwere|\bbe|\bbeen|\bbeing|'s|’s|\bas|\bbecome|\bbecame|\bremains?|\bstays?|\bgoes|"
    r"\bwent|\bgo)\s+(?:(?:now|fully|completely|truly|entirely|actually|also|still|officially|really)\s+)*$",
    re.IGNORECASE,
)
_SINGULAR_MODEL_AFTER = re.compile(r"^\s*(?:model|version|release|llm|checkpoint|variant)\b(?!s)", re.IGNORECASE)
_PLURAL_AFTER = re.compile(r"^\s*(?:models|llms|releases|versions|variants|checkpoints)\b", re.IGNORECASE)
_INCLUSION_AFTER = re.compile(r"^\s*(?:models|llms)?\s*(?:,\s*)?(?:like|such as|including)\s+", re.IGNORECASE)
_MEMBERSHIP = re.compile(
    r"\b(?:one of|iteration of|generation of|member of|family of|series of|line of) "
    r"(?:the |its |our )?(?:\w+\s+){0,4}$",
    re.IGNORECASE,
)
_ANAPHORIC_SUBJECT = re.compile(
    r"^(?:(?:but|and|so|however|yet|still|now)[\s,]+)*(?:it|this model|the model|this release|this version|"
    r"the weights|its weights)\b",
    re.IGNORECASE,
)
_ANAPHOR_ANYWHERE = re.compile(r"\b(?:this|the) (?:model|release|version)\b|\bits weights\b", re.IGNORECASE)
_FRAGMENT_LEAD = re.compile(r"^(?:(?:and|but|fully|completely|truly|now|all|plus|also)[\s,]+)*$", re.IGNORECASE)
_VERB_FORM = re.compile(r"(?:sourced|sourcing|weighted|weighting)$", re.IGNORECASE)
_WEIGHTS_NOUN_BEFORE = re.compile(
    r"(?:\bfully|\bwith|\bhas|\bhave|\bhad|\bits|\btheir|\bunder|\breleases?|\breleased|\bpublish(?:es|ed)?|\bship(?:s|ped)?)"
    r"\s+(?:\w+\s+){0,1}$",
    re.IGNORECASE,
)


def _negated(before: str) -> bool:
    match = _NEGATION_CUE.search(before[-60:])
    if not match:
        return False
    return all(word.lower() in _NEGATION_FILLERS for word in match.group(1).split())


_PASSIVE_BEFORE = re.compile(r"\b(?:is|are|was|were|been|be|being|gets?|got)\s+(?:[\w-]+\s+){0,2}$", re.IGNORECASE)
_INDEFINITE_BEFORE = re.compile(r"\b(?:a|an|any|every|each|another|some)\s+(?:[\w-]+\s+){0,2}$", re.IGNORECASE)
_APPOSITIVE_BEFORE = re.compile(r"(?:—|–|,|:)\s*(?:an?|two|three|four|both|the)?\s*(?:[\w-]+\s+){0,3}$")
_MODELS_AFTER = re.compile(r"^\s*(?:(?:language|reasoning|chat|foundation|moe|dense)\s+){0,2}(?:models?|llms?)\b", re.I)


def _asserted(here: _Here, match: re.Match[str]) -> bool:
    """Whether an openness phrase asserts something about a model (not ``open-source models compete…``)."""
    text = here.text
    before, after = text[: match.start()], text[match.end() :]
    phrase = match.group(0).lower()
    lead = before.strip()
    before_mentions = [m for m in here.mentions if m.end <= match.start()]
    after_mentions = [m for m in here.mentions if m.start >= match.end()]
    anaphoric = bool(_ANAPHORIC_SUBJECT.match(lead))
    if _FRAGMENT_LEAD.match(lead + " " if lead else "") and re.match(
        r"^\s*(?:[.!?,;:]|$|under\b|with\b|and\b|\()", after
    ):
        return True  # "Open source." / "Fully open weights under Apache 2.0"
    if _VERB_FORM.search(phrase):
        if after_mentions and after_mentions[0].start - match.end() <= 60:
            return True  # "open-weighting two MoE models: Qwen3-235B-A22B", "the open-sourcing of Qwen3"
        if any(_FOR_LIST.search(text[: here._enumeration_start(m)]) for m in after_mentions):
            return True  # "we have open-sourced the base models … for both GLM-4.5 and GLM-4.5-Air"
        if before_mentions and _PASSIVE_BEFORE.search(before):
            gap = text[before_mentions[-1].end : match.start()]
            return not re.search(r"[:;]|\bwhich\b|\bthat\b", gap)  # "Qwen3 is open-sourced"
        return anaphoric
    if phrase.startswith(("weights", "openly")):
        return bool(here.mentions) or anaphoric or bool(re.search(r"^\s*(?:these|the|our) models\b", after))
    if _PREDICATIVE_BEFORE.search(before):
        if _PLURAL_AFTER.match(after):
            return bool(here.mentions) and bool(_INCLUSION_AFTER.match(after))
        return bool(here.mentions) or anaphoric
    if lead.endswith(":") and re.match(r"^\s*(?:[.,;]|with\b|and\b|$)", after):
        return True  # "…its predecessor: closed-source with API access only"
    if before_mentions and _MODELS_AFTER.match(after) and _APPOSITIVE_BEFORE.search(before[-40:]):
        return True  # "gpt-oss-120b and gpt-oss-20b—two state-of-the-art open-weight language models"
    if _SINGULAR_MODEL_AFTER.match(after) or phrase.endswith("model"):
        if here.mentions:
            return True
        if _negated(before) and _ANAPHOR_ANYWHERE.search(before):
            return True  # "this model will not be available in an open-source version"
        return not _INDEFINITE_BEFORE.search(before) and bool(_ANAPHOR_ANYWHERE.search(text))
    if _INCLUSION_AFTER.match(after) or _MEMBERSHIP.search(before[-45:]):
        return bool(here.mentions) or anaphoric
    if "weight" in phrase and _WEIGHTS_NOUN_BEFORE.search(before[-30:]):
        return bool(here.mentions)
    return False


_COORDINATED = re.compile(
    r"\b(?:proprietary|closed(?:[\s-]source)?|commercial|open(?:[\s-](?:source|weights?))?)\s+(?:and|or|&|/)\s+$", re.I
)
_COORDINATED_AFTER = re.compile(r"^\s*(?:and|or|&|/)\s+(?:proprietary|closed|commercial|open)", re.IGNORECASE)
_AFTER_GAP = re.compile(
    r"^[\s\w'’-]{0,40}?(?:[:,—–(]\s*)?(?:(?:like|such as|including|of|namely|e\.g\.,?)\s+)?$", re.IGNORECASE
)
_COUNTED = re.compile(r"\b(two|three|four|five|six|seven|eight|both)\b", re.IGNORECASE)
_COUNTS = {"two": 2, "both": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8}
_FOR_LIST = re.compile(r"\bfor\s+(?:both\s+|all\s+)?$", re.IGNORECASE)
_BEFORE_GAP_BREAK = re.compile(
    r"[;.!?]|\b(?:than|unlike|while|whereas|but|vs|versus|compared|outperform\w*|against|beats?|surpass\w*|rival\w*)\b",
    re.IGNORECASE,
)
_PART_OF = re.compile(
    r"\b(?:checkpoints?|variants?|versions?|weights|base model|base|code|data|dataset|tokenizer|paper|report|"
    r"predecessors?|successors?)\s+(?:of|for)\s+$",
    re.IGNORECASE,
)


def _enumeration_from(here: _Here, first: Mention) -> list[Mention]:
    out = [first]
    index = here.position(first)
    while index + 1 < len(here.mentions) and _ENUM_GAP.match(
        here.text[here.mentions[index].end : here.mentions[index + 1].start]
    ):
        index += 1
        out.append(here.mentions[index])
    return out


def _enumeration_start_of(here: _Here, mention: Mention) -> int:
    return here._enumeration_start(mention)


def _targets(here: _Here, match: re.Match[str]) -> list[Mention] | None:
    """The mentions an openness phrase is about: ``our open-source model, X``, ``open-weighting two models: X, Y``,
    ``X is open-weight``; [] when the phrase is not attached to a named model, None when it is about a part of
    one (``the base checkpoint for X was not open-sourced``)."""
    text = here.text
    after = [m for m in here.mentions if m.start >= match.end()]
    if after and len(text[match.end() : after[0].start]) <= 45 and _AFTER_GAP.match(text[match.end() : after[0].start]):
        listed = _enumeration_from(here, after[0])
        counted = _COUNTED.search(text[match.end() : after[0].start])
        if counted and len(listed) < _COUNTS[counted.group(1).lower()]:
            # "open-weighting two MoE models: X, a large model with …, and Y"
            wanted = _COUNTS[counted.group(1).lower()]
            listed = [m for m in after if not here.compared(m)][:wanted]
        return listed
    if _VERB_FORM.search(match.group(0)) and after:
        tail = [m for m in after if _FOR_LIST.search(text[: _enumeration_start_of(here, m)])]
        if tail:
            return _enumeration_from(here, tail[0])  # "we have open-sourced … for both GLM-4.5 and GLM-4.5-Air"
    before = [m for m in here.mentions if m.end <= match.start()]
    if before:
        nearest = before[-1]
        gap = text[nearest.end : match.start()]
        if len(gap) <= 45 and not _BEFORE_GAP_BREAK.search(gap):
            if _PART_OF.search(text[: nearest.start]):
                return None
            if not here.compared(nearest) or here.included(nearest):
                start = here.mentions.index(nearest)
                group = [nearest]
                while start > 0 and _ENUM_GAP.match(text[here.mentions[start - 1].end : here.mentions[start].start]):
                    start -= 1
                    group.insert(0, here.mentions[start])
                return group
    return []


def _openness_statements(here: _Here) -> list[tuple[str, re.Match[str]]]:
    """(``open`` | ``api-only``, the phrase) for every openness statement of the sentence."""
    text = here.text
    out: list[tuple[str, re.Match[str]]] = []
    for match in _OPEN.finditer(text):
        if _COORDINATED.search(text[: match.start()][-40:]) or _COORDINATED_AFTER.match(text[match.end() :]):
            continue  # "proprietary and open-source models": a mixed list, no statement about any one model
        if not _asserted(here, match):
            continue
        out.append(("api-only" if _negated(text[: match.start()]) else "open", match))
    for match in _CLOSED.finditer(text):
        if _COORDINATED.search(text[: match.start()][-40:]) or _COORDINATED_AFTER.match(text[match.end() :]):
            continue
        if not _asserted(here, match):
            continue
        out.append(("open" if _negated(text[: match.start()]) else "api-only", match))
    for match in _API_ONLY.finditer(text):
        if here.mentions or not re.search(r"\b(?:models|they|their)\b", text[: match.start()], re.IGNORECASE):
            out.append(("api-only", match))
    values = {value for value, _ in out}
    if len(values) > 1:
        open_weights = any("weight" in m.group(0).lower() for v, m in out if v == "open")
        closed_weights = any("weight" in m.group(0).lower() for v, m in out if v == "api-only")
        if open_weights and not closed_weights:
            return [(v, m) for v, m in out if v == "open"]  # "open-weight, not open-source in the software sense"
        return []
    return out


def _openness(ctx: _Context, here: _Here) -> None:
    statements = _openness_statements(here)
    if not statements:
        return
    value = statements[0][0]
    phrase = statements[0][1].group(0)
    targets: list[Mention] = []
    for _value, match in statements:
        attached = _targets(here, match)
        if attached is None:
            return
        for mention in attached:
            if mention not in targets:
                targets.append(mention)
    if targets:
        subs = [_Sub(m.text, "sentence") for m in targets]
    elif here.mentions:
        named = [m for m in here.mentions if not here.compared(m) and not _PART_OF.search(here.text[: m.start])]
        if len(named) != 1:
            return  # several models, none attached to the statement: whose openness is it?
        subs = [_Sub(named[0].text, "sentence")]
    elif ctx.topic_list and _PLURAL_ANAPHOR.search(here.text):
        subs = [_Sub(m.text, "context") for m in ctx.topic_list]
    elif ctx.topic is not None:
        subs = [_Sub(ctx.topic.text, "context")]
    else:
        subs = [_Sub(ctx.document_subject, "document")]
    for sub in subs:
        _emit(ctx, here, sub, "openness", value, extra={"as_written": phrase})


# ───────────────────────────── prices ─────────────────────────────

_PRICE = re.compile(
    r"(?:US)?\$\s?(?P<amount>\d+(?:\.\d+)?)\s*(?:USD\s*)?(?:per|/|for|a|each)\s*(?:every\s+)?"
    r"(?P<per>1M|1 ?million|one million|million|M(?![a-z])|1,000,000|MTok|1K|1,000|thousand|K(?![a-z]))"
    r"(?:\s+(?P<what>input|output|prompt|completion|cached input|cached|cache[- ]hit|cache[- ]miss))?"
    r"(?:\s+tokens?)?(?:\s*\((?P<note>[^)]{1,30})\))?",
    re.IGNORECASE,
)
_COMPONENT_WORDS = (
    ("input_cache_read", r"cache[- ]hit|cached input|cache read"),
    ("prompt", r"cache[- ]miss|input|prompt"),
    ("completion", r"output|completion"),
)
_TIER = re.compile(
    r"(?P<low>\d+(?:\.\d+)?)\s?(?P<lu>[KkMm])?\s*(?:[-–]|to)\s*(?P<high>\d+(?:\.\d+)?)\s?(?P<hu>[KkMm])\b"
    r"|(?:above|over|beyond|more than|>)\s*(?P<above>\d+(?:\.\d+)?)\s?(?P<au>[KkMm])\b",
)


def _component(text: str) -> str | None:
    for component, words in _COMPONENT_WORDS:
        if re.search(rf"\b(?:{words})\b", text, re.IGNORECASE):
            return component
    return None


def _tier_min(text: str) -> tuple[int | None, bool]:
    """``(min prompt tokens, found)`` from ``0-32K``, ``128K-252K``, ``above 128K``."""
    match = _TIER.search(text)
    if not match:
        return None, False
    if match.group("above"):
        unit = match.group("au").lower()
        return int(Decimal(match.group("above")) * (1000 if unit == "k" else 10**6)), True
    unit = (match.group("lu") or match.group("hu")).lower()
    return int(Decimal(match.group("low")) * (1000 if unit == "k" else 10**6)), True


def price_qualifier(component: str, min_prompt_tokens: int | None) -> str:
    """``prompt`` or ``prompt@prompt>=128000`` (the qualifier of price claims)."""
    if not min_prompt_tokens:
        return component
    return f"{component}@prompt>={min_prompt_tokens}"


def _prices(ctx: _Context, here: _Here) -> None:
    text = here.text
    previous_component: str | None = None
    matches = list(_PRICE.finditer(text))
    for index, match in enumerate(matches):
        amount = usd_per_mtok(match.group("amount"), match.group("per"))
        if amount is None:
            continue
        component = _component(" ".join(filter(None, (match.group("what"), match.group("note")))))
        if component is None:
            window = text[match.end() : match.end() + 30]
            component = _component(re.split(r"[,;.]", window, maxsplit=1)[0])
        if component is None:
            lead = text[max(0, match.start() - 40) : match.start()]
            component = _component(re.split(r"[,;]", lead)[-1]) or previous_component
        if component is None:
            component = _component(text[: max(0, match.start())])
        if component is None:
            continue
        previous_component = component
        following = matches[index + 1].start() if index + 1 < len(matches) else len(text)
        tail = text[match.end() : following]
        tier, has_tier = _tier_min(re.split(r"[;]|,\s*(?:rising|falling|and|while|but)", tail)[0])
        if not has_tier and re.search(r"\bhighest (?:range|tier|bracket)\b", tail, re.IGNORECASE):
            tier, has_tier = ctx.highest_tier, ctx.highest_tier is not None
            if not has_tier:
                continue
        if tier:
            ctx.highest_tier = max(tier, ctx.highest_tier or 0)
        sub = _subject(ctx, here, match.start(), match.end())
        if sub is None:
            continue
        extra: dict[str, Any] = {"as_written": match.group(0).strip(), "currency": "USD"}
        if tier is not None:
            extra["min_prompt_tokens"] = tier
        if re.search(
            r"\b(?:as low as|starting at|start at|from)\s*$", text[max(0, match.start() - 20) : match.start()]
        ):
            extra["bound"] = "from"
        _emit(
            ctx,
            here,
            sub,
            "price",
            _decimal_text(amount),
            qualifier=price_qualifier(component, tier),
            value_num=amount,
            unit="usd_per_mtok",
            extra=extra,
        )


def _decimal_text(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    return text


# ───────────────────────────── release dates ─────────────────────────────

_RELEASE_VERB = re.compile(
    r"\b(?:released|releases|releasing|release date|launched|launches|launching|unveiled|unveils|announced|announces|"
    r"introduced|"
    r"introduces|debuted|debuts|open[- ]sourced|made available)\b",
    re.IGNORECASE,
)
_DATE_RE = re.compile(DATE, re.IGNORECASE)


def _release(ctx: _Context, here: _Here) -> None:
    text = here.text
    verb = _RELEASE_VERB.search(text)
    dates = list(_DATE_RE.finditer(text))
    pending = ctx.pending_date
    ctx.pending_date = None
    if verb is None:
        if len(dates) == 1 and dates[0].start() == 0:
            ctx.pending_date = (here.sentence, dates[0].group("date"))  # "September 5, 2025, marks a watershed…"
        return
    if not dates and pending is not None and pending[0].block == here.sentence.block and here.mentions:
        after = [m for m in here.mentions if m.start >= verb.end() and m.start - verb.end() <= 40]
        date = parse_prose_date(pending[1])
        if after and date is not None:
            first = pending[0]
            ctx.out.append(
                Extracted(
                    attribute="release_date",
                    value=date.isoformat(),
                    quote="",  # the two sentences: filled from the text by extract_claims
                    start=first.start,
                    end=here.sentence.end,
                    mention=after[0].text,
                    via="sentence",
                    extra={"as_written": pending[1]},
                )
            )
        return
    if not dates and ctx.published is not None:
        relative = _relative_day(text, verb, ctx.published)
        if relative is not None:
            # only a model named in the sentence: "Mistral released a new … model on Thursday" names none
            _release_of(ctx, here, verb, relative[0], relative[1], named_only=True)
        return
    if len(dates) != 1:
        return
    date = parse_prose_date(dates[0].group("date"))
    if date is None:
        return
    _release_of(ctx, here, verb, date, dates[0].group("date"))


_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_RELATIVE_DAY = re.compile(
    r"\b(?:(?P<today>today)|(?P<yesterday>yesterday)|on (?P<weekday>" + "|".join(_WEEKDAYS) + r"))\b",
    re.IGNORECASE,
)


def _relative_day(text: str, verb: re.Match[str], published: dt.date) -> tuple[dt.date, str] | None:
    """``Today, we're releasing …`` / ``On Thursday, OpenAI released …``: the day, counted from the post's date.

    Only a day word in the clause of the release verb counts (at most 60 characters away); a weekday
    is the latest such day on or before the publication day.
    """
    for match in _RELATIVE_DAY.finditer(text):
        between = text[match.end() : verb.start()] if match.end() <= verb.start() else text[verb.end() : match.start()]
        if len(between) > 60 or re.search(r"[.;:!?]", between):
            continue
        if match.group("today"):
            return published, match.group(0)
        if match.group("yesterday"):
            return published - dt.timedelta(days=1), match.group(0)
        weekday = _WEEKDAYS.index(match.group("weekday").lower())
        return published - dt.timedelta(days=(published.weekday() - weekday) % 7), match.group(0)
    return None


def _release_of(
    ctx: _Context, here: _Here, verb: re.Match[str], date: dt.date, as_written: str, *, named_only: bool = False
) -> None:
    """A release-date claim for the model the release verb is about."""
    text = here.text
    if re.search(r"\b(?:will|expected|planned|plans? to|rumou?red|reportedly)\b", text, re.IGNORECASE):
        return
    after = [m for m in here.mentions if m.start >= verb.end() and m.start - verb.end() <= 40]
    if after:
        sub: _Sub | None = _Sub(after[0].text, "sentence")
    else:
        sub = _subject(ctx, here, verb.start(), verb.end(), allow_fallback=not named_only)
    if sub is None:
        return
    _emit(ctx, here, sub, "release_date", date.isoformat(), extra={"as_written": as_written})


# ───────────────────────────── benchmark scores ─────────────────────────────

_SCORE_ON = re.compile(
    r"(?P<num>\d{1,3}(?:\.\d+)?)\s?(?P<pct>%|percent)?(?:\s+(?P<k>pass@\d+))?\s+(?:on|in|at)\s+(?:the\s+)?"
    r"(?P<bench>[A-Z][A-Za-z0-9.'’+\-]*(?:\s+(?:[A-Z][A-Za-z0-9.'’+\-]*|v\d+(?:\.\d+)?|\d{4}|Verified|Diamond|Pro|"
    r"Hard|Bench|Lite|Multilingual|test|benchmark|eval)){0,6})",
)
#: "MMLU-Pro (27B: 67.5)": a score of the topic model's 27B size
_SIZE_SCORE = re.compile(
    r"(?<![\w.'’+-])(?P<bench>[A-Z][A-Za-z0-9.'’+\-]*(?:\s+[A-Z][A-Za-z0-9.'’+\-]*){0,2})\s+\((?P<size>\d+(?:\.\d+)?[BM]):\s*"
    r"(?P<num>\d{1,3}(?:\.\d+)?)\s?(?P<pct>%)?\)"
)
_SCORE_OF = re.compile(
    r"(?:score|scores|scored|scoring|achieves?|achieved|achieving|reaching|reaches|reached|hits?|posts?|posted)"
    r"\s+(?:a\s+(?:\w+\s+)?score\s+of\s+|an?\s+)?(?P<num>\d{1,3}(?:\.\d+)?)\s?(?P<pct>%|percent)?\s+(?:on|in)\s+"
    r"(?:the\s+)?(?P<bench>[A-Z][A-Za-z0-9.'’+\-]*(?:\s+[A-Z0-9][A-Za-z0-9.'’+\-]*){0,6})",
)
#: "SWE-bench Verified tests (71.6%)"
_BENCH_PAREN_SCORE = re.compile(
    r"(?P<bench>\b[A-Z][A-Za-z0-9.'’+\-]*(?:\s+[A-Z][A-Za-z0-9.'’+\-]*){0,6}(?:\s+(?:tests?|benchmarks?))?)\s+"
    r"\((?P<num>\d{1,3}(?:\.\d+)?)\s?(?P<pct>%)\)"
)
_BENCH_THEN_SCORE = re.compile(
    r"(?P<bench>\b[A-Z][A-Za-z0-9.'’+\-]*(?:\s+(?:[A-Z][A-Za-z0-9.'’+\-]*|v\d+|\d{4})){0,6})\s*(?:score\s+)?(?::|of|=)\s*"
    r"(?P<num>\d{1,3}(?:\.\d+)?)\s?(?P<pct>%|percent)?(?![\d.])"
)


def _bench_name(candidate: str) -> tuple[Any, str] | None:
    """Longest leading run of words of ``candidate`` that the alias table knows (or an unknown name the
    sentence calls a test or benchmark: ``OpenAI's GDPval test``)."""
    candidate = re.sub(r"^[A-Z][\w-]*['’]s\s+", "", candidate)  # "OpenAI's GDPval" → "GDPval"
    named = re.match(
        r"([A-Z][\w.+-]*[A-Za-z0-9](?:\s+[A-Z][\w.+-]*[A-Za-z0-9])*)\s+(?:tests?|benchmarks?|evals?|evaluation|leaderboard)\b",
        candidate,
    )
    if named:
        resolved = resolve_benchmark(named.group(1))
        if resolved is not None:
            return resolved, named.group(1)
    words = candidate.split()
    for size in range(min(len(words), 5), 0, -1):
        name = " ".join(words[:size]).rstrip(".,;:'’")
        resolved = resolve_benchmark(name)
        if resolved is not None and resolved.known:
            return resolved, name
    return None


def _benchmarks(ctx: _Context, here: _Here) -> None:
    text = here.text
    taken: list[tuple[int, int]] = []
    sized = re.compile(r"\d+(?:\.\d+)?[BM]\b")
    family = next((m.text for m in here.mentions if not sized.search(m.text)), None)
    if family is None:
        family = ctx.topic.text if ctx.topic is not None else ctx.document_subject
    for match in _SIZE_SCORE.finditer(text):
        bench = resolve_benchmark(re.sub(r"^(?:like|as|and|or|such as)\s+", "", match.group("bench")))
        value = parse_number(match.group("num"))
        if bench is None or value is None or family is None or sized.search(family):
            continue
        taken.append((match.start(), match.end()))
        _emit(
            ctx,
            here,
            _Sub(f"{family} {match.group('size')}", "context"),
            "benchmark",
            _decimal_text(value),
            qualifier=bench.qualifier,
            value_num=value,
            unit="%" if match.group("pct") else "score",
            extra={"benchmark": bench.name, "known": bench.known, "settings": bench.settings},
        )
    for pattern in (_SCORE_OF, _SCORE_ON, _BENCH_PAREN_SCORE, _BENCH_THEN_SCORE):
        for match in pattern.finditer(text):
            if any(s <= match.start("num") < e for s, e in taken):
                continue
            found = _bench_name(match.group("bench"))
            if found is None:
                continue
            bench, name = found
            value = parse_number(match.group("num"))
            if value is None or (value > 100 and not match.group("pct")):
                continue
            if value > 100:
                continue
            start = min(match.start("num"), match.start("bench"))
            end = max(match.end("num"), match.start("bench") + len(name))
            taken.append((start, end))
            sub = _subject(ctx, here, start, end)
            if sub is None:
                continue
            window = text[max(0, start - 60) : end + 40]
            k = match.groupdict().get("k")
            settings = settings_of(bench.settings, k or "", _mode_near(window, sub.mention))
            bench = BenchmarkName(bench.name, bench.known, settings)
            unit = "%" if match.group("pct") else "score"
            _emit(
                ctx,
                here,
                sub,
                "benchmark",
                _decimal_text(value),
                qualifier=bench.qualifier,
                value_num=value,
                unit=unit,
                extra={"benchmark": bench.name, "known": bench.known, "settings": settings, "as_written": name},
            )


def _mode_near(window: str, mention: str | None) -> str:
    if re.search(r"with thinking|thinking mode|reasoning mode", window, re.IGNORECASE):
        return "thinking"
    return ""


# ───────────────────────────── driver ─────────────────────────────

RULES: tuple[Callable[[_Context, _Here], None], ...] = (
    _params,
    _context,
    _licenses,
    _openness,
    _prices,
    _release,
    _benchmarks,
)
_TOPIC_WORDS = 4


class Reader:
    """Reads sentences in text order; the topic carries from one sentence to the next."""

    def __init__(self, *, document_subject: str | None, published: dt.date | None = None) -> None:
        self.ctx = _Context(document_subject=document_subject, published=published)
        #: A model's distinctive last word → the model (``Maverick`` → ``Llama 4 Maverick``).
        self.short_names: dict[str, str] = {}

    @property
    def topic(self) -> Mention | None:
        return self.ctx.topic

    @property
    def document_subject(self) -> str | None:
        return self.ctx.document_subject

    def read(self, sentence: Sentence) -> list[Extracted]:
        ctx = self.ctx
        ctx.out = []
        here = _Here(sentence, self.short_names)
        for mention in here.mentions:
            last = mention.text.split()[-1] if " " in mention.text else ""
            if last.lower() in NAME_WORDS and last[:1].isupper():
                self.short_names.setdefault(last, mention.text)
        for rule in RULES:
            rule(ctx, here)
        if here.mentions:
            first = here.mentions[0]
            if len(here.text[: first.start].split()) <= _TOPIC_WORDS and not here.compared(first):
                ctx.topic = first
            listed = [m for m in here.mentions if not here.compared(m)]
            if len(listed) >= 2:
                ctx.topic_list = listed  # kept until another list: "the models", "both" refer to it
        return ctx.out


def extract_from_sentences(sentences: Iterable[Sentence], *, document_subject: str | None) -> list[Extracted]:
    """Run every rule over ``sentences`` in order."""
    reader = Reader(document_subject=document_subject)
    out: list[Extracted] = []
    for sentence in sentences:
        out.extend(reader.read(sentence))
    return out
