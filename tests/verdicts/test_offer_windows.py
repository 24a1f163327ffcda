"""A vendor document that prices a model states that offer's context window (``tracker.claims.offers``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest

from tracker.claims.offers import offer_windows


@dataclass
class Rec:
    attribute: str
    model_id: int | None = 1
    mention: str | None = "deepseek-chat"
    reporter: str = "vendor"
    extra: dict[str, Any] | None = field(default_factory=dict)


def windows(records: list[Rec], kind: str = "vendor") -> list[tuple[str | None, str | None]]:
    out = offer_windows(records, kind)
    return [((r.extra or {}).get("window"), (r.extra or {}).get("offer")) for r in out if r.attribute != "price"]


SERVED = ("served", "vendor api")
PLAIN = (None, None)


@pytest.mark.parametrize(
    ("case", "records", "kind", "expected"),
    [
        ("a pricing page: the priced model's context is the API's window", [Rec("price"), Rec("context_length")],
         "vendor", [SERVED]),
        ("a README without prices states the native window", [Rec("context_length")], "vendor", [PLAIN]),
        ("another model's price says nothing of this one", [Rec("price", model_id=2), Rec("context_length")],
         "vendor", [PLAIN]),
        ("a third party's price on the page is not the vendor's offer",
         [Rec("price", reporter="press"), Rec("context_length")], "vendor", [PLAIN]),
        ("the press quoting prices is not a seller's page", [Rec("price", reporter="press"),
         Rec("context_length", reporter="press")], "press", [PLAIN]),
        ("a model card is not a seller's page", [Rec("price"), Rec("context_length")], "card", [PLAIN]),
        ("unresolved claims pair by mention", [Rec("price", model_id=None), Rec("context_length", model_id=None)],
         "vendor", [SERVED]),
        ("a claim that names its window keeps it",
         [Rec("price"), Rec("context_length", extra={"window": "native"})], "vendor", [("native", None)]),
    ],
    ids=lambda v: v if isinstance(v, str) and " " in v else "",
)
def test_offer_windows(case, records, kind, expected):
    assert windows(records, kind) == expected
