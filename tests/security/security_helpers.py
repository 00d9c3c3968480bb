"""Helpers for the security checks: the engine and the CLI as processes, a unique key, and a
loopback media server that records what reaches it.

(A module with its own name rather than conftest.py: several test folders have a conftest.)
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[2]


def unique_key() -> str:
    """A key no file could hold by chance, in fal's ``key_id:key_secret`` form."""
    return f"sk-live-{uuid.uuid4().hex}:{uuid.uuid4().hex}"


def cli_env(home: Path, base_url: str, key: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("FAL_KEY", "FAL_QUEUE_URL")}
    env.update(WAN_DESKTOP_HOME=str(home), FAL_QUEUE_URL=base_url, FAL_KEY=key)
    env["PYTHONUNBUFFERED"] = "1"
    return env


def wan(*args: str, env: dict[str, str], umask: int = 0) -> subprocess.CompletedProcess:
    """``wan-desktop ARGS`` to the end, under ``umask`` (0 by default: the app's own modes
    must keep its files private, whatever the user's umask)."""
    return subprocess.run(
        [sys.executable, "-m", "wan_desktop", *args],
        env=env, capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL,
        cwd=ROOT, preexec_fn=lambda: os.umask(umask),
    )  # fmt: skip


class MediaServer:
    """A loopback HTTP server: ``/redirect?to=URL`` answers 302 to URL, ``/clip.mp4`` a few
    bytes of video/mp4. Records every request's path and headers."""

    def __init__(self) -> None:
        self.seen: list[tuple[str, dict[str, str]]] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:
                pass

            def do_GET(self) -> None:
                outer.seen.append((self.path, dict(self.headers)))
                if self.path.startswith("/redirect?to="):
                    self.send_response(302)
                    self.send_header("Location", self.path.split("=", 1)[1])
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                body = b"\x00\x00\x00\x18ftypmp42" + bytes(100)
                self.send_response(200)
                self.send_header("Content-Type", "video/mp4")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def __enter__(self) -> MediaServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


class RecordingTransport(httpx.AsyncBaseTransport):
    """An httpx transport that records every request it is asked to send, and refuses (with a
    ConnectError, before any socket is opened) any host that is not loopback."""

    def __init__(self) -> None:
        self.requests: list[httpx.URL] = []
        self._real = httpx.AsyncHTTPTransport()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request.url)
        if request.url.host not in ("127.0.0.1", "localhost", "::1"):
            raise httpx.ConnectError(f"test transport: no outside host ({request.url.host})")
        return await self._real.handle_async_request(request)

    async def aclose(self) -> None:
        await self._real.aclose()
