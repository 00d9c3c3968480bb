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
import functools
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Collection
from pathlib import Path
from types import TracebackType
from typing import Any, Concatenate, ParamSpec, TypeVar

import httpx

from wan_desktop.core.redact import KeyRedactor
from wan_desktop.core.settings import DEFAULT_QUEUE_URL, Settings, resolve_queue_url
from wan_desktop.fal.download import DownloadResult, ProgressCallback, download
from wan_desktop.fal.errors import (
    AccountLockedError,
    AuthError,
    FalError,
    StartTimeoutError,
    ValidationError,
    request_failed,
)
from wan_desktop.fal.handle import RequestHandle, app_root
from wan_desktop.fal.mapping import error_from_response, json_body
from wan_desktop.fal.retry import (
    REQUEST_ID_HEADER,
    RetryPolicy,
    submit_may_retry,
    submit_turned_away,
)
from wan_desktop.fal.status import Completed, Status, parse_status
from wan_desktop.fal.submit import (
    JsonBody,
    body_pieces,
    encode_json_body,
    handle_from_answer,
    no_answer_error,
    submit_headers,
)
from wan_desktop.fal.transport import (
    GaveUp,
    PlainHttpRule,
    Sleep,
    Transport,
    send_with_retries,
    with_query,
)
from wan_desktop.fal.uploads import DEFAULT_REST_URL, Uploader, rest_url_for
from wan_desktop.fal.watch import follow, stream_statuses

__all__ = [
    "DEFAULT_QUEUE_URL",
    "DEFAULT_REST_URL",
    "CancelOutcome",
    "FalClient",
    "encode_json_body",
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


DEFAULT_TIMEOUT_S = 60.0
CONNECT_TIMEOUT_S = 10.0
# The server sends a keep-alive comment every 15 s: a stream silent for longer is dead.
STREAM_IDLE_TIMEOUT_S = 20.0

# Result errors that already say what happened: not re-worded from the request's status.
_TOLD_STRAIGHT = (AuthError, AccountLockedError, ValidationError, StartTimeoutError)

P = ParamSpec("P")
R = TypeVar("R")


class CancelOutcome(enum.Enum):
    """What a cancel achieved."""

    REMOVED = "OK"  # taken out of the queue before it ran: not billed
    REQUESTED = "CANCELLATION_REQUESTED"  # running: told to stop; may still finish and bill
    ALREADY_COMPLETED = "ALREADY_COMPLETED"
    NOT_FOUND = "NOT_FOUND"


_CANCEL_BY_CODE = {
    200: CancelOutcome.REMOVED,
    202: CancelOutcome.REQUESTED,
    400: CancelOutcome.ALREADY_COMPLETED,
    404: CancelOutcome.NOT_FOUND,
}


def _key_hidden(
    method: Callable[Concatenate[FalClient, P], Awaitable[R]],
) -> Callable[Concatenate[FalClient, P], Awaitable[R]]:
    """The client's boundary: the key is hidden in whatever ``method`` returns or raises."""

    @functools.wraps(method)
    async def boundary(self: FalClient, *args: P.args, **kwargs: P.kwargs) -> R:
        try:
            value = await method(self, *args, **kwargs)
        except Exception as exc:
            self._redactor.error(exc)  # in place: the traceback and causes stay as they were
            raise
        return self._redactor.data(value)

    return boundary


class FalClient:
    """Async client for fal's queue, CDN upload and media download.

    ``key``: the fal key (``FAL_KEY``); None or empty raises ``AuthError`` at the first queue
    call (downloads need no key). ``base_url``: the queue (default: env ``FAL_QUEUE_URL``, else
    ``https://queue.fal.run``); an ``http://`` loopback base (the local engine) lets media be
    downloaded over http from any loopback host. ``rest_url``: the storage API for uploads
    (default: ``uploads.rest_url_for`` the queue: ``FAL_REST_URL``, else fal's for fal's
    queue, else the queue's own server); plain http only to this machine.
    ``allow_http_hosts``: more hosts that may be reached over plain http. ``transport``: an
    httpx transport (tests). ``timeout_s``: per-read/write timeout of ordinary calls, seconds.
    ``stream_idle_timeout_s``: how long a status stream may stay silent before it is dropped.
    ``sleep``: waits between retries and polls (seconds; tests pass one that records or skips
    the wait).

    Everything the service sends back (statuses and their logs, results, handles, errors,
    the ``x-fal-request-id`` kept) has the key hidden before it is returned or raised.

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
        rest_url: str | None = None,
        allow_http_hosts: Collection[str] = frozenset(),
        stream_idle_timeout_s: float = STREAM_IDLE_TIMEOUT_S,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        key = (key or "").strip()
        # Without a base, the app's one precedence rule (FAL_QUEUE_URL, else fal's queue).
        self.base_url = (base_url or resolve_queue_url(Settings())[0]).rstrip("/")
        self.timeout_s = timeout_s
        self.stream_idle_timeout_s = stream_idle_timeout_s
        rest_problem = None
        if rest_url is None:
            try:
                rest_url = rest_url_for(self.base_url)
            except ValueError as exc:  # a bad FAL_REST_URL: every upload says so
                rest_url, rest_problem = DEFAULT_REST_URL, str(exc)
        http_ok = PlainHttpRule.for_urls((self.base_url, rest_url), allow_http_hosts)
        #: Hosts named for plain http (a loopback queue opens every loopback host too).
        self.allow_http_hosts: frozenset[str] = http_ok.hosts
        self._http = httpx.AsyncClient(
            transport=transport,
            timeout=httpx.Timeout(timeout_s, connect=min(CONNECT_TIMEOUT_S, timeout_s)),
            follow_redirects=False,
        )
        self._transport = Transport(self._http, key, retry or RetryPolicy(), sleep, http_ok)
        self._redactor = KeyRedactor(key)
        self._uploader = Uploader(self._transport, rest_url, rest_problem)
        self._served_by: dict[str, str] = {}

    def __repr__(self) -> str:
        key = "set" if self._transport.key else "missing"
        return f"<FalClient base_url={self.base_url!r} key={key}>"

    @property
    def retry(self) -> RetryPolicy:
        """The retry policy of every call."""
        return self._transport.policy

    @property
    def rest_url(self) -> str:
        """fal's storage API, used for uploads."""
        return self._uploader.rest_url

    def allows_http(self, host: str) -> bool:
        """Whether media may be fetched (and the key sent) over plain http to ``host``."""
        return self._transport.http_ok(host)

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

    # -- queue ----------------------------------------------------------------------------

    @_key_hidden
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
        for the request to *start* (``X-Fal-Request-Timeout``); the handle keeps it, and when
        it passes the status or result call raises ``StartTimeoutError`` naming it (nothing
        is billed). ``media_expiry_s``: how long fal's CDN keeps the output.

        Never sent twice once it may have reached the server: only failures that prove it
        was turned away (no connection, 408, 429, 503 from the ingress) are retried. Any
        other break raises an error with ``maybe_submitted=True``. Call on the event loop.
        """
        auth = self._transport.auth()
        app_root(endpoint_id)  # a malformed id fails here, before anything is sent
        url = f"{self.base_url}/{endpoint_id.strip('/')}"
        self._transport.check_target(url)
        headers = submit_headers(priority, start_timeout_s, media_expiry_s)
        body = await asyncio.to_thread(encode_json_body, arguments)
        headers.update({"Content-Type": "application/json", "Content-Length": str(len(body))})
        response = await self._post_once_accepted(url, body, {**headers, **auth}, start_timeout_s)
        handle = handle_from_answer(
            response,
            self._transport.json_object(response, during="submit"),
            base_url=self.base_url,
            endpoint_id=endpoint_id,
            check_target=self._transport.check_target,
            start_timeout_s=float(start_timeout_s) if start_timeout_s else None,
        )
        log.debug("submitted request %s to %s", self._redactor.text(handle.request_id), endpoint_id)
        return handle

    async def _post_once_accepted(
        self, url: str, body: JsonBody, headers: dict[str, str], start_timeout_s: float | None
    ) -> httpx.Response:
        """POST the submit, repeated only while the answers prove it was turned away."""
        try:
            response = await send_with_retries(
                lambda: self._transport.request(
                    "POST", url, content=body_pieces(body), headers=headers
                ),
                policy=self.retry,
                sleep=self._transport.sleep,
                may_retry=submit_may_retry,
            )
        except GaveUp as gave_up:
            raise no_answer_error(gave_up) from gave_up.__cause__
        if not response.is_success:
            error = error_from_response(response, during="submit", start_timeout_s=start_timeout_s)
            # A 5xx other than a turned-away 503 may come after the queue took the request;
            # a passed start deadline says the request was dropped without running.
            error.maybe_submitted = (
                response.status_code >= 500
                and not submit_turned_away(response)
                and not isinstance(error, StartTimeoutError)
            )
            raise error
        return response

    @_key_hidden
    async def status(self, handle: RequestHandle, logs: bool = True) -> Status:
        """The request's current state (one GET, retried per the policy). Call on the loop."""
        return await self._status(handle, logs)

    async def _status(self, handle: RequestHandle, logs: bool) -> Status:
        auth = self._transport.auth()
        self._transport.check_target(handle.status_url)
        url = with_query(handle.status_url, f"logs={1 if logs else 0}")
        response = await self._transport.call("GET", url, during="status", auth=auth)
        if not response.is_success:
            raise error_from_response(
                response, during="status", start_timeout_s=handle.start_timeout_s
            )
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
        statuses = follow(
            lambda: self._status(handle, True),
            (lambda: self._stream(handle)) if stream else None,
            self._transport.sleep,
        )
        return self._hide_key_in(statuses)

    async def _hide_key_in(self, statuses: AsyncIterator[Status]) -> AsyncIterator[Status]:
        try:
            async with contextlib.aclosing(statuses) as changes:  # type: ignore[type-var]
                async for status in changes:
                    yield self._redactor.data(status)
        except Exception as exc:
            self._redactor.error(exc)
            raise

    def _stream(self, handle: RequestHandle) -> AsyncIterator[Status]:
        auth = self._transport.auth()
        self._transport.check_target(handle.status_url)
        timeout = httpx.Timeout(
            self.timeout_s,
            connect=min(CONNECT_TIMEOUT_S, self.timeout_s),
            read=self.stream_idle_timeout_s,
        )
        return stream_statuses(self._http, handle, auth, timeout)

    @_key_hidden
    async def result(self, handle: RequestHandle) -> dict[str, Any]:
        """The output of a completed request (for this model ``{"video": {...}, "seed", ...}``).

        Raises ``ResultExpiredError`` (404: no longer kept), ``RequestFailedError`` (it
        completed with an error), ``ValidationError``/``ContentPolicyError`` (the model refused
        the inputs), ``AuthError``, ``ServiceError``, ``NetworkError``. Remembers the answer's
        ``x-fal-request-id`` (``served_by``). Call on the event loop.
        """
        auth = self._transport.auth()
        self._transport.check_target(handle.response_url)
        response = await self._transport.call(
            "GET", handle.response_url, during="result", auth=auth
        )
        if response.is_success:
            served_by = response.headers.get(REQUEST_ID_HEADER)
            if served_by:
                self._served_by[handle.request_id] = self._redactor.text(served_by)
            return self._transport.json_object(response, during="result")
        error = error_from_response(
            response, during="result", start_timeout_s=handle.start_timeout_s
        )
        if isinstance(error, _TOLD_STRAIGHT) or response.status_code in (404, 429):
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

    @_key_hidden
    async def cancel(self, handle: RequestHandle) -> CancelOutcome:
        """Ask the queue to cancel the request. ``REMOVED``: it never ran (not billed);
        ``REQUESTED``: it is running and was told to stop (it may still finish);
        ``ALREADY_COMPLETED``; ``NOT_FOUND``. Call on the event loop."""
        auth = self._transport.auth()
        self._transport.check_target(handle.cancel_url)
        response = await self._transport.call("PUT", handle.cancel_url, during="cancel", auth=auth)
        body = json_body(response)
        said = body.get("status") if isinstance(body, dict) else None
        for outcome in CancelOutcome:
            if said == outcome.value:
                return outcome
        if response.status_code in _CANCEL_BY_CODE:
            return _CANCEL_BY_CODE[response.status_code]
        raise error_from_response(response, during="cancel")

    # -- files ----------------------------------------------------------------------------

    @_key_hidden
    async def upload(
        self, data: bytes, content_type: str, file_name: str, *, expires_in_s: int | None = None
    ) -> str:
        """Upload ``data`` through the storage API (``rest_url``); returns its public URL (to
        pass as ``image_url``).

        Uses a CDN token (cached until shortly before it expires); when the CDN upload fails
        for another reason than a refusal (key, account), falls back to the storage upload.
        ``expires_in_s``: keep the file at most this many seconds (fal's media-expiration
        preference; None: the account's default). Call on the loop.
        """
        return await self._uploader.upload(data, content_type, file_name, expires_in_s)

    @_key_hidden
    async def download(
        self,
        url: str,
        dest: Path,
        *,
        on_progress: ProgressCallback | None = None,
        require_video: bool = True,
        expected_size: int | None = None,
        checksum: bool = False,
    ) -> DownloadResult:
        """Download ``url`` to ``dest``: streamed chunk by chunk to ``dest.part``, resumed
        with ``Range`` after a break when the server supports it (else restarted), retried
        per the policy, its length and content checked, fsynced and renamed into place.

        Only ``https://`` URLs, or ``http://`` to a host ``allows_http``; anything else
        raises ``DownloadError`` before any request. ``on_progress(bytes_done,
        bytes_total | None)`` is called on the loop after each chunk. Sends no key. Call on
        the event loop. ``require_video``: refuse a file that does not start like a video
        (told from its bytes, never from ``Content-Type``, which fal's CDN may leave as
        ``application/octet-stream``; an HTML error page is refused, retryable). ``expected_size``:
        the size the result announced (``video.file_size``); a file of another size is thrown
        away and fetched again, per the policy. ``checksum`` computes the sha256 while
        streaming.
        """
        return await download(
            self._http,
            url,
            Path(dest),
            http_ok=self._transport.http_ok,
            policy=self.retry,
            on_progress=on_progress,
            require_video=require_video,
            expected_size=expected_size,
            checksum=checksum,
            sleep=self._transport.sleep,
        )
