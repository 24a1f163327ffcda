"""The shared sentence context: what the rules know while reading, and whose claim a number is."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from tracker.extract.mentions import Mention, find_mentions
from tracker.extract.text import Sentence
from tracker.extract.types import Extracted

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
    #: The block of a benchmark's description (``RULER: An extended benchmark …``): its figures are the benchmark's.
    described_block: int | None = None
    #: The date of the last heading that was only a date (a changelog's ``September 18, 2025``).
    heading_date: tuple[dt.date, str] | None = None
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


_TOPIC_OPENING = re.compile(r"^\s*(?:The|This|Our)\s+(?:new\s+)?(?:model|release|version)\b|^\s*It\b")


def _subject(ctx: _Context, here: _Here, start: int, end: int, *, allow_fallback: bool = True) -> _Sub | None:
    mention = here.subject_at(start, end)
    if mention is not None:
        return _Sub(mention.text, "sentence")
    if here.mentions:
        # the sentence names only models it compares with: the number is theirs, unless the sentence opens
        # on the topic ("The model achieves 93.1 on RULER, surpassing GPT-4's 91.6")
        opening = here.text[: min(m.start for m in here.mentions)]
        if allow_fallback and ctx.topic is not None and _TOPIC_OPENING.match(opening) and end <= len(opening):
            return _Sub(ctx.topic.text, "context")
        return None
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
