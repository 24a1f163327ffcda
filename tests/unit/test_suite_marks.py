"""The suite's own marks: ``.ci/run`` runs only ``-m db`` on Postgres, so a database test must carry it."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine


def test_a_test_that_opens_the_database_is_marked_db(request: pytest.FixtureRequest, engine: Engine) -> None:
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM models")).scalar_one() == 0
    assert request.node.get_closest_marker("db") is not None


def test_a_test_through_a_world_or_settings_is_marked_db(request: pytest.FixtureRequest, settings) -> None:
    assert settings.database_url
    assert request.node.get_closest_marker("db") is not None


def test_a_test_without_the_database_is_not_marked_db(request: pytest.FixtureRequest, tmp_path) -> None:
    assert request.node.get_closest_marker("db") is None
