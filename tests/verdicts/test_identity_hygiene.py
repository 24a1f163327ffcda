"""Identity hygiene: one vendor key per vendor (display name kept), opt-125m-style cards are non-commercial."""

from __future__ import annotations

import pytest

from tracker.normalize.identity import vendor_display, vendor_key
from tracker.normalize.licenses import resolve_license


@pytest.mark.parametrize(
    ("seen", "key", "display"),
    [
        ("Qwen", "qwen", "Qwen"),
        ("qwen", "qwen", "Qwen"),
        ("inclusionAI", "inclusionai", "inclusionAI"),
        ("inclusionai", "inclusionai", "inclusionAI"),
        ("deepseek-ai", "deepseek", "deepseek"),  # DeepSeek's home organisation on the Hub
        ("zai-org", "z-ai", "z-ai"),
        ("THUDM", "thudm", "THUDM"),  # an OpenRouter vendor of its own
        ("facebook", "facebook", "facebook"),  # a second organisation of meta-llama keeps its name
        ("Helsinki-NLP", "helsinki-nlp", "helsinki-nlp"),
        ("  Mistralai ", "mistralai", "mistralai"),
    ],
)
def test_vendor_key_and_display(seen, key, display):
    assert vendor_key(seen) == key
    assert vendor_display(vendor_key(seen)) == display


def test_no_two_keys_differ_only_by_case():
    names = ["Qwen", "qwen", "inclusionAI", "inclusionai", "deepseek-ai", "deepseek", "CohereLabs", "cohere"]
    keys = {vendor_key(n) for n in names}
    assert len(keys) == len({k.casefold() for k in keys}) == 4


def test_the_display_keeps_the_spelling_a_source_used():
    assert vendor_display("helsinki-nlp", seen="Helsinki-NLP") == "Helsinki-NLP"
    assert vendor_display("qwen", seen="QWEN") == "QWEN"
    assert vendor_display("qwen", seen="other") == "Qwen"


@pytest.mark.parametrize(
    ("license", "name", "commercial", "key", "klass", "use"),
    [
        # facebook/opt-125m: license: other + commercial: false
        ("other", None, False, "LicenseRef-other", "non-commercial", "no"),
        ("other", None, "false", "LicenseRef-other", "non-commercial", "no"),
        ("other", None, None, "LicenseRef-other", "open-weights-restricted", "restricted"),
        ("other", None, True, "LicenseRef-other", "open-weights-restricted", "restricted"),
        # a reviewed licence keeps its reviewed terms whatever the card's flag says
        ("mit", None, False, "MIT", "permissive", "yes"),
        # an unknown licence name with commercial: false
        ("other", "acme-research-licence", False, None, "non-commercial", "no"),
    ],
)
def test_commercial_false_beside_a_custom_licence_is_non_commercial(license, name, commercial, key, klass, use):
    info = resolve_license(license, name, None, commercial=commercial)
    if key is not None:
        assert info.key == key
    assert (info.license_class, info.commercial_use) == (klass, use)
