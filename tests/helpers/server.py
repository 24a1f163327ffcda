"""A loopback HTTP server that answers like the real APIs, from recorded data.

Routes map a path (optionally with its query string) to replies; several
replies are served in order and the last one repeats, so a test can script
"429 with Retry-After, then 200". Every request is logged.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit


@dataclass
class Reply:
    status: int = 200
    body: bytes | str | Any = b""
    headers: dict[str, str] = field(default_factory=dict)
    #: Seconds to wait before answering (a timeout test uses more than the client allows).
    delay: float = 0.0
    #: Send only this many bytes of the body, then close (truncated responses).
    truncate: int | None = None

    def payload(self) -> bytes:
        if isinstance(self.body, bytes):
            return self.body
        if isinstance(self.body, str):
            return self.body.encode("utf-8")
        return json.dumps(self.body).encode("utf-8")


@dataclass
class Request:
    method: str
    path: str
    headers: dict[str, str]
    time: float


Handler = Callable[[Request], Reply]


class FakeServer:
    def __init__(self) -> None:
        self.routes: dict[str, list[Reply] | Handler] = {}
        self.requests: list[Request] = []
        self._lock = threading.Lock()
        server = self

        class _Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                server._handle(self)

            def do_HEAD(self) -> None:
                server._handle(self, head=True)

            def log_message(self, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self.httpd.daemon_threads = True
        # a short poll interval: shutdown() waits up to one interval (0.5 s by default, in every test's teardown)
        self.thread = threading.Thread(target=self.httpd.serve_forever, args=(0.05,), daemon=True)

    @property
    def url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> FakeServer:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def route(self, path: str, *replies: Reply | Handler) -> None:
        """Serve ``replies`` in order at ``path`` (exact path + query, or the path alone)."""
        if len(replies) == 1 and callable(replies[0]) and not isinstance(replies[0], Reply):
            self.routes[path] = replies[0]
        else:
            self.routes[path] = list(replies)  # type: ignore[arg-type]

    def requests_to(self, path: str) -> list[Request]:
        return [r for r in self.requests if urlsplit(r.path).path == path]

    def clear_log(self) -> None:
        with self._lock:
            self.requests.clear()

    def _pick(self, request: Request) -> Reply:
        target = self.routes.get(request.path)
        if target is None:
            target = self.routes.get(urlsplit(request.path).path)
        if target is None:
            return Reply(
                404, {"error": {"message": f"no route for {request.path}"}}, {"Content-Type": "application/json"}
            )
        if callable(target):
            return target(request)
        with self._lock:
            reply = target[0]
            if len(target) > 1:
                target.pop(0)
        return reply

    def _handle(self, handler: BaseHTTPRequestHandler, head: bool = False) -> None:
        request = Request(
            handler.command, handler.path, {k.lower(): v for k, v in handler.headers.items()}, time.monotonic()
        )
        with self._lock:
            self.requests.append(request)
        reply = self._pick(request)
        if reply.delay:
            time.sleep(reply.delay)
        body = reply.payload()
        try:
            handler.send_response(reply.status)
            headers = {"Content-Type": "application/json"} if not isinstance(reply.body, bytes | str) else {}
            headers.update(reply.headers)
            for name, value in headers.items():
                handler.send_header(name, value)
            handler.send_header("Content-Length", str(len(body)))
            if reply.truncate is not None:
                handler.send_header("Connection", "close")
            handler.end_headers()
            if not head:
                handler.wfile.write(body if reply.truncate is None else body[: reply.truncate])
            if reply.truncate is not None:
                handler.close_connection = True
        except (BrokenPipeError, ConnectionResetError):
            pass
