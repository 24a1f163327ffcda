"""Documents built from the pieces real pages are made of, recombined at random (for fuzzing extraction).

Used by the hypothesis property test (tests/extract/test_extraction_properties.py) and by
benchmarks/fuzz_extraction.py. Pure data and a builder: no randomness of its own.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

NAMES = (
    "Qwen3-Max",
    "Qwen2.5-72B-Instruct",
    "Llama 3.2 1B",
    "Llama 4 Maverick",
    "DeepSeek-V3",
    "deepseek-chat",
    "gpt-oss-120b",
    "Gemma 3 27B",
    "Mistral Small 3.1",
    "Kimi K2",
    "GLM-4.5",
    "Phi-4",
    "XModel-7B",
)
WORDS = (
    "has",
    "with",
    "parameters",
    "billion",
    "trillion",
    "B",
    "K",
    "M",
    "tokens",
    "context window",
    "context length",
    "natively",
    "with extrapolation",
    "licensed under",
    "Apache 2.0",
    "MIT License",
    "open-source",
    "open-weight",
    "API only",
    "released on",
    "Today we release",
    "scores",
    "on",
    "MMLU",
    "GPQA Diamond",
    "Codeforces",
    "percentile",
    "rating",
    "Elo",
    "pass@1",
    "$",
    "¥",
    "€",
    "per million input tokens",
    "per 1M output tokens",
    "up to",
    "under",
    "fewer than",
    "from",
    "to",
    "and",
    "or",
    "vs",
    "than",
    "the model",
    "it",
    "Release",
    "2025/05/28",
    "Sept 25, 2024",
    "2024-13-45",
    "(2)",
    "✔",
    "✗",
    ":heavy_check_mark:",
    "<br/>",
    "[Apache 2.0](https://www.apache.org/licenses/LICENSE-2.0)",
    "ï¼",
    "â\x80\x99",
    "\u202e",
    "\x00",
    "\t",
    "—",
    "%",
    ".",
    ",",
    ":",
    "(",
    ")",
    "|",
    "| --- |",
    "\n",
    "\n\n",
)
NUMBERS = (
    "7",
    "1.5",
    "235",
    "22",
    "128",
    "262,144",
    "32,768",
    "0.30",
    "1.20",
    "93.1",
    "100",
    "2025",
    "1e1000000",
    "9" * 400,
    "1" + "0" * 60,
    "²",
    "٣",
    "1,2,3,4,5,6,7,8,9,0,1,2,3,4,5,6,7,8",
)


def document(pick: Callable[[Sequence[str]], str], length: int) -> str:
    """A document of ``length`` pieces; ``pick`` chooses one piece of a sequence (random or hypothesis)."""
    pieces: list[str] = []
    for _ in range(length):
        kind = pick(("name", "word", "word", "number", "row"))
        if kind == "name":
            pieces.append(pick(NAMES))
        elif kind == "number":
            pieces.append(pick(NUMBERS))
        elif kind == "row":
            cells = [pick(NAMES + NUMBERS + WORDS) for _ in range(3)]
            pieces.append("\n| " + " | ".join(cells) + " |\n")
        else:
            pieces.append(pick(WORDS))
    return " ".join(pieces)
