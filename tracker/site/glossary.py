"""What the site tells readers about licence classes and open-weight statuses.

The classes and statuses are the project's vocabulary (see ``models.license_class``
and ``models.open_weight_status``); this module says in plain words what each
one allows, for the licence and open-weight pages.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Term:
    key: str
    label: str
    summary: str
    #: What a user may do, one short line each.
    allows: tuple[str, ...] = ()
    #: What to watch for.
    limits: tuple[str, ...] = ()


LICENSE_CLASSES: dict[str, Term] = {
    t.key: t
    for t in (
        Term(
            "permissive",
            "Permissive",
            "An OSI-style permissive licence such as Apache-2.0 or MIT.",
            ("Commercial use", "Modification and fine-tuning", "Redistribution of weights and derivatives"),
            ("Keep the licence text and notices (attribution)",),
        ),
        Term(
            "copyleft",
            "Copyleft",
            "A share-alike licence such as GPL or CC-BY-SA.",
            ("Commercial use", "Modification", "Redistribution"),
            ("Derivatives must be shared under the same licence",),
        ),
        Term(
            "open-weights-restricted",
            "Open weights, restricted",
            "Weights are published under a custom licence (Llama, Gemma, Qwen, DeepSeek...) that adds conditions.",
            ("Download and run the weights", "Fine-tuning", "Commercial use within the licence's limits"),
            (
                "Acceptable-use policies restrict what the model may be used for",
                "Some licences cap commercial use (e.g. by monthly active users) or require naming",
            ),
        ),
        Term(
            "non-commercial",
            "Non-commercial",
            "Weights may be used for research and personal work only (CC-BY-NC, research licences).",
            ("Research and evaluation", "Personal, non-commercial use"),
            ("No commercial use without a separate agreement",),
        ),
        Term(
            "proprietary",
            "Proprietary",
            "Use is governed by the vendor's terms of service; weights are not licensed to the public.",
            ("Use through the vendor's API or products under its terms",),
            ("No right to download, modify or redistribute the weights",),
        ),
        Term(
            "unknown",
            "Unknown",
            "No licence information was found in any source.",
            (),
            ("Treat as all rights reserved until a licence is published",),
        ),
    )
}

OPEN_WEIGHT_STATUSES: dict[str, Term] = {
    t.key: t
    for t in (
        Term("open", "Open weights", "Weights can be downloaded without an access request."),
        Term("gated", "Gated", "Weights exist but sit behind an access request (accept terms, share contact details)."),
        Term("no-weights", "No weights", "A repository exists but holds no weight files."),
        Term("api-only", "API only", "Served through an API; no weights were found on the Hub."),
        Term("unknown", "Unknown", "Not yet established from the sources."),
    )
}


def license_class_term(key: str | None) -> Term:
    return LICENSE_CLASSES.get(key or "unknown") or Term(key or "unknown", key or "unknown", "")


#: Statuses shown only where a model has them (issue 12's evidence rule).
MORE_OPEN_WEIGHT_STATUSES: dict[str, Term] = {
    "vendor-open": Term(
        "vendor-open",
        "Open (vendor says; no repo found)",
        "The vendor's own post or docs say the weights are released; no Hub repository was found or crawled.",
    ),
}


def open_weight_term(key: str | None) -> Term:
    key = key or "unknown"
    return OPEN_WEIGHT_STATUSES.get(key) or MORE_OPEN_WEIGHT_STATUSES.get(key) or Term(key, key, "")
