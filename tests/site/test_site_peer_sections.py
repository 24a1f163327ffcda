"""The model page's peer sections, written in Python: the same bytes as the template they replace."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

from tracker.peers.report import ModelCatalogValue
from tracker.site.catalogs import peer_panel
from tracker.site.peer_sections import peer_sections
from tracker.site.queries import PriceRow
from tracker.site.render import environment

#: ``templates/site/_peers.html`` when the sections were rendered by Jinja (the reference).
TEMPLATE = (Path(__file__).parent / "peers_reference.html").read_text(encoding="utf-8")

HOSTILE = "<script>alert(\"x\")</script> & 'q'"
AT = dt.datetime(2026, 3, 17, 9, 30, tzinfo=dt.UTC)


def _value(**overrides: object) -> ModelCatalogValue:
    fields: dict[str, object] = {
        "catalog": "litellm",
        "source": "LiteLLM model_prices.json",
        "attribute": "context_length",
        "qualifier": "",
        "value": "131072",
        "unit": None,
        "quote": None,
        "url": None,
        "at": AT,
        "verdict": "agree",
        "primary": None,
        "stale_since": None,
    }
    fields.update(overrides)
    return ModelCatalogValue(**fields)  # type: ignore[arg-type]


def _price(subject: str, component: str, amount: str, **overrides: object) -> PriceRow:
    fields: dict[str, object] = {f: None for f in PriceRow.__dataclass_fields__}
    fields.update(
        source="openrouter",
        subject=subject,
        component=component,
        tier="",
        min_prompt_tokens=None,
        status="priced",
        usd_per_mtok=Decimal(amount),
        usd_per_unit=None,
        unit="mtok",
        provider=None,
        first_seen_at=AT,
        last_seen_at=None,
    )
    fields.update(overrides)
    return PriceRow(**fields)  # type: ignore[arg-type]


def _reference(peers: object, root: str) -> str:
    return environment().from_string(TEMPLATE).render(peers=peers, page={"root": root})


def test_the_sections_are_the_template_bytes_with_hostile_values():
    values = [
        _value(),
        _value(
            catalog=HOSTILE,
            source=HOSTILE,
            quote=HOSTILE,
            url="https://a.example/?a=1&b=<2>",
            verdict="wrong",
            primary=HOSTILE,
            value=HOSTILE,
            attribute="modality",
        ),
        _value(
            attribute="price",
            qualifier="prompt",
            value="0.0000012",
            verdict="stale",
            stale_since="2026-03-17T00:00",
            quote="input_cost_per_token=1.2e-06",
        ),
    ]
    prices = [
        _price("vendor/m", "prompt", "0.4"),
        _price("vendor/m", "completion", "1.6"),
        _price("vendor/m", "prompt", "0.8", tier="prompt>=200000", min_prompt_tokens=200000),
        _price("vendor/m", "request", "0.002", unit="request", usd_per_mtok=None, usd_per_unit=Decimal("0.002")),
        _price("vendor/m", "prompt", "0.3", provider=HOSTILE),
        _price("vendor/m", "completion", "1.2", provider=HOSTILE),
    ]
    for panel_values, panel_prices in ((values, prices), (values, []), ([], prices)):
        panel = peer_panel(panel_values, panel_prices)
        for root in ("../../../", "<&>"):
            assert str(peer_sections(panel, root)) == _reference(panel, root)
    assert "<script>" not in str(peer_sections(peer_panel(values, prices), "../"))


def test_no_panel_is_no_section():
    assert peer_panel([], []) is None
    assert str(peer_sections(None, "../")) == "" == _reference(None, "../")
