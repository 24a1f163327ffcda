"""Model mentions in prose: a family name and the version, size and variant words after it.

``Qwen3-Max``, ``Qwen 3 Max``, ``Qwen 3 (72B)``, ``DeepSeek-V3.1``, ``gpt-oss-120b``,
``Claude Opus 4``, ``Llama 4 Maverick``, ``Kimi K2 Thinking``, ``o3-mini``.

Rules (precision first: a claim attached to a wrong mention is worse than none):

* a mention starts with a known family name (:data:`FAMILIES`) at a word start;
* it needs more than the bare family (``Qwen`` or ``Llama`` alone names no model);
* words joined with ``-`` or ``_`` are taken while they look like versions,
  sizes or variant words; words joined with a space only after a version or
  size, or when a version follows (``Claude Opus 4``), so ``Qwen Chat`` (a
  product) and ``Llama Studio`` are not mentions;
* a parenthesised size right after (``Qwen 3 (72B)``) belongs to the mention.

Mentions are matched to models later (:mod:`tracker.claims.linking`), by
normalized name only, never by substring.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

#: Model family names, as they start a model's name in prose. Reviewed list.
FAMILIES = (
    "Qwen",
    "QwQ",
    "QVQ",
    "Llama",
    "LLaMA",
    "CodeLlama",
    "Mistral",
    "Mixtral",
    "Codestral",
    "Ministral",
    "Magistral",
    "Devstral",
    "Pixtral",
    "Voxtral",
    "DeepSeek",
    "Deepseek",
    "Gemma",
    "CodeGemma",
    "Gemini",
    "GPT",
    "gpt",
    "Claude",
    "Kimi",
    "GLM",
    "ChatGLM",
    "OLMo",
    "Olmo",
    "OLMoE",
    "Tulu",
    "Tülu",
    "Molmo",
    "Phi",
    "Grok",
    "Falcon",
    "Granite",
    "Nemotron",
    "MiniMax",
    "ERNIE",
    "Hunyuan",
    "SmolLM",
    "SmolLM2",
    "SmolLM3",
    "Sarvam",
    "Muse",
    "Doubao",
    "Jamba",
    "InternLM",
    "Baichuan",
    "Yi",
    "EXAONE",
    "StarCoder",
    "StarCoder2",
    "Codex",
    "Cogito",
    "WizardLM",
)
#: Words that continue a model name (variants, sizes spelled out, editions).
VARIANT_WORDS = frozenset(
    w.lower()
    for w in [
        "Max",
        "Plus",
        "Turbo",
        "Flash",
        "Pro",
        "Mini",
        "Nano",
        "Micro",
        "Coder",
        "Code",
        "Instruct",
        "Inst",
        "Chat",
        "Base",
        "VL",
        "Vision",
        "Omni",
        "Math",
        "Preview",
        "Thinking",
        "Think",
        "Next",
        "Exp",
        "Lite",
        "Ultra",
        "Large",
        "Medium",
        "Small",
        "Tiny",
        "Scout",
        "Maverick",
        "Behemoth",
        "Sonnet",
        "Opus",
        "Haiku",
        "oss",
        "Air",
        "Guard",
        "Embedding",
        "Reasoning",
        "Reasoner",
        "Distill",
        "Spark",
        "Edit",
        "Image",
        "Audio",
        "MT",
        "Long",
        "Deep",
        "Research",
        "Terminus",
        "Speciale",
        "Vision",
        "Instruct",
        "Dense",
        "MoE",
        "Nemo",
        "Saba",
        "Codex",
        "Safeguard",
        "Embed",
        "Rerank",
        "Omni",
        "Realtime",
        "Audio",
        "TTS",
        "ASR",
        "Experimental",
        "Latest",
        "It",
        "Pt",
        "FP8",
        "Hybrid",
        "Zero",
        "Base",
    ]
)
#: Variant words that name a model even without a version (``Claude Opus``, ``Muse Spark``).
NAME_WORDS = frozenset({"opus", "sonnet", "haiku", "spark", "maverick", "scout"})
_LONG = sorted(
    {re.escape(f.lower()) for f in FAMILIES if len(f) >= 4} | {"gpt", "glm", "qwq", "qvq"}, key=len, reverse=True
)
_SHORT = sorted(
    {re.escape(f) for f in FAMILIES if len(f) < 4} - {"gpt", "GPT", "GLM", "QwQ", "QVQ"}, key=len, reverse=True
)
_BEFORE = r"(?<![A-Za-z0-9_/.@-])"
_AFTER = r"(?=[\s\-_:.,;!?()\d'’]|$)"
#: A family name at a word start: long names in any case (``deepseek-chat``), short ones as written (``Yi``, ``Phi``).
_START = re.compile(rf"{_BEFORE}(?:(?i:{'|'.join(_LONG)})|{'|'.join(_SHORT)}){_AFTER}|{_BEFORE}o[1-4](?=[-\s,.;)]|$)")
_VERSION = re.compile(r"(?:[vV]?\d+(?:\.\d+)*[A-Za-z]{0,2}|[A-Za-z]\d+(?:\.\d+)*[A-Za-z]?|\d+[xX]\d+[Bb])$")
_SIZE = re.compile(r"\d+(?:\.\d+)?[BbMmTt]$")
_TOKEN = re.compile(r"[A-Za-z0-9][A-Za-z0-9.]*")
_PAREN_SIZE = re.compile(r"\s*\((\d+(?:\.\d+)?[BbTt])\)")


@dataclass(frozen=True)
class Mention:
    text: str
    start: int
    end: int


def _is_version(token: str) -> bool:
    return bool(_VERSION.match(token.rstrip(".")))


def find_mentions(text: str) -> list[Mention]:
    """Every model mention in ``text``, in order."""
    out: list[Mention] = []
    for match in _START.finditer(text):
        if out and match.start() < out[-1].end:
            continue
        mention = _extend(text, match.start(), match.end())
        if mention is not None:
            out.append(mention)
    return out


_FAMILY_WORDS = frozenset(f.lower() for f in FAMILIES)


def spaced_sep(sep: str) -> bool:
    return sep == " "


def _extend(text: str, start: int, end: int) -> Mention | None:
    family = text[start:end]
    versioned = bool(re.search(r"\d", family)) and not family.lower().startswith("o")
    if family.lower().startswith("o") and re.fullmatch(r"o[1-4]", family):
        versioned = True
    # digits glued to the family: Qwen3, Qwen2.5, GLM4
    glued = re.match(r"\d+(?:\.\d+)*", text[end:])
    if glued and not family.lower().startswith("o"):
        end += glued.end()
        versioned = True
    tokens_taken = 0
    position = end
    while True:
        rest = text[position:]
        sep = re.match(r"[-_]|[ ](?=\S)", rest)
        if not sep:
            break
        token_match = _TOKEN.match(rest, sep.end())
        if not token_match:
            break
        token = token_match.group(0).rstrip(".")
        token_end = position + sep.end() + len(token)
        word = token.lower()
        spaced = sep.group(0) == " "
        is_version = _is_version(token)
        is_variant = word in VARIANT_WORDS or (not spaced_sep(sep.group(0)) and word in _FAMILY_WORDS)
        if not (is_version or is_variant):
            break
        if spaced and is_variant and not is_version and not versioned and word not in NAME_WORDS:
            # "Qwen Chat", "Llama Studio": a variant word after a space needs a version before or after it
            after = re.match(r"[ -]([A-Za-z0-9][A-Za-z0-9.]*)", text[token_end:])
            if not (after and _is_version(after.group(1).rstrip("."))):
                break
        if spaced and is_version and token.isdigit() and len(token) >= 4 and not versioned:
            break  # "GPT 2025": a year, not a version
        position = token_end
        tokens_taken += 1
        versioned = versioned or is_version
    paren = _PAREN_SIZE.match(text, position)
    if paren:
        position = paren.end()
        tokens_taken += 1
    if tokens_taken == 0 and not versioned:
        return None
    if (
        family.lower() in ("o1", "o2", "o3", "o4")
        and tokens_taken == 0
        and not re.match(r"[-\s,.;)]|$", text[position:])
    ):
        return None
    return Mention(text[start:position], start, position)
