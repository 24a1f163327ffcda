"""Open-weight and API-only statements in sentences, with negations and targets."""

from __future__ import annotations

import re

from tracker.extract.mentions import Mention
from tracker.extract.sentences.context import _ENUM_GAP, _PLURAL_ANAPHOR, _Context, _emit, _Here, _Sub

_OPEN = re.compile(
    r"\bopen[\s-]?(?:source[sd]?|sourcing|weights?|weighted|weighting)\b|\bopenly (?:released|available)\b|"
    r"\bopen model\b|\bweights (?:are|were|have been) (?:released|published|made available|available|open)|"
    r"\bopenly releas\w*",
    re.IGNORECASE,
)
_CLOSED = re.compile(r"\bclosed[\s-]?(?:source[sd]?|weights?)\b|\bproprietary model\b", re.IGNORECASE)
#: Statements that say API-only whatever surrounds them.
_API_ONLY = re.compile(
    r"\bAPI[\s-]only\b|\bAPI access only\b|\bonly (?:available )?(?:via|through) (?:an |the |its |their )?"
    r"(?:API|cloud)\b|\b(?:access|availability) (?:is )?(?:limited|restricted) (?:exclusively |only )?to\b"
    r"[^.]{0,60}\bAPIs?\b|\b(?:no|without) (?:open |downloadable )?weights\b|\bweights (?:are|were|will) not "
    r"(?:be )?(?:released|published|available)",
    re.IGNORECASE,
)
_NEGATION_CUE = re.compile(r"(?:\bnot|n't|\bnever|\bno|\bnor|\bwithout|\banything but)\s+((?:[\w-]+\s+){0,5})$", re.I)
_NEGATION_FILLERS = frozenset(
    [
        "actually",
        "really",
        "truly",
        "fully",
        "yet",
        "be",
        "been",
        "being",
        "made",
        "available",
        "in",
        "an",
        "a",
        "the",
        "as",
        "released",
        "to",
        "going",
        "ever",
        "currently",
        "publicly",
    ]
)
_PREDICATIVE_BEFORE = re.compile(
    r"(?:\bis|\bare|\bwas|\bwere|\bbe|\bbeen|\bbeing|'s|’s|\bas|\bbecome|\bbecame|\bremains?|\bstays?|\bgoes|"
    r"\bwent|\bgo)\s+(?:(?:now|fully|completely|truly|entirely|actually|also|still|officially|really)\s+)*$",
    re.IGNORECASE,
)
_SINGULAR_MODEL_AFTER = re.compile(r"^\s*(?:model|version|release|llm|checkpoint|variant)\b(?!s)", re.IGNORECASE)
_PLURAL_AFTER = re.compile(r"^\s*(?:models|llms|releases|versions|variants|checkpoints)\b", re.IGNORECASE)
_INCLUSION_AFTER = re.compile(r"^\s*(?:models|llms)?\s*(?:,\s*)?(?:like|such as|including)\s+", re.IGNORECASE)
_MEMBERSHIP = re.compile(
    r"\b(?:one of|iteration of|generation of|member of|family of|series of|line of) "
    r"(?:the |its |our )?(?:\w+\s+){0,4}$",
    re.IGNORECASE,
)
_ANAPHORIC_SUBJECT = re.compile(
    r"^(?:(?:but|and|so|however|yet|still|now)[\s,]+)*(?:it|this model|the model|this release|this version|"
    r"the weights|its weights)\b",
    re.IGNORECASE,
)
_ANAPHOR_ANYWHERE = re.compile(r"\b(?:this|the) (?:model|release|version)\b|\bits weights\b", re.IGNORECASE)
_FRAGMENT_LEAD = re.compile(r"^(?:(?:and|but|fully|completely|truly|now|all|plus|also)[\s,]+)*$", re.IGNORECASE)
_VERB_FORM = re.compile(r"(?:sourced|sourcing|weighted|weighting)$", re.IGNORECASE)
_WEIGHTS_NOUN_BEFORE = re.compile(
    r"(?:\bfully|\bwith|\bhas|\bhave|\bhad|\bits|\btheir|\bunder|\breleases?|\breleased|\bpublish(?:es|ed)?|\bship(?:s|ped)?)"
    r"\s+(?:\w+\s+){0,1}$",
    re.IGNORECASE,
)


def _negated(before: str) -> bool:
    match = _NEGATION_CUE.search(before[-60:])
    if not match:
        return False
    return all(word.lower() in _NEGATION_FILLERS for word in match.group(1).split())


_PASSIVE_BEFORE = re.compile(r"\b(?:is|are|was|were|been|be|being|gets?|got)\s+(?:[\w-]+\s+){0,2}$", re.IGNORECASE)
_INDEFINITE_BEFORE = re.compile(r"\b(?:a|an|any|every|each|another|some)\s+(?:[\w-]+\s+){0,2}$", re.IGNORECASE)
_APPOSITIVE_BEFORE = re.compile(r"(?:—|–|,|:)\s*(?:an?|two|three|four|both|the)?\s*(?:[\w-]+\s+){0,3}$")
_MODELS_AFTER = re.compile(r"^\s*(?:(?:language|reasoning|chat|foundation|moe|dense)\s+){0,2}(?:models?|llms?)\b", re.I)


def _asserted(here: _Here, match: re.Match[str]) -> bool:
    """Whether an openness phrase asserts something about a model (not ``open-source models compete…``)."""
    text = here.text
    before, after = text[: match.start()], text[match.end() :]
    phrase = match.group(0).lower()
    lead = before.strip()
    before_mentions = [m for m in here.mentions if m.end <= match.start()]
    after_mentions = [m for m in here.mentions if m.start >= match.end()]
    anaphoric = bool(_ANAPHORIC_SUBJECT.match(lead))
    if _FRAGMENT_LEAD.match(lead + " " if lead else "") and re.match(
        r"^\s*(?:[.!?,;:]|$|under\b|with\b|and\b|\()", after
    ):
        return True  # "Open source." / "Fully open weights under Apache 2.0"
    if _VERB_FORM.search(phrase):
        if after_mentions and after_mentions[0].start - match.end() <= 60:
            return True  # "open-weighting two MoE models: Qwen3-235B-A22B", "the open-sourcing of Qwen3"
        if any(_FOR_LIST.search(text[: here._enumeration_start(m)]) for m in after_mentions):
            return True  # "we have open-sourced the base models … for both GLM-4.5 and GLM-4.5-Air"
        if before_mentions and _PASSIVE_BEFORE.search(before):
            gap = text[before_mentions[-1].end : match.start()]
            return not re.search(r"[:;]|\bwhich\b|\bthat\b", gap)  # "Qwen3 is open-sourced"
        return anaphoric
    if phrase.startswith(("weights", "openly")):
        return bool(here.mentions) or anaphoric or bool(re.search(r"^\s*(?:these|the|our) models\b", after))
    if _PREDICATIVE_BEFORE.search(before):
        if _PLURAL_AFTER.match(after):
            return bool(here.mentions) and bool(_INCLUSION_AFTER.match(after))
        return bool(here.mentions) or anaphoric
    if lead.endswith(":") and re.match(r"^\s*(?:[.,;]|with\b|and\b|$)", after):
        return True  # "…its predecessor: closed-source with API access only"
    models_noun = _MODELS_AFTER.match(after)
    if after_mentions and models_noun and _COUNTED.search(before[-30:]):
        gap = text[match.end() + models_noun.end() : after_mentions[0].start]
        if re.fullmatch(r"\s*[,:—–]\s*", gap):
            return True  # "unveiled two new open-weight language models, gpt-oss-120b and gpt-oss-20b"
    if (
        after_mentions
        and re.search(r"\b(?:its|our|their)\s+(?:new\s+)?$", before)
        and not text[match.end() : after_mentions[0].start].strip()
        and re.match(r"\s+(?:model|llm)\b", text[after_mentions[0].end :], re.IGNORECASE)
    ):
        return True  # "Moonshot debuted its open-source Kimi K2.5 model"
    if before_mentions and _MODELS_AFTER.match(after) and _APPOSITIVE_BEFORE.search(before[-40:]):
        return True  # "gpt-oss-120b and gpt-oss-20b—two state-of-the-art open-weight language models"
    if _SINGULAR_MODEL_AFTER.match(after) or phrase.endswith("model"):
        if here.mentions:
            return True
        if _negated(before) and _ANAPHOR_ANYWHERE.search(before):
            return True  # "this model will not be available in an open-source version"
        return not _INDEFINITE_BEFORE.search(before) and bool(_ANAPHOR_ANYWHERE.search(text))
    if _INCLUSION_AFTER.match(after) or _MEMBERSHIP.search(before[-45:]):
        return bool(here.mentions) or anaphoric
    if "weight" in phrase and _WEIGHTS_NOUN_BEFORE.search(before[-30:]):
        return bool(here.mentions)
    return False


_COORDINATED = re.compile(
    r"\b(?:proprietary|closed(?:[\s-]source)?|commercial|open(?:[\s-](?:source|weights?))?)\s+(?:and|or|&|/)\s+$", re.I
)
_COORDINATED_AFTER = re.compile(r"^\s*(?:and|or|&|/)\s+(?:proprietary|closed|commercial|open)", re.IGNORECASE)
_AFTER_GAP = re.compile(
    r"^[\s\w'’-]{0,40}?(?:[:,—–(]\s*)?(?:(?:like|such as|including|of|namely|e\.g\.,?)\s+)?$", re.IGNORECASE
)
_COUNTED = re.compile(r"\b(two|three|four|five|six|seven|eight|both)\b", re.IGNORECASE)
_COUNTS = {"two": 2, "both": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8}
_FOR_LIST = re.compile(r"\bfor\s+(?:both\s+|all\s+)?$", re.IGNORECASE)
_BEFORE_GAP_BREAK = re.compile(
    r"[;.!?]|\b(?:than|unlike|while|whereas|but|vs|versus|compared|outperform\w*|against|beats?|surpass\w*|rival\w*)\b",
    re.IGNORECASE,
)
_PART_OF = re.compile(
    r"\b(?:checkpoints?|variants?|versions?|weights|base model|base|code|data|dataset|tokenizer|paper|report|"
    r"predecessors?|successors?)\s+(?:of|for)\s+$",
    re.IGNORECASE,
)


def _enumeration_from(here: _Here, first: Mention) -> list[Mention]:
    out = [first]
    index = here.position(first)
    while index + 1 < len(here.mentions) and _ENUM_GAP.match(
        here.text[here.mentions[index].end : here.mentions[index + 1].start]
    ):
        index += 1
        out.append(here.mentions[index])
    return out


def _enumeration_start_of(here: _Here, mention: Mention) -> int:
    return here._enumeration_start(mention)


def _targets(here: _Here, match: re.Match[str]) -> list[Mention] | None:
    """The mentions an openness phrase is about: ``our open-source model, X``, ``open-weighting two models: X, Y``,
    ``X is open-weight``; [] when the phrase is not attached to a named model, None when it is about a part of
    one (``the base checkpoint for X was not open-sourced``)."""
    text = here.text
    after = [m for m in here.mentions if m.start >= match.end()]
    if after and len(text[match.end() : after[0].start]) <= 45 and _AFTER_GAP.match(text[match.end() : after[0].start]):
        listed = _enumeration_from(here, after[0])
        counted = _COUNTED.search(text[match.end() : after[0].start])
        if counted and len(listed) < _COUNTS[counted.group(1).lower()]:
            # "open-weighting two MoE models: X, a large model with …, and Y"
            wanted = _COUNTS[counted.group(1).lower()]
            listed = [m for m in after if not here.compared(m)][:wanted]
        return listed
    if _VERB_FORM.search(match.group(0)) and after:
        tail = [m for m in after if _FOR_LIST.search(text[: _enumeration_start_of(here, m)])]
        if tail:
            return _enumeration_from(here, tail[0])  # "we have open-sourced … for both GLM-4.5 and GLM-4.5-Air"
    before = [m for m in here.mentions if m.end <= match.start()]
    if before:
        nearest = before[-1]
        gap = text[nearest.end : match.start()]
        if len(gap) <= 45 and not _BEFORE_GAP_BREAK.search(gap):
            if _PART_OF.search(text[: nearest.start]):
                return None
            if not here.compared(nearest) or here.included(nearest):
                start = here.mentions.index(nearest)
                group = [nearest]
                while start > 0 and _ENUM_GAP.match(text[here.mentions[start - 1].end : here.mentions[start].start]):
                    start -= 1
                    group.insert(0, here.mentions[start])
                return group
    return []


def _openness_statements(here: _Here) -> list[tuple[str, re.Match[str]]]:
    """(``open`` | ``api-only``, the phrase) for every openness statement of the sentence."""
    text = here.text
    out: list[tuple[str, re.Match[str]]] = []
    for match in _OPEN.finditer(text):
        if _COORDINATED.search(text[: match.start()][-40:]) or _COORDINATED_AFTER.match(text[match.end() :]):
            continue  # "proprietary and open-source models": a mixed list, no statement about any one model
        if not _asserted(here, match):
            continue
        out.append(("api-only" if _negated(text[: match.start()]) else "open", match))
    for match in _CLOSED.finditer(text):
        if _COORDINATED.search(text[: match.start()][-40:]) or _COORDINATED_AFTER.match(text[match.end() :]):
            continue
        if not _asserted(here, match):
            continue
        out.append(("open" if _negated(text[: match.start()]) else "api-only", match))
    for match in _API_ONLY.finditer(text):
        if here.mentions or not re.search(r"\b(?:models|they|their)\b", text[: match.start()], re.IGNORECASE):
            out.append(("api-only", match))
    values = {value for value, _ in out}
    if len(values) > 1:
        open_weights = any("weight" in m.group(0).lower() for v, m in out if v == "open")
        closed_weights = any("weight" in m.group(0).lower() for v, m in out if v == "api-only")
        if open_weights and not closed_weights:
            return [(v, m) for v, m in out if v == "open"]  # "open-weight, not open-source in the software sense"
        return []
    return out


def _openness(ctx: _Context, here: _Here) -> None:
    statements = _openness_statements(here)
    if not statements:
        return
    value = statements[0][0]
    phrase = statements[0][1].group(0)
    targets: list[Mention] = []
    for _value, match in statements:
        attached = _targets(here, match)
        if attached is None:
            return
        for mention in attached:
            if mention not in targets:
                targets.append(mention)
    if targets:
        subs = [_Sub(m.text, "sentence") for m in targets]
    elif here.mentions:
        named = [m for m in here.mentions if not here.compared(m) and not _PART_OF.search(here.text[: m.start])]
        if len(named) != 1:
            return  # several models, none attached to the statement: whose openness is it?
        subs = [_Sub(named[0].text, "sentence")]
    elif ctx.topic_list and _PLURAL_ANAPHOR.search(here.text):
        subs = [_Sub(m.text, "context") for m in ctx.topic_list]
    elif ctx.topic is not None:
        subs = [_Sub(ctx.topic.text, "context")]
    else:
        subs = [_Sub(ctx.document_subject, "document")]
    for sub in subs:
        _emit(ctx, here, sub, "openness", value, extra={"as_written": phrase})
