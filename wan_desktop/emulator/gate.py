"""The checks every request passes before its body is read (the handler's thread).

In order: the ``Host`` is this machine's loopback (a web page cannot reach the engine through
DNS rebinding), an ``Origin``, when sent, is a loopback page too (no other page's script
drives it), the request carries the engine's token (``Authorization: Key TOKEN``, as fal's
clients send a key; a video or uploaded file's URL, and a storage upload's PUT URL, may carry
their signature instead; the CDN upload takes a CDN token from ``/storage/auth/token`` and
never the key, as fal's CDN does), and the announced body fits the route's limit
(:data:`MAX_BODY_BYTES`; an upload :data:`~.uploads.UPLOAD_MAX_BYTES`; a small JSON request
:data:`SMALL_BODY_BYTES`). Only then is the body read. A refusal closes the connection, since
the unread body would otherwise be parsed as the next request.
"""

from __future__ import annotations

import hmac
from typing import BinaryIO
from urllib.parse import urlsplit

from wan_desktop.core.net import is_loopback_host, is_loopback_url

from .exchange import Exchange
from .storage_routes import token_ok
from .uploads import UPLOAD_MAX_BYTES

__all__ = ["MAX_BODY_BYTES", "SMALL_BODY_BYTES", "admit", "read_body"]

#: Largest submit body taken (bytes): a 25 MB image as base64 plus 15 MB audio, with room.
MAX_BODY_BYTES = 64 * 1024 * 1024
#: Largest body of the storage API's JSON requests and of the Platform API's (bytes).
SMALL_BODY_BYTES = 64 * 1024
_BODY_LIMITS = {
    "upload": UPLOAD_MAX_BYTES,
    "upload_put": UPLOAD_MAX_BYTES,
    "token": SMALL_BODY_BYTES,
    "initiate": SMALL_BODY_BYTES,
    "models": SMALL_BODY_BYTES,
    "pricing": SMALL_BODY_BYTES,
}
# The routes whose URL may carry a signature instead of the key, and what it signs.
_SIGNED_SCOPES = {"upload_file": "upload", "upload_put": "put"}
_UNAUTHORISED = "Missing or invalid key: send 'Authorization: Key <the engine's key>'."
_NO_TOKEN = (
    "Missing or expired upload token: get one from /storage/auth/token and send "
    "'Authorization: Bearer <token>'."
)


def admit(exchange: Exchange) -> bool:
    """Run the checks; at the first that fails answer it (closing the connection) and
    return False."""
    for check in (_host_refusal, _origin_refusal, _key_refusal, _length_refusal):
        refusal = check(exchange)
        if refusal is not None:
            exchange.close_after()
            exchange.json(refusal[0], {"detail": refusal[1]})
            return False
    return True


def read_body(exchange: Exchange, stream: BinaryIO) -> bytes:
    """The body of an admitted request (its length was checked by :func:`admit`)."""
    length = int(exchange.headers.get("Content-Length") or 0)
    return stream.read(length) if length else b""


def _host_refusal(exchange: Exchange) -> tuple[int, str] | None:
    values = exchange.headers.get_all("Host") or []
    host = None
    if len(values) == 1:
        try:
            host = urlsplit("//" + values[0].strip()).hostname
        except ValueError:
            host = None
    if host and is_loopback_host(host):
        return None
    return 421, "This engine answers only requests addressed to loopback."


def _origin_refusal(exchange: Exchange) -> tuple[int, str] | None:
    origins = exchange.headers.get_all("Origin") or []
    if all(is_loopback_url(origin.strip()) for origin in origins):
        return None
    return 403, "Requests from web pages are not taken."


def _key_refusal(exchange: Exchange) -> tuple[int, str] | None:
    if exchange.route == "upload":  # the CDN: its token, never the key
        return None if token_ok(exchange) else (401, _NO_TOKEN)
    scheme, _, key = exchange.headers.get("Authorization", "").partition(" ")
    key = key.strip()
    expected = exchange.engine.api_key
    if scheme.lower() == "key" and hmac.compare_digest(key.encode(), expected.encode()):
        exchange.key = key
        return None
    if exchange.route == "media" and exchange.request_id is not None:
        signature = exchange.query.get("sig", [""])[-1]
        if exchange.engine.media_signature_ok(exchange.request_id, signature):
            return None
    scope = _SIGNED_SCOPES.get(exchange.route)
    if scope is not None and exchange.request_id is not None:
        signature = exchange.query.get("sig", [""])[-1]
        if exchange.engine.signature_ok(scope, exchange.request_id, signature):
            return None
    return 401, _UNAUTHORISED


def _length_refusal(exchange: Exchange) -> tuple[int, str] | None:
    if exchange.headers.get("Transfer-Encoding"):
        return 411, "Send a Content-Length (chunked bodies are not taken)."
    text = (exchange.headers.get("Content-Length") or "0").strip()
    limit = _BODY_LIMITS.get(exchange.route, MAX_BODY_BYTES)
    if not text.isdigit() or int(text) > limit:
        return 413, f"The body is larger than {limit} bytes."
    return None
