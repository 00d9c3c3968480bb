"""Uploading input files: the CDN upload with a cached token, and the storage upload as the
fallback, both through the storage API (``rest_url_for`` says which). Coroutines run on the
client's event loop.

The CDN upload is three steps: a token from ``{rest}/storage/auth/token`` (with the key),
the bytes to ``{token's base_url}/files/upload`` (with the token, never the key), and the
file's URL from that answer. The user's media-expiration preference travels with the
upload as ``X-Fal-Object-Lifecycle-Preference: {"expiration_duration_seconds": N}`` (fal's
media-expiration docs: the same header as for output media).
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from wan_desktop.core.endpoints import DEFAULT_REST_URL, resolve_rest_url
from wan_desktop.fal.errors import FalError, ProtocolError
from wan_desktop.fal.mapping import error_from_response, protocol_error
from wan_desktop.fal.transport import Transport

__all__ = [
    "DEFAULT_REST_URL",
    "LIFECYCLE_HEADER",
    "TOKEN_MARGIN",
    "Uploader",
    "lifecycle_header",
    "rest_url_for",
]

log = logging.getLogger("wan_desktop.fal")

DEFAULT_CDN_URL = "https://v3.fal.media"
LIFECYCLE_HEADER = "X-Fal-Object-Lifecycle-Preference"
# Queue hosts that are fal's own: their storage API is fal's too.
_FAL_HOST_SUFFIXES = (".fal.run", ".fal.ai")
#: Refresh a CDN upload token this long before it expires.
TOKEN_MARGIN = timedelta(seconds=30)


def rest_url_for(queue_url: str, environ: Mapping[str, str] | None = None) -> str:
    """The storage API for a client of the queue at ``queue_url``, no trailing slash:

    1. ``FAL_REST_URL`` when set (``core.endpoints.resolve_rest_url``: ``https://``, or
       ``http://`` only to this machine; ``ValueError`` naming the variable otherwise);
    2. fal's (``https://rest.fal.ai``) when the queue is fal's own (``*.fal.run``);
    3. else the queue's own server (scheme, host and port): another fal-compatible server,
       the offline engine or a local stand-in takes the uploads, and the key never goes
       to fal for them.
    """
    env = os.environ if environ is None else environ
    if (env.get("FAL_REST_URL") or "").strip():
        return resolve_rest_url(env)
    queue = httpx.URL(queue_url)
    host = queue.host.lower()
    if host == "fal.run" or host.endswith(_FAL_HOST_SUFFIXES):
        return DEFAULT_REST_URL
    port = f":{queue.port}" if queue.port else ""
    return f"{queue.scheme}://{queue.raw_host.decode('ascii')}{port}"


def lifecycle_header(expires_in_s: int | None) -> dict[str, str]:
    """The media-expiration preference header for ``expires_in_s`` seconds ({} for None)."""
    if expires_in_s is None:
        return {}
    return {LIFECYCLE_HEADER: json.dumps({"expiration_duration_seconds": int(expires_in_s)})}


@dataclass(slots=True)
class _CdnToken:
    token: str = field(repr=False)
    token_type: str
    base_url: str
    expires_at: datetime


class Uploader:
    """Uploads through ``transport``; ``rest_url`` is the storage API (``rest_url_for``).
    ``problem``: why the configured storage API may not be used (every upload raises it as
    a ``ProtocolError`` before anything is sent).

    Keeps one CDN token until shortly before it expires (or until the CDN refuses it).
    """

    def __init__(
        self, transport: Transport, rest_url: str = DEFAULT_REST_URL, problem: str | None = None
    ) -> None:
        self._transport = transport
        self.rest_url = rest_url.rstrip("/")
        self._problem = problem
        self._token: _CdnToken | None = None

    async def upload(
        self, data: bytes, content_type: str, file_name: str, expires_in_s: int | None = None
    ) -> str:
        """Upload ``data``; its public URL. ``expires_in_s``: how long the storage should
        keep it (seconds; None: the account's default). A CDN failure other than a refusal
        (the key, the account) falls back to the storage upload; when both fail, the CDN's
        error is raised (from the other)."""
        auth = self._transport.auth()
        if self._problem:
            raise ProtocolError(self._problem)
        headers = {"Content-Type": content_type, **lifecycle_header(expires_in_s)}
        try:
            return await self._upload_cdn(auth, data, headers, file_name)
        except FalError as exc:
            if exc.refused:
                raise
            log.debug("CDN upload failed (%s); trying the storage upload", type(exc).__name__)
            try:
                return await self._upload_storage(auth, data, headers, file_name)
            except FalError as fallback_exc:
                raise exc from fallback_exc

    async def _upload_cdn(
        self, auth: dict[str, str], data: bytes, headers: dict[str, str], file_name: str
    ) -> str:
        token = await self._cdn_token(auth)
        url = f"{token.base_url.rstrip('/')}/files/upload"
        self._transport.check_target(url)
        response = await self._transport.call(
            "POST",
            url,
            during="upload",
            content=data,
            headers={
                **headers,
                "Authorization": f"{token.token_type} {token.token}",
                "X-Fal-File-Name": file_name,
            },
        )
        if response.status_code in (401, 403):
            self._token = None  # a revoked token: fetch a new one next time
        if not response.is_success:
            raise error_from_response(response, during="upload")
        access_url = self._transport.json_object(response, during="upload").get("access_url")
        if not isinstance(access_url, str) or not access_url:
            raise protocol_error(response, during="upload", what="it holds no access_url")
        return access_url

    async def _cdn_token(self, auth: dict[str, str]) -> _CdnToken:
        now = datetime.now(UTC)
        if self._token is not None and self._token.expires_at - TOKEN_MARGIN > now:
            return self._token
        url = f"{self.rest_url}/storage/auth/token?storage_type=fal-cdn-v3"
        self._transport.check_target(url)
        response = await self._transport.call(
            "POST", url, during="token", auth=auth, content=b"{}",
            headers={"Content-Type": "application/json"},
        )  # fmt: skip
        if not response.is_success:
            raise error_from_response(response, during="token")
        self._token = _read_token(response, self._transport.json_object(response, during="token"))
        return self._token

    async def _upload_storage(
        self, auth: dict[str, str], data: bytes, headers: dict[str, str], file_name: str
    ) -> str:
        content_type = headers["Content-Type"]
        url = f"{self.rest_url}/storage/upload/initiate?storage_type=gcs"
        self._transport.check_target(url)
        response = await self._transport.call(
            "POST", url, during="upload", auth=auth,
            headers={k: v for k, v in headers.items() if k != "Content-Type"},
            json={"file_name": file_name, "content_type": content_type},
        )  # fmt: skip
        if not response.is_success:
            raise error_from_response(response, during="upload")
        body = self._transport.json_object(response, during="upload")
        upload_url, file_url = body.get("upload_url"), body.get("file_url")
        if not (isinstance(upload_url, str) and isinstance(file_url, str)):
            raise protocol_error(response, during="upload", what="it holds no upload_url")
        self._transport.check_target(upload_url)
        # A signed URL: it carries its own authorisation; the key must not go there.
        put = await self._transport.call(
            "PUT", upload_url, during="upload", content=data,
            headers={"Content-Type": content_type},
        )  # fmt: skip
        if not put.is_success:
            raise error_from_response(put, during="upload")
        return file_url


def _read_token(response: httpx.Response, data: dict[str, Any]) -> _CdnToken:
    try:
        return _CdnToken(
            token=str(data["token"]),
            token_type=str(data.get("token_type") or "Bearer"),
            base_url=str(data.get("base_url") or DEFAULT_CDN_URL),
            expires_at=_parse_expiry(data.get("expires_at")),
        )
    except (KeyError, TypeError, ValueError):
        raise protocol_error(response, during="token", what="the token is malformed") from None


def _parse_expiry(value: Any) -> datetime:
    if not isinstance(value, str):
        raise TypeError("expires_at")
    when = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return when if when.tzinfo else when.replace(tzinfo=UTC)
