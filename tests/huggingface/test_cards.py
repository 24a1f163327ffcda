"""Model cards: every corpus card parses; each kind of bad card gets its own clear reason."""

from __future__ import annotations

import pytest

from tracker.normalize.hfcard import CardError, parse_card

LIMIT = 64 * 1024


def test_every_corpus_card_parses_with_its_body_kept(corpus):
    folder = corpus / "huggingface" / "cards"
    paths = sorted(folder.glob("*.md")) + sorted((folder / "modelscope_mirror").glob("*.md"))
    assert len(paths) > 70
    for path in paths:
        card = parse_card(path.read_bytes(), max_bytes=4 * 1024 * 1024)
        assert isinstance(card.front_matter, dict), path.name
        assert card.body.strip(), path.name
        assert not card.body.startswith("---"), path.name


def test_the_licence_quote_is_the_front_matter_lines_as_written(corpus):
    raw = (corpus / "huggingface" / "cards" / "Qwen__Qwen2.5-3B-Instruct.md").read_bytes()
    card = parse_card(raw, max_bytes=LIMIT)
    quote = card.quote()
    assert "license: other" in quote
    assert "license_name: qwen-research" in quote
    assert quote in raw.decode()
    assert card.get("base_model") == "Qwen/Qwen2.5-3B"


@pytest.mark.parametrize(
    ("raw", "reason", "detail", "body"),
    [
        (b"---\nlicense: [mit\n---\n# Body", "card-bad-yaml", "(line ", "# Body"),
        (
            b"# A model\n\nNo metadata at all.",
            "card-no-front-matter",
            "does not start",
            "# A model\n\nNo metadata at all.",
        ),
        (
            b"---\nlicense: mit\n# never closed\n",
            "card-no-front-matter",
            "never closed",
            "---\nlicense: mit\n# never closed\n",
        ),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "card-binary", "NUL", None),
        (b"\xff\xfe\xfd not utf-8", "card-binary", "not UTF-8", None),
        (b"---\n- just\n- a list\n---\nbody", "card-bad-front-matter", "list", "body"),
        (b"---\na: &x [1, 2]\nb: *x\n---\nbody", "card-bad-yaml", "aliases are not accepted", "body"),
        (b"   \n\n", "card-empty", "empty", None),
        (b"---\nlicense: mit\n---\n" + b"x" * LIMIT, "card-too-large", "limit", None),
    ],
    ids=["broken-yaml", "no-front-matter", "unclosed", "binary", "not-utf8", "list", "yaml-alias", "empty", "huge"],
)
def test_bad_cards_raise_a_clear_reason_and_keep_readable_text(raw, reason, detail, body):
    with pytest.raises(CardError) as info:
        parse_card(raw, max_bytes=LIMIT)
    assert info.value.reason == reason
    assert detail in info.value.detail
    assert info.value.body == body


def test_a_billion_laughs_card_is_refused_quickly():
    bomb = b"---\na: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
    bomb += b"c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: [*c, *c, *c, *c, *c, *c, *c, *c, *c]\n---\n"
    with pytest.raises(CardError, match="aliases"):
        parse_card(bomb, max_bytes=LIMIT)


def test_deeply_nested_front_matter_is_refused():
    with pytest.raises(CardError) as info:
        parse_card(b"---\na: " + b"[" * 5000 + b"\n---\n", max_bytes=10**6)
    assert info.value.reason == "card-bad-yaml"


def test_empty_front_matter_and_dates_are_fine():
    card = parse_card(b"---\n---\n# Hi", max_bytes=LIMIT)
    assert (card.front_matter, card.body) == ({}, "# Hi")
    card = parse_card(b"---\nreleased: 2025-01-02\nlicense: mit\n---\nx", max_bytes=LIMIT)
    assert card.front_matter["released"] == "2025-01-02"
