"""``FalClient``: the async client for fal's queue (submit, follow, result, cancel), fal's
CDN upload, and the download of output media.

One ``httpx.AsyncClient`` underneath; every method is a coroutine to call on the event loop
that opened the client. The key travels only in the ``Authorization`` header of queue and
storage calls: never to media hosts, never into a log line, message or repr.
"""

from __future__ import annotations

import asyncio
import contextlib
import enum
import ipaddress
import json
import logging
import os
import secrets
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Collection
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import TracebackType
from typing import Any

import httpx
from httpx_sse import SSEError, aconnect_sse

from wan_desktop.core.settings import DEFAULT_QUEUE_URL
from wan_desktop.fal.download import DownloadResult, ProgressCallback, download
from wan_desktop.fal.errors import (
    AuthError,
    FalError,
    NetworkError,
    ProtocolError,
    ValidationError,
    request_failed,
)
from wan_desktop.fal.handle import RequestHandle, app_root
from wan_desktop.fal.mapping import (
    DOING,
    error_from_response,
    json_body,
    protocol_error,
)
from wan_desktop.fal.retry import (
    REQUEST_ID_HEADER,
    RetryPolicy,
    backoff_delay,
    should_retry,
    submit_may_retry,
)
from wan_desktop.fal.status import Completed, InProgress, LogDeduper, Queued, Status, parse_status

__all__ = [
    "DEFAULT_QUEUE_URL",
    "DEFAULT_REST_URL",
    "CancelOutcome",
    "FalClient",
    "preload_transport",
]

log = logging.getLogger("wan_desktop.fal")

#: What httpx's transport imports on a client's first request (anyio's asyncio backend).
_TRANSPORT_MODULES = (
    "anyio._backends._asyncio",
    "anyio.lowlevel",
    "anyio.streams.memory",
    "anyio.streams.stapled",
    "anyio.streams.tls",
    "anyio.to_thread",
)


def preload_transport() -> None:
    """Import what the HTTP transport would otherwise import on the first request.

    That first request runs on the event loop, which in the window is the GUI thread: the
    imports (~35 ms, measured) stalled the window in the middle of the first job. Call this
    in a worker thread beforehand; it is idempotent and cheap once done.
    """
    import importlib

    for name in _TRANSPORT_MODULES:
        importlib.import_module(name)


DEFAULT_REST_URL = "https://rest.fal.ai"
QUEUE_URL_ENV = "FAL_QUEUE_URL"
DEFAULT_TIMEOUT_S = 60.0
CONNECT_TIMEOUT_S = 10.0
# The server sends a keep-alive comment every 15 s: a stream silent for longer is dead.
STREAM_IDLE_TIMEOUT_S = 20.0
# Polling (the fallback when the stream fails): start quick, slow down to once a second.
POLL_FIRST_S = 0.25
POLL_MAX_S = 1.0
POLL_GROWTH = 1.5
# After the stream broke, poll this long before trying it again; give up on it after
# STREAM_MAX_FAILURES breaks (the server may simply not offer it).
STREAM_RETRY_AFTER_S = 10.0
STREAM_MAX_FAILURES = 3
# Refresh a CDN upload token this long before it expires.
TOKEN_MARGIN = timedelta(seconds=30)
LOOPBACK_NAMES = frozenset({"localhost", "127.0.0.1", "::1"})


class CancelOutcome(enum.Enum):
    """What a cancel achieved."""

    REMOVED = "OK"  # taken out of the queue before it ran: not billed
    REQUESTED = "CANCELLATION_REQUESTED"  # running: told to stop; may still finish and bill
    ALREADY_COMPLETED = "ALREADY_COMPLETED"
    NOT_FOUND = "NOT_FOUND"


@dataclass(slots=True)
class _CdnToken:
    token: str = field(repr=False)
    token_type: str
    base_url: str
    expires_at: datetime


def _is_loopback(host: str) -> bool:
    if host in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _show(url: httpx.URL | str) -> str:
    """A URL fit for a log line: no query (signed URLs keep secrets there), no user info."""
    url = httpx.URL(url)
    return f"{url.scheme}://{url.host}{f':{url.port}' if url.port else ''}{url.path}"


def _with_query(url: str, query: str) -> str:
    return f"{url}{'&' if '?' in url else '?'}{query}"


#: Request bodies go out in pieces this large, so the loop (the GUI) runs between them.
BODY_PIECE_BYTES = 256 * 1024
#: String values longer than this are spliced into the JSON rather than encoded by it.
_SPLICE_MIN_CHARS = 64 * 1024


def encode_json_body(arguments: dict[str, Any]) -> bytes:
    """``arguments`` as UTF-8 JSON, without holding the interpreter lock for long.

    Inline media (base64 data URIs of many megabytes) need no JSON escaping: they are spliced into
    the encoded text between short calls instead of passing through one long ``json.dumps``
    (which would stall every other thread, the GUI's included, for its whole duration).
    Call in a worker thread.
    """
    spliced: dict[str, str] = {}
    shallow: dict[str, Any] = {}
    token = secrets.token_hex(8)  # a marker no prompt can contain by chance
    for name, value in arguments.items():
        if (
            isinstance(value, str)
            and len(value) >= _SPLICE_MIN_CHARS
            and value.startswith("data:")
            and value.isascii()  # O(1) in CPython: a flag of the string
            and '"' not in value
            and "\\" not in value
            and "\n" not in value
        ):
            marker = f"@@{token}-{len(spliced)}@@"
            spliced[marker] = value
            shallow[name] = marker
        else:
            shallow[name] = value
    text = json.dumps(shallow, ensure_ascii=False)
    if not spliced:
        return text.encode("utf-8")
    parts: list[bytes] = []
    rest = text
    for marker, value in spliced.items():
        before, _, rest = rest.partition(marker)
        parts += [before.encode("utf-8"), value.encode("ascii")]
    parts.append(rest.encode("utf-8"))
    return b"".join(parts)


async def _pieces(body: bytes) -> AsyncIterator[bytes]:
    view = memoryview(body)
    for start in range(0, len(view), BODY_PIECE_BYTES):
        yield bytes(view[start : start + BODY_PIECE_BYTES])


def _stream_url(status_url: str) -> str:
    path, sep, query = status_url.partition("?")
    return f"{path.rstrip('/')}/stream{sep}{query}"


class FalClient:
    """Async client for fal's queue, CDN upload and media download.

    ``key``: the fal key (``FAL_KEY``); None or empty raises ``AuthError`` at the first queue
    call (downloads need no key). ``base_url``: the queue (default: env ``FAL_QUEUE_URL``, else
    ``https://queue.fal.run``); an ``http://`` loopback base (the local engine) is added to
    ``allow_http_hosts`` so its media can be downloaded. ``transport``: an httpx transport
    (tests). ``timeout_s``: per-read/write timeout of ordinary calls, seconds.
    ``stream_idle_timeout_s``: how long a status stream may stay silent before it is dropped.

    Use as ``async with FalClient(key) as client:``; call every method on that event loop.
    """

    def __init__(
        self,
        key: str | None,
        *,
        base_url: str | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        timeout_s: float = DEFAULT_TIMEOUT_S,
        retry: RetryPolicy | None = None,
        rest_url: str = DEFAULT_REST_URL,
        allow_http_hosts: Collection[str] = frozenset(),
        stream_idle_timeout_s: float = STREAM_IDLE_TIMEOUT_S,
    ) -> None:
        self._key = (key or "").strip()
        self.base_url = (base_url or os.environ.get(QUEUE_URL_ENV) or DEFAULT_QUEUE_URL).rstrip("/")
        self.rest_url = rest_url.rstrip("/")
        self.retry = retry or RetryPolicy()
        self.timeout_s = timeout_s
        self.stream_idle_timeout_s = stream_idle_timeout_s
        hosts = set(allow_http_hosts)
        for url in (self.base_url, self.rest_url):
            parsed = httpx.URL(url)
            if parsed.scheme == "http" and _is_loopback(parsed.host):
                # A local server may name itself 127.0.0.1 or localhost in the URLs it returns.
                hosts.update({parsed.host, *LOOPBACK_NAMES})
        self.allow_http_hosts: frozenset[str] = frozenset(hosts)
        self._http = httpx.AsyncClient(
            transport=transport,
            timeout=httpx.Timeout(timeout_s, connect=min(CONNECT_TIMEOUT_S, timeout_s)),
            follow_redirects=False,
        )
        self._cdn_token: _CdnToken | None = None
        self._served_by: dict[str, str] = {}
        # Injected by tests that need no real waiting; the default really waits.
        self._sleep: Callable[[float], Awaitable[None]] = asyncio.sleep

    def __repr__(self) -> str:
        key = "set" if self._key else "missing"
        return f"<FalClient base_url={self.base_url!r} key={key}>"

    async def __aenter__(self) -> FalClient:
        await self._http.__aenter__()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self._http.__aexit__(exc_type, exc, tb)

    async def aclose(self) -> None:
        """Close the connections (also done by leaving the ``async with`` block)."""
        await self._http.aclose()

    # -- plumbing -------------------------------------------------------------------------

    def _auth(self) -> dict[str, str]:
        if not self._key:
            raise AuthError()
        if not self._key.isascii() or not self._key.isprintable() or " " in self._key:
            # httpx would fail on it with a message that might quote part of it.
            raise AuthError(
                "The fal key holds characters no key has (spaces or non-ASCII). "
                "Set the key in the FAL_KEY environment variable or in the app's settings."
            )
        return {"Authorization": f"Key {self._key}"}

    def _check_target(self, url: str) -> None:
        """The key may go to https hosts, or over http to allowed (loopback) hosts only."""
        parsed = httpx.URL(url)
        if parsed.scheme == "https" and parsed.host:
            return
        if parsed.scheme == "http" and parsed.host in self.allow_http_hosts:
            return
        raise ProtocolError(
            f"Refusing to send the key to {parsed.scheme}://{parsed.host}: not https."
        )

    def _scrubbed(self, exc: FalError) -> FalError:
        return exc.scrub(self._key)

    async def _call(
        self,
        method: str,
        url: str,
        *,
        during: str,
        auth: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
        **kwargs: Any,
    ) -> httpx.Response:
        """An idempotent call with the full retry policy. Returns the (read) final response,
        2xx or not; raises ``NetworkError`` when no answer came after all attempts."""
        attempt = 0
        while True:
            attempt += 1
            try:
                response = await self._http.request(
                    method, url, headers={**(headers or {}), **(auth or {})}, **kwargs
                )
            except httpx.TransportError as exc:
                log.debug("%s %s failed: %s", method, _show(url), type(exc).__name__)
                if should_retry(exc) and attempt < self.retry.max_attempts:
                    await self._sleep(backoff_delay(attempt, policy=self.retry))
                    continue
                raise NetworkError(
                    f"No answer from the service while {DOING.get(during, during)} "
                    f"({type(exc).__name__}, after {attempt} attempts). Check the connection.",
                ) from exc
            log.debug("%s %s -> %s", method, _show(url), response.status_code)
            if response.is_success:
                return response
            if should_retry(response) and attempt < self.retry.max_attempts:
                await self._sleep(
                    backoff_delay(attempt, response.headers.get("retry-after"), policy=self.retry)
                )
                continue
            return response

    def _json_object(self, response: httpx.Response, *, during: str) -> dict[str, Any]:
        body = json_body(response)
        if not isinstance(body, dict):
            raise protocol_error(response, during=during, what="the body is not a JSON object")
        return body

    # -- queue ----------------------------------------------------------------------------

    async def submit(
        self,
        endpoint_id: str,
        arguments: dict[str, Any],
        *,
        priority: str | None = None,
        start_timeout_s: float | None = None,
        media_expiry_s: int | None = None,
    ) -> RequestHandle:
        """Put a request in the queue; returns its handle (persist it to resume later).

        ``priority``: ``"normal"`` or ``"low"``. ``start_timeout_s``: a deadline, seconds,
        for the request to *start*. ``media_expiry_s``: how long fal's CDN keeps the output.

        Never sent twice once it may have reached the server: only failures that prove it
        was turned away (no connection, 408, 429, 503 from the ingress) are retried. Any
        other break raises an error with ``maybe_submitted=True``. Call on the event loop.
        """
        try:
            return await self._submit(
                endpoint_id,
                arguments,
                priority=priority,
                start_timeout_s=start_timeout_s,
                media_expiry_s=media_expiry_s,
            )
        except FalError as exc:
            raise self._scrubbed(exc) from exc.__cause__

    async def _submit(
        self,
        endpoint_id: str,
        arguments: dict[str, Any],
        *,
        priority: str | None,
        start_timeout_s: float | None,
        media_expiry_s: int | None,
    ) -> RequestHandle:
        auth = self._auth()
        app_root(endpoint_id)  # a malformed id fails here, before anything is sent
        url = f"{self.base_url}/{endpoint_id.strip('/')}"
        self._check_target(url)
        headers: dict[str, str] = {}
        if priority is not None:
            if priority not in ("normal", "low"):
                raise ValueError(f"priority must be 'normal' or 'low', not {priority!r}")
            headers["X-Fal-Queue-Priority"] = priority
        if start_timeout_s is not None:
            headers["X-Fal-Request-Timeout"] = f"{float(start_timeout_s):g}"
        if media_expiry_s is not None:
            headers["X-Fal-Object-Lifecycle-Preference"] = json.dumps(
                {"expiration_duration_seconds": int(media_expiry_s)}
            )
        body = await asyncio.to_thread(encode_json_body, arguments)
        headers["Content-Type"] = "application/json"
        headers["Content-Length"] = str(len(body))
        attempt = 0
        while True:
            attempt += 1
            try:
                response = await self._http.post(
                    url, content=_pieces(body), headers={**headers, **auth}
                )
            except httpx.TransportError as exc:
                log.debug("POST %s failed: %s", _show(url), type(exc).__name__)
                if submit_may_retry(exc):
                    if attempt < self.retry.max_attempts:
                        await self._sleep(backoff_delay(attempt, policy=self.retry))
                        continue
                    raise NetworkError(
                        f"Could not reach the service to send the request ({type(exc).__name__}"
                        f", after {attempt} attempts). Nothing was sent; check the connection.",
                    ) from exc
                raise NetworkError(
                    "The connection broke after the request was sent "
                    f"({type(exc).__name__}): the service may have accepted it. Check the "
                    "jobs on fal before sending it again, or it may be billed twice.",
                    maybe_submitted=True,
                ) from exc
            log.debug("POST %s -> %s", _show(url), response.status_code)
            if response.is_success:
                break
            if submit_may_retry(response) and attempt < self.retry.max_attempts:
                await self._sleep(
                    backoff_delay(attempt, response.headers.get("retry-after"), policy=self.retry)
                )
                continue
            error = error_from_response(response, during="submit")
            # A 5xx other than a turned-away 503 may come after the queue took the request.
            error.maybe_submitted = response.status_code >= 500 and not submit_may_retry(response)
            raise error
        data = self._json_object(response, during="submit")
        request_id = data.get("request_id")
        if not isinstance(request_id, str) or not request_id:
            raise protocol_error(response, during="submit", what="it holds no request_id")
        built = RequestHandle.from_base(self.base_url, endpoint_id, request_id)
        urls = {}
        for name in ("status_url", "response_url", "cancel_url"):
            value = data.get(name)
            urls[name] = value if isinstance(value, str) and value else getattr(built, name)
            self._check_target(urls[name])
        handle = RequestHandle(endpoint_id, request_id, **urls)
        log.debug("submitted request %s to %s", request_id, endpoint_id)
        return handle

    async def status(self, handle: RequestHandle, logs: bool = True) -> Status:
        """The request's current state (one GET, retried per the policy). Call on the loop."""
        try:
            return await self._status(handle, logs)
        except FalError as exc:
            raise self._scrubbed(exc) from exc.__cause__

    async def _status(self, handle: RequestHandle, logs: bool) -> Status:
        auth = self._auth()
        self._check_target(handle.status_url)
        url = _with_query(handle.status_url, f"logs={1 if logs else 0}")
        response = await self._call("GET", url, during="status", auth=auth)
        if not response.is_success:
            raise error_from_response(response, during="status")
        return parse_status(json_body(response))

    def watch(self, handle: RequestHandle, *, stream: bool = True) -> AsyncIterator[Status]:
        """Follow a request until it completes; an async iterator of status changes.

        Yields a status when the state changes, the queue position changes, or new log lines
        arrive; each yielded ``InProgress``/``Completed`` holds only the lines not yielded
        before (de-duplicated on timestamp + message). Ends after yielding ``Completed``
        (check ``.ok``; a failed request also completes). Uses the SSE status stream when
        ``stream`` is true and falls back to polling (0.25 s rising to 1 s) when the stream
        breaks, is refused, or stays silent longer than ``stream_idle_timeout_s``; the stream
        is re-tried later. Errors of the status call itself (key refused, request unknown,
        network down after retries) are raised. Iterate on the event loop; close it with
        ``aclose()`` (or ``contextlib.aclosing``) when leaving early.
        """
        return self._watch(handle, stream)

    async def _watch(self, handle: RequestHandle, use_stream: bool) -> AsyncIterator[Status]:
        dedupe = LogDeduper()
        last: list[Any] = [None]  # (state, position) of the last yielded status

        def change(status: Status) -> Status | None:
            if isinstance(status, Queued):
                key = ("queued", status.position)
                if key == last[0]:
                    return None
                last[0] = key
                return status
            fresh = dedupe.new(status.logs)
            if isinstance(status, InProgress):
                key = ("running", None)
                if key == last[0] and not fresh:
                    return None
                last[0] = key
                return InProgress(fresh)
            last[0] = ("completed", None)
            return Completed(fresh, status.metrics, status.error, status.error_type)

        stream_failures = 0
        stream_again_at = 0.0
        interval = POLL_FIRST_S
        while True:
            if (
                use_stream
                and stream_failures < STREAM_MAX_FAILURES
                and time.monotonic() >= stream_again_at
            ):
                try:
                    async with contextlib.aclosing(self._stream(handle)) as events:
                        async for status in events:
                            out = change(status)
                            if out is not None:
                                yield out
                            if isinstance(status, Completed):
                                return
                    log.debug("status stream of %s ended early", handle.request_id)
                except (FalError, httpx.TransportError, SSEError) as exc:
                    log.debug(
                        "status stream of %s failed (%s); polling",
                        handle.request_id,
                        type(exc).__name__,
                    )
                stream_failures += 1
                stream_again_at = time.monotonic() + STREAM_RETRY_AFTER_S * stream_failures
                interval = POLL_FIRST_S
            try:
                status = await self._status(handle, True)
            except FalError as exc:
                raise self._scrubbed(exc) from exc.__cause__
            out = change(status)
            if out is not None:
                yield out
                interval = POLL_FIRST_S if not isinstance(status, InProgress) else interval
            if isinstance(status, Completed):
                return
            await self._sleep(interval)
            interval = min(interval * POLL_GROWTH, POLL_MAX_S)

    async def _stream(self, handle: RequestHandle) -> AsyncIterator[Status]:
        auth = self._auth()
        self._check_target(handle.status_url)
        url = _with_query(_stream_url(handle.status_url), "logs=1")
        timeout = httpx.Timeout(
            self.timeout_s,
            connect=min(CONNECT_TIMEOUT_S, self.timeout_s),
            read=self.stream_idle_timeout_s,
        )
        async with aconnect_sse(self._http, "GET", url, headers=auth, timeout=timeout) as source:
            response = source.response
            log.debug("GET %s -> %s", _show(url), response.status_code)
            if response.status_code != 200:
                await response.aread()
                raise error_from_response(response, during="stream")
            # aclosing: when the caller stops early, the event iterator (and the HTTP stream
            # under it) is closed here, in this task, not later by the garbage collector.
            async with contextlib.aclosing(source.aiter_sse()) as events:
                async for event in events:
                    if not event.data.strip():
                        continue
                    try:
                        body = json.loads(event.data)
                    except ValueError:
                        raise ProtocolError(
                            "The status stream sent an event that is not JSON."
                        ) from None
                    yield parse_status(body)

    async def result(self, handle: RequestHandle) -> dict[str, Any]:
        """The output of a completed request (for this model ``{"video": {...}, "seed", ...}``).

        Raises ``ResultExpiredError`` (404: no longer kept), ``RequestFailedError`` (it
        completed with an error), ``ValidationError``/``ContentPolicyError`` (the model refused
        the inputs), ``AuthError``, ``ServiceError``, ``NetworkError``. Remembers the answer's
        ``x-fal-request-id`` (``served_by``). Call on the event loop.
        """
        try:
            return await self._result(handle)
        except FalError as exc:
            raise self._scrubbed(exc) from exc.__cause__

    async def _result(self, handle: RequestHandle) -> dict[str, Any]:
        auth = self._auth()
        self._check_target(handle.response_url)
        response = await self._call("GET", handle.response_url, during="result", auth=auth)
        if response.is_success:
            served_by = response.headers.get(REQUEST_ID_HEADER)
            if served_by:
                self._served_by[handle.request_id] = served_by
            return self._json_object(response, during="result")
        error = error_from_response(response, during="result")
        if isinstance(error, AuthError | ValidationError) or response.status_code in (404, 429):
            raise error
        # Another error answer: when the request completed with an error, say that instead.
        try:
            status = await self._status(handle, False)
        except FalError:
            raise error from None
        if isinstance(status, Completed) and not status.ok:
            raise request_failed(status.error, status.error_type, request_id=handle.request_id)
        raise error

    def served_by(self, handle: RequestHandle) -> str | None:
        """The ``x-fal-request-id`` header of the last result fetched for ``handle``."""
        return self._served_by.get(handle.request_id)

    async def cancel(self, handle: RequestHandle) -> CancelOutcome:
        """Ask the queue to cancel the request. ``REMOVED``: it never ran (not billed);
        ``REQUESTED``: it is running and was told to stop (it may still finish);
        ``ALREADY_COMPLETED``; ``NOT_FOUND``. Call on the event loop."""
        try:
            return await self._cancel(handle)
        except FalError as exc:
            raise self._scrubbed(exc) from exc.__cause__

    async def _cancel(self, handle: RequestHandle) -> CancelOutcome:
        auth = self._auth()
        self._check_target(handle.cancel_url)
        response = await self._call("PUT", handle.cancel_url, during="cancel", auth=auth)
        body = json_body(response)
        said = body.get("status") if isinstance(body, dict) else None
        for outcome in CancelOutcome:
            if said == outcome.value:
                return outcome
        by_code = {
            200: CancelOutcome.REMOVED,
            202: CancelOutcome.REQUESTED,
            400: CancelOutcome.ALREADY_COMPLETED,
            404: CancelOutcome.NOT_FOUND,
        }
        if response.status_code in by_code:
            return by_code[response.status_code]
        raise error_from_response(response, during="cancel")

    # -- files ----------------------------------------------------------------------------

    async def upload(self, data: bytes, content_type: str, file_name: str) -> str:
        """Upload ``data`` to fal's CDN; returns its public URL (to pass as ``image_url``).

        Uses a CDN token (cached until shortly before it expires); when the CDN upload fails
        for another reason than the key, falls back to fal's storage upload. Call on the loop.
        """
        try:
            return await self._upload(data, content_type, file_name)
        except FalError as exc:
            raise self._scrubbed(exc) from exc.__cause__

    async def _upload(self, data: bytes, content_type: str, file_name: str) -> str:
        auth = self._auth()
        try:
            token = await self._token(auth)
            url = f"{token.base_url.rstrip('/')}/files/upload"
            self._check_target(url)
            response = await self._call(
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
                self._cdn_token = None  # a revoked token: fetch a new one next time
            if not response.is_success:
                raise error_from_response(response, during="upload")
            access_url = self._json_object(response, during="upload").get("access_url")
            if not isinstance(access_url, str) or not access_url:
                raise protocol_error(response, during="upload", what="it holds no access_url")
            return access_url
        except AuthError:
            raise
        except FalError as exc:
            log.debug("CDN upload failed (%s); trying the storage upload", type(exc).__name__)
            try:
                return await self._upload_storage(auth, data, content_type, file_name)
            except FalError as fallback_exc:
                raise exc from fallback_exc

    async def _token(self, auth: dict[str, str]) -> _CdnToken:
        now = datetime.now(UTC)
        if self._cdn_token is not None and self._cdn_token.expires_at - TOKEN_MARGIN > now:
            return self._cdn_token
        url = f"{self.rest_url}/storage/auth/token?storage_type=fal-cdn-v3"
        self._check_target(url)
        response = await self._call(
            "POST", url, during="token", auth=auth, content=b"{}",
            headers={"Content-Type": "application/json"},
        )  # fmt: skip
        if not response.is_success:
            raise error_from_response(response, during="token")
        data = self._json_object(response, during="token")
        try:
            token = _CdnToken(
                token=str(data["token"]),
                token_type=str(data.get("token_type") or "Bearer"),
                base_url=str(data.get("base_url") or "https://v3.fal.media"),
                expires_at=_parse_expiry(data.get("expires_at")),
            )
        except (KeyError, TypeError, ValueError):
            raise protocol_error(response, during="token", what="the token is malformed") from None
        self._cdn_token = token
        return token

    async def _upload_storage(
        self, auth: dict[str, str], data: bytes, content_type: str, file_name: str
    ) -> str:
        url = f"{self.rest_url}/storage/upload/initiate?storage_type=gcs"
        self._check_target(url)
        response = await self._call(
            "POST", url, during="upload", auth=auth,
            json={"file_name": file_name, "content_type": content_type},
        )  # fmt: skip
        if not response.is_success:
            raise error_from_response(response, during="upload")
        body = self._json_object(response, during="upload")
        upload_url, file_url = body.get("upload_url"), body.get("file_url")
        if not (isinstance(upload_url, str) and isinstance(file_url, str)):
            raise protocol_error(response, during="upload", what="it holds no upload_url")
        self._check_target(upload_url)
        # A signed URL: it carries its own authorisation; the key must not go there.
        put = await self._call(
            "PUT", upload_url, during="upload", content=data,
            headers={"Content-Type": content_type},
        )  # fmt: skip
        if not put.is_success:
            raise error_from_response(put, during="upload")
        return file_url

    async def download(
        self,
        url: str,
        dest: Path,
        *,
        on_progress: ProgressCallback | None = None,
        expected_content_type: str | None = "video/mp4",
        checksum: bool = False,
    ) -> DownloadResult:
        """Download ``url`` to ``dest``: streamed chunk by chunk to ``dest.part``, resumed
        with ``Range`` after a break when the server supports it (else restarted), retried
        per the policy, its length and media type checked, fsynced and renamed into place.

        Only ``https://`` URLs, or ``http://`` to a host in ``allow_http_hosts``; anything
        else raises ``DownloadError`` before any request. ``on_progress(bytes_done,
        bytes_total | None)`` is called on the loop after each chunk. Sends no key. Call on
        the event loop; ``expected_content_type=None`` skips the type check; ``checksum``
        computes the sha256 while streaming.
        """
        try:
            return await download(
                self._http,
                url,
                Path(dest),
                allow_http_hosts=self.allow_http_hosts,
                policy=self.retry,
                on_progress=on_progress,
                expected_content_type=expected_content_type,
                checksum=checksum,
                sleep=self._sleep,
            )
        except FalError as exc:
            raise self._scrubbed(exc) from exc.__cause__


def _parse_expiry(value: Any) -> datetime:
    if not isinstance(value, str):
        raise TypeError("expires_at")
    when = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return when if when.tzinfo else when.replace(tzinfo=UTC)
