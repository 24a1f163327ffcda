"""Open-weight status of a model, decided from evidence, with the evidence kept.

Statuses (``OpenWeightStatus``):

* ``open``: a Hub repo with weight files, downloadable without an access request;
* ``gated``: a Hub repo with weight files behind an access request (``gated`` is
  ``auto`` or ``manual``);
* ``no-weights``: a Hub repo without weight files (or disabled, or removed);
* ``api-only``: served by an API (OpenRouter) with no declared ``hugging_face_id``
  and no Hub repo linked to it, **and** evidence that weights were looked for:
  the vendor's Hub organisations were crawled (searched through the crosswalk,
  never by substring) and no repo matched, and no vendor statement says the
  weights were released;
* ``vendor-open``: no repo found, but the vendor's own post or docs say the
  weights are released ("open (vendor says; no repo found)");
* ``unknown``: nothing to go on (a declared Hub repo that was not crawled, or a
  vendor whose Hub organisations were never searched).

The evidence says which repo, how many weight files (with a few examples),
which formats and which gating value; it holds no volatile fields, so the same
facts always give the same evidence.

Epoch-style labels for users who want them: :func:`epoch_label`.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any


class OpenWeightStatus(enum.StrEnum):
    OPEN = "open"
    GATED = "gated"
    NO_WEIGHTS = "no-weights"
    API_ONLY = "api-only"
    VENDOR_OPEN = "vendor-open"
    UNKNOWN = "unknown"


#: How each status reads on a page.
STATUS_LABELS = {
    "open": "open weights",
    "gated": "gated weights",
    "no-weights": "no weights",
    "api-only": "API only",
    "vendor-open": "open (vendor says; no repo found)",
    "unknown": "unknown",
}


#: File extensions that hold model weights.
WEIGHT_EXTENSIONS = (
    ".safetensors",
    ".bin",
    ".gguf",
    ".ggml",
    ".pt",
    ".pth",
    ".ckpt",
    ".h5",
    ".msgpack",
    ".onnx",
    ".tflite",
    ".mlmodel",
    ".npz",
    ".nemo",
    ".pdparams",
    ".keras",
)
#: ``.bin`` / ``.pt`` files that are training state, not weights.
NOT_WEIGHTS_PREFIXES = ("training_args", "optimizer", "scheduler", "rng_state", "trainer_state")
EXAMPLES = 3


@dataclass(frozen=True, slots=True)
class WeightFiles:
    count: int
    formats: tuple[str, ...]
    examples: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class OpenWeightDecision:
    status: OpenWeightStatus
    evidence: dict[str, Any] = field(default_factory=dict)


def weight_files(filenames: Iterable[str]) -> WeightFiles:
    """The weight files among a repo's files (``siblings[].rfilename``)."""
    found: list[str] = []
    formats: set[str] = set()
    for name in filenames:
        lower = name.lower()
        base = lower.rsplit("/", 1)[-1]
        ext = next((e for e in WEIGHT_EXTENSIONS if lower.endswith(e)), None)
        if ext is None or base.startswith(NOT_WEIGHTS_PREFIXES):
            continue
        found.append(name)
        formats.add(ext.lstrip("."))
    found.sort()
    return WeightFiles(count=len(found), formats=tuple(sorted(formats)), examples=tuple(found[:EXAMPLES]))


def gating_value(raw: Any) -> str:
    """The API's ``gated`` (False, "auto", "manual") as text: ``false``, ``auto``, ``manual``."""
    if raw is None or raw is False:
        return "false"
    if raw is True:
        return "auto"
    text = str(raw).strip().lower()
    return text if text in ("auto", "manual") else ("false" if text in ("", "false", "0", "no") else text[:16])


def repo_status(
    repo_id: str,
    *,
    gated: str,
    files: WeightFiles | None,
    disabled: bool = False,
    removed: bool = False,
    metadata_hint: str | None = None,
) -> OpenWeightDecision:
    """Status of one Hub repo.

    ``files`` is None when the API did not list the repo's files; then a weight
    hint from metadata (``safetensors`` / ``gguf`` parameter counts) decides, or
    the status is unknown.
    """
    evidence: dict[str, Any] = {"repo": repo_id, "gated": gated}
    if removed:
        evidence["removed"] = True
        return OpenWeightDecision(OpenWeightStatus.NO_WEIGHTS, evidence)
    if disabled:
        evidence["disabled"] = True
        return OpenWeightDecision(OpenWeightStatus.NO_WEIGHTS, evidence)
    if files is None:
        if metadata_hint is None:
            evidence["files"] = "not listed"
            return OpenWeightDecision(OpenWeightStatus.UNKNOWN, evidence)
        evidence["weights_from"] = metadata_hint
    else:
        evidence["weight_files"] = files.count
        evidence["formats"] = list(files.formats)
        evidence["examples"] = list(files.examples)
        if files.count == 0:
            return OpenWeightDecision(OpenWeightStatus.NO_WEIGHTS, evidence)
    if gated in ("auto", "manual"):
        return OpenWeightDecision(OpenWeightStatus.GATED, evidence)
    return OpenWeightDecision(OpenWeightStatus.OPEN, evidence)


def api_only(openrouter_id: str) -> OpenWeightDecision:
    """An API listing with no declared Hub id and no linked Hub repo."""
    return OpenWeightDecision(
        OpenWeightStatus.API_ONLY,
        {"openrouter_id": openrouter_id, "hugging_face_id": None, "hub_repo": None},
    )


@dataclass(frozen=True, slots=True)
class VendorStatement:
    """A vendor's own words that the weights are released (an openness claim of its post or docs)."""

    source: str
    url: str | None
    quote: str | None


_HUB_LINK = re.compile(r"huggingface\.co/([A-Za-z0-9][A-Za-z0-9._-]{0,95}/[A-Za-z0-9][A-Za-z0-9._-]{0,95})")
_NOT_REPOS = ("docs", "blog", "spaces", "datasets", "papers", "learn", "api")


_TABLE_ROW = re.compile(r"^\s*\|\s*([A-Za-z0-9][A-Za-z0-9._-]{1,95})\s*\|(.*)$")


def listed_repos(text: str) -> dict[str, str]:
    """Hub repos a vendor's page lists, → the line that lists it.

    Keys: ``org/name`` (lower case) for a ``huggingface.co/org/name`` link, and
    ``name:<name>`` for a download-table row whose first cell names a repo and
    whose other cells say "Hugging Face" (a page stored without its links).
    """
    out: dict[str, str] = {}
    for line in text.splitlines():
        quoted = " ".join(line.split())[:300]
        for match in _HUB_LINK.finditer(line):
            repo = match.group(1).rstrip(".")
            if repo.split("/", 1)[0].lower() in _NOT_REPOS:
                continue
            out.setdefault(repo.lower(), quoted)
        row = _TABLE_ROW.match(line)
        if row and re.search(r"(?<![A-Za-z])hugging\s?face(?![A-Za-z])", row.group(2), re.IGNORECASE):
            out.setdefault(f"name:{row.group(1).lower()}", quoted)
    return out


def api_status(
    openrouter_id: str,
    *,
    vendor_orgs: Iterable[str],
    searched_orgs: Iterable[str],
    statements: Iterable[VendorStatement] = (),
) -> OpenWeightDecision:
    """The status of an API listing with no Hub repo linked, from evidence only.

    ``vendor_orgs``: the Hub organisations the model's vendor publishes under
    (``data/identity.toml``); ``searched_orgs``: the organisations whose listing the
    tracker crawled (every crawled repo goes through the crosswalk). A vendor
    statement of released weights wins over "not found"; "not found" needs a search.
    """
    orgs = sorted({o.lower() for o in vendor_orgs})
    searched = sorted(set(orgs) & {o.lower() for o in searched_orgs})
    said = sorted(statements, key=lambda s: (s.source, s.url or "", s.quote or ""))
    evidence: dict[str, Any] = {
        "openrouter_id": openrouter_id,
        "hugging_face_id": None,
        "hub_repo": None,
        "searched": searched,
        "found": None,
    }
    if said:
        evidence["vendor_says"] = [{"source": s.source, "url": s.url, "quote": (s.quote or "")[:300]} for s in said[:3]]
        return OpenWeightDecision(OpenWeightStatus.VENDOR_OPEN, evidence)
    if searched:
        return OpenWeightDecision(OpenWeightStatus.API_ONLY, evidence)
    evidence["not_searched"] = orgs
    return OpenWeightDecision(OpenWeightStatus.UNKNOWN, evidence)


def evidence_text(status: str, evidence: Mapping[str, Any] | None) -> str:
    """One line for a model page: what was searched and what was found."""
    evidence = evidence or {}
    searched = ", ".join(evidence.get("searched") or [])
    if status == "api-only" and "searched" in evidence:
        return (
            f"Searched the Hub organisations {searched or '—'} through the crosswalk: no repository found;"
            " no vendor statement of released weights."
        )
    if status == "vendor-open":
        said = (evidence.get("vendor_says") or [{}])[0]
        where = f" (searched {searched})" if searched else ""
        who, quote = said.get("source", "the vendor"), said.get("quote", "")
        return f"{who} says the weights are released: “{quote}”; no repository found{where}."
    if status == "unknown" and evidence.get("not_searched") is not None:
        orgs = ", ".join(evidence["not_searched"]) or "none known"
        return f"Not searched: the vendor's Hub organisations ({orgs}) have not been crawled."
    if evidence.get("repo"):
        return f"Hub repository {evidence['repo']}: {evidence.get('weight_files', '?')} weight files."
    return ""


def declared_not_crawled(openrouter_id: str, hugging_face_id: str) -> OpenWeightDecision:
    """An API listing that names a Hub repo the tracker has not (yet) seen."""
    return OpenWeightDecision(
        OpenWeightStatus.UNKNOWN,
        {"openrouter_id": openrouter_id, "hugging_face_id": hugging_face_id, "hub_repo": None},
    )


def epoch_label(status: str, license_class: str | None) -> str:
    """Epoch-style accessibility label: open weights (unrestricted / restricted / non-commercial), API access…"""
    if status in ("open", "gated"):
        if license_class == "permissive" or license_class == "copyleft":
            return "open weights (unrestricted)" if status == "open" else "open weights (restricted)"
        if license_class == "non-commercial":
            return "open weights (non-commercial)"
        return "open weights (restricted)"
    if status == "api-only":
        return "API access"
    if status == "no-weights":
        return "no weights"
    return "unknown"


def siblings_filenames(siblings: Any) -> list[str] | None:
    """``siblings[].rfilename`` as a list, or None when the API sent no file list."""
    if not isinstance(siblings, list):
        return None
    return [s["rfilename"] for s in siblings if isinstance(s, Mapping) and isinstance(s.get("rfilename"), str)]
