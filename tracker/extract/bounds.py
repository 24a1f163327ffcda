"""Bounded work on hostile input: overlong numbers masked, a per-document budget.

Upstream text is untrusted (model cards up to 2 MiB are accepted). Two guards keep
extraction linear in the size of a document:

* **Overlong numbers are rejected before any rule sees them.** A run of digits (with
  ``,`` / ``.`` / ``_`` separators) longer than :data:`MAX_NUMBER_CHARS` is no
  quantity a vendor states; :func:`mask_overlong_numbers` replaces it with ``#`` of
  the same length, so offsets (and therefore quotes, always taken from the original
  text) are unchanged and no pattern ever scans the run from each of its positions.
* **Sentences and rows of bounded size**: a run of text longer than
  :data:`MAX_SENTENCE_CHARS` without a sentence end is read in pieces, and at most
  :data:`MAX_ROW_CELLS` cells of a table row, so no rule's backtracking grows with
  the document.
* **A per-document budget**: at most :data:`MAX_DOCUMENT_CHARS` characters are read
  and the rules stop after :data:`MAX_SECONDS` of work; a document cut short says so
  (:class:`Budget` ``.exhausted``) and keeps the claims found until then.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field

#: The longest number the rules read: ``1,000,000,000,000.000000`` has 24 characters.
MAX_NUMBER_CHARS = 32
#: The most text one document is read for (cards and posts are far smaller).
MAX_DOCUMENT_CHARS = 4_000_000
#: Wall-clock budget of one document's extraction.
MAX_SECONDS = 20.0
#: The longest word the rules read (a long URL has ~250 characters); longer runs are masked.
MAX_WORD_CHARS = 400
#: The longest sentence the rules read at once; a longer run of text is read in pieces of this size.
MAX_SENTENCE_CHARS = 4_000
#: The most cells of a table row that are read.
MAX_ROW_CELLS = 256

_NUMBER_RUN = re.compile(rf"\d[\d,._]{{{MAX_NUMBER_CHARS},}}")
_WORD_RUN = re.compile(rf"[^\s|]{{{MAX_WORD_CHARS + 1},}}")


def mask_overlong_numbers(text: str) -> str:
    """``text`` with every digit run longer than :data:`MAX_NUMBER_CHARS` and every word longer than
    :data:`MAX_WORD_CHARS` replaced by ``#`` of the same length (offsets unchanged)."""
    if len(text) <= MAX_NUMBER_CHARS:
        return text
    text = _NUMBER_RUN.sub(lambda m: "#" * len(m.group(0)), text)
    return _WORD_RUN.sub(lambda m: "#" * len(m.group(0)), text)


@dataclass
class Budget:
    """The work left for one document: a deadline, checked between sentences and tables."""

    seconds: float = MAX_SECONDS
    started: float = field(default_factory=time.perf_counter)
    exhausted: str | None = None

    def spent(self) -> bool:
        """True (and ``exhausted`` says why) once the deadline has passed."""
        if self.exhausted is None and time.perf_counter() - self.started > self.seconds:
            self.exhausted = f"extraction stopped after {self.seconds:g} s (per-document budget)"
        return self.exhausted is not None
