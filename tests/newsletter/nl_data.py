"""Small hand-made newsletter databases: a fixed week of changes, hostile text, synthetic snapshots."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from tracker.events.types import (
    BenchmarkClaimAdded,
    ClaimDisputed,
    ContextLengthChanged,
    DisputeResolved,
    Event,
    LicenseChanged,
    ModelAdded,
    ModelDelisted,
    OpenWeightStatusChanged,
    PriceChanged,
)
from tracker.store.events import insert_events
from tracker.store.tables import Model, Price

WEEK = "2026-W12"
#: Monday of 2026-W12 and the first instant after it.
START = dt.datetime(2026, 3, 16, tzinfo=dt.UTC)
END = dt.datetime(2026, 3, 23, tzinfo=dt.UTC)
#: "Now" for builds of that week: the following Monday morning.
NOW = dt.datetime(2026, 3, 23, 8, 0, tzinfo=dt.UTC)


def at(day: int, hour: int = 0) -> dt.datetime:
    """A time in March 2026 (UTC)."""
    return dt.datetime(2026, 3, day, hour, tzinfo=dt.UTC)


def add_model(session: Session, key: str, *, first_seen: dt.datetime, **fields: Any) -> int:
    row = {
        "key": key,
        "vendor": key.split("/")[0],
        "name": None,
        "first_seen_at": first_seen,
        "updated_at": first_seen,
        "is_derivative": False,
        "open_weight_status": "unknown",
    }
    row.update(fields)
    return session.execute(insert(Model).returning(Model.id), [row]).scalar_one()


def add_price(
    session: Session,
    model_id: int,
    subject: str,
    component: str,
    usd_per_mtok: str | None,
    *,
    first_seen: dt.datetime,
    status: str = "priced",
    tier: str = "",
) -> None:
    session.execute(
        insert(Price),
        [
            {
                "source": "openrouter",
                "subject": subject,
                "model_id": model_id,
                "component": component,
                "tier": tier,
                "status": status,
                "usd_per_mtok": Decimal(usd_per_mtok) if usd_per_mtok is not None else None,
                "unit": "mtok",
                "first_seen_at": first_seen,
            }
        ],
    )


def price_event(subject: str, component: str, old: str | None, new: str | None, when: dt.datetime, **kw: Any) -> Event:
    key = kw.pop("model_key", subject.split(":")[0])
    old_d = Decimal(old) if old is not None else None
    new_d = Decimal(new) if new is not None else None
    percent = None
    if old_d and new_d is not None:
        percent = ((new_d - old_d) / old_d * 100).quantize(Decimal("0.01"))
    return PriceChanged(
        subject=subject,
        source="openrouter",
        detected_at=when,
        model_key=key,
        component=component,
        old=old_d,
        new=new_d,
        old_status=kw.pop("old_status", "priced" if old is not None else "absent"),
        new_status=kw.pop("new_status", "priced" if new is not None else "absent"),
        percent=percent,
        **kw,
    )


def fixed_week(session: Session) -> None:
    """The golden database: one of everything the digest reports, plus noise it must leave out."""
    earlier = at(2)
    # Known before the week.
    qwen = add_model(
        session,
        "qwen/qwen3-max",
        first_seen=earlier,
        name="Qwen: Qwen3 Max",
        vendor="qwen",
        open_weight_status="api-only",
        license_class="proprietary",
        context_length=262144,
        openrouter_id="qwen/qwen3-max",
    )
    llama = add_model(
        session,
        "meta-llama/llama-3.1-405b-instruct",
        first_seen=earlier,
        name="Meta: Llama 3.1 405B Instruct",
        vendor="meta-llama",
    )
    add_model(session, "mistralai/mistral-small", first_seen=earlier, name="Mistral Small", vendor="mistralai")
    add_model(session, "acme/weights-later", first_seen=earlier, name="Acme Weights Later", vendor="acme")
    # New this week: originals in two vendors, a derivative (left out), a model known only by its :free listing.
    rocket = add_model(
        session,
        "acme/rocket-1",
        first_seen=at(17, 9),
        name="Acme: Rocket 1",
        vendor="acme",
        open_weight_status="open",
        license_key="Apache-2.0",
        license_class="permissive",
        params_total=235_000_000_000,
        params_active=22_000_000_000,
        params_source="safetensors",
        context_length=131072,
        openrouter_id="acme/rocket-1",
        released_at=at(16),
    )
    mini = add_model(
        session,
        "acme/rocket-1-mini",
        first_seen=at(18),
        name="Acme: Rocket 1 Mini",
        vendor="acme",
        open_weight_status="gated",
        license_key="LicenseRef-acme",
        license_class="open-weights-restricted",
        params_total=7_615_616_512,
        params_source="name",
        context_length=32768,
        openrouter_id="acme/rocket-1-mini",
    )
    add_model(
        session,
        "acme/rocket-1-GGUF",
        first_seen=at(18),
        name="Rocket 1 GGUF",
        vendor="acme",
        is_derivative=True,
        base_relation="quantized",
    )
    zed = add_model(
        session,
        "zeta/zed-2",
        first_seen=at(20),
        name="Zeta: Zed 2",
        vendor="zeta",
        open_weight_status="api-only",
        license_class="proprietary",
        context_length=1_000_000,
    )
    free_only = add_model(session, "zeta/zed-2-lite", first_seen=at(21), vendor="zeta")
    # After the week: not in this issue.
    add_model(session, "acme/rocket-2", first_seen=at(23, 1), name="Acme: Rocket 2", vendor="acme")

    add_price(session, rocket, "acme/rocket-1", "prompt", "0.3", first_seen=at(17, 9))
    add_price(session, rocket, "acme/rocket-1", "completion", "1.2", first_seen=at(17, 9))
    add_price(session, rocket, "acme/rocket-1:free", "prompt", "0", first_seen=at(17, 9), status="free")
    add_price(session, mini, "acme/rocket-1-mini", "prompt", "0.05", first_seen=at(18))
    add_price(session, mini, "acme/rocket-1-mini", "completion", "0.2", first_seen=at(18))
    add_price(session, mini, "acme/rocket-1-mini", "prompt", "0.04", first_seen=at(21))  # later price wins
    add_price(session, zed, "zeta/zed-2", "prompt", "2", first_seen=at(20))
    add_price(session, zed, "zeta/zed-2", "completion", "8", first_seen=at(20))
    add_price(session, free_only, "zeta/zed-2-lite:free", "prompt", "0", first_seen=at(21), status="free")
    add_price(session, free_only, "zeta/zed-2-lite:free", "completion", "0", first_seen=at(21), status="free")
    del qwen, llama

    events: list[Event] = [
        # Before the week: not reported.
        price_event("qwen/qwen3-max", "prompt", "1.5", "1.2", at(10)),
        # The cut, with jitter before and after it.
        price_event("qwen/qwen3-max", "prompt", "1.2", "1.22", at(16)),
        price_event("qwen/qwen3-max", "prompt", "1.22", "0.8", at(17)),
        price_event("qwen/qwen3-max", "prompt", "0.8", "0.78", at(18)),
        price_event("qwen/qwen3-max", "completion", "6", "3.9", at(17)),
        # A tier appears.
        price_event("qwen/qwen3-max", "prompt", None, "1.56", at(17), tier="prompt>=32000", min_prompt_tokens=32000),
        # Flip-flop: 0.1 → 0.103 → 0.1 (left out).
        price_event("mistralai/mistral-small", "prompt", "0.1", "0.103", at(16, 6)),
        price_event("mistralai/mistral-small", "prompt", "0.103", "0.1", at(19)),
        # Under the 2 % threshold: 0.3 → 0.305 (+1.67 %, left out).
        price_event("mistralai/mistral-small", "completion", "0.3", "0.305", at(20)),
        # A model becomes free.
        price_event(
            "mistralai/mistral-small", "request", "0.001", "0", at(21), new_status="free", unit="usd_per_request"
        ),
        # Licence and openness changes; one that went and came back (left out).
        LicenseChanged(
            subject="acme/weights-later",
            source="huggingface",
            detected_at=at(18),
            model_key="acme/weights-later",
            old="LicenseRef-acme-research",
            new="Apache-2.0",
            old_class="non-commercial",
            new_class="permissive",
        ),
        OpenWeightStatusChanged(
            subject="acme/weights-later",
            source="huggingface",
            detected_at=at(19),
            model_key="acme/weights-later",
            old="api-only",
            new="open",
        ),
        LicenseChanged(
            subject="mistralai/mistral-small",
            source="huggingface",
            detected_at=at(18),
            model_key="mistralai/mistral-small",
            old="Apache-2.0",
            new="LicenseRef-mrl",
        ),
        LicenseChanged(
            subject="mistralai/mistral-small",
            source="huggingface",
            detected_at=at(19),
            model_key="mistralai/mistral-small",
            old="LicenseRef-mrl",
            new="Apache-2.0",
        ),
        # A dispute with both sides, and one opened and resolved within the week.
        ClaimDisputed(
            subject="qwen/qwen3-max",
            source="claims",
            detected_at=at(18),
            model_key="qwen/qwen3-max",
            attribute="openness",
            shown="api-only",
            contrary="open source",
            shown_source="openrouter + huggingface (no weights found)",
            contrary_source="press: example-news.com",
            quote="Qwen3-Max is open source and free to use.",
            url="https://example-news.com/qwen3-max",
        ),
        ClaimDisputed(
            subject="zeta/zed-2",
            source="claims",
            detected_at=at(20, 1),
            model_key="zeta/zed-2",
            attribute="context_length",
            shown="1000000",
            contrary="32000",
            shown_source="openrouter",
            contrary_source="vendor: zeta.example/blog",
        ),
        DisputeResolved(
            subject="zeta/zed-2",
            source="claims",
            detected_at=at(21),
            model_key="zeta/zed-2",
            attribute="context_length",
            value="1000000",
        ),
        BenchmarkClaimAdded(
            subject="acme/rocket-1",
            source="blogs",
            detected_at=at(17, 10),
            model_key="acme/rocket-1",
            benchmark="MMLU-Pro",
            value="84.6",
            unit="%",
            settings="thinking",
        ),
        BenchmarkClaimAdded(
            subject="acme/rocket-1",
            source="peers",
            detected_at=at(19),
            model_key="acme/rocket-1",
            benchmark="GPQA Diamond",
            value="71.2",
            unit="%",
            reporter="leaderboard",
            self_reported=False,
        ),
        # Delisted, and delisted-then-relisted (left out).
        ModelDelisted(
            subject="meta-llama/llama-3.1-405b-instruct",
            source="openrouter",
            detected_at=at(17),
            model_key="meta-llama/llama-3.1-405b-instruct",
            name="Meta: Llama 3.1 405B Instruct",
        ),
        ModelDelisted(
            subject="mistralai/mistral-small",
            source="openrouter",
            detected_at=at(19, 12),
            model_key="mistralai/mistral-small",
            name="Mistral Small",
        ),
        ModelAdded(
            subject="mistralai/mistral-small",
            source="openrouter",
            detected_at=at(20, 12),
            model_key="mistralai/mistral-small",
            name="Mistral Small",
            relisted=True,
        ),
        ModelDelisted(
            subject="acme/rocket-1:free",
            source="openrouter",
            detected_at=at(22, 23),
            model_key="acme/rocket-1",
            name="Acme: Rocket 1 (free)",
            variant="free",
        ),
        ContextLengthChanged(
            subject="zeta/zed-2",
            source="openrouter",
            detected_at=at(21),
            model_key="zeta/zed-2",
            old=524288,
            new=1_000_000,
        ),
        # After the week: not reported.
        ModelDelisted(subject="qwen/qwen3-max", source="openrouter", detected_at=at(23), model_key="qwen/qwen3-max"),
    ]
    insert_events(session, events, run_id=None)


def hostile_week(session: Session) -> None:
    """Source text written to break out of HTML, text and headers."""
    evil_name = '<script>alert("name")</script><img src=x onerror=alert(1)>\r\nBcc: victim@example.com'
    model = add_model(
        session,
        "evil/model",
        first_seen=at(17),
        vendor="evil<b>vendor</b>",
        name=evil_name,
        license_key='" onmouseover="alert(2)',
        open_weight_status="<i>open</i>",
    )
    add_price(session, model, "evil/model", "prompt", "1", first_seen=at(17))
    insert_events(
        session,
        [
            ClaimDisputed(
                subject="evil/model",
                source="claims",
                detected_at=at(18),
                model_key="evil/model",
                attribute="openness",
                shown="api-only",
                contrary='open" onclick="alert(3)',
                shown_source="openrouter",
                contrary_source="<a href='javascript:alert(4)'>press</a>",
                quote="</div><script>alert(5)</script>\n\nUnsubscribe: https://phish.example/",
                url="javascript:alert(6)",
            ),
            ClaimDisputed(
                subject="evil/model",
                source="claims",
                detected_at=at(18, 1),
                model_key="evil/model",
                attribute="license",
                shown="x",
                contrary="y",
                shown_source="a",
                contrary_source="b",
                url="JaVaScRiPt:alert(7)",
            ),
            BenchmarkClaimAdded(
                subject="evil/model",
                source="blogs",
                detected_at=at(18),
                model_key="evil/model",
                benchmark="<svg onload=alert(8)>",
                value="99",
            ),
            ModelDelisted(
                subject="evil/model:free",
                source="openrouter",
                detected_at=at(19),
                model_key="evil/model",
                name="x",
                variant="free\r\nX-Injected: 1",
            ),
        ],
        run_id=None,
    )


def model_entry(model_id: str, prompt: str, completion: str, *, name: str | None = None) -> dict[str, Any]:
    return {
        "id": model_id,
        "name": name or model_id,
        "context_length": 131072,
        "created": 1773000000,
        "pricing": {"prompt": prompt, "completion": completion},
    }


def write_snapshot(folder: Path, day: dt.date, entries: list[dict[str, Any]]) -> Path:
    path = folder / f"models-{day.isoformat()}.json"
    path.write_text(json.dumps({"data": entries}))
    return path


def model_keys(session: Session) -> list[str]:
    return sorted(session.scalars(select(Model.key)))
