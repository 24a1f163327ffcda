"""What the extraction rules produce: a claim as written, before entity linking."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

#: The attributes the rules extract (the ``claims.attribute`` vocabulary).
ATTRIBUTES = (
    "params_total",
    "params_active",
    "context_length",
    "license",
    "openness",
    "price",
    "release_date",
    "benchmark",
)


@dataclass(frozen=True)
class Extracted:
    """One claim found in a text.

    ``mention`` is the model name as written (``Qwen3-Max``, ``Qwen 3 (72B)``);
    None means the text's own subject (the model a card or post is about).
    ``quote`` is the exact span ``text[start:end]`` the claim was read from.
    """

    attribute: str
    value: str
    quote: str
    start: int
    end: int
    mention: str | None = None
    qualifier: str = ""
    value_num: Decimal | None = None
    unit: str | None = None
    #: How the subject was found: ``sentence``, ``context``, ``document``, ``table``.
    via: str = "sentence"
    extra: dict[str, Any] = field(default_factory=dict)

    def key(self) -> tuple[str, str, str, str]:
        """What makes two extractions the same claim (for de-duplication within one text).

        A variant or setting (see the comparability contract in docs/claims.md) is part of the
        mention: the quantized Llama 3.2 1B's 1.23B parameters are not the plain model's claim.
        """
        mention = (self.mention or "").lower()
        for name in ("variant", "setting"):
            if self.extra.get(name):
                mention += f"#{name}={self.extra[name]}"
        return (mention, self.attribute, self.qualifier, self.value)
