"""Uploading input files to fal: the CDN upload with a cached token, and fal's storage upload
as the fallback. Coroutines run on the client's event loop."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from wan_desktop.fal.errors import AuthError, FalError
from wan_desktop.fal.mapping import error_from_response, protocol_error
from wan_desktop.fal.transport import Transport

__all__ = ["DEFAULT_REST_URL", "TOKEN_MARGIN", "Uploader"]

log = logging.getLogger("wan_desktop.fal")

DEFAULT_REST_URL = "https://rest.fal.ai"
DEFAULT_CDN_URL = "https://v3.fal.media"
#: Refresh a CDN upload token this long before it expires.
TOKEN_MARGIN = timedelta(seconds=30)


@dataclass(slots=True)
class _CdnToken:
    token: str = field(repr=False)
    token_type: str
    base_url: str
    expires_at: datetime


class Uploader:
    """Uploads through ``transport``; ``rest_url`` is fal's storage API (``FAL_REST_URL``).

    Keeps one CDN token until shortly before it expires (or until the CDN refuses it).
    """

    def __init__(self, transport: Transport, rest_url: str = DEFAULT_REST_URL) -> None:
        self._transport = transport
        self.rest_url = rest_url.rstrip("/")
        self._token: _CdnToken | None = None

    async def upload(self, data: bytes, content_type: str, file_name: str) -> str:
        """Upload ``data``; its public URL. A CDN failure other than the key falls back to
        the storage upload; when both fail, the CDN's error is raised (from the other)."""
        auth = self._transport.auth()
        try:
            return await self._upload_cdn(auth, data, content_type, file_name)
        except AuthError:
            raise
        except FalError as exc:
            log.debug("CDN upload failed (%s); trying the storage upload", type(exc).__name__)
            try:
                return await self._upload_storage(auth, data, content_type, file_name)
            except FalError as fallback_exc:
                raise exc from fallback_exc

    async def _upload_cdn(
        self, auth: dict[str, str], data: bytes, content_type: str, file_name: str
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
                "Authorization": f"{token.token_type} {token.token}",
                "Content-Type": content_type,
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
        self, auth: dict[str, str], data: bytes, content_type: str, file_name: str
    ) -> str:
        url = f"{self.rest_url}/storage/upload/initiate?storage_type=gcs"
        self._transport.check_target(url)
        response = await self._transport.call(
            "POST", url, during="upload", auth=auth,
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
