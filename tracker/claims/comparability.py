"""Comparability before contradiction: may two values be weighed against each other at all?

``comparable(a, b) -> Comparability(ok, reason)`` is the one pure decider the
ledger asks before it compares two claims (or a claim and a primary value).
Two values are weighed only when they are about the same thing:

* **the same source is not a second opinion** — two claims of one document (same
  URL or same content hash), or the same sentence republished in two documents
  (a README that is both a Hub card and a blog post), never weigh each other;
* **the same model** — not a quantized / QLoRA / other variant column of a table,
  not base vs instruct (``extra["variant"]``, or read from the table column when
  it names the mention plus a variant word: "Llama 3.2 1B QLoRA"). A model whose
  own name says what it is (``deepseek-chat``, ``…-instruct``, ``…-it``: an
  instruct model; ``…-base``: a base model) counts that variant as itself: the
  "Chat Model" table of DeepSeek-V3 is deepseek-chat's plain value, its "Base
  Model" table is not (:func:`own_variant`);
* **the same measurement** — the same benchmark metric (percentile ≠ rating ≠
  Elo, pass@1 ≠ pass@5; ``extra["metric"]`` or the row label "Codeforces
  (Percentile)") and the same setting (shots, CoT, thinking, subset, native vs
  extended context); a benchmark figure of a third party's *own* evaluation (a
  vendor's post or card measuring another vendor's model) is that evaluator's
  measurement, not the model vendor's claim;
* **a card speaks for its own model** — what a model card says about another
  model (its base, a competitor) is the card author's statement, shown beside
  the model, not weighed against it;
* **a bound is not a value** — "up to 137B", "under 40B", "fewer than 150M"
  describe a class of models;
* **the same offer** — a vendor's own API price and OpenRouter's price for the
  same model are two offers (``extra["offer"]``, default: the vendor's own API for
  a vendor's post, unnamed for the press); the same currency, unit and setting
  (a peak-hour price is not a flat listing's);
* **served vs native context** — OpenRouter's context length is the window its
  providers *serve*; a document states the model's *native* window. A served
  window smaller than the native one is no contradiction (``relation =
  "at_most"``: the served value only disputes a native claim it exceeds).
  A context length a seller states beside its own prices for the model (a
  vendor's API pricing page: ``extra["window"] = "served"``, ``extra["offer"]``,
  tagged by :func:`tracker.claims.offers.offer_windows`) is *that offer's*
  served window: weighed as a served window against the native one, and only
  against the same offer's served window — DeepSeek's API serving 64K is not
  OpenRouter's providers serving 163,840. An **API-only** model has no window
  but the one its maker's API serves: OpenRouter's window of it is the model's
  own (``api_only``), weighed as the same window as a document's ("16k" for
  gpt-3.5-turbo-0613, served at 4,095, is a contradiction).

A missing key means the default: metric ``score``, setting and variant empty
(the plain model), currency ``USD``. Every ``ok`` decision carries the reason
the two values are comparable; the ledger stores it with the dispute.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

#: Words that make a table column a variant of the model it names (canonical form).
VARIANT_WORDS: dict[str, str] = {
    "qlora": "qlora",
    "lora": "lora",
    "spinquant": "spinquant",
    "spin quant": "spinquant",
    "vanilla ptq": "quantized",
    "ptq": "quantized",
    "qat": "quantized",
    "quantized": "quantized",
    "quant": "quantized",
    "int4": "int4",
    "int8": "int8",
    "fp8": "fp8",
    "awq": "awq",
    "gptq": "gptq",
    "gguf": "gguf",
    "base": "base",
    "pretrained": "base",
    "pre-trained": "base",
    "instruct": "instruct",
    "instruction-tuned": "instruct",
    "chat": "instruct",
}
#: Column words that name the plain model's own precision (the reference column).
PLAIN_WORDS = ("bf16", "fp16", "fp32", "original", "full precision")
#: Metric words in a row label, by canonical metric.
METRIC_WORDS: dict[str, str] = {
    "percentile": "percentile",
    "rating": "rating",
    "elo": "elo",
    "win rate": "win_rate",
    "win-rate": "win_rate",
}
_PASS_AT = re.compile(r"pass\s*@\s*(\d+)", re.IGNORECASE)
#: Words before a number that make it a bound on a class of models, not a value.
BOUND_WORDS = ("up to", "under", "fewer than", "less than", "below", "over", "more than", "at least", "at most")
_BOUND_BEFORE = re.compile(r"(?:" + "|".join(re.escape(w) for w in BOUND_WORDS) + r")\s+$", re.IGNORECASE)
#: Time-of-day pricing ("$3.96 … at peak hours"): a setting a flat API listing does not have.
_PEAK = re.compile(r"(?<![a-z])(?:off-peak|peak)(?: hours)?(?![a-z])", re.IGNORECASE)
#: Reporters whose statements are the API's own (primary sources).
PRIMARY = "primary"


class ClaimLike(Protocol):
    """What the decider reads from a claim row (``claims`` columns)."""

    attribute: str
    qualifier: str
    value: str
    unit: str | None
    reporter: str
    source: str
    url: str | None
    quote: str | None
    extra: dict[str, Any] | None


@dataclass(frozen=True, slots=True)
class Facts:
    """The comparability facts of one value (read by :func:`facts`)."""

    attribute: str
    qualifier: str
    reporter: str
    source: str
    #: The document's identity: its content hash when known, else its URL.
    document: str
    quote: str
    metric: str = "score"
    setting: str = ""
    variant: str = ""
    currency: str = "USD"
    #: Who sells at the price: "openrouter", "vendor api", "alibaba cloud"…; "" = not named.
    offer: str = ""
    unit: str = ""
    #: The evaluator of a benchmark figure: "" for the model's vendor (or the press quoting it).
    evaluator: str = ""
    #: A third party's model card speaking of this model.
    foreign_card: bool = False
    #: "up to", "under"… when the value is a bound about a class of models.
    bound: str = ""
    #: For context lengths: "served" (an API's window) or "native" (the model's).
    window: str = ""
    #: For a served context window: whose ("openrouter", "vendor api"); "" = not named.
    window_offer: str = ""


@dataclass(frozen=True, slots=True)
class Comparability:
    ok: bool
    reason: str
    #: ``same`` (the values must agree) or ``at_most`` (the first value may be smaller).
    relation: str = "same"


def _text(value: Any) -> str:
    return str(value).strip().lower() if value is not None else ""


def column_variant(column: str, mention: str | None) -> str:
    """The variant a table column names beside the model: "Llama 3.2 1B QLoRA" → ``qlora``."""
    text = _text(column)
    if not text:
        return ""
    rest = text
    if mention:
        name = _text(mention)
        if name and name in rest:
            rest = rest.replace(name, " ")
    rest = re.sub(r"\([^)]*\b\d+(?:\.\d+)?\s*[bm]\b[^)]*\)", " ", rest)  # "(17Bx16E)": a size, not a variant
    if any(word in rest for word in PLAIN_WORDS) and not any(
        re.search(rf"(?<![a-z]){re.escape(w)}(?![a-z])", rest) for w in VARIANT_WORDS if w not in ("base",)
    ):
        return ""
    for word, canonical in sorted(VARIANT_WORDS.items(), key=lambda item: -len(item[0])):
        if re.search(rf"(?<![a-z]){re.escape(word)}(?![a-z])", rest):
            return canonical
    return ""


#: A model name's own variant: ``deepseek-chat``, ``…-instruct``, ``…-it`` are instruct models; ``…-base`` base.
_OWN_INSTRUCT = re.compile(r"(?<![a-z])(?:instruct|chat|it|inst)(?![a-z])")
_OWN_BASE = re.compile(r"(?<![a-z])(?:base|pt)(?![a-z])")


def own_variant(model_key: str | None) -> str:
    """The variant a model's own name says it is (``instruct``, ``base``), or "" when it does not say.

    Only the name after the vendor counts, in the canonical form of :data:`VARIANT_WORDS`:
    ``deepseek/deepseek-chat`` → ``instruct``, ``google/gemma-3-27b-it`` → ``instruct``,
    ``deepseek-ai/deepseek-v3-base`` → ``base``, ``meta-llama/llama-3.2-1b`` → "".
    """
    name = _text(model_key).rsplit("/", 1)[-1]
    instruct, base = bool(_OWN_INSTRUCT.search(name)), bool(_OWN_BASE.search(name))
    if instruct and not base:
        return "instruct"
    if base and not instruct:
        return "base"
    return ""


def label_metric(label: str) -> str:
    """The metric a row label names: "Codeforces (Percentile)" → ``percentile``; "" when none."""
    text = _text(label)
    match = _PASS_AT.search(text)
    if match:
        return f"pass@{match.group(1)}"
    for word, canonical in METRIC_WORDS.items():
        if re.search(rf"(?<![a-z]){re.escape(word)}(?![a-z])", text):
            return canonical
    return ""


def bound_of(quote: str, as_written: str, extra_bound: str = "") -> str:
    """ "up to", "under"… when ``as_written`` is preceded by a bound word in ``quote``."""
    if extra_bound and extra_bound != "from":
        return extra_bound
    if not quote or not as_written:
        return ""
    position = quote.find(as_written)
    if position < 0:
        return ""
    match = _BOUND_BEFORE.search(quote[:position])
    return match.group(0).strip().lower() if match else ""


def facts(
    row: ClaimLike,
    *,
    document: str | None = None,
    mention: str | None = None,
    model_key: str | None = None,
    api_only: bool = False,
) -> Facts:
    """The comparability facts of a claim row (``document``: its content hash when known; ``model_key``: the
    model the claim is about, whose own variant is its plain value; ``api_only``: the model has no weights
    anyone else could serve, so OpenRouter's window of it is its own)."""
    extra: Mapping[str, Any] = row.extra or {}
    attribute = row.attribute
    metric = _text(extra.get("metric")) or label_metric(str(extra.get("label", ""))) or "score"
    if attribute == "benchmark" and metric == "score":
        setting_metric = _PASS_AT.search(row.qualifier or "")
        if setting_metric and setting_metric.group(1) != "1":
            metric = f"pass@{setting_metric.group(1)}"
    variant = _text(extra.get("variant")) or column_variant(
        str(extra.get("column", "")), mention or getattr(row, "mention", None)
    )
    if variant in ("", "plain", "none") or (variant and variant == own_variant(model_key)):
        variant = ""
    document_kind = _text(extra.get("document_kind"))
    third_party = bool(extra.get("third_party"))
    offer = _text(extra.get("offer"))
    if attribute == "price" and not offer:
        if row.reporter == PRIMARY:
            offer = _text(row.source)
        elif row.reporter == "vendor" and document_kind == "vendor":
            offer = "vendor api"
    setting = _text(extra.get("setting"))
    if attribute == "price" and not setting and row.reporter != PRIMARY and _PEAK.search(row.quote or ""):
        setting = "peak/off-peak"
    window = window_offer = ""
    if attribute == "context_length":
        served = row.reporter == PRIMARY and row.source == "openrouter" and not api_only
        window = _text(extra.get("window")) or ("served" if served else "native")
        if window == "served":
            window_offer = offer or ("openrouter" if served else "")
    bound = ""
    if attribute in ("params_total", "params_active", "context_length"):
        bound = bound_of(row.quote or "", str(extra.get("as_written", "")), _text(extra.get("bound")))
    return Facts(
        attribute=attribute,
        qualifier=row.qualifier or "",
        reporter=row.reporter,
        source=row.source,
        document=document or row.url or "",
        quote=" ".join((row.quote or "").split()).lower(),
        metric=metric,
        setting=setting,
        variant=variant,
        currency=_text(extra.get("currency")).upper() or "USD",
        offer=offer,
        unit=_text(row.unit),
        evaluator=_text(row.source) if third_party and document_kind in ("vendor", "card") else "",
        foreign_card=third_party and document_kind == "card",
        bound=bound,
        window=window,
        window_offer=window_offer,
    )


def _values(a: Facts, b: Facts) -> str:
    return f"{a.source} ({a.reporter}) and {b.source} ({b.reporter})"


def comparable(a: Facts, b: Facts) -> Comparability:
    """Whether ``b`` may be weighed against ``a`` (``a`` the shown or primary value), and why."""
    if a.attribute != b.attribute or a.qualifier != b.qualifier:
        return Comparability(False, "different attributes")
    if a.document and a.document == b.document:
        return Comparability(False, "the same document")
    if a.quote and len(a.quote) > 12 and a.quote == b.quote:
        return Comparability(False, "the same sentence republished: one source")
    for side in (a, b):
        if side.foreign_card:
            return Comparability(False, f"{side.source}'s card speaks for its own model")
        if side.bound:
            return Comparability(False, f"a bound ({side.bound} …) about a class of models, not a value")
    if a.variant != b.variant:
        return Comparability(False, f"different variants ({a.variant or 'the model'} vs {b.variant or 'the model'})")
    if a.attribute == "benchmark":
        if a.reporter == "press" and b.reporter == "press":
            return Comparability(False, "two third parties' figures: neither is the vendor's")
        if a.metric != b.metric:
            return Comparability(False, f"different metrics ({a.metric} vs {b.metric})")
        if a.setting != b.setting:
            return Comparability(False, f"different settings ({a.setting or 'default'} vs {b.setting or 'default'})")
        if a.evaluator != b.evaluator:
            who = b.evaluator or a.evaluator
            return Comparability(False, f"{who}'s own evaluation, not the vendor's figure")
        return Comparability(True, f"same benchmark, metric {a.metric}{_setting(a)}, same model: {_values(a, b)}")
    if a.attribute == "price":
        if a.currency != b.currency:
            return Comparability(False, f"different currencies ({a.currency} vs {b.currency})")
        if a.unit and b.unit and a.unit != b.unit:
            return Comparability(False, f"different units ({a.unit} vs {b.unit})")
        if a.offer and b.offer and a.offer != b.offer:
            return Comparability(False, f"two offers ({a.offer} vs {b.offer})")
        if a.setting != b.setting:
            return Comparability(False, f"different settings ({a.setting or 'default'} vs {b.setting or 'default'})")
        offer = a.offer or b.offer or "unnamed"
        return Comparability(True, f"same price component {a.qualifier}, offer {offer}, {a.currency}: {_values(a, b)}")
    if a.attribute == "context_length":
        if a.setting != b.setting:
            return Comparability(False, f"different settings ({a.setting or 'default'} vs {b.setting or 'default'})")
        if a.window == b.window == "served" and a.window_offer != b.window_offer:
            return Comparability(
                False, f"two offers' served windows ({a.window_offer or 'unnamed'} vs {b.window_offer or 'unnamed'})"
            )
        if a.window == "served" and b.window == "native":
            return Comparability(True, f"served window vs native window: {_values(a, b)}", relation="at_most")
        if a.window == "native" and b.window == "served":
            return Comparability(True, f"native window vs served window: {_values(a, b)}", relation="at_least")
        return Comparability(True, f"same context window ({a.window or 'native'}): {_values(a, b)}")
    if a.setting != b.setting:
        return Comparability(False, f"different settings ({a.setting or 'default'} vs {b.setting or 'default'})")
    return Comparability(True, f"same model and attribute: {_values(a, b)}")


def _setting(f: Facts) -> str:
    return f", {f.setting}" if f.setting else ""
