"""Hand-made data for the site tests: a small fixed database, the Qwen3-Max story, a newsletter archive.

Everything has explicit ids and times, so the built site is the same on every
run and on SQLite and Postgres (the golden test compares it byte for byte).
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from tracker.config import NewsletterSettings, Settings, SiteSettings
from tracker.site.build import SiteBuildResult
from tracker.store.tables import Claim, Dispute, Document, Event, Model, Observation, OpenRouterListing, Price

API = "https://openrouter.ai/api/v1/models"


@dataclass
class BuiltSite:
    out: Path
    result: SiteBuildResult
    settings: Settings

    def page(self, path: str) -> str:
        """The HTML of the page at a site path (``models/qwen/qwen3-max/``) or a file (``feed.xml``)."""
        target = self.out / (path + "index.html" if path == "" or path.endswith("/") else path)
        return target.read_text(encoding="utf-8")


def site_settings(db_url: str, newsletter_dir: Path, **site: Any) -> Settings:
    return Settings(
        database_url=db_url,
        newsletter=NewsletterSettings(archive_dir=str(newsletter_dir)),
        site=SiteSettings(base_url="https://tracker.example.org/", **site),
    )


def t(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=dt.UTC)


HOSTILE_NAME = "<script>alert('name')</script><img src=x onerror=alert('img')>"
HOSTILE_VENDOR = 'evil"><b onmouseover=alert(1)>'
HOSTILE_DESCRIPTION = (
    "Totally safe. <script>alert('desc')</script> [click me](javascript:alert('link')) "
    "<img src=x onerror=alert('desc-img')>"
)
HOSTILE_CARD = (
    "---\nlicense: mit\n---\n# Evil card\n\n<script>alert('card')</script>\n\n"
    "<a href=\"javascript:alert('card-link')\">click</a> <svg onload=alert('svg')></svg>\n\n"
    '<iframe src="https://attacker.example/"></iframe>\n\n![pixel](https://attacker.example/p.gif)\n\n'
    "Normal **bold** text and a [relative link](LICENSE)."
)
HOSTILE_QUOTE = "</blockquote><script>alert('quote')</script> it is open source"


def _model(id_: int, key: str, vendor: str, name: str, seen: str, **extra: Any) -> dict[str, Any]:
    row = {
        "id": id_,
        "key": key,
        "vendor": vendor,
        "name": name,
        "first_seen_at": t(seen),
        "released_at": t(seen),
        "is_derivative": False,
        "base_model_id": None,
        "base_relation": None,
        "open_weight_status": "unknown",
        "open_weight_evidence": None,
        "license_key": None,
        "license_class": None,
        "params_total": None,
        "params_active": None,
        "params_source": None,
        "context_length": None,
        "hf_repo_id": None,
        "openrouter_id": None,
        "updated_at": t(seen),
    }
    row.update(extra)
    return row


def _listing(id_: str, model_id: int, name: str, seen: str, **extra: Any) -> dict[str, Any]:
    base, _, variant = id_.partition(":")
    row = {
        "id": id_,
        "model_id": model_id,
        "base_id": base,
        "variant": variant or None,
        "name": name,
        "description": None,
        "hugging_face_id": None,
        "context_length": None,
        "modality": "text->text",
        "created_upstream_at": t(seen),
        "status": "listed",
        "first_seen_at": t(seen),
        "last_changed_at": t(seen),
        "delisted_at": None,
        "content_hash": f"v1:{id_}",
        "last_observation_id": model_id,
    }
    row.update(extra)
    return row


def _price(
    subject: str,
    model_id: int,
    component: str,
    amount: str,
    first: str,
    last: str | None = None,
    *,
    tier: int | None = None,
    status: str = "priced",
) -> dict[str, Any]:
    return {
        "source": "openrouter",
        "subject": subject,
        "model_id": model_id,
        "component": component,
        "tier": f"prompt>={tier}" if tier else "",
        "min_prompt_tokens": tier,
        "status": status,
        "usd_per_mtok": Decimal(amount),
        "unit": "mtok",
        "raw": str(Decimal(amount) / 1_000_000),
        "first_seen_at": t(first),
        "last_seen_at": t(last) if last else None,
        "url": API,
    }


def _event(id_: int, kind: str, subject: str, model_id: int | None, at: str, **data: Any) -> dict[str, Any]:
    return {
        "id": id_,
        "kind": kind,
        "subject": subject,
        "model_id": model_id,
        "source": "openrouter",
        "detected_at": t(at),
        "data": data,
        "created_at": t(at),
    }


def fill_small_database(session: Session) -> None:
    """Six models covering every page element: API-only with a dispute, open permissive ones, gated,
    a derivative, and one whose name, vendor, description, card and quotes are hostile."""
    session.execute(
        insert(Model),
        [
            _model(
                1,
                "qwen/qwen3-max",
                "qwen",
                "Qwen: Qwen3 Max",
                "2025-09-23T21:26:48",
                open_weight_status="api-only",
                open_weight_evidence={"hub_repo": None, "checked": "no Qwen3-Max repository on the Hub"},
                license_class="proprietary",
                context_length=262144,
                openrouter_id="qwen/qwen3-max",
            ),
            _model(
                2,
                "openai/gpt-oss-120b",
                "openai",
                "OpenAI: gpt-oss-120b",
                "2025-08-05T17:00:00",
                open_weight_status="open",
                open_weight_evidence={"repo": "openai/gpt-oss-120b", "gated": False, "weight_files": 15},
                license_key="Apache-2.0",
                license_class="permissive",
                params_total=116_830_000_000,
                params_active=5_130_000_000,
                params_source="safetensors",
                context_length=131072,
                hf_repo_id="openai/gpt-oss-120b",
                openrouter_id="openai/gpt-oss-120b",
            ),
            _model(
                3,
                "meta-llama/llama-3.1-8b-instruct",
                "meta-llama",
                "Meta: Llama 3.1 8B Instruct",
                "2024-07-23T00:00:00",
                open_weight_status="gated",
                license_key="LicenseRef-llama3.1",
                license_class="open-weights-restricted",
                params_total=8_030_000_000,
                params_source="safetensors",
                context_length=131072,
                hf_repo_id="meta-llama/Llama-3.1-8B-Instruct",
                openrouter_id="meta-llama/llama-3.1-8b-instruct",
            ),
            _model(
                4,
                "mistralai/mistral-small-3.2-24b-instruct",
                "mistralai",
                "Mistral: Mistral Small 3.2 24B",
                "2025-06-20T00:00:00",
                open_weight_status="open",
                license_key="Apache-2.0",
                license_class="permissive",
                params_total=24_000_000_000,
                params_source="name",
                context_length=131072,
                hf_repo_id="mistralai/Mistral-Small-3.2-24B-Instruct-2506",
                openrouter_id="mistralai/mistral-small-3.2-24b-instruct",
            ),
            _model(
                5,
                "unsloth/gpt-oss-120b-GGUF",
                "unsloth",
                "gpt-oss-120b GGUF",
                "2025-08-06T00:00:00",
                open_weight_status="open",
                license_key="Apache-2.0",
                license_class="permissive",
                is_derivative=True,
                base_model_id=2,
                base_relation="quantized",
                hf_repo_id="unsloth/gpt-oss-120b-GGUF",
                released_at=None,
            ),
            _model(
                6,
                "evil/model",
                HOSTILE_VENDOR,
                HOSTILE_NAME,
                "2026-07-14T08:00:00",
                open_weight_status="open",
                license_key="MIT",
                license_class="permissive",
                context_length=4096,
                hf_repo_id="evil/model",
                openrouter_id="evil/model",
            ),
        ],
    )
    session.execute(
        insert(Observation),
        [
            {
                "id": i,
                "source": "openrouter",
                "subject": key,
                "observed_at": t("2026-07-13T19:34:00"),
                "url": API,
                "fetched_at": t("2026-07-13T19:34:05"),
                "http_status": 200,
                "content_hash": f"v1:{i}",
                "payload": {"id": key},
            }
            for i, key in ((1, "qwen/qwen3-max"), (2, "openai/gpt-oss-120b"), (3, "meta-llama"), (4, "m"), (6, "e"))
        ],
    )
    session.execute(
        insert(OpenRouterListing),
        [
            _listing(
                "qwen/qwen3-max",
                1,
                "Qwen: Qwen3 Max",
                "2025-12-02T00:00:00",
                context_length=262144,
                description="Qwen3-Max is an updated release built on the Qwen3 series, with **major improvements** "
                "in reasoning, instruction following and [tool use](https://qwen.ai/blog).",
                created_upstream_at=t("2025-09-23T21:26:48"),
            ),
            _listing(
                "openai/gpt-oss-120b",
                2,
                "OpenAI: gpt-oss-120b",
                "2025-08-05T17:00:00",
                context_length=131072,
                hugging_face_id="openai/gpt-oss-120b",
                description="An open-weight 117B MoE model from OpenAI.",
                created_upstream_at=t("2025-08-05T17:00:00"),
            ),
            _listing(
                "openai/gpt-oss-120b:free",
                2,
                "OpenAI: gpt-oss-120b (free)",
                "2025-08-06T00:00:00",
                context_length=32768,
            ),
            _listing(
                "meta-llama/llama-3.1-8b-instruct",
                3,
                "Meta: Llama 3.1 8B Instruct",
                "2024-07-23T00:00:00",
                context_length=131072,
                status="delisted",
                delisted_at=t("2026-03-17T00:00:00"),
                created_upstream_at=t("2024-07-23T00:00:00"),
            ),
            _listing(
                "mistralai/mistral-small-3.2-24b-instruct",
                4,
                "Mistral: Mistral Small 3.2 24B",
                "2025-06-20T00:00:00",
                context_length=131072,
                created_upstream_at=t("2025-06-20T00:00:00"),
            ),
            _listing(
                "evil/model",
                6,
                HOSTILE_NAME,
                "2026-07-14T08:00:00",
                context_length=4096,
                description=HOSTILE_DESCRIPTION,
                created_upstream_at=t("2026-07-14T08:00:00"),
            ),
        ],
    )
    q = "qwen/qwen3-max"
    session.execute(
        insert(Price),
        [
            _price(q, 1, "prompt", "1.2", "2025-12-02T00:00:00", "2026-03-16T00:00:00"),
            _price(q, 1, "completion", "6", "2025-12-02T00:00:00", "2026-03-16T00:00:00"),
            _price(q, 1, "prompt", "0.78", "2026-03-17T00:00:00"),
            _price(q, 1, "completion", "3.9", "2026-03-17T00:00:00"),
            _price(q, 1, "prompt", "1.56", "2026-07-13T19:34:00", tier=32000),
            _price(q, 1, "completion", "7.8", "2026-07-13T19:34:00", tier=32000),
            _price(q, 1, "prompt", "1.95", "2026-07-13T19:34:00", tier=128000),
            _price(q, 1, "completion", "9.75", "2026-07-13T19:34:00", tier=128000),
            _price("openai/gpt-oss-120b", 2, "prompt", "0.09", "2025-08-05T17:00:00"),
            _price("openai/gpt-oss-120b", 2, "completion", "0.45", "2025-08-05T17:00:00"),
            _price("openai/gpt-oss-120b:free", 2, "prompt", "0", "2025-08-06T00:00:00", status="free"),
            _price("openai/gpt-oss-120b:free", 2, "completion", "0", "2025-08-06T00:00:00", status="free"),
            _price(
                "meta-llama/llama-3.1-8b-instruct", 3, "prompt", "0.02", "2024-07-23T00:00:00", "2026-03-16T00:00:00"
            ),
            _price("mistralai/mistral-small-3.2-24b-instruct", 4, "prompt", "0.06", "2025-06-20T00:00:00"),
            _price("mistralai/mistral-small-3.2-24b-instruct", 4, "completion", "0.18", "2025-06-20T00:00:00"),
            _price("evil/model", 6, "prompt", "0.5", "2026-07-14T08:00:00"),
            _price("evil/model", 6, "completion", "1", "2026-07-14T08:00:00"),
        ],
    )
    session.execute(
        insert(Event),
        [
            _event(1, "model_added", "meta-llama/llama-3.1-8b-instruct", 3, "2024-07-23T00:00:00", name="Meta: Llama"),
            _event(2, "model_added", "mistralai/mistral-small-3.2-24b-instruct", 4, "2025-06-20T00:00:00"),
            _event(3, "model_added", "openai/gpt-oss-120b", 2, "2025-08-05T17:00:00", prices={"prompt": "0.09"}),
            _event(4, "model_added", q, 1, "2025-12-02T00:00:00", context_length=262144, prices={"prompt": "1.2"}),
            _event(
                5,
                "price_changed",
                q,
                1,
                "2026-03-17T00:00:00",
                component="prompt",
                tier="",
                unit="usd_per_mtok",
                old="1.2",
                new="0.78",
                old_status="priced",
                new_status="priced",
                percent="-35",
            ),
            _event(
                6,
                "price_changed",
                q,
                1,
                "2026-03-17T00:00:00",
                component="completion",
                tier="",
                unit="usd_per_mtok",
                old="6",
                new="3.9",
                old_status="priced",
                new_status="priced",
                percent="-35",
            ),
            _event(7, "model_delisted", "meta-llama/llama-3.1-8b-instruct", 3, "2026-03-17T00:00:00"),
            _event(
                8,
                "price_changed",
                q,
                1,
                "2026-07-13T19:34:00",
                component="prompt",
                tier="prompt>=32000",
                min_prompt_tokens=32000,
                unit="usd_per_mtok",
                old=None,
                new="1.56",
                old_status="absent",
                new_status="priced",
            ),
            _event(9, "model_added", "evil/model", 6, "2026-07-14T08:00:00", name=HOSTILE_NAME),
            _event(10, "alias_changed", "~evil/latest<script>alert('alias')</script>", None, "2026-07-14T08:00:00"),
        ],
    )
    add_qwen_claims(session, model_id=1, first_claim_id=1)
    session.execute(
        insert(Claim),
        [
            {
                "id": 10,
                "model_id": 6,
                "attribute": "openness",
                "qualifier": "",
                "value": "open <b>source</b>",
                "reporter": "press",
                "source": "evil-news <script>alert('src')</script>",
                "url": "javascript:alert('claim-url')",
                "fetched_at": t("2026-07-14T08:00:00"),
                "quote": HOSTILE_QUOTE,
                "status": "consistent",
                "claim_hash": "evil-1",
                "created_at": t("2026-07-14T08:00:00"),
            }
        ],
    )
    session.execute(
        insert(Document),
        [
            {
                "id": 1,
                "url": "https://huggingface.co/openai/gpt-oss-120b/raw/main/README.md",
                "kind": "card",
                "vendor": "openai",
                "title": "gpt-oss-120b",
                "fetched_at": t("2026-07-13T12:00:00"),
                "content_hash": "c1",
                "text": "---\nlicense: apache-2.0\n---\n# gpt-oss-120b\n\nWelcome to the **gpt-oss** series. "
                "See the [license](LICENSE).\n\n| Size | Active |\n|---|---|\n| 117B | 5.1B |\n",
            },
            {
                "id": 2,
                "url": "https://huggingface.co/evil/model/raw/main/README.md",
                "kind": "card",
                "vendor": "evil",
                "title": "evil",
                "fetched_at": t("2026-07-14T08:00:00"),
                "content_hash": "c2",
                "text": HOSTILE_CARD,
            },
        ],
    )


QWEN_PRESS_QUOTE = "Alibaba just released Qwen3-Max. A trillion parameters. Open source. Free to use."
QWEN_PRESS_URL = "https://example-blog.test/trillion-parameters-zero-lock-in"


def add_qwen_claims(session: Session, *, model_id: int, first_claim_id: int | None = None) -> None:
    """The openness story: the Hub finds no weights (shown: api-only), a press article says open source (disputed)."""
    ids = {} if first_claim_id is None else {"id": first_claim_id}
    primary = session.execute(
        insert(Claim).returning(Claim.id),
        [
            {
                **ids,
                "model_id": model_id,
                "attribute": "openness",
                "qualifier": "",
                "value": "api-only",
                "reporter": "primary",
                "source": "huggingface",
                "url": "https://huggingface.co/api/models?author=Qwen",
                "fetched_at": t("2026-07-13T12:00:00"),
                "quote": None,
                "status": "shown",
                "claim_hash": f"qwen-primary-{model_id}",
                "created_at": t("2026-07-13T12:00:00"),
            }
        ],
    ).scalar_one()
    press_ids = {} if first_claim_id is None else {"id": first_claim_id + 1}
    press = session.execute(
        insert(Claim).returning(Claim.id),
        [
            {
                **press_ids,
                "model_id": model_id,
                "attribute": "openness",
                "qualifier": "",
                "value": "open source",
                "reporter": "press",
                "source": "A Trillion Parameters, Zero Lock-In (blog)",
                "url": QWEN_PRESS_URL,
                "published_at": t("2025-09-24T00:00:00"),
                "fetched_at": t("2026-07-13T12:00:00"),
                "quote": QWEN_PRESS_QUOTE,
                "status": "disputed",
                "claim_hash": f"qwen-press-{model_id}",
                "created_at": t("2026-07-13T12:00:00"),
            }
        ],
    ).scalar_one()
    session.execute(
        insert(Dispute),
        [
            {
                "model_id": model_id,
                "attribute": "openness",
                "qualifier": "",
                "status": "open",
                "opened_at": t("2026-07-13T12:00:00"),
                "shown_claim_id": primary,
                "data": {
                    "summary": "Press says open source; no weights on the Hub.",
                    "shown": [primary],
                    "contrary": [press],
                },
            }
        ],
    )


def add_qwen_story(session: Session) -> None:
    """After a backfill of the OpenRouter corpus: qwen/qwen3-max is api-only with a disputed openness claim,
    and two Apache-2.0 models have open weights (the Hugging Face columns another area fills in)."""
    qwen = session.execute(select(Model.id).where(Model.key == "qwen/qwen3-max")).scalar_one()
    session.execute(
        update(Model)
        .where(Model.id == qwen)
        .values(
            open_weight_status="api-only",
            license_class="proprietary",
            open_weight_evidence={"hub_repo": None, "checked": "no Qwen3-Max repository on the Hub"},
        )
    )
    for key in ("openai/gpt-oss-120b", "openai/gpt-oss-20b", "mistralai/mistral-small-3.2-24b-instruct"):
        session.execute(
            update(Model)
            .where(Model.key == key)
            .values(open_weight_status="open", license_key="Apache-2.0", license_class="permissive")
        )
    add_qwen_claims(session, model_id=qwen)


def write_newsletter_archive(folder: Path) -> None:
    issue = folder / "2026-W29"
    issue.mkdir(parents=True)
    (issue / "subject.txt").write_text("tracker 2026-W29: 3 new models, 1 price cut\n", encoding="utf-8")
    (issue / "email.txt").write_text(
        "The week in numbers: 3 new models.\n\nQwen3-Max prompt price cut to $0.78 per 1M tokens.\n"
        "<script>alert('newsletter')</script>\n",
        encoding="utf-8",
    )
    (issue / "email.html").write_text("<p>html part</p>", encoding="utf-8")
    (issue / "data.json").write_text(json.dumps({"week": "2026-W29", "items": 3}), encoding="utf-8")
    (folder / "not-a-week").mkdir()
