"""Open-weight status of an API listing from evidence only (pure): api-only needs a search, vendor words count."""

from __future__ import annotations

import pytest

from tracker.normalize.identity import vendor_orgs
from tracker.normalize.openweights import STATUS_LABELS, VendorStatement, api_status, evidence_text

QWEN2 = VendorStatement("qwen", "https://qwenlm.github.io/blog/qwen2/", "open-sourced on Hugging Face and ModelScope")


@pytest.mark.parametrize(
    ("listing", "searched", "statements", "status"),
    [
        # qwen/qwen3-max: the Qwen organisation was crawled, no repo matched, no vendor statement
        ("qwen/qwen3-max", {"qwen"}, [], "api-only"),
        # the vendor says the weights are open: never api-only, even though no repo was found
        ("qwen/qwen-2-72b-instruct", {"qwen"}, [QWEN2], "vendor-open"),
        (
            "mistralai/ministral-8b",
            set(),
            [VendorStatement("mistral", "docs/weights", "We open-source …")],
            "vendor-open",
        ),
        # nobody looked: unknown, not api-only
        ("qwen/qwen3-max", set(), [], "unknown"),
        ("mistralai/ministral-8b", {"qwen", "google"}, [], "unknown"),
        # a vendor whose Hub home is another name (deepseek → deepseek-ai)
        ("deepseek/deepseek-v4-pro", {"deepseek-ai"}, [], "api-only"),
    ],
)
def test_api_status(listing, searched, statements, status):
    vendor = listing.split("/")[0]
    decision = api_status(listing, vendor_orgs=vendor_orgs(vendor), searched_orgs=searched, statements=statements)
    assert str(decision.status) == status
    assert decision.evidence["openrouter_id"] == listing and decision.evidence["found"] is None


def test_the_evidence_says_what_was_searched_and_found():
    decision = api_status("qwen/qwen3-max", vendor_orgs=vendor_orgs("qwen"), searched_orgs={"qwen", "google"})
    assert decision.evidence["searched"] == ["qwen"]
    text = evidence_text(str(decision.status), decision.evidence)
    assert text.startswith("Searched the Hub organisations qwen through the crosswalk: no repository found")
    said = api_status("qwen/qwen-2-72b-instruct", vendor_orgs=("qwen",), searched_orgs=(), statements=[QWEN2])
    assert "qwen says the weights are released: “open-sourced on Hugging Face" in evidence_text(
        "vendor-open", said.evidence
    )
    unknown = api_status("acme/x", vendor_orgs=("acme",), searched_orgs=())
    assert (
        evidence_text("unknown", unknown.evidence)
        == "Not searched: the vendor's Hub organisations (acme) have not been crawled."
    )
    assert STATUS_LABELS["vendor-open"] == "open (vendor says; no repo found)"


def test_statements_are_listed_in_a_stable_order_and_capped():
    many = [VendorStatement(f"s{i}", None, "x") for i in range(5, 0, -1)]
    decision = api_status("a/b", vendor_orgs=("a",), searched_orgs=("a",), statements=many)
    assert [s["source"] for s in decision.evidence["vendor_says"]] == ["s1", "s2", "s3"]
