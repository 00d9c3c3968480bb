"""Following a request to its end: the SSE status stream, polling as its fallback, and the
filter that lets only changes (and new log lines) through. Runs on the client's event loop."""

from __future__ import annotations

import contextlib
import json
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable

import httpx
from httpx_sse import SSEError, aconnect_sse

from wan_desktop.fal.errors import FalError, ProtocolError
from wan_desktop.fal.handle import RequestHandle
from wan_desktop.fal.mapping import error_from_response
from wan_desktop.fal.status import Completed, InProgress, LogDeduper, Queued, Status, parse_status
from wan_desktop.fal.transport import Sleep, show_url, with_query

__all__ = [
    "POLL_FIRST_S",
    "POLL_GROWTH",
    "POLL_MAX_S",
    "STREAM_MAX_FAILURES",
    "STREAM_RETRY_AFTER_S",
    "Changes",
    "follow",
    "stream_statuses",
]

log = logging.getLogger("wan_desktop.fal")

# Polling (the fallback when the stream fails): start quick, slow down to once a second.
POLL_FIRST_S = 0.25
POLL_MAX_S = 1.0
POLL_GROWTH = 1.5
# After the stream broke, poll this long before trying it again; give up on it after
# STREAM_MAX_FAILURES breaks (the server may simply not offer it).
STREAM_RETRY_AFTER_S = 10.0
STREAM_MAX_FAILURES = 3


class Changes:
    """Lets a status through only when it says something new: another state, another queue
    position, or log lines not seen before (each passed status holds only those lines)."""

    def __init__(self) -> None:
        self._dedupe = LogDeduper()
        self._last: tuple[str, int | None] | None = None

    def __call__(self, status: Status) -> Status | None:
        """The status to pass on for ``status``, or None when nothing changed."""
        if isinstance(status, Queued):
            return self._moved(("queued", status.position), status, fresh=False)
        fresh = self._dedupe.new(status.logs)
        if isinstance(status, InProgress):
            return self._moved(("running", None), InProgress(fresh), fresh=bool(fresh))
        self._last = ("completed", None)
        return Completed(fresh, status.metrics, status.error, status.error_type)

    def _moved(self, key: tuple[str, int | None], out: Status, *, fresh: bool) -> Status | None:
        if key == self._last and not fresh:
            return None
        self._last = key
        return out


def _stream_url(status_url: str) -> str:
    path, sep, query = status_url.partition("?")
    return f"{path.rstrip('/')}/stream{sep}{query}"


async def stream_statuses(
    http: httpx.AsyncClient, handle: RequestHandle, auth: dict[str, str], timeout: httpx.Timeout
) -> AsyncIterator[Status]:
    """The statuses of ``handle``'s SSE stream (with logs), as the server sends them.

    Raises the mapped ``FalError`` for an error answer, ``ProtocolError`` for an event that
    is not JSON; the read timeout of ``timeout`` bounds how long the stream may stay silent.
    """
    url = with_query(_stream_url(handle.status_url), "logs=1")
    async with aconnect_sse(http, "GET", url, headers=auth, timeout=timeout) as source:
        response = source.response
        log.debug("GET %s -> %s", show_url(url), response.status_code)
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


async def follow(
    poll: Callable[[], Awaitable[Status]],
    stream: Callable[[], AsyncIterator[Status]] | None,
    sleep: Sleep,
) -> AsyncIterator[Status]:
    """Status changes until ``Completed`` (see ``FalClient.watch``): from ``stream()`` while
    it works, else from ``poll()`` every 0.25 s rising to 1 s, the stream re-tried later.
    Errors of ``poll`` are raised; a broken stream only falls back to polling."""
    changes = Changes()
    failures = 0
    stream_again_at = 0.0
    interval = POLL_FIRST_S
    while True:
        if (
            stream is not None
            and failures < STREAM_MAX_FAILURES
            and time.monotonic() >= stream_again_at
        ):
            async with contextlib.aclosing(_from_stream(stream, changes)) as outs:
                async for out in outs:
                    yield out
                    if isinstance(out, Completed):
                        return
            failures += 1
            stream_again_at = time.monotonic() + STREAM_RETRY_AFTER_S * failures
            interval = POLL_FIRST_S
        status = await poll()
        out = changes(status)
        if out is not None:
            yield out
            interval = POLL_FIRST_S if not isinstance(status, InProgress) else interval
        if isinstance(status, Completed):
            return
        await sleep(interval)
        interval = min(interval * POLL_GROWTH, POLL_MAX_S)


async def _from_stream(
    stream: Callable[[], AsyncIterator[Status]], changes: Changes
) -> AsyncIterator[Status]:
    """The changes one stream connection brings; ends (without raising) when it breaks."""
    try:
        async with contextlib.aclosing(stream()) as events:
            async for status in events:
                out = changes(status)
                if out is not None:
                    yield out
        log.debug("status stream ended early")
    except (FalError, httpx.TransportError, SSEError) as exc:
        log.debug("status stream failed (%s); polling", type(exc).__name__)
