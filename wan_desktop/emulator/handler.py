"""The HTTP side of the engine: one :class:`Handler` per connection routes each request to its
family (queue routes, media, the Platform API, the storage API, control) after the checks of
:mod:`.gate`.

One handler serves one connection on its own thread (``ThreadingHTTPServer``), HTTP/1.1 with
keep-alive. Parsing is the standard library's. Routes (``{base}`` is the engine's
``http://HOST:PORT``); every one needs the engine's key (``Authorization: Key TOKEN``):

- ``POST /wan/v2.6/image-to-video/flash`` submit
- ``GET  /wan/v2.6/requests/{id}/status[?logs=1|0|true|false]`` status (202 / 200 when done)
- ``GET  /wan/v2.6/requests/{id}/status/stream[?logs=...]`` SSE status stream
- ``GET  /wan/v2.6/requests/{id}`` result, ``PUT /wan/v2.6/requests/{id}/cancel`` cancel
  (the forms with the endpoint path, ``/wan/v2.6/image-to-video/flash/requests/...``, too)
- ``GET|HEAD /files/{id}.mp4?sig=...`` the rendered video; the signed URL of the result works
  without the key, as fal's CDN URLs do (Range support)
- ``GET /v1/models``, ``GET /v1/models/pricing``: fal's Platform API (:mod:`.platform_routes`)
- ``POST /storage/auth/token``, ``POST /files/upload`` (with the token instead of the key),
  ``POST /storage/upload/initiate``, ``PUT /storage/upload/{id}?sig=...`` and
  ``GET|HEAD /files/uploads/{id}/{name}?sig=...``: fal's storage API (:mod:`.storage_routes`)
- ``GET|POST|DELETE /_emulator/faults``, ``GET /_emulator/stats``, ``POST /_emulator/reset``
"""

from __future__ import annotations

import logging
import re
import socket
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qs, urlsplit

from wan_desktop.core import limits

from . import platform_routes, queue_routes, storage_routes
from .control_routes import control
from .engine_protocol import ConnectionTracker, Engine
from .exchange import Exchange
from .gate import MAX_BODY_BYTES, admit, read_body
from .media_route import media, parse_range
from .transport_faults import apply_transport_fault

__all__ = ["MAX_BODY_BYTES", "Handler", "parse_range"]

log = logging.getLogger(__name__)

_SUBMIT_PATH = "/" + limits.ENDPOINT_ID
_REQUEST_RE = re.compile(
    r"^" + re.escape(queue_routes.APP_PATH)
    + r"(?:/" + re.escape(limits.ENDPOINT_ID.split("/", 2)[2]) + r")?"
    r"/requests/(?P<id>[A-Za-z0-9_-]+)(?P<tail>/status/stream|/status|/cancel)?/?$"
)  # fmt: skip
_TAILS = {"": "result", "/status": "status", "/status/stream": "stream", "/cancel": "cancel"}
# Routes with an id in their path (after the queue's own, matched by _REQUEST_RE).
_ID_ROUTES = (
    ("media", re.compile(r"^/files/(?P<id>[A-Za-z0-9_-]+)\.mp4$")),
    ("upload_file", re.compile(r"^/files/uploads/(?P<id>[0-9a-f]{32})(?:/[^/]*)?$")),
    ("upload_put", re.compile(r"^/storage/upload/(?P<id>[0-9a-f]{32})$")),
)
# Routes at a fixed path.
_FIXED_PATHS = {
    _SUBMIT_PATH: "submit",
    "/v1/models": "models",
    "/v1/models/pricing": "pricing",
    "/storage/auth/token": "token",
    "/storage/upload/initiate": "initiate",
    "/files/upload": "upload",
}
# The methods each route takes.
_METHODS = {
    "submit": ("POST",),
    "status": ("GET",),
    "stream": ("GET",),
    "result": ("GET",),
    "cancel": ("PUT",),
    "media": ("GET", "HEAD"),
    "models": ("GET",),
    "pricing": ("GET",),
    "token": ("POST",),
    "upload": ("POST",),
    "initiate": ("POST",),
    "upload_put": ("PUT",),
    "upload_file": ("GET", "HEAD"),
}
_BY_ID = {
    "status": queue_routes.status,
    "stream": queue_routes.stream,
    "result": queue_routes.result,
    "cancel": queue_routes.cancel,
    "media": media,
}
# Routes answered from the exchange and the body.
_WITH_BODY = {
    "submit": queue_routes.submit,
    "models": platform_routes.models,
    "pricing": platform_routes.pricing,
    "token": storage_routes.token,
    "upload": storage_routes.upload,
    "initiate": storage_routes.initiate,
    "upload_put": storage_routes.upload_put,
    "upload_file": storage_routes.upload_file,
}


def route_of(path: str) -> tuple[str, str | None]:
    """The route name for ``path`` (``other`` when none matches) and the id in it."""
    fixed = _FIXED_PATHS.get(path.rstrip("/"))
    if fixed is not None:
        return fixed, None
    if path.startswith("/_emulator/"):
        return "control", None
    match = _REQUEST_RE.match(path)
    if match:
        return _TAILS[match["tail"] or ""], match["id"]
    for route, pattern in _ID_ROUTES:
        match = pattern.match(path)
        if match:
            return route, match["id"]
    return "other", None


class Handler(BaseHTTPRequestHandler):
    """Serves one connection for ``engine``; see the module docstring for the routes.

    The server builds it with ``functools.partial(Handler, engine=..., connections=...)``.
    """

    protocol_version = "HTTP/1.1"
    server_version = "wan-desktop-emulator"
    sys_version = ""
    timeout = 120  # an idle keep-alive connection is dropped after this (seconds)

    def __init__(
        self,
        request: socket.socket,
        client_address: Any,
        server: Any,
        *,
        engine: Engine,
        connections: ConnectionTracker,
    ) -> None:
        # Set before the base class runs: it serves the whole connection from __init__.
        self.engine = engine
        self.connections = connections
        super().__init__(request, client_address, server)

    def setup(self) -> None:
        super().setup()
        self.connections.track(self.connection, True)

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            self.connections.track(self.connection, False)

    def log_message(self, format: str, *args: Any) -> None:
        # The request line and status only: headers (the key) are never logged.
        log.debug("%s %s", self.address_string(), format % args)

    def do_GET(self) -> None:
        self._dispatch("GET")

    def do_HEAD(self) -> None:
        self._dispatch("HEAD")

    def do_POST(self) -> None:
        self._dispatch("POST")

    def do_PUT(self) -> None:
        self._dispatch("PUT")

    def do_DELETE(self) -> None:
        self._dispatch("DELETE")

    def _dispatch(self, method: str) -> None:
        try:
            self._handle(method)
        except (BrokenPipeError, ConnectionResetError, TimeoutError):
            self.close_connection = True  # the client went away: nothing to answer

    def handle_expect_100(self) -> bool:
        # A client that asks before sending its body hears the refusal instead of "100".
        try:
            return admit(self._exchange(self.command)) and super().handle_expect_100()
        except (BrokenPipeError, ConnectionResetError, TimeoutError):
            self.close_connection = True
            return False

    def _exchange(self, method: str) -> Exchange:
        url = urlsplit(self.path)
        ex = Exchange(self, self.engine, method=method, path=url.path, query=parse_qs(url.query))
        ex.route, ex.request_id = route_of(url.path)
        return ex

    def _handle(self, method: str) -> None:
        ex = self._exchange(method)
        if not admit(ex):
            return
        body = read_body(ex, self.rfile)
        self.engine.count_request(ex.route)
        if ex.route == "control":
            control(ex, body)
        elif ex.route == "other":
            ex.json(404, {"detail": "Not Found"})
        elif method not in _METHODS[ex.route]:
            allowed = ", ".join(_METHODS[ex.route])
            ex.json(405, {"detail": "Method Not Allowed"}, {"Allow": allowed})
        elif not apply_transport_fault(ex, ex.route):
            _serve(ex, body)


def _serve(ex: Exchange, body: bytes) -> None:
    with_body = _WITH_BODY.get(ex.route)
    if with_body is not None:
        with_body(ex, body)
    else:
        assert ex.request_id is not None  # every other queue route has an id in its path
        _BY_ID[ex.route](ex, ex.request_id)
