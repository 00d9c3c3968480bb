"""fal's storage API, as its clients call it (the handler's thread; each function answers one
admitted request):

- ``POST /storage/auth/token?storage_type=fal-cdn-v3`` (the key): a CDN token,
  ``{"token", "token_type": "Bearer", "base_url", "expires_at"}``;
- ``POST {base_url}/files/upload`` (the token, never the key): the bytes, with
  ``Content-Type`` and ``X-Fal-File-Name`` → ``{"access_url", ...}``;
- ``POST /storage/upload/initiate?storage_type=gcs`` (the key), ``{"file_name",
  "content_type"}`` → ``{"upload_url", "file_url"}``, then ``PUT upload_url`` (signed: no key);
- ``GET|HEAD /files/uploads/{id}/{name}?sig=…``: the file (signed, like the result videos).

Both uploads honour ``X-Fal-Object-Lifecycle-Preference: {"expiration_duration_seconds": N}``.
The URLs handed out are the engine's own (loopback), so its validator takes them as inputs.
"""

from __future__ import annotations

import hmac
import time
from datetime import UTC, datetime
from urllib.parse import quote

import msgspec

from .exchange import Exchange
from .json_input import JsonInputError, decode_json
from .uploads import MAX_LIFETIME_S, Upload

__all__ = [
    "TOKEN_LIFETIME_S",
    "initiate",
    "token",
    "token_ok",
    "upload",
    "upload_file",
    "upload_put",
]

#: How long a CDN token works (seconds), as fal's do: about an hour.
TOKEN_LIFETIME_S = 3600
_TOKEN_SCOPE = "cdn-token"
_CHUNK = 64 * 1024  # an uploaded file is sent in pieces this size


class _Lifecycle(msgspec.Struct):
    expiration_duration_seconds: int


class _Initiate(msgspec.Struct):
    file_name: str = "upload.bin"
    content_type: str = "application/octet-stream"


def token_ok(ex: Exchange, now: float | None = None) -> bool:
    """True when the request carries a CDN token this engine issued and it has not expired
    (``Authorization: Bearer EXPIRY.SIGNATURE``)."""
    scheme, _, text = ex.headers.get("Authorization", "").partition(" ")
    expiry, _, signature = text.strip().partition(".")
    if scheme.lower() != "bearer" or not expiry.isascii() or not expiry.isdigit():
        return False
    expected = ex.engine.signature(_TOKEN_SCOPE, expiry)
    fresh = int(expiry) > (time.time() if now is None else now)
    return hmac.compare_digest(signature.encode(), expected.encode()) and fresh


def token(ex: Exchange, body: bytes) -> None:
    """A CDN token for :func:`upload` (the body, ``{}`` as fal's clients send it, is unread)."""
    expiry = str(int(time.time()) + TOKEN_LIFETIME_S)
    answer = {
        "token": f"{expiry}.{ex.engine.signature(_TOKEN_SCOPE, expiry)}",
        "token_type": "Bearer",
        "base_url": ex.engine.base_url,
        "expires_at": datetime.fromtimestamp(int(expiry), UTC).isoformat(),
    }
    ex.json(200, answer)


def upload(ex: Exchange, body: bytes) -> None:
    """Keep the body as a file; its URL (the gate checked the token and the size)."""
    record = ex.engine.uploads.store(
        body,
        ex.headers.get("X-Fal-File-Name") or "upload.bin",
        ex.headers.get("Content-Type") or "application/octet-stream",
        _lifetime(ex),
    )
    ex.json(
        200,
        {
            "access_url": _file_url(ex, record),
            "content_type": record.content_type,
            "file_name": record.file_name,
            "file_size": record.size,
        },
    )


def initiate(ex: Exchange, body: bytes) -> None:
    """Reserve a file for a later ``PUT``: where to put it and where it will be."""
    try:
        asked = msgspec.convert(decode_json(body or b"{}"), _Initiate)
    except (JsonInputError, msgspec.ValidationError) as exc:
        ex.json(422, {"detail": f"The body must be {{file_name, content_type}}: {exc}"})
        return
    record = ex.engine.uploads.reserve(asked.file_name, asked.content_type, _lifetime(ex))
    put = ex.engine.signature("put", record.upload_id)
    ex.json(
        200,
        {
            "upload_url": f"{ex.engine.base_url}/storage/upload/{record.upload_id}?sig={put}",
            "file_url": _file_url(ex, record),
        },
    )


def upload_put(ex: Exchange, body: bytes) -> None:
    """The bytes of a reserved file (the gate checked the URL's signature and the size)."""
    assert ex.request_id is not None  # the route has the upload id in its path
    if ex.engine.uploads.put(ex.request_id, body) is None:
        ex.json(404, {"detail": "No such upload: initiate it first."})
        return
    ex.send(200, b"", "text/plain")


def upload_file(ex: Exchange, body: bytes) -> None:
    """Send an uploaded file (404 when it is unknown, not put yet or expired)."""
    assert ex.request_id is not None
    found = ex.engine.uploads.find(ex.request_id)
    handle = ex.open_file(None if found is None else found[1])
    if handle is None:
        return
    assert found is not None
    record = found[0]
    with handle:
        size = record.size or 0
        headers = {
            "Content-Type": record.content_type,
            "Content-Length": str(size),
            # A browser must not guess HTML in an upload: it would run on the engine's origin.
            "X-Content-Type-Options": "nosniff",
        }
        ex.start(200, headers)
        if ex.method == "HEAD":
            return
        while chunk := handle.read(_CHUNK):
            ex.write(chunk)


def _file_url(ex: Exchange, record: Upload) -> str:
    signature = ex.engine.signature("upload", record.upload_id)
    name = quote(record.file_name, safe="")
    return f"{ex.engine.base_url}/files/uploads/{record.upload_id}/{name}?sig={signature}"


def _lifetime(ex: Exchange) -> int | None:
    """The lifetime the client asked for (seconds, within range), or None."""
    text = ex.headers.get("X-Fal-Object-Lifecycle-Preference")
    if not text:
        return None
    try:
        asked = msgspec.json.decode(text.encode(), type=_Lifecycle).expiration_duration_seconds
    except msgspec.DecodeError:
        return None
    return asked if 0 < asked <= MAX_LIFETIME_S else None
