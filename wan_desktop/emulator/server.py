"""The offline engine: a fal-compatible queue server on loopback, Qt-free.

The app uses it when no fal key is set (it animates the image locally; it is not the AI);
every test of the queue client talks to it. Usage::

    with EmulatorServer(workers=2).start() as engine:
        ...  # engine.base_url == "http://127.0.0.1:PORT"
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import hmac
import secrets
import shutil
import socket
import tempfile
import threading
import time
from collections import Counter
from http.server import ThreadingHTTPServer
from pathlib import Path
from typing import Any

from wan_desktop.core.atomic import atomic_write_bytes
from wan_desktop.core.model_schema import ModelSchema

from .faults import Faults
from .handler import Handler
from .jobs import JobStore
from .render import render_video
from .uploads import UploadStore

__all__ = ["EmulatorServer"]

_POLL_S = 0.05  # how often serve_forever looks for shutdown(): stop() returns this fast


class _HTTPServer(ThreadingHTTPServer):
    """A ThreadingHTTPServer that knows its engine and its open connections, so that stop()
    can close idle keep-alive connections instead of waiting for their threads."""

    daemon_threads = True
    block_on_close = False
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], engine: EmulatorServer) -> None:
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        self._connections: set[socket.socket] = set()
        self._connections_lock = threading.Lock()
        super().__init__(address, functools.partial(Handler, engine=engine, connections=self))

    def track(self, connection: socket.socket, open_: bool) -> None:
        with self._connections_lock:
            if open_:
                self._connections.add(connection)
            else:
                self._connections.discard(connection)

    def close_connections(self) -> None:
        with self._connections_lock:
            connections = list(self._connections)
        for connection in connections:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)


def _http_url(host: str, port: int) -> str:
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


def _media_secret(state_dir: Path) -> bytes:
    """The key that signs video URLs, kept in ``state_dir`` (private to this user) so that a
    restarted engine honours the URLs it handed out before."""
    path = state_dir / "media.secret"
    try:
        secret = path.read_bytes()
        if len(secret) >= 32:
            return secret
    except FileNotFoundError:
        pass
    state_dir.mkdir(parents=True, exist_ok=True)
    secret = secrets.token_bytes(32)
    atomic_write_bytes(path, secret, mode=0o600)
    return secret


class EmulatorServer:
    """The engine: an HTTP server (a background thread plus one thread per connection) and
    ``workers`` render threads.

    ``port=0`` picks a free port (read :attr:`base_url` after :meth:`start`). ``state_dir``
    keeps requests and videos across restarts; None uses a private temporary folder removed
    by :meth:`stop`. ``min_run_s`` keeps every job IN_PROGRESS at least that many seconds.
    ``api_key`` is the token every request must carry (``Authorization: Key TOKEN``); None
    makes a random one (read it from :attr:`api_key`). ``keepalive_s`` is
    the SSE comment interval (seconds). ``log_window`` is how many recent log lines a status
    holds. ``render`` replaces :func:`render_video` (tests that do not look at the video).
    ``schema`` is the resolved table the engine publishes on ``/v1/models`` and validates
    submits with (None: the bundled one). Uploads are kept in ``state_dir/uploads``.
    """

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        workers: int = 2,
        state_dir: Path | str | None = None,
        min_run_s: float = 0.0,
        api_key: str | None = None,
        keepalive_s: float = 15.0,
        log_window: int = 20,
        render: Any = render_video,
        schema: ModelSchema | None = None,
    ) -> None:
        self.host = host
        self.requested_port = port
        self._api_key = api_key or secrets.token_urlsafe(32)
        self.keepalive_s = float(keepalive_s)
        self.faults = Faults()
        self._owns_dir = state_dir is None
        self.state_dir = (
            Path(tempfile.mkdtemp(prefix="wan-emulator-")) if state_dir is None else Path(state_dir)
        )
        self._media_secret = _media_secret(self.state_dir)
        self.schema = ModelSchema.bundled() if schema is None else schema
        self.uploads = UploadStore(self.state_dir / "uploads")
        self.store = JobStore(
            self.state_dir,
            workers=workers,
            min_run_s=min_run_s,
            faults=self.faults,
            log_window=log_window,
            render=render,
        )
        self._counts_lock = threading.Lock()
        self._routes: Counter[str] = Counter()
        self._submits = 0
        self._cancels = 0
        self._media_bytes = 0
        self._stopped = threading.Event()
        self._httpd: _HTTPServer | None = None
        self._thread: threading.Thread | None = None

    # ---- lifecycle ----------------------------------------------------------------------

    def start(self) -> EmulatorServer:
        """Bind, start the workers and serve on a background thread; returns ``self``."""
        if self._httpd is not None:
            return self
        self._httpd = _HTTPServer((self.host, self.requested_port), self)
        self.store.start()
        self._thread = threading.Thread(
            target=self._httpd.serve_forever,
            kwargs={"poll_interval": _POLL_S},
            name="emulator-http",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving, abandon renders under way (a restart on the same ``state_dir``
        redoes them), close open connections, remove the temporary folder. Idempotent."""
        if self._stopped.is_set():
            return
        self._stopped.set()
        if self._httpd is not None:
            self._httpd.shutdown()
        self.store.stop()
        if self._httpd is not None:
            self._httpd.close_connections()
            self._httpd.server_close()
        if self._thread is not None:
            self._thread.join(5)
        if self._owns_dir:
            shutil.rmtree(self.state_dir, ignore_errors=True)

    def __enter__(self) -> EmulatorServer:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        """The bound port (after :meth:`start`)."""
        if self._httpd is None:
            raise RuntimeError("the engine is not started")
        return int(self._httpd.server_address[1])

    @property
    def api_key(self) -> str:
        """The token every request must carry: ``Authorization: Key <api_key>``."""
        return self._api_key

    @property
    def bound_url(self) -> str:
        """``http://ADDRESS:PORT`` with the address actually bound (``0.0.0.0`` included;
        after :meth:`start`)."""
        if self._httpd is None:
            raise RuntimeError("the engine is not started")
        return _http_url(str(self._httpd.server_address[0]), self.port)

    @property
    def base_url(self) -> str:
        """``http://HOST:PORT``: the queue base, and the base of every URL the engine returns
        (a wildcard bind is reached through loopback)."""
        host = {"": "127.0.0.1", "0.0.0.0": "127.0.0.1", "::": "::1"}.get(self.host, self.host)
        return _http_url(host, self.port)

    def __repr__(self) -> str:
        # Never the key: a repr ends up in logs and tracebacks.
        state = "stopped" if self._stopped.is_set() else "running" if self._httpd else "new"
        return f"EmulatorServer({self.host!r}, {self.requested_port}, {state})"

    @property
    def stopping(self) -> bool:
        return self._stopped.is_set()

    # ---- helpers the handler uses (any thread) -------------------------------------------

    @staticmethod
    def clock() -> float:
        """Monotonic seconds."""
        return time.monotonic()

    def sleep(self, seconds: float) -> None:
        """Sleep, but wake when the engine stops."""
        self._stopped.wait(max(0.0, seconds))

    def media_url(self, request_id: str) -> str:
        """The video's URL, signed so that it works without the key (as fal's CDN URLs do);
        the signature stays valid across restarts on the same ``state_dir``."""
        return f"{self.base_url}/files/{request_id}.mp4?sig={self._signature(request_id)}"

    def media_signature_ok(self, request_id: str, signature: str) -> bool:
        """True when ``signature`` is the one :meth:`media_url` gives ``request_id``."""
        return hmac.compare_digest(signature.encode(), self._signature(request_id).encode())

    def _signature(self, request_id: str) -> str:
        return hmac.new(self._media_secret, request_id.encode(), hashlib.sha256).hexdigest()[:32]

    def signature(self, scope: str, item: str) -> str:
        """The signature of ``item`` for ``scope`` (an upload's URL, a CDN token); kept
        across restarts on the same ``state_dir``. Never equal to a video's: a request id
        holds no colon."""
        return self._signature(f"{scope}:{item}")

    def signature_ok(self, scope: str, item: str, signature: str) -> bool:
        """True when ``signature`` is :meth:`signature` of ``item`` for ``scope``."""
        return hmac.compare_digest(signature.encode(), self.signature(scope, item).encode())

    def count_request(self, route: str) -> None:
        with self._counts_lock:
            self._routes[route] += 1

    def count_submit(self) -> None:
        with self._counts_lock:
            self._submits += 1

    def count_cancel(self) -> None:
        with self._counts_lock:
            self._cancels += 1

    def count_media_bytes(self, count: int) -> None:
        with self._counts_lock:
            self._media_bytes += count

    # ---- observation --------------------------------------------------------------------

    def stats(self) -> dict[str, Any]:
        """Counters since start (or the last :meth:`reset`), as plain JSON-able data.

        ``submits`` (accepted), ``requests_by_route`` (every HTTP request by route:
        submit/status/stream/result/cancel/media/control/other), ``cancels`` (cancel calls),
        ``media_bytes_sent``, ``completed`` (``{request_id: {"monotonic", "time"}}``: when
        each request was marked COMPLETED, ``time.monotonic()`` and ``time.time()``),
        ``jobs`` (count per state), ``faults_fired`` and ``faults`` (still active),
        ``uploads`` (the latest uploads' records: ``file_name``, ``content_type``, ``size``,
        ``expires_in_s`` as the client asked, ...; oldest first).
        """
        with self._counts_lock:
            counts = {
                "submits": self._submits,
                "requests_by_route": dict(self._routes),
                "cancels": self._cancels,
                "media_bytes_sent": self._media_bytes,
            }
        return {
            **counts,
            "completed": self.store.completions(),
            "jobs": self.store.counts(),
            "faults_fired": self.faults.fired(),
            "faults": self.faults.active(),
            "uploads": self.uploads.recent(),
        }

    def reset(self) -> None:
        """Clear the faults and the counters (the jobs are kept)."""
        self.faults.reset()
        with self._counts_lock:
            self._routes.clear()
            self._submits = self._cancels = self._media_bytes = 0
