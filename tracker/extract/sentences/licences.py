"""Licence statements in sentences, resolved through the reviewed licence table."""

from __future__ import annotations

import re

from tracker.extract import licenses as lic
from tracker.extract.mentions import FAMILIES, Mention
from tracker.extract.sentences.context import _PLURAL_ANAPHOR, _Context, _emit, _Here, _Sub, _subject

_LICENSE_DROPPED = re.compile(
    r"\b(?:dump\w*|drop\w*|abandon\w*|replac\w*|no longer|instead of|away from|switch\w* from|moving off)\b"
    r"[^.;]{0,40}$",
    re.IGNORECASE,
)


_THIS_REPOSITORY = re.compile(r"\b(?:this|the) (?:code )?repository\b|\bthe model weights\b", re.IGNORECASE)
_LICENSE_OF_ORIGIN = re.compile(
    r"\b(?:derived from|based on|built (?:on|upon)|fine-?tuned (?:from|on)|distilled from)\b[^.;]*?\bwhich\b[^.;]*$",
    re.IGNORECASE,
)


_NAME = r"[A-Z][\w.]*(?:\s+(?:[A-Z][\w.]*|\d[\w.]*|v\d[\w.]*)){0,3}"
_LISTED_UNDER = re.compile(
    rf"^(?P<names>{_NAME}(?:\s*,\s*{_NAME})*(?:\s*,?\s+and\s+{_NAME})?)\s+(?:is|are)\s+"
    r"(?:(?:now|all|both)\s+)?(?:(?:licen[sc]ed|released|available|distributed)\s+)?under\b"
)


def _listed_names(here: _Here) -> list[Mention]:
    """``Mistral 7B, Mixtral 8x7B, Mistral Nemo and Devstral Small are under Apache 2 License``: a sentence that
    opens with a list of names and says they are under a licence names a model with each item that starts
    with a model family (``Mistral Nemo``, ``Codestral`` alone), as a table's Model column would."""
    match = _LISTED_UNDER.match(here.text)
    if match is None:
        return []
    out: list[Mention] = []
    for item in re.finditer(_NAME, match.group("names")):
        name = re.sub(r"^and\s+", "", item.group(0)).strip()
        if name.split()[0] in FAMILIES:
            start = item.start() + item.group(0).index(name)
            out.append(Mention(name, start, start + len(name)))
    return out


def _licenses(ctx: _Context, here: _Here) -> None:
    text = here.text
    code_only = re.search(
        r"\b(?:code|codebase|repository|repo|source code|scripts?)\b[^.]{0,40}\b(?:licen[sc]ed|under)\b", text, re.I
    )
    if code_only and not re.search(r"\b(?:model|weights)\b[^.]{0,60}\blicen[sc]", text, re.IGNORECASE):
        return  # "This code repository is licensed under the MIT License": the code, not the model
    seen: set[str] = set()
    for found in lic.find_licenses(text):
        if found.key in seen:
            continue
        seen.add(found.key)
        if _LICENSE_DROPPED.search(text[: found.start]):
            continue  # "it's dumping the custom Gemma license": no longer its licence
        if _LICENSE_OF_ORIGIN.search(text[: found.start]) or re.search(
            r"\boriginally\b[^.;]{0,30}$", text[: found.start]
        ):
            continue  # "derived from Qwen-2.5 series, which are originally licensed under Apache 2.0": the origin's
        mentions = [m for m in here.mentions if not (found.start <= m.start < found.end)]
        targets = [m for m in mentions if not here.compared(m) or here.included(m)]
        listed = [m for m in _listed_names(here) if m.end <= found.start]
        if listed:
            mentions = targets = listed
        if not targets and not mentions and _THIS_REPOSITORY.search(text):
            subs = [_Sub(ctx.document_subject, "document")]  # "the code and the model weights are released under…"
        elif not targets and not mentions and ctx.topic_list and _PLURAL_ANAPHOR.search(text):
            subs = [_Sub(m.text, "context") for m in ctx.topic_list]
        elif not targets and not mentions:
            if ctx.topic is None or _THIS_REPOSITORY.search(text):
                subs = [_Sub(ctx.document_subject, "document")]  # "this repository and the model weights…"
            else:
                subs = [_Sub(ctx.topic.text, "context")]
        elif not targets:
            sub = _subject(ctx, here, found.start, found.end)
            subs = [sub] if sub is not None else []
        else:
            subs = [_Sub(m.text, "sentence") for m in targets]
        for sub in subs:
            _emit(ctx, here, sub, "license", found.key, extra={"as_written": found.text})
