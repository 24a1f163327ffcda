"""Access to ../shared/corpus files in date order, and serving them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from helpers.server import FakeServer, Reply


def openrouter_snapshots(corpus: Path) -> list[Path]:
    """The ``/models`` snapshots, oldest first (file names sort by capture time)."""
    return sorted((corpus / "openrouter").glob("models-*.json"))


def snapshot(corpus: Path, name: str) -> Path:
    return corpus / "openrouter" / f"models-{name}.json"


def serve_openrouter(server: FakeServer, path: Path) -> None:
    """Serve one recorded snapshot at ``/api/v1/models`` exactly as recorded."""
    server.route("/api/v1/models", Reply(200, path.read_bytes(), {"Content-Type": "application/json"}))


def load(path: Path) -> Any:
    return json.loads(path.read_bytes())


# ───────────────────────── Hugging Face Hub ─────────────────────────

#: Fields the real listing returns when no ``expand[]`` is asked for.
#: The recorded OpenRouter ``/endpoints`` responses (``openrouter/endpoints/<name>.json``) the offers tests serve.
OFFER_FILES = (
    "deepseek__deepseek-v4-flash",
    "google__gemini-2.5-pro-preview",
    "meta-llama__llama-3.3-70b-instruct",
    "moonshotai__kimi-k2.6",
    "openai__gpt-oss-120b",
    "qwen__qwen3-max-thinking",
    "qwen__qwen3-max",
    "qwen__qwen3.5-plus-20260420",
    "qwen__qwen3.6-max-preview",
    "z-ai__glm-5.1",
)
HUB_LISTING_DEFAULT = ("likes", "private", "downloads", "tags", "pipeline_tag", "library_name", "createdAt")


def hub_details(corpus: Path) -> dict[str, dict[str, Any]]:
    """Recorded ``GET /api/models/{repo_id}`` bodies (newest capture per repo), by repo id."""
    out = {}
    for path in sorted((corpus / "huggingface" / "api" / "models").glob("*.json")):
        detail = load(path)
        out[detail["id"]] = detail
    return out


def hub_cards(corpus: Path) -> dict[str, bytes]:
    """Recorded model cards (``cards/{org}__{name}.md``, not the ModelScope copies), by repo id."""
    out = {}
    for path in sorted((corpus / "huggingface" / "cards").glob("*.md")):
        org, _, name = path.stem.partition("__")
        out[f"{org}/{name}"] = path.read_bytes()
    return out


def hub_detail(repo_id: str, **fields: Any) -> dict[str, Any]:
    """A small synthetic detail shaped like the recorded ones (for hand-made edge cases)."""
    detail: dict[str, Any] = {
        "_id": "0" * 24,
        "id": repo_id,
        "modelId": repo_id,
        "author": repo_id.split("/")[0],
        "sha": "1" * 40,
        "lastModified": "2026-01-02T03:04:05.000Z",
        "createdAt": "2026-01-01T00:00:00.000Z",
        "private": False,
        "gated": False,
        "disabled": False,
        "downloads": 10,
        "likes": 1,
        "pipeline_tag": "text-generation",
        "library_name": "transformers",
        "tags": ["transformers", "safetensors", "text-generation", "license:apache-2.0"],
        "cardData": {"license": "apache-2.0"},
        "siblings": [{"rfilename": "README.md"}, {"rfilename": "config.json"}, {"rfilename": "model.safetensors"}],
        "safetensors": {"parameters": {"BF16": 7_000_000_000}, "total": 7_000_000_000},
    }
    detail.update(fields)
    return detail


class FakeHub:
    """The Hub API on a :class:`FakeServer`, built from details and cards.

    There is no recorded listing response, so ``GET /api/models?author=ORG`` is
    built from the details: only ``_id``, ``id`` and the fields asked for with
    ``expand[]`` (or the default set when none is asked), sorted by id, ``limit``
    per page, and a ``Link: <…>; rel="next"`` header while more remain.
    ``?pipeline_tag=…&sort=createdAt&direction=-1`` serves the discovery listing.
    Details and cards are read at request time, so a test can change them
    between crawls. A repo without a card answers 404 like the Hub.
    """

    def __init__(self, server: FakeServer, details: dict[str, dict[str, Any]], cards: dict[str, bytes]) -> None:
        self.server = server
        self.details = dict(details)
        self.cards = dict(cards)
        self.pages: list[str] = []

    def install(self) -> FakeHub:
        self.server.route("/api/models", self._listing)
        for repo_id in self.details:
            self.route_repo(repo_id)
        return self

    def route_repo(self, repo_id: str) -> None:
        self.server.route(f"/api/models/{repo_id}", lambda request, r=repo_id: self._detail(r))
        self.server.route(f"/{repo_id}/raw/main/README.md", lambda request, r=repo_id: self._card(r))

    def add(self, detail: dict[str, Any], card: bytes | None = None) -> None:
        self.details[detail["id"]] = detail
        if card is not None:
            self.cards[detail["id"]] = card
        self.route_repo(detail["id"])

    def remove(self, repo_id: str) -> None:
        self.details.pop(repo_id, None)

    def detail_requests(self) -> list[str]:
        return [r.path for r in self.server.requests if r.path.startswith("/api/models/")]

    def card_requests(self) -> list[str]:
        return [r.path for r in self.server.requests if r.path.endswith("/raw/main/README.md")]

    def listing_requests(self) -> list[str]:
        return [r.path for r in self.server.requests if urlsplit(r.path).path == "/api/models"]

    def _detail(self, repo_id: str) -> Reply:
        detail = self.details.get(repo_id)
        if detail is None:
            return Reply(404, {"error": "Repository not found"})
        return Reply(200, json.dumps(detail).encode(), {"Content-Type": "application/json"})

    def _card(self, repo_id: str) -> Reply:
        card = self.cards.get(repo_id)
        if card is None or repo_id not in self.details:
            return Reply(404, b"Entry not found", {"Content-Type": "text/plain"})
        return Reply(200, card, {"Content-Type": "text/plain; charset=utf-8"})

    def _listing(self, request: Any) -> Reply:
        query = parse_qs(urlsplit(request.path).query)
        expand = query.get("expand[]", []) + query.get("expand", [])
        limit = int(query.get("limit", ["1000"])[0])
        offset = int(query.get("cursor", ["0"])[0])
        author = query.get("author", [None])[0]
        if author is not None:
            repos = sorted(
                (d for d in self.details.values() if d["id"].split("/")[0].lower() == author.lower()),
                key=lambda d: d["id"].lower(),
            )
        else:
            tag = query.get("pipeline_tag", [None])[0]
            repos = [d for d in self.details.values() if tag is None or d.get("pipeline_tag") == tag]
            repos.sort(key=lambda d: d.get("createdAt") or "", reverse=query.get("direction", ["-1"])[0] == "-1")
        page = repos[offset : offset + limit]
        fields = expand or list(HUB_LISTING_DEFAULT)
        body = [
            {"_id": d.get("_id", ""), "id": d["id"], **{f: d[f] for f in fields if f in d}}
            | ({} if expand else {"modelId": d["id"]})
            for d in page
        ]
        headers = {"Content-Type": "application/json"}
        if author is not None and offset + limit < len(repos):
            params = [(k, v) for k, values in query.items() if k != "cursor" for v in values]
            params.append(("cursor", str(offset + limit)))
            headers["Link"] = f'<{self.server.url}/api/models?{urlencode(params)}>; rel="next"'
        self.pages.append(request.path)
        return Reply(200, json.dumps(body).encode(), headers)


def serve_hub(server: FakeServer, corpus: Path) -> FakeHub:
    """Serve every recorded detail and card of ``../shared/corpus/huggingface``."""
    return FakeHub(server, hub_details(corpus), hub_cards(corpus)).install()
