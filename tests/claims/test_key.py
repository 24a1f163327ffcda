"""Extraction against the hand-labelled key (``key/*.json``): the figures docs/claims.md reports.

The thresholds here guard against regressions; the exact figures (per attribute,
tuning and held-out documents apart) are printed by ``benchmarks/eval_extraction.py``.
"""

from __future__ import annotations

import json
from pathlib import Path

from tracker.extract.evaluation import evaluate

KEY = Path(__file__).parent / "key"


def test_the_key_covers_at_least_ten_documents_with_tables_and_numbers(corpus):
    keys = sorted(KEY.glob("*.json"))
    assert len(keys) >= 10
    with_tables = 0
    for path in keys:
        data = json.loads(path.read_text(encoding="utf-8"))
        assert (corpus / data["document"]).is_file(), data["document"]
        assert data["claims"] and all({"model", "attribute", "value"} <= set(c) for c in data["claims"])
        with_tables += sum(1 for c in data["claims"] if c["attribute"] == "benchmark") >= 10
    assert with_tables >= 5


def test_precision_and_recall_on_the_key(corpus):
    result = evaluate(sorted(KEY.glob("*.json")), corpus)
    total = result.total()
    assert total.precision >= 0.95 and total.recall >= 0.95, (total.precision, total.recall)
    for attribute, scores in result.per_attribute.items():
        if scores.extracted >= 10:
            assert scores.precision >= 0.95, (attribute, scores)
        if scores.labelled >= 15:
            assert scores.recall >= 0.90, (attribute, scores)
