"""The final state does not depend on the order the sources were crawled in (issue 14, item 8).

The recorded OpenRouter listing, every recorded Hub organisation and a few
vendor feeds with the press (``helpers.crawl_order``) are crawled into a fresh
database in each of the six orders of the three kinds, through the real crawl
path (a crawl child per crawl, on one loopback server per order). Each order's
canonical dump — models with their shown values, claims with their statuses,
disputes with what they weigh — must equal the first order's. Before the fix,
Hub then OpenRouter left fewer OpenRouter claims and fewer disputes than
OpenRouter then Hub, and a clean re-crawl did not repair it; a post read before
the model it names was listed stayed unresolved.

Each order's world is built once per run (SQLite: a file per order; Postgres:
a schema of the test database per order, ``helpers.worlds``) by whichever
pytest-xdist worker first needs it, and only its dump is shared: the orders
are crawled on several workers at once.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from helpers.crawl_order import KINDS, ORDERS, Dump, OrderServer, canonical, crawl_in_order, differences
from helpers.server import FakeServer
from helpers.worlds import build_pg_world, build_sqlite_world, drop_pg_world, once_per_run

from tracker.store.db import make_engine

pytestmark = [pytest.mark.e2e, pytest.mark.slow, pytest.mark.timeout(1800)]

AGAIN = ("again",)


def _builder(
    corpus: Path, order: tuple[str, ...], dumps: dict[tuple[str, ...], Dump]
) -> Callable[[str, FakeServer], None]:
    def build(url: str, server: FakeServer) -> None:
        world = OrderServer.install(server, corpus)
        crawl_in_order(world.settings(url), order)
        engine = make_engine(url)
        try:
            dumps[order] = canonical(engine, server.url)
            if order == ORDERS[0]:  # every source once more: a clean re-crawl changes nothing
                crawl_in_order(world.settings(url), KINDS)
                dumps[AGAIN] = canonical(engine, server.url)
        finally:
            engine.dispose()

    return build


class Worlds:
    """Each order's dump, crawled when first asked for (``-k`` on one order crawls two worlds, not six)."""

    def __init__(self, factory: pytest.TempPathFactory, template: Path, pg_url: str | None, corpus: Path) -> None:
        self.factory, self.template, self.pg_url, self.corpus = factory, template, pg_url, corpus
        self.dumps: dict[tuple[str, ...], Dump] = {}

    def __getitem__(self, order: tuple[str, ...]) -> Dump:
        if order not in self.dumps:
            wanted = ORDERS[0] if order == AGAIN else order
            number = ORDERS.index(wanted)
            key = f"crawl-order-{number}" + ("-pg" if self.pg_url else "")
            self.dumps.update(once_per_run(self.factory, key, lambda folder: self._crawl(wanted, number, folder)))
        return self.dumps[order]

    def _crawl(self, order: tuple[str, ...], number: int, folder: Path) -> dict[tuple[str, ...], Dump]:
        dumps: dict[tuple[str, ...], Dump] = {}
        build = _builder(self.corpus, order, dumps)
        if self.pg_url:
            schema, _ = build_pg_world(self.pg_url, f"world_order_{number}", build)
            drop_pg_world(self.pg_url, schema)
        else:
            build_sqlite_world(self.template, folder / f"order{number}.db", build)
        return dumps


@pytest.fixture(scope="module")
def dumps(
    tmp_path_factory: pytest.TempPathFactory, _sqlite_template: Path, _pg_schema: str | None, corpus: Path
) -> Worlds:
    return Worlds(tmp_path_factory, _sqlite_template, _pg_schema, corpus)


def test_the_compared_state_holds_every_kind_of_fact(dumps: Worlds) -> None:
    """The comparison is not of empty databases: each source left claims, and the ledger opened disputes."""
    figures = dumps[ORDERS[0]].figures()
    assert figures["models"] > 300
    assert figures["claims openrouter"] > 100  # prices, context lengths, parameters, api-only openness
    assert figures["claims huggingface"] > 100
    assert figures["claims other"] > 1000  # posts, press, cards
    assert figures.get("disputes open", 0) >= 5
    assert figures.get("claims unresolved", 0) < figures["claims other"]


@pytest.mark.parametrize("order", ORDERS[1:], ids=["-".join(o) for o in ORDERS[1:]])
def test_every_order_leaves_the_same_models_claims_and_disputes(dumps: Worlds, order: tuple[str, ...]) -> None:
    first, other = dumps[ORDERS[0]], dumps[order]
    assert other.figures() == first.figures()
    assert differences(first, other) == []


def test_a_clean_re_crawl_of_every_source_changes_nothing(dumps: Worlds) -> None:
    assert differences(dumps[ORDERS[0]], dumps[AGAIN]) == []
