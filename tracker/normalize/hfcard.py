"""Model cards (``README.md``): YAML front matter + markdown body.

Cards are untrusted input. :func:`parse_card` either returns a
:class:`ModelCard` or raises :class:`CardError` (a ``NormalizationError``) with
one of these reasons:

* ``card-too-large``: more bytes than allowed;
* ``card-binary``: NUL bytes or not UTF-8;
* ``card-empty``: nothing in the file;
* ``card-no-front-matter``: no ``---`` block at the top;
* ``card-bad-yaml``: the front matter does not parse (YAML aliases are refused:
  they are the "billion laughs" vector and no real card needs them);
* ``card-bad-front-matter``: it parses but is not a mapping.

When the text itself is readable (no front matter, broken YAML), the error
carries the body so that nothing is lost: it is still kept for later claim
extraction.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import yaml

from tracker.errors import NormalizationError
from tracker.normalize.guard import describe

#: Front matter longer than this is refused (real cards with big model-index blocks stay far below).
MAX_FRONT_MATTER = 512 * 1024
_FRONT = re.compile(r"\A(?:\ufeff)?---[ \t]*\r?\n(.*?)(?:\r?\n)?^---[ \t]*(?:\r?\n|\Z)", re.DOTALL | re.MULTILINE)
_EMPTY_FRONT = re.compile(r"\A(?:\ufeff)?---[ \t]*\r?\n---[ \t]*(?:\r?\n|\Z)")
LICENSE_KEYS = ("license", "license_name", "license_link")


class CardError(NormalizationError):
    """A card that cannot be used; ``body`` is the readable text when there is one."""

    def __init__(self, reason: str, detail: str = "", body: str | None = None) -> None:
        super().__init__(reason, detail)
        self.body = body


@dataclass(frozen=True)
class ModelCard:
    front_matter: dict[str, Any]
    #: The markdown after the front matter.
    body: str
    #: The front matter as written (for quoting the lines a claim comes from).
    front_matter_text: str = ""

    def get(self, key: str) -> Any:
        return self.front_matter.get(key)

    def quote(self, keys: tuple[str, ...] = LICENSE_KEYS) -> str:
        """The front-matter lines that state ``keys`` (the quoted span of a licence claim)."""
        wanted = tuple(f"{k}:" for k in keys)
        return "\n".join(line for line in self.front_matter_text.splitlines() if line.strip().startswith(wanted))


class _NoAliasLoader(yaml.SafeLoader):
    """SafeLoader that refuses anchors/aliases (exponential-expansion bombs)."""

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise yaml.composer.ComposerError(
                None, None, "YAML aliases are not accepted in model cards", event.start_mark
            )
        return super().compose_node(parent, index)


_CLoader = getattr(yaml, "CSafeLoader", None)


def _load_yaml(text: str) -> Any:
    """Safe YAML without aliases: libyaml when available (fast), else the pure-Python loader."""
    if _CLoader is None:
        return yaml.load(text, Loader=_NoAliasLoader)  # a SafeLoader subclass
    for event in yaml.parse(text, Loader=_CLoader):
        if isinstance(event, yaml.AliasEvent):
            raise yaml.composer.ComposerError(
                None, None, "YAML aliases are not accepted in model cards", event.start_mark
            )
    return yaml.load(text, Loader=_CLoader)  # the C safe loader


def _json_safe(value: Any, depth: int = 0) -> Any:
    """Front matter as JSON-ready data (dates → ISO text, keys → text)."""
    if depth > 50:
        raise CardError("card-bad-front-matter", "nested too deeply")
    if isinstance(value, Mapping):
        return {str(k): _json_safe(v, depth + 1) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [_json_safe(v, depth + 1) for v in value]
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    if isinstance(value, float) and value != value:  # NaN
        return None
    return value


def decode_card(raw: bytes, *, max_bytes: int) -> str:
    """The card's text, or :class:`CardError` for huge, binary or empty files."""
    if len(raw) > max_bytes:
        raise CardError("card-too-large", f"{len(raw)} bytes (limit {max_bytes})")
    if b"\x00" in raw:
        raise CardError("card-binary", "the README contains NUL bytes")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise CardError("card-binary", f"not UTF-8 text: {exc.reason} at byte {exc.start}") from exc
    if not text.strip():
        raise CardError("card-empty", "the README is empty")
    return text


def parse_card(raw: bytes, *, max_bytes: int) -> ModelCard:
    """Split and parse a model card; raises :class:`CardError`."""
    text = decode_card(raw, max_bytes=max_bytes)
    if _EMPTY_FRONT.match(text):
        body = text[_EMPTY_FRONT.match(text).end() :]  # type: ignore[union-attr]
        return ModelCard(front_matter={}, body=body)
    match = _FRONT.match(text)
    if match is None:
        detail = "the README does not start with a --- YAML block"
        if text.lstrip("\ufeff").startswith("---"):
            detail = "the --- YAML block at the top is never closed"
        raise CardError("card-no-front-matter", detail, body=text)
    front_text, body = match.group(1), text[match.end() :]
    if len(front_text) > MAX_FRONT_MATTER:
        raise CardError("card-bad-yaml", f"front matter of {len(front_text)} characters", body=body)
    try:
        data = _load_yaml(front_text)
    except RecursionError as exc:
        raise CardError("card-bad-yaml", "front matter nested too deeply", body=body) from exc
    except (ValueError, OverflowError, TypeError) as exc:  # e.g. an integer of 4,301 digits, a bad date
        raise CardError("card-bad-yaml", f"unreadable value: {describe(exc)}"[:500], body=body) from exc
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 2}, column {mark.column + 1})" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise CardError("card-bad-yaml", f"{problem}{where}"[:500], body=body) from exc
    if data is None:
        data = {}
    if not isinstance(data, Mapping):
        raise CardError("card-bad-front-matter", f"front matter is a {type(data).__name__}, not a mapping", body=body)
    try:
        front = _json_safe(data)
    except (ValueError, OverflowError, RecursionError) as exc:
        raise CardError("card-bad-front-matter", f"unusable value: {describe(exc)}"[:500], body=body) from exc
    return ModelCard(front_matter=front, body=body, front_matter_text=front_text)
