"""One request and its response, as the route functions see them (the handler's thread).

Responses carry ``Content-Length`` except streams, which end when the connection closes.
Header values are always made here from numbers and fixed text: no client input reaches one.
"""

from __future__ import annotations

import json
import socket
import uuid
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any, BinaryIO

from .engine_protocol import Engine

__all__ = ["Exchange"]


class Exchange:
    """The request (``method``, ``path``, ``query``, ``headers``) and the ways to answer it.

    ``route`` is the route name the handler matched, ``request_id`` the id in the path.
    """

    def __init__(
        self,
        handler: BaseHTTPRequestHandler,
        engine: Engine,
        *,
        method: str,
        path: str,
        query: dict[str, list[str]],
    ) -> None:
        self._handler = handler
        self.engine = engine
        self.method = method
        self.path = path
        self.query = query
        self.headers = handler.headers
        self.route = "other"
        self.request_id: str | None = None
        self.key = ""  # the key the request was authorised with (for the echo_key fault)
        self._closing = False

    def send(
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
        handler = self._handler
        headers = {**(headers or {}), **self._retryable_header(status, request_id)}
        handler.send_response(status)
        handler.send_header("Content-Type", content_type)
        handler.send_header("Content-Length", str(len(body)))
        if request_id is not None:
            handler.send_header("x-fal-request-id", request_id or str(uuid.uuid4()))
        for name, value in headers.items():
            handler.send_header(name, value)
        if self._closing:
            handler.send_header("Connection", "close")
        handler.end_headers()
        if self.method != "HEAD":
            handler.wfile.write(body)

    def _retryable_header(self, status: int, request_id: str | None) -> dict[str, str]:
        """``X-Fal-Retryable`` on an error answer from fal's side (not an ingress page) while
        the ``retryable`` fault fires."""
        if status < 400 or request_id is None:
            return {}
        fault = self.engine.faults.take("retryable", self.route)
        if fault is None:
            return {}
        return {"X-Fal-Retryable": "true" if fault["retryable"] else "false"}

    def json(
        self,
        status: int,
        value: Any,
        headers: dict[str, str] | None = None,
        *,
        request_id: str | None = "",
    ) -> None:
        """Send ``value`` as a JSON response (see :meth:`send`)."""
        data = json.dumps(value, ensure_ascii=False).encode("utf-8")
        self.send(status, data, "application/json", headers, request_id=request_id)

    def open_file(self, path: Path | None) -> BinaryIO | None:
        """``path`` opened for reading, or None once a 404 is sent (no path, or no file there
        any more). The caller closes the handle."""
        if path is not None:
            try:
                return open(path, "rb")
            except FileNotFoundError:
                pass
        self.json(404, {"detail": "File not found."})
        return None

    def start(self, status: int, headers: dict[str, str]) -> None:
        """Send the status line and ``headers``; the body follows through :meth:`write`."""
        self._handler.send_response(status)
        for name, value in headers.items():
            self._handler.send_header(name, value)
        self._handler.end_headers()

    def write(self, data: bytes) -> None:
        """Send a piece of the body."""
        self._handler.wfile.write(data)

    def close_after(self) -> None:
        """Close the connection once the response is sent (no keep-alive); call it before
        :meth:`send` so that the response says so."""
        self._closing = True
        self._handler.close_connection = True

    def hang_up(self) -> None:
        """Close the connection now, whatever was promised (flushes what was written)."""
        self.close_after()
        self._handler.wfile.flush()
        try:
            self._handler.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
