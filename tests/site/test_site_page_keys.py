"""Model pages' quick keys: after a price change only the changed model's page inputs are hashed, and a
change the quick key does not see per model (a claim edited in place) still re-renders the right page."""

from __future__ import annotations

from sqlalchemy import select, update
from test_site_incremental import MISTRAL, _cut_price

from tracker.site import page_keys, workers
from tracker.site.build import build_site
from tracker.site.inputs import read_inputs
from tracker.site.paths import output_file
from tracker.store.db import session_scope
from tracker.store.tables import Claim, Model
from tracker.urls import model_path


def _hashed_models(monkeypatch) -> list[str]:
    """The keys of the models whose page inputs the build hashes."""
    hashed: list[str] = []

    def counting(salt, inputs, *parts):
        hashed.append(inputs.model.key)
        return workers.page_hash.__wrapped__(salt, inputs, *parts)

    counting.__wrapped__ = workers.page_hash  # type: ignore[attr-defined]
    monkeypatch.setattr(workers, "page_hash", counting)
    return hashed


def test_a_price_change_hashes_the_inputs_of_the_changed_models_page_only(small_site, sessions, monkeypatch):
    # The first build recorded each model page's quick key beside its input hash.
    recorded = read_inputs(small_site.out)
    assert recorded is not None
    page = output_file(model_path(MISTRAL))
    assert page_keys.split(recorded.hashes[page])[1]
    _cut_price(sessions, subject=MISTRAL, model_id=4, new="0.04")
    hashed = _hashed_models(monkeypatch)
    again = build_site(sessions, small_site.settings, small_site.out)
    with sessions() as session:
        lineage = set(session.scalars(select(Model.key).where(Model.base_model_id == 4)))
    assert MISTRAL in hashed and set(hashed) <= {MISTRAL} | lineage
    assert "$0.04" in small_site.page(model_path(MISTRAL)) and 0 < again.rendered < again.pages // 2


def test_a_claim_edited_in_place_re_renders_its_models_page_as_a_cold_build_does(
    small_site, sessions, tmp_path, monkeypatch
):
    with sessions() as session:
        key = session.scalar(select(Model.key).where(Model.id == 6))
    page = output_file(model_path(key))
    before = (small_site.out / page).read_bytes()
    with session_scope(sessions) as session:
        session.execute(update(Claim).where(Claim.id == 10).values(status="outdated"))
    hashed = _hashed_models(monkeypatch)
    build_site(sessions, small_site.settings, small_site.out)
    # Every page's quick key changed with the claims table: each page's full input hash decided.
    assert len(hashed) == small_site.result.models
    cold = tmp_path / "cold"
    build_site(sessions, small_site.settings, cold)
    assert (small_site.out / page).read_bytes() == (cold / page).read_bytes() != before
