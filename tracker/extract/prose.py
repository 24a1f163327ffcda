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

from tracker.extract.mentions import NAME_WORDS, Mention
from tracker.extract.sentences.benchmarks import _benchmarks
from tracker.extract.sentences.context import _Context, _Here
from tracker.extract.sentences.context_length import _context
from tracker.extract.sentences.dates import _changelog, _dated_list, _release
from tracker.extract.sentences.licences import _licenses
from tracker.extract.sentences.openness import _openness
from tracker.extract.sentences.params import _params
from tracker.extract.sentences.prices import _prices
from tracker.extract.text import Sentence
from tracker.extract.types import Extracted

_DESCRIBES_BENCHMARK = re.compile(
    r"^[\w.+-]+(?:[ -][\w.+-]+){0,3}\s*:\s+(?:An?|The)\b[^.]{0,120}\b(?:benchmark|dataset|test suite|evaluation)\b",
    re.IGNORECASE,
)
_INTRODUCES = re.compile(
    r"\b(?:introduc|releas|announc|unveil|launch|present)\w*\s+(?:you\s+)?(?:to\s+)?(?:the\s+|our\s+)?"
    r"(?:new\s+|latest\s+|brand[- ]new\s+)?$",
    re.IGNORECASE,
)


def _described(ctx: _Context, here: _Here) -> None:
    """A block that opens by defining a benchmark (``LV-Eval: A benchmark test requiring …``) is about it."""
    if _DESCRIBES_BENCHMARK.match(here.text):
        ctx.described_block = here.sentence.block
    elif ctx.described_block is not None and ctx.described_block != here.sentence.block:
        ctx.described_block = None


RULES: tuple[Callable[[_Context, _Here], None], ...] = (
    _described,
    _params,
    _context,
    _licenses,
    _openness,
    _prices,
    _release,
    _dated_list,
    _changelog,
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
            introduced = next(
                (m for m in here.mentions if _INTRODUCES.search(here.text[max(0, m.start - 80) : m.start])), None
            )
            if introduced is not None and not here.compared(introduced):
                ctx.topic = introduced  # "Today, we are proud to introduce the new Qwen2.5-Turbo version"
            elif len(here.text[: first.start].split()) <= _TOPIC_WORDS and not here.compared(first):
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
