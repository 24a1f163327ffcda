"""One way to turn a ``--model`` argument into a model, for every command that takes one.

``resolve_model(session, name)`` tries, in order:

1. a model key (``qwen/qwen3-max``, any case);
2. an OpenRouter id, variants included (``qwen/qwen3-max:free`` → its model);
3. a Hugging Face repo id (``Qwen/Qwen3-235B-A22B``, any case);
4. a name, resolved like a mention in an article (:mod:`tracker.claims.linking`:
   ``Qwen3-Max``, ``Qwen 3 Max``, reviewed aliases), originals before derivatives.

A name that fits no model, or several, is an :class:`UnknownModelError` (a
:class:`~tracker.errors.TrackerError`: the CLI prints it on one line and exits 2).
:func:`model_subjects` gives the ids events and prices use for the model.
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tracker.claims.linking import build_index
from tracker.errors import TrackerError
from tracker.store.tables import Model, OpenRouterListing
from tracker.store.tables.huggingface import HfRepo

#: Candidates named in the message of an ambiguous name.
SHOWN_CANDIDATES = 5


class UnknownModelError(TrackerError):
    """``--model`` names no model, or several."""


def resolve_model(session: Session, name: str) -> Model:
    """The model ``name`` means (see the module docstring), or :class:`UnknownModelError`."""
    text = name.strip()
    if not text:
        raise UnknownModelError("--model needs a model key, an OpenRouter or Hugging Face id, or a name")
    lower = text.lower()
    model = session.scalars(select(Model).where(func.lower(Model.key) == lower).order_by(Model.id).limit(1)).first()
    if model is not None:
        return model
    for query in (
        select(OpenRouterListing.model_id).where(OpenRouterListing.id == text),
        select(HfRepo.model_id).where(HfRepo.id_lower == lower),
    ):
        model_id = session.scalars(query.limit(1)).first()
        if model_id is not None:
            found = session.get(Model, model_id)
            if found is not None:
                return found
    resolution = build_index(session).resolve(text)
    if resolution.model_id is not None:
        found = session.get(Model, resolution.model_id)
        if found is not None:
            return found
    if resolution.method == "ambiguous":
        keys = sorted(
            session.scalars(select(Model.key).where(Model.id.in_(resolution.candidates[: SHOWN_CANDIDATES + 1])))
        )
        more = ", …" if len(resolution.candidates) > SHOWN_CANDIDATES else ""
        raise UnknownModelError(
            f"{text!r} fits {len(resolution.candidates)} models ({', '.join(keys[:SHOWN_CANDIDATES])}{more}); "
            "give its key"
        )
    raise UnknownModelError(f"no model named {text!r} (try `tracker models` for the keys)")


def model_subjects(session: Session, model: Model) -> set[str]:
    """Every id the sources use for ``model``: its key, its OpenRouter ids (variants too), its Hub repos."""
    subjects = {model.key}
    if model.openrouter_id:
        subjects.add(model.openrouter_id)
    if model.hf_repo_id:
        subjects.add(model.hf_repo_id)
    subjects.update(session.scalars(select(OpenRouterListing.id).where(OpenRouterListing.model_id == model.id)))
    subjects.update(session.scalars(select(HfRepo.id).where(HfRepo.model_id == model.id)))
    return subjects
