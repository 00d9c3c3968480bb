"""The HTTP side of the engine: fal's queue routes, the media files and the control endpoint.

One :class:`Handler` instance serves one connection on its own thread (``ThreadingHTTPServer``),
HTTP/1.1 with keep-alive; responses always carry ``Content-Length`` except the SSE stream,
which is closed by the server when it ends. Parsing is the standard library's.

Routes (``{base}`` is the server's own ``http://HOST:PORT``):

- ``POST /wan/v2.6/image-to-video/flash`` submit
- ``GET  /wan/v2.6/requests/{id}/status[?logs=1|0|true|false]`` status (202 / 200 when done)
- ``GET  /wan/v2.6/requests/{id}/status/stream[?logs=...]`` SSE status stream
- ``GET  /wan/v2.6/requests/{id}`` result, ``PUT /wan/v2.6/requests/{id}/cancel`` cancel
  (the forms with the endpoint path, ``/wan/v2.6/image-to-video/flash/requests/...``, too)
- ``GET|HEAD /files/{id}.mp4`` the rendered video (public, like fal's CDN; Range support)
- ``GET|POST|DELETE /_emulator/faults``, ``GET /_emulator/stats``, ``POST /_emulator/reset``
"""

from __future__ import annotations

import hmac
import json
import logging
import re
import socket
import uuid
from http.server import BaseHTTPRequestHandler
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlsplit

from wan_desktop.core import limits

from . import jobs
from .faults import FaultError
from .validate import FieldError, validate_arguments

if TYPE_CHECKING:
    from .server import EmulatorServer

__all__ = ["MAX_BODY_BYTES", "Handler", "parse_range"]

log = logging.getLogger(__name__)

#: Largest submit body taken (bytes): a 25 MB image as base64 plus 15 MB audio, with room.
MAX_BODY_BYTES = 64 * 1024 * 1024
_CHUNK = 64 * 1024  # media is sent in pieces this size: memory stays flat for any file
_APP = "/" + "/".join(limits.ENDPOINT_ID.split("/")[:2])  # /wan/v2.6: owner/alias
_SUBMIT_PATH = "/" + limits.ENDPOINT_ID
_REQUEST_RE = re.compile(
    r"^" + re.escape(_APP) + r"(?:/" + re.escape(limits.ENDPOINT_ID.split("/", 2)[2]) + r")?"
    r"/requests/(?P<id>[A-Za-z0-9_-]+)(?P<tail>/status/stream|/status|/cancel)?/?$"
)
_FILE_RE = re.compile(r"^/files/(?P<id>[A-Za-z0-9_-]+)\.mp4$")
_TRUE = {"1", "true", "True", "yes"}
_NGINX_PAGE = (
    "<html><head><title>{code}</title></head><body><center><h1>{code}</h1></center>"
    "<hr><center>nginx</center></body></html>"
)
_QUEUE_ROUTES = ("submit", "status", "stream", "result", "cancel")


def parse_range(header: str | None, size: int) -> tuple[int, int] | str | None:
    """Read a ``Range`` header against a file of ``size`` bytes.

    Returns ``(first, last)`` (inclusive) for one satisfiable range, ``"unsatisfiable"`` for
    a range that starts past the end, or None to send the whole file (no header, several
    ranges or a malformed one: RFC 9110 lets a server ignore those).
    """
    if not header:
        return None
    match = re.fullmatch(r"\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*", header)
    if not match:
        return None
    first_text, last_text = match.groups()
    if not first_text:
        if not last_text:
            return None
        suffix = int(last_text)
        if suffix == 0 or size == 0:
            return "unsatisfiable"
        return (max(0, size - suffix), size - 1)
    first = int(first_text)
    last = int(last_text) if last_text else size - 1
    if last_text and last < first:
        return None
    if first >= size:
        return "unsatisfiable"
    return (first, min(last, size - 1))


class Handler(BaseHTTPRequestHandler):
    """Serves one connection; see the module docstring for the routes."""

    protocol_version = "HTTP/1.1"
    server_version = "wan-desktop-emulator"
    sys_version = ""
    timeout = 120  # an idle keep-alive connection is dropped after this (seconds)

    # ---- plumbing -----------------------------------------------------------------------

    @property
    def engine(self) -> EmulatorServer:
        return self.server.engine  # type: ignore[attr-defined]

    def setup(self) -> None:
        super().setup()
        self.server.track(self.connection, True)  # type: ignore[attr-defined]

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            self.server.track(self.connection, False)  # type: ignore[attr-defined]

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

    def _handle(self, method: str) -> None:
        url = urlsplit(self.path)
        self.query = parse_qs(url.query)
        body = self._read_body()
        if body is None:
            return
        route, request_id = self._route(url.path)
        self.engine.count_request(route or "other")
        if route == "control":
            self._control(method, url.path, body)
            return
        if route is None:
            self._json(404, {"detail": "Not Found"})
            return
        allowed = {
            "submit": ("POST",),
            "status": ("GET",),
            "stream": ("GET",),
            "result": ("GET",),
            "cancel": ("PUT",),
            "media": ("GET", "HEAD"),
        }[route]
        if method not in allowed:
            self._json(405, {"detail": "Method Not Allowed"}, {"Allow": ", ".join(allowed)})
            return
        if self._transport_fault(route):
            return
        if route in _QUEUE_ROUTES and not self._authorised():
            return
        if route == "submit":
            self._submit(body)
        elif route == "status":
            self._status(request_id)
        elif route == "stream":
            self._stream(request_id)
        elif route == "result":
            self._result(request_id)
        elif route == "cancel":
            self._cancel(request_id)
        else:
            self._media(request_id, head=method == "HEAD")

    def _read_body(self) -> bytes | None:
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            self.close_connection = True
            self._json(411, {"detail": "Send a Content-Length (chunked bodies are not taken)."})
            return None
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            length = -1
        if length < 0 or length > MAX_BODY_BYTES:
            self.close_connection = True  # the unread body would be parsed as a request
            self._json(413, {"detail": f"The body is larger than {MAX_BODY_BYTES} bytes."})
            return None
        return self.rfile.read(length) if length else b""

    @staticmethod
    def _route(path: str) -> tuple[str | None, str | None]:
        if path.rstrip("/") == _SUBMIT_PATH:
            return "submit", None
        if path.startswith("/_emulator/"):
            return "control", None
        match = _REQUEST_RE.match(path)
        if match:
            tail = match["tail"] or ""
            route = {"": "result", "/status": "status", "/status/stream": "stream"}.get(
                tail, "cancel"
            )
            return route, match["id"]
        match = _FILE_RE.match(path)
        if match:
            return "media", match["id"]
        return None, None

    # ---- responses ----------------------------------------------------------------------

    def _send(
        self,
        status: int,
        body: bytes,
        content_type: str,
        headers: dict[str, str] | None = None,
        *,
        request_id: str | None = "",
    ) -> None:
        """Send a whole response. ``request_id`` None: no ``x-fal-request-id`` (ingress);
        empty: a fresh id (fal's gateway stamps every response it makes)."""
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        if request_id is not None:
            self.send_header("x-fal-request-id", request_id or str(uuid.uuid4()))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _json(
        self,
        status: int,
        value: Any,
        headers: dict[str, str] | None = None,
        *,
        request_id: str | None = "",
    ) -> None:
        data = json.dumps(value, ensure_ascii=False).encode("utf-8")
        self._send(status, data, "application/json", headers, request_id=request_id)

    def _urls(self, request_id: str) -> dict[str, str]:
        base = f"{self.engine.base_url}{_APP}/requests/{request_id}"
        return {
            "response_url": base,
            "status_url": base + "/status",
            "cancel_url": base + "/cancel",
        }

    # ---- faults and auth ----------------------------------------------------------------

    def _transport_fault(self, route: str) -> bool:
        """Apply the faults that replace the whole response; True when one did."""
        faults = self.engine.faults
        if faults.take("drop_connection", route) is not None:
            self.close_connection = True
            try:
                self.connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            return True
        slow = faults.take("slow", route)
        if slow is not None:
            self.engine.sleep(float(slow["delay_s"]))
        ingress = faults.take("ingress_error", route)
        if ingress is not None:
            code = int(ingress["status"])
            page = _NGINX_PAGE.format(code=f"{code} {self.responses.get(code, ('',))[0]}")
            self._send(code, page.encode(), "text/html", request_id=None)
            return True
        limited = faults.take("rate_limit", route)
        if limited is not None:
            self._json(
                429,
                {"detail": "Too many requests: rate limit exceeded.", "error_type": "rate_limited"},
                {"Retry-After": str(limited["retry_after_s"])},
            )
            return True
        if faults.take("auth", route) is not None:
            self._json(401, {"detail": "Invalid key: authentication failed."})
            return True
        return False

    def _authorised(self) -> bool:
        header = self.headers.get("Authorization", "")
        scheme, _, key = header.partition(" ")
        key = key.strip()
        if scheme.lower() != "key" or not key:
            self._json(401, {"detail": "Missing Authorization header: send 'Key <FAL_KEY>'."})
            return False
        expected = self.engine.api_key
        if expected is not None and not hmac.compare_digest(key.encode(), expected.encode()):
            self._json(401, {"detail": "Invalid key: authentication failed."})
            return False
        return True

    # ---- queue routes -------------------------------------------------------------------

    def _submit(self, body: bytes) -> None:
        try:
            arguments = json.loads(body or b"null")
        except ValueError:
            detail = [
                {"loc": ["body"], "msg": "The body is not valid JSON.", "type": "json_invalid"}
            ]
            self._json(422, {"detail": detail})
            return
        checked = validate_arguments(arguments)
        if isinstance(checked, list):
            self._json(422, {"detail": [error.to_json() for error in checked]})
            return
        if self.engine.faults.take("moderate", "submit") is not None:
            flagged = FieldError(
                "prompt",
                "The content checker flagged this prompt; it was not run.",
                "content_policy_violation",
            )
            self._json(422, {"detail": [flagged.to_json()]})
            return
        fail = self.engine.faults.take("fail_request", "submit")
        queued = self.engine.store.submit(checked, fail=fail)
        self.engine.count_submit()
        request_id = queued["request_id"]
        self._json(
            200,
            {
                "request_id": request_id,
                **self._urls(request_id),
                "status": jobs.IN_QUEUE,
                "queue_position": queued["position"],
                "gateway_request_id": queued["gateway_request_id"],
            },
            request_id=request_id,
        )

    def _wants_logs(self) -> bool:
        return self.query.get("logs", ["0"])[-1] in _TRUE

    def _status_body(self, request_id: str, logs: bool) -> dict[str, Any] | None:
        snapshot = self.engine.store.snapshot(request_id, logs=logs)
        if snapshot is None:
            return None
        snapshot["request_id"] = request_id
        snapshot["response_url"] = self._urls(request_id)["response_url"]
        return snapshot

    def _not_found(self, request_id: str | None) -> None:
        self._json(404, {"detail": f"Request {request_id} not found."})

    def _status(self, request_id: str | None) -> None:
        assert request_id is not None
        body = self._status_body(request_id, self._wants_logs())
        if body is None:
            self._not_found(request_id)
            return
        code = 200 if body["status"] == jobs.COMPLETED else 202
        self._json(code, body, request_id=request_id)

    def _stream(self, request_id: str | None) -> None:
        """SSE: a ``data:`` event per change, a comment every ``keepalive_s``, closed after
        COMPLETED (or at once after the first event under the ``break_stream`` fault)."""
        assert request_id is not None
        logs = self._wants_logs()
        store = self.engine.store
        version = store.version
        first = self._status_body(request_id, logs)
        if first is None:
            self._not_found(request_id)
            return
        broken = self.engine.faults.take("break_stream", "stream") is not None
        self.close_connection = True  # the body ends when the connection does
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream; charset=utf-8")
        self.send_header("Cache-Control", "no-cache")
        self.send_header("Connection", "close")
        self.send_header("x-fal-request-id", request_id)
        self.end_headers()
        if broken and first["status"] == jobs.COMPLETED:
            return  # closes with no event: the client must fall back to polling
        keepalive_s = self.engine.keepalive_s
        last: str | None = None
        body: dict[str, Any] | None = first
        quiet_since = self.engine.clock()
        while body is not None and not self.engine.stopping:
            text = json.dumps(body, ensure_ascii=False)
            if text != last:
                self.wfile.write(f"data: {text}\n\n".encode())
                last = text
                quiet_since = self.engine.clock()
                if broken or body["status"] == jobs.COMPLETED:
                    return
            elif self.engine.clock() - quiet_since >= keepalive_s:
                self.wfile.write(b": keep-alive\n\n")
                quiet_since = self.engine.clock()
            wait = max(0.0, keepalive_s - (self.engine.clock() - quiet_since))
            version = store.wait_for_change(version, wait)
            body = self._status_body(request_id, logs)

    def _result(self, request_id: str | None) -> None:
        assert request_id is not None
        job = self.engine.store.get(request_id)
        if job is None:
            self._not_found(request_id)
            return
        if job["state"] != jobs.COMPLETED:
            self._json(400, {"detail": "Request is still in progress"}, request_id=request_id)
            return
        if self.engine.faults.take("expire_result", "result") is not None:
            self._json(
                404,
                {"detail": "Result not found: it has expired.", "error_type": "result_expired"},
                request_id=request_id,
            )
            return
        if job["error"] is not None:
            error_type = job["error_type"] or "runner_error"
            self._json(
                job["error_status"] or 500,
                {"detail": job["error"], "error_type": error_type},
                {"X-Fal-Error-Type": error_type},
                request_id=request_id,
            )
            return
        result: dict[str, Any] = {
            "video": {
                "url": f"{self.engine.base_url}/files/{request_id}.mp4",
                "content_type": "video/mp4",
                "file_name": f"{request_id}.mp4",
                "file_size": job["file_size"],
            },
            "seed": job["seed"],
        }
        if job["actual_prompt"] is not None:
            result["actual_prompt"] = job["actual_prompt"]
        self._json(200, result, request_id=request_id)

    def _cancel(self, request_id: str | None) -> None:
        assert request_id is not None
        outcome = self.engine.store.cancel(request_id)
        self.engine.count_cancel()
        code = {
            jobs.CANCEL_OK: 200,
            jobs.CANCEL_REQUESTED: 202,
            jobs.CANCEL_ALREADY_COMPLETED: 400,
            jobs.CANCEL_NOT_FOUND: 404,
        }[outcome]
        self._json(code, {"status": outcome}, request_id=request_id)

    # ---- media --------------------------------------------------------------------------

    def _media(self, request_id: str | None, *, head: bool) -> None:
        assert request_id is not None
        path = self.engine.store.media_path(request_id)
        faults = self.engine.faults
        if path is None or faults.take("expire_result", "media") is not None:
            self._json(404, {"detail": "File not found."})
            return
        try:
            handle = open(path, "rb")  # noqa: SIM115 (closed below, after streaming)
        except FileNotFoundError:
            self._json(404, {"detail": "File not found."})
            return
        with handle:
            size = path.stat().st_size
            wanted = None if faults.take("no_range", "media") else self.headers.get("Range")
            span = parse_range(wanted, size)
            if span == "unsatisfiable":
                self._json(
                    416, {"detail": "Range not satisfiable."}, {"Content-Range": f"bytes */{size}"}
                )
                return
            self.send_response(200 if span is None else 206)
            first, last = (0, size - 1) if span is None else span  # type: ignore[misc]
            length = last - first + 1 if size else 0
            self.send_header("Content-Type", "video/mp4")
            self.send_header("Content-Length", str(length))
            self.send_header("Accept-Ranges", "bytes")
            if span is not None:
                self.send_header("Content-Range", f"bytes {first}-{last}/{size}")
            self.send_header("x-fal-request-id", request_id)
            self.end_headers()
            if head:
                return
            cut = faults.take("truncate_media", "media")
            budget = length if cut is None else min(length, int(cut["after_bytes"]))
            handle.seek(first)
            while budget > 0:
                chunk = handle.read(min(_CHUNK, budget))
                if not chunk:
                    break
                self.wfile.write(chunk)
                budget -= len(chunk)
                self.engine.count_media_bytes(len(chunk))
            if cut is not None:
                # Promised Content-Length bytes, sent fewer: close so the client sees the cut.
                self.close_connection = True
                self.wfile.flush()
                try:
                    self.connection.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    # ---- control endpoint ---------------------------------------------------------------

    def _control(self, method: str, path: str, body: bytes) -> None:
        engine = self.engine
        path = path.rstrip("/")
        if path == "/_emulator/faults" and method == "POST":
            try:
                engine.faults.update(json.loads(body or b"{}"))
            except (ValueError, TypeError) as exc:  # FaultError is a ValueError
                message = str(exc) if isinstance(exc, FaultError) else "The body is not JSON."
                self._json(400, {"detail": message})
                return
            self._json(200, {"faults": engine.faults.active()})
        elif path == "/_emulator/faults" and method == "DELETE":
            engine.faults.clear()
            self._json(200, {"faults": {}})
        elif path == "/_emulator/faults" and method == "GET":
            self._json(200, {"faults": engine.faults.active()})
        elif path == "/_emulator/stats" and method == "GET":
            self._json(200, engine.stats())
        elif path == "/_emulator/reset" and method == "POST":
            engine.reset()
            self._json(200, {"reset": True})
        else:
            self._json(404, {"detail": "Not Found"})
