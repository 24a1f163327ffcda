"""The recorded peer catalogs: every entry parsed or counted with a reason, and the figures of issue 16."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

from peer_data import (
    EPOCH_FILES,
    LITELLM_NEW,
    LITELLM_OLD,
    epoch,
    genai,
    history,
    litellm,
    modelsdev,
    utc,
)

from tracker.peers.compare import Verdict, compare_catalog, tally


def _figures(parse, hist) -> dict[str, tuple[int, int, int, int]]:
    """attribute → (compared, agree, stale, wrong) for the three headline attributes."""
    rows = tally(compare_catalog(parse, hist, {key[0] for key in hist}))
    return {
        t.attribute: (t.compared, t.agree, t.stale, t.wrong)
        for t in rows
        if t.attribute in ("price:prompt", "price:completion", "context_length")
    }


def test_litellm_files_account_for_every_entry(corpus: Path) -> None:
    for which, total in ((LITELLM_OLD, 2703), (LITELLM_NEW, 4878)):
        parse = litellm(corpus, which)
        raw = json.loads((corpus / "peers" / which[0]).read_bytes())
        assert len(raw) == total
        assert len(parse.entries) + len(parse.rejected) + len(parse.ignored) == total
        # the only unparsable entries are embedding models with max_input_tokens = 0, each named
        assert parse.reasons() == {"bad-count": 10}
        assert all(p.detail == "max_input_tokens=0" for p in parse.rejected)
        assert parse.ignored_reasons()["documentation-entry"] == 1  # sample_spec
    old = litellm(corpus, LITELLM_OLD)
    assert sum(1 for e in old.entries if e.openrouter_ids) == 91
    assert old.source == "litellm@1.84.0"


def test_newer_litellm_has_no_openrouter_entries_and_gives_nothing_without_error(corpus: Path) -> None:
    parse = litellm(corpus, LITELLM_NEW)
    assert not any(e.openrouter_ids for e in parse.entries)
    comparisons = compare_catalog(parse, history(corpus), {key[0] for key in history(corpus)})
    assert comparisons and {c.verdict for c in comparisons} == {Verdict.OTHER_OFFER}
    assert all(t.compared == 0 for t in tally(comparisons))


def test_litellm_184_against_the_nearest_snapshot_gives_the_issue_figures(corpus: Path) -> None:
    """Issue 16: 34 of 84 input prices, 36 output prices, 23 context lengths against 2026-05-16.

    84 shared input prices include openrouter/auto and openrouter/bodybuilder, whose OpenRouter price is
    the router's ``-1`` (dynamic): not comparable, so 82 are compared and the 34 / 36 / 23 are the same.
    """
    nearest = history(corpus, ("models-2026-05-16.json",))
    figures = _figures(litellm(corpus, LITELLM_OLD), nearest)
    assert figures["price:prompt"] == (82, 48, 0, 34)
    assert figures["price:completion"] == (82, 46, 0, 36)
    assert figures["context_length"] == (83, 60, 0, 23)
    rows = tally(compare_catalog(litellm(corpus, LITELLM_OLD), nearest, {key[0] for key in nearest}))
    prompt = next(t for t in rows if t.attribute == "price:prompt")
    assert prompt.not_comparable == 2


def test_litellm_184_time_aware_splits_stale_from_wrong(corpus: Path) -> None:
    """Against the whole history at the release date (2026-05-14): stale values are told apart."""
    figures = _figures(litellm(corpus, LITELLM_OLD), history(corpus))
    assert figures["price:prompt"] == (89, 54, 10, 25)
    assert figures["price:completion"] == (89, 51, 13, 25)
    assert figures["context_length"] == (90, 67, 2, 21)


def test_a_catalog_price_equal_to_an_older_primary_price_is_stale_since_the_change(corpus: Path) -> None:
    comparisons = compare_catalog(litellm(corpus, LITELLM_OLD), history(corpus), {k[0] for k in history(corpus)})
    chat = next(c for c in comparisons if c.openrouter_id == "deepseek/deepseek-chat" and c.qualifier == "prompt")
    # LiteLLM 1.84.0 still has $0.14, OpenRouter's price of 2024-11-10; OpenRouter moved to $0.38 by 2025-04-23
    assert chat.verdict == Verdict.STALE
    assert chat.catalog_value == Decimal("0.14")
    assert chat.outcome.matched == Decimal("0.14")
    assert chat.outcome.matched_since == utc("2024-11-10")
    assert chat.outcome.stale_since == utc("2025-04-23")
    assert chat.outcome.primary == Decimal("0.32")
    # claude-sonnet-4's 1M context: OpenRouter showed 200K on 03-17 and 1M again on 05-16, the catalog's
    # 2026-05-14 falls in the unobserved gap, so it agrees
    sonnet = next(
        c for c in comparisons if c.openrouter_id == "anthropic/claude-sonnet-4" and c.attribute == "context_length"
    )
    assert sonnet.verdict == Verdict.AGREE


def test_modelsdev_tree_figures(corpus: Path) -> None:
    parse = modelsdev(corpus)
    # 31 files are git symlinks to files outside the recorded copy: counted, named
    assert parse.reasons() == {"broken-link": 31}
    assert len(parse.entries) == 5276
    assert sum(1 for e in parse.entries if e.offer == "openrouter") == 337
    nearest = _figures(parse, history(corpus, ("models-2026-07-13T1444Z.json",)))
    assert nearest["price:prompt"] == (313, 295, 0, 18)
    assert nearest["context_length"] == (317, 271, 0, 46)
    timed = _figures(parse, history(corpus))
    assert timed["price:prompt"] == (323, 312, 1, 10)
    assert timed["context_length"] == (327, 281, 30, 16)


def test_genai_prices_figures(corpus: Path) -> None:
    parse = genai(corpus)
    raw = json.loads((corpus / "peers" / "genai-prices" / "prices" / "data.json").read_bytes())
    assert len(parse.entries) + len(parse.ignored) == sum(len(p["models"]) for p in raw)
    assert parse.reasons() == {}
    assert parse.ignored_reasons() == {"no-values": 155}
    assert _figures(parse, history(corpus, ("models-2026-08-21.json",)))["price:prompt"] == (256, 171, 0, 85)
    assert _figures(parse, history(corpus))["price:prompt"] == (411, 294, 99, 18)


def test_every_epoch_export_parses_with_its_own_columns(corpus: Path) -> None:
    for name, rows in EPOCH_FILES.items():
        parse = epoch(corpus, name)
        assert len(parse.entries) + len(parse.rejected) + len(parse.ignored) == rows, name
    full = epoch(corpus, "all_ai_models.2025-04-23.csv")
    assert full.reasons() == {"no-name": 3}
    assert full.ignored_reasons() == {"duplicate-row": 2, "no-values": 27}
    large = epoch(corpus, "large_scale_ai_models.2026-02-16.csv")
    qwen = next(e for e in large.entries if e.key == "Qwen3-235B-A22B")
    assert qwen.value("openness").value == "open"
    assert qwen.value("params_total").value == "235000000000"
