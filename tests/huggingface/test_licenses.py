"""Licences: every value in the corpus resolves through the reviewed table to a key and a class."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from helpers.corpus import load

from tracker.normalize.hfcard import parse_card
from tracker.normalize.licenses import (
    CLASSES,
    LicenseTableError,
    license_from_tags,
    license_table,
    parse_table,
    resolve_license,
)

# (repo, expected key, expected class) — the acceptance examples first
EXPECTED = [
    ("meta-llama/Llama-3.1-8B-Instruct", "LicenseRef-llama3.1", "open-weights-restricted"),
    ("google/gemma-3-1b-it", "LicenseRef-gemma", "open-weights-restricted"),
    ("openai/gpt-oss-120b", "Apache-2.0", "permissive"),
    ("Qwen/Qwen2.5-3B-Instruct", "LicenseRef-qwen-research", "non-commercial"),
    ("Qwen/Qwen2.5-Math-72B-Instruct", "LicenseRef-qwen", "open-weights-restricted"),
    ("mistralai/Codestral-22B-v0.1", "LicenseRef-mnpl", "non-commercial"),
    ("mistralai/Mistral-Large-Instruct-2407", "LicenseRef-mrl", "non-commercial"),
    ("facebook/MobileLLM-R1-950M", "LicenseRef-fair-noncommercial-research", "non-commercial"),
    ("LiquidAI/LFM2-1.2B", "LicenseRef-lfm1.0", "open-weights-restricted"),
    ("nvidia/Cosmos-Reason2-8B", "LicenseRef-nvidia-open-model-license", "open-weights-restricted"),
    ("google/medgemma-27b-it", "LicenseRef-health-ai-developer-foundations", "open-weights-restricted"),
    ("google/gemma-2b-it", "LicenseRef-gemma", "open-weights-restricted"),
    ("meta-llama/Meta-Llama-3-8B-Instruct", "LicenseRef-llama3", "open-weights-restricted"),
    ("meta-llama/Llama-2-7b-hf", "LicenseRef-llama2", "open-weights-restricted"),
    ("meta-llama/Llama-3.2-1B", "LicenseRef-llama3.2", "open-weights-restricted"),
    ("bigscience/bloom", "LicenseRef-bigscience-bloom-rail-1.0", "open-weights-restricted"),
    ("deepseek-ai/DeepSeek-R1", "MIT", "permissive"),
    ("Salesforce/codet5p-220m", "BSD-3-Clause", "permissive"),
    ("facebook/opt-125m", "LicenseRef-other", "open-weights-restricted"),
    ("modelscope_mirror/meta-llama/Llama-3.3-70B-Instruct", "LicenseRef-llama3.3", "open-weights-restricted"),
    ("modelscope_mirror/tiiuae/falcon-mamba-7b-instruct", "LicenseRef-falcon-mamba-7b", "open-weights-restricted"),
    ("modelscope_mirror/baichuan-inc/Baichuan2-7B-Chat", "LicenseRef-baichuan2-community", "open-weights-restricted"),
    ("modelscope_mirror/MiniMaxAI/MiniMax-Text-01", None, "unknown"),
]


def card_path(corpus, repo):
    folder = corpus / "huggingface" / "cards"
    if repo.startswith("modelscope_mirror/"):
        folder, repo = folder / "modelscope_mirror", repo.removeprefix("modelscope_mirror/")
    return folder / (repo.replace("/", "__", 1) + ".md")


def corpus_card_declarations(corpus):
    """(file, license, license_name, license_link) of every corpus card."""
    out = []
    folder = corpus / "huggingface" / "cards"
    for path in sorted(folder.glob("*.md")) + sorted((folder / "modelscope_mirror").glob("*.md")):
        card = parse_card(path.read_bytes(), max_bytes=4 * 1024 * 1024)
        out.append((path.name, card.get("license"), card.get("license_name"), card.get("license_link")))
    return out


@pytest.mark.parametrize(("repo", "key", "license_class"), EXPECTED, ids=[e[0] for e in EXPECTED])
def test_corpus_card_resolves_to_the_expected_key_and_class(corpus, repo, key, license_class):
    card = parse_card(card_path(corpus, repo).read_bytes(), max_bytes=4 * 1024 * 1024)
    info = resolve_license(card.get("license"), card.get("license_name"), card.get("license_link"))
    assert (info.key, info.license_class) == (key, license_class)
    assert info.reviewed


def test_every_licence_in_the_corpus_cards_resolves_through_the_reviewed_table(corpus):
    declarations = corpus_card_declarations(corpus)
    assert len(declarations) > 70
    for name, license_id, license_name, link in declarations:
        info = resolve_license(license_id, license_name, link)
        assert info.license_class in CLASSES, name
        assert info.reviewed, f"{name}: {license_id!r}/{license_name!r} is not in the table"
        has_information = any(v is not None for v in (license_id, license_name, link))
        assert (info.license_class == "unknown") == (not has_information), name


def test_every_licence_tag_and_card_data_of_the_recorded_api_resolves(corpus):
    seen = set()
    for path in sorted((corpus / "huggingface" / "api" / "models").rglob("*.json")):
        detail = load(path)
        tags = [t for t in detail.get("tags", []) if t.startswith("license:")]
        from_tags = license_from_tags(detail.get("tags", []))
        assert from_tags.reviewed, path.name
        assert (from_tags.license_class == "unknown") == (not tags), path.name
        data = detail.get("cardData") or {}
        from_card_data = resolve_license(data.get("license"), data.get("license_name"), data.get("license_link"))
        assert from_card_data.reviewed, path.name
        if tags and tags != ["license:other"]:
            assert from_card_data.key == from_tags.key, path.name
        seen.update(tags)
    assert {"license:llama3.1", "license:gemma", "license:other", "license:apache-2.0"} <= seen


def test_every_hub_licence_identifier_is_in_the_table(corpus):
    text = (corpus / "huggingface" / "reference" / "hub-licenses.md").read_text()
    region = text.split("<!-- region licenses -->")[1].split("<!-- endregion -->")[0]
    identifiers = re.findall(r"\|\s*`([^`]+)`\s*\|", region)
    assert len(identifiers) > 80
    for ident in identifiers:
        info = resolve_license(ident)
        if ident == "unknown":
            assert (info.key, info.license_class) == (None, "unknown")
            continue
        assert info.reviewed and info.key, ident
        assert info.license_class != "unknown", ident


@pytest.mark.parametrize(
    ("license_name", "key", "license_class", "commercial"),
    [
        ("llama4", "LicenseRef-llama4", "open-weights-restricted", "restricted"),
        ("llama3.3", "LicenseRef-llama3.3", "open-weights-restricted", "restricted"),
        ("tongyi-qianwen", "LicenseRef-qwen", "open-weights-restricted", "restricted"),
        ("deepseek", "LicenseRef-deepseek", "open-weights-restricted", "yes"),
        ("modified-mit", "LicenseRef-modified-mit", "permissive", "yes"),
        ("falcon-180b-license", "LicenseRef-falcon-180b", "open-weights-restricted", "restricted"),
        ("gemma-terms-of-use", "LicenseRef-gemma", "open-weights-restricted", "yes"),
        ("cc-by-nc-4.0", "CC-BY-NC-4.0", "non-commercial", "no"),
        ("nvidia-open-model-license", "LicenseRef-nvidia-open-model-license", "open-weights-restricted", "yes"),
        ("Qwen Research License", "LicenseRef-qwen-research", "non-commercial", "no"),
    ],
)
def test_common_model_licences_beyond_the_corpus(license_name, key, license_class, commercial):
    info = resolve_license("other", license_name)
    assert (info.key, info.license_class, info.commercial_use) == (key, license_class, commercial)
    assert info.matched_by == "name"


def test_osi_and_commercial_attributes_are_kept():
    apache = resolve_license("apache-2.0")
    assert (apache.osi_approved, apache.commercial_use, apache.use_restrictions) == (True, "yes", False)
    llama = resolve_license("llama3.1")
    assert (llama.osi_approved, llama.commercial_use, llama.use_restrictions) == (False, "restricted", True)
    assert resolve_license("cc-by-nc-4.0").commercial_use == "no"


def test_a_licence_link_identifies_an_unnamed_custom_licence():
    info = resolve_license("other", None, "https://ai.google.dev/gemma/terms")
    assert (info.key, info.matched_by) == ("LicenseRef-gemma", "link")


def test_an_unknown_name_gets_an_unreviewed_key_read_conservatively():
    info = resolve_license("other", "acme-model-license-2")
    assert info.key == "LicenseRef-acme-model-license-2"
    assert info.license_class == "open-weights-restricted"
    assert not info.reviewed


def test_no_information_at_all_is_the_only_unknown():
    assert resolve_license(None, None, None).license_class == "unknown"
    assert resolve_license("unknown").license_class == "unknown"
    assert license_from_tags(["transformers"]).license_class == "unknown"
    assert resolve_license("other").license_class != "unknown"


def test_several_licences_are_read_as_the_most_restrictive():
    info = resolve_license(["mit", "cc-by-nc-4.0"])
    assert info.key == "CC-BY-NC-4.0 AND MIT"
    assert (info.license_class, info.commercial_use) == ("non-commercial", "no")


def test_the_table_refuses_an_alias_that_means_two_licences():
    data = yaml.safe_load(
        """
license:
  - {key: A, name: A, class: permissive, osi_approved: true, commercial_use: "yes",
     use_restrictions: false, attribution: true, aliases: [same]}
  - {key: B, name: B, class: copyleft, osi_approved: true, commercial_use: "yes",
     use_restrictions: false, attribution: true, aliases: [Same]}
"""
    )
    with pytest.raises(LicenseTableError, match="already means A"):
        parse_table(data)
    data["license"][1]["aliases"] = []
    data["license"][1]["class"] = "free-ish"
    with pytest.raises(LicenseTableError, match="class must be one of"):
        parse_table(data)


def test_the_shipped_table_is_valid_and_documented():
    table = license_table()
    assert len(table.entries) >= 100
    docs = (Path(__file__).resolve().parents[2] / "docs" / "licenses.md").read_text()
    for license_class in CLASSES:
        assert f"`{license_class}`" in docs
