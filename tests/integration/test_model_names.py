"""``--model`` means the same model in ``changes``, ``claims`` and ``models``; an unknown name exits 2."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest
from sqlalchemy import insert

from tracker.cli import main
from tracker.cli.resolve import UnknownModelError, model_subjects, resolve_model
from tracker.events.types import AliasChanged, ClaimDisputed, ModelAdded, PriceChanged
from tracker.store.events import insert_events
from tracker.store.tables import Model, OpenRouterListing

T = dt.datetime(2026, 3, 17, tzinfo=dt.UTC)


def _model(session, key: str, name: str, **more) -> int:
    row = {
        "key": key,
        "vendor": key.split("/")[0],
        "name": name,
        "first_seen_at": T,
        "updated_at": T,
        "is_derivative": False,
        "open_weight_status": "api-only",
        **more,
    }
    return session.execute(insert(Model).returning(Model.id), [row]).scalar_one()


def _listing(session, listing_id: str, model_id: int, name: str, variant: str | None = None) -> None:
    session.execute(
        insert(OpenRouterListing),
        [
            {
                "id": listing_id,
                "model_id": model_id,
                "base_id": listing_id.split(":")[0],
                "variant": variant,
                "name": name,
                "first_seen_at": T,
                "last_changed_at": T,
                "content_hash": "v1:x",
            }
        ],
    )


@pytest.fixture
def names_db(sessions, db_url, monkeypatch):
    with sessions() as session:
        qwen = _model(session, "qwen/qwen3-max", "Qwen: Qwen3 Max", openrouter_id="qwen/qwen3-max")
        _listing(session, "qwen/qwen3-max", qwen, "Qwen: Qwen3 Max")
        _listing(session, "qwen/qwen3-max:free", qwen, "Qwen: Qwen3 Max (free)", variant="free")
        _model(session, "other/qwen3-coder", "Qwen3 Coder")
        _model(session, "third/qwen3-coder", "Qwen3 Coder")
        _model(session, "openai/gpt-oss-120b", "gpt-oss-120b")
        insert_events(
            session,
            [
                ModelAdded(subject="qwen/qwen3-max", source="openrouter", detected_at=T, model_key="qwen/qwen3-max"),
                PriceChanged(
                    subject="qwen/qwen3-max:free",
                    source="openrouter",
                    detected_at=T,
                    component="prompt",
                    old_status="priced",
                    new_status="free",
                    old=Decimal("0.5"),
                ),
                ClaimDisputed(
                    subject="qwen/qwen3-max",
                    source="claims",
                    detected_at=T,
                    model_key="qwen/qwen3-max",
                    attribute="openness",
                    shown="api-only",
                    contrary="open",
                ),
                ModelAdded(subject="openai/gpt-oss-120b", source="openrouter", detected_at=T, model_key="gpt"),
                AliasChanged(subject="~qwen/qwen-latest", source="openrouter", detected_at=T, old="a", new="b"),
            ],
            run_id=None,
        )
        session.commit()
    monkeypatch.setenv("TRACKER_DATABASE_URL", db_url)
    monkeypatch.delenv("TRACKER_CONFIG", raising=False)
    return sessions


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("qwen/qwen3-max", "qwen/qwen3-max"),  # the key
        ("QWEN/Qwen3-Max", "qwen/qwen3-max"),  # any case
        ("qwen/qwen3-max:free", "qwen/qwen3-max"),  # an OpenRouter variant id
        ("Qwen3-Max", "qwen/qwen3-max"),  # a name, like a mention in an article
        ("Qwen 3 Max", "qwen/qwen3-max"),
        ("gpt-oss-120b", "openai/gpt-oss-120b"),
    ],
)
def test_names_resolve_to_one_model(names_db, name, key):
    with names_db() as session:
        assert resolve_model(session, name).key == key


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("Qwen3-Minimum", "no model named 'Qwen3-Minimum'"),
        ("Qwen3 Coder", "'Qwen3 Coder' fits 2 models (other/qwen3-coder, third/qwen3-coder)"),
        ("  ", "--model needs"),
    ],
)
def test_unknown_and_ambiguous_names_are_errors(names_db, name, message):
    with names_db() as session, pytest.raises(UnknownModelError, match=message.replace("(", r"\(").replace(")", r"\)")):
        resolve_model(session, name)


def test_subjects_of_a_model_include_its_variants(names_db):
    with names_db() as session:
        model = resolve_model(session, "Qwen3-Max")
        assert model_subjects(session, model) == {"qwen/qwen3-max", "qwen/qwen3-max:free"}


def test_changes_by_name_finds_the_models_events(names_db, capsys):
    capsys.readouterr()
    assert main(["changes", "--model", "Qwen3-Max", "--json"]) == 0
    events = json.loads(capsys.readouterr().out)
    assert [(e["kind"], e["model"]) for e in events] == [
        ("model_added", "qwen/qwen3-max"),
        ("price_changed", "qwen/qwen3-max:free"),
        ("claim_disputed", "qwen/qwen3-max"),
    ]
    # the same events whichever way the model is named
    for name in ("qwen/qwen3-max", "qwen/qwen3-max:free", "Qwen 3 Max"):
        assert main(["changes", "--model", name, "--json"]) == 0
        assert json.loads(capsys.readouterr().out) == events
    assert main(["changes", "--model", "Qwen3-Max", "--kind", "price_changed"]) == 0
    assert "price_changed" in capsys.readouterr().out


def test_models_by_name_lists_that_model(names_db, capsys):
    capsys.readouterr()
    assert main(["models", "--model", "Qwen3-Max", "--json"]) == 0
    assert [r["key"] for r in json.loads(capsys.readouterr().out)] == ["qwen/qwen3-max"]


@pytest.mark.parametrize("command", ["changes", "claims", "models"])
def test_an_unknown_model_exits_2_with_a_message(names_db, capsys, command):
    capsys.readouterr()
    assert main([command, "--model", "Qwen3-Minimum"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.strip() == (
        "tracker: error: no model named 'Qwen3-Minimum' (try `tracker models` for the keys)"
    )


def test_changes_of_a_subject_that_is_no_model(names_db, capsys):
    """A moving alias is no model, but its events are still found by their subject."""
    capsys.readouterr()
    assert main(["changes", "--model", "~qwen/qwen-latest", "--json"]) == 0
    assert [(e["kind"], e["old"], e["new"]) for e in json.loads(capsys.readouterr().out)] == [
        ("alias_changed", "a", "b")
    ]
