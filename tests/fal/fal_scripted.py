"""A tiny scripted HTTP server on 127.0.0.1 for protocol edge cases the offline engine does
not produce (the ``scripted`` fixture of this folder's conftest). Each test scripts the
replies per (method, path); the last reply of a route repeats. Every request is recorded
(method, path, query, headers, body)."""

from __future__ import annotations

import json
import threading
from collections import defaultdict, deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

KEY = "sekret-KEY-123:abc"


@dataclass
class Reply:
    """One scripted answer. ``events``: SSE; each str is written as is, each float sleeps.
    ``media``: bytes served with Range support when ``ranges``; ``truncate_at`` closes the
    connection after that many body bytes. ``body_iter``: a factory of chunks (big bodies)."""

    status: int = 200
    json: Any = None
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    drop: bool = False
    delay_s: float = 0.0
    events: list[str | float] | None = None
    media: bytes | None = None
    ranges: bool = True
    truncate_at: int | None = None
    body_iter: Callable[[], Iterable[bytes]] | None = None
    content_length: int | None = None


@dataclass
class Seen:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes


class Handler(BaseHTTPRequestHandler):
    """Answers from the script of the ``ScriptedServer`` that owns its HTTP server."""

    protocol_version = "HTTP/1.1"

    def log_message(self, *args: Any) -> None:
        pass

    def _handle(self) -> None:
        server = self.server.script  # type: ignore[attr-defined]
        parts = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        server.seen.append(
            Seen(
                self.command,
                parts.path,
                parse_qs(parts.query),
                {k.lower(): v for k, v in self.headers.items()},
                body,
            )
        )
        queue = server.routes.get((self.command, parts.path))
        if not queue:
            reply = Reply(404, json={"detail": "Not scripted"})
        else:
            reply = queue[0] if len(queue) == 1 else queue.popleft()
        server.stopping.wait(reply.delay_s)
        if reply.drop:
            self.close_connection = True
            return
        if reply.events is not None:
            self._sse(reply)
        elif reply.media is not None:
            self._media(reply)
        elif reply.body_iter is not None:
            self.send_response(reply.status)
            self.send_header("Content-Length", str(reply.content_length))
            for k, v in reply.headers.items():
                self.send_header(k, v)
            self.end_headers()
            for chunk in reply.body_iter():
                self.wfile.write(chunk)
        else:
            data = json.dumps(reply.json).encode() if reply.json is not None else reply.body
            self.send_response(reply.status)
            if reply.json is not None:
                self.send_header("Content-Type", "application/json")
            for k, v in reply.headers.items():
                self.send_header(k, v)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    def _sse(self, reply: Reply) -> None:
        self.send_response(reply.status)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Connection", "close")
        for k, v in reply.headers.items():
            self.send_header(k, v)
        self.end_headers()
        self.close_connection = True
        for item in reply.events or []:
            if isinstance(item, float):
                if self.server.script.stopping.wait(item):  # type: ignore[attr-defined]
                    return
            else:
                self.wfile.write(item.encode())
                self.wfile.flush()

    def _media(self, reply: Reply) -> None:
        data = reply.media or b""
        start = 0
        rng = self.headers.get("Range")
        if reply.ranges and rng and rng.startswith("bytes="):
            start = int(rng[6:].split("-")[0])
            self.send_response(206)
            self.send_header("Content-Range", f"bytes {start}-{len(data) - 1}/{len(data)}")
        else:
            self.send_response(reply.status)
        if reply.ranges:
            self.send_header("Accept-Ranges", "bytes")
        headers = {"Content-Type": "video/mp4", **reply.headers}
        for k, v in headers.items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(data) - start))
        self.end_headers()
        out = data[start:]
        if reply.truncate_at is not None:
            self.wfile.write(out[: reply.truncate_at])
            self.wfile.flush()
            self.close_connection = True
            return
        self.wfile.write(out)

    do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = _handle


class ScriptedServer:
    def __init__(self) -> None:
        self.routes: dict[tuple[str, str], deque[Reply]] = defaultdict(deque)
        self.seen: list[Seen] = []
        self.stopping = threading.Event()
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.script = self  # type: ignore[attr-defined]
        self.httpd.daemon_threads = True
        self.base_url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    def add(self, method: str, path: str, *replies: Reply) -> None:
        self.routes[(method, path)].extend(replies)

    def requests_to(self, method: str, path: str) -> list[Seen]:
        return [s for s in self.seen if s.method == method and s.path == path]

    def start(self) -> ScriptedServer:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.stopping.set()
        self.httpd.shutdown()
        self.httpd.server_close()
