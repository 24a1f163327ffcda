"""Stored document claims are re-linked a batch at a time (memory bounded by the batch, not by every claim
stored): a post read before the models it names ends up linked to them, whatever the batch size."""

from __future__ import annotations

import pytest
from helpers.hub_chunks import NOW, vendor_post
from sqlalchemy import select

import tracker.update.relink as relink_step
from tracker.store.identity import ensure_models
from tracker.store.tables import Claim

NAMES = [f"Quux-{i}-7B" for i in range(7)]


def post_claims(session) -> None:
    vendor_post(session, "https://quux.test/post", "quux", NAMES, ["7e9"] * len(NAMES))


@pytest.mark.parametrize("batch", [1, 3, 2000])
def test_claims_read_before_their_models_are_linked_once_the_models_exist(sessions, monkeypatch, batch):
    monkeypatch.setattr(relink_step, "BATCH", batch)
    with sessions.begin() as session:
        post_claims(session)
        assert relink_step.relink_claims(session) == (0, set())  # no model by those names yet
        ids = ensure_models(session, [(f"quux/{name.lower()}", "quux", name) for name in NAMES], seen_at=NOW)
        written, touched = relink_step.relink_claims(session)
    assert (written, touched) == (len(NAMES), set(ids.values()))
    with sessions() as session:
        linked = dict(session.execute(select(Claim.mention, Claim.model_id)).all())
        statuses = set(session.scalars(select(Claim.status)))
    assert linked == {name: ids[f"quux/{name.lower()}"] for name in NAMES}
    assert statuses == {"unchecked"}
