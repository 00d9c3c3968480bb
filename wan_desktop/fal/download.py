"""Downloading output media: streamed to ``dest.part``, resumed after a break, checked,
fsynced and renamed into place. Memory stays flat whatever the file size.

The checks: the server's length (``Content-Length``, ``Content-Range``), the size the result
announced (``expected_size``: fal's ``file_size``; another size throws the partial file away
and tries again, as a break would), and that the content is a video (``fal.content``, from
its first bytes: the ``Content-Type`` is only recorded, since fal's CDN may say
``application/octet-stream``).

The tries are counted and spaced by the client's one retry loop
(``transport.send_with_retries``); ``_Download`` holds the state between them."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import httpx

from wan_desktop.core.atomic import ensure_dir, fsync_dir
from wan_desktop.fal.content import HEAD_BYTES, describe_head, looks_like_video
from wan_desktop.fal.errors import DownloadError
from wan_desktop.fal.retry import RetryPolicy
from wan_desktop.fal.transport import GaveUp, Sleep, send_with_retries, show_url

__all__ = ["DownloadResult", "ProgressCallback", "check_media_url", "download"]

log = logging.getLogger("wan_desktop.fal")

MAX_REDIRECTS = 5
REDIRECT_CODES = frozenset({301, 302, 303, 307, 308})
_CONTENT_RANGE = re.compile(r"^\s*bytes\s+(\d+)-(\d+)/(\d+|\*)\s*$", re.IGNORECASE)

ProgressCallback = Callable[[int, int | None], None]


@dataclass(frozen=True, slots=True)
class DownloadResult:
    """A finished download: where it is, its size in bytes, its media type, and its sha256
    (hex) when it was asked for (``None`` otherwise)."""

    path: Path
    size_bytes: int
    content_type: str
    sha256: str | None


def check_media_url(url: str, http_ok: Callable[[str], bool]) -> httpx.URL:
    """The parsed URL when it may be fetched: https anywhere, http only to a host ``http_ok``
    allows. ``DownloadError`` otherwise (before any request is made)."""
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, TypeError) as exc:
        raise DownloadError("The media address is not a valid URL.") from exc
    if parsed.scheme == "https" and parsed.host:
        return parsed
    if parsed.scheme == "http" and parsed.host and http_ok(parsed.host):
        return parsed
    raise DownloadError(
        f"Refusing to download from {parsed.scheme or 'a'}://{parsed.host or '?'}: only https "
        "addresses (or the local engine) are allowed."
    )


def _media_type(value: str | None) -> str:
    return (value or "").partition(";")[0].strip().lower()


class _Restart(Exception):
    """The server cannot continue where the partial file ends: start again from byte 0."""


class _SizeMismatch(httpx.TransportError):
    """The file is not the size the result announced: a damaged transfer to try again (a
    transport error, so the one retry loop spaces and counts the tries)."""

    def __init__(self, expected: int, got: int) -> None:
        super().__init__(f"expected {expected} bytes, got {got}")
        self.expected = expected
        self.got = got


class _Download:
    """One download in progress: the ``.part`` file, how much of it is good, and what the
    server said about the rest. Steps: ``open`` (resume a partial file), ``attempt`` (one
    request, redirects followed, streamed into the file), ``finish`` (verify, fsync,
    rename), ``close`` (the ``.part`` is removed unless finished). Event loop only."""

    def __init__(
        self,
        http: httpx.AsyncClient,
        url: httpx.URL,
        dest: Path,
        *,
        http_ok: Callable[[str], bool],
        require_video: bool,
        expected_size: int | None,
        checksum: bool,
        on_progress: ProgressCallback | None,
    ) -> None:
        self._http = http
        self.url = url
        self.dest = dest
        self.part = dest.with_name(dest.name + ".part")
        self._http_ok = http_ok
        self._require_video = require_video
        self._expected_size = expected_size
        #: The file's first bytes, until the video check has seen them.
        self._head = bytearray()
        self._head_checked = not require_video
        self._checksum = checksum
        self._on_progress = on_progress
        # Hashing while streaming costs about a quarter of a fast local transfer: on request.
        self._hasher = hashlib.sha256() if checksum else None
        self._file: BinaryIO | None = None
        self.done = 0
        self.total: int | None = None
        self.content_type = ""
        self._ranges_ok = False
        self._redirects = 0
        self._finished = False
        #: True once an answer carried the whole file (a bare 2xx does not).
        self.received = False

    async def open(self) -> None:
        """Open ``.part``: a partial file left by an earlier run (the app was killed
        mid-download) is kept and continued with a Range request."""
        ensure_dir(self.dest.parent)
        resumed = self.part.exists()
        self._file = open(self.part, "r+b" if resumed else "wb")  # noqa: SIM115 - close()
        if resumed:
            self.done = await asyncio.to_thread(_hash_into, self._file, self._hasher)
            self._ranges_ok = self.done > 0
            self._file.seek(0)
            # Checked with the next bytes written, or when finished.
            self._head = bytearray(self._file.read(HEAD_BYTES))
            self._file.seek(self.done)
            if self.done:
                log.debug("resuming a partial download at %d bytes", self.done)

    async def attempt(self) -> httpx.Response:
        """One try: the answer, read. A 200/206 has been streamed into the file in full;
        any other answer is handed back for the retry rules. Redirects and restarts from
        byte 0 happen inside the try; a break raises the transport error."""
        while True:
            try:
                async with self._http.stream("GET", self.url, headers=self._headers()) as answer:
                    log.debug("GET %s -> %s", show_url(self.url), answer.status_code)
                    if self._follow_redirect(answer):
                        continue
                    try:
                        taken = self._accept(answer)
                    except _Restart:
                        self._restart()
                        continue
                    if not taken:
                        await answer.aread()
                        return answer
                    await self._write_body(answer)
                    self.received = True
                    return answer
            except httpx.TransportError as exc:
                log.debug(
                    "download of %s broke at %d bytes: %s",
                    show_url(self.url),
                    self.done,
                    type(exc).__name__,
                )
                raise

    def _headers(self) -> dict[str, str]:
        headers = {"Accept-Encoding": "identity"}
        if self.done and self._ranges_ok:
            headers["Range"] = f"bytes={self.done}-"
        return headers

    def _follow_redirect(self, answer: httpx.Response) -> bool:
        if answer.status_code not in REDIRECT_CODES or "location" not in answer.headers:
            return False
        self._redirects += 1
        if self._redirects > MAX_REDIRECTS:
            raise DownloadError("The media address redirects too many times.")
        self.url = check_media_url(str(self.url.join(answer.headers["location"])), self._http_ok)
        return True

    def _accept(self, answer: httpx.Response) -> bool:
        """Whether ``answer`` carries the file (from byte ``done``); sets ``total``."""
        code = answer.status_code
        if code == 416 and self.done:
            raise _Restart
        if not (code == 200 or (code == 206 and self.done)):
            return False
        if code == 206:
            self.total = _check_range(answer, self.done)
            self._ranges_ok = True
        else:
            if self.done:
                log.debug("server ignored Range; restarting the download")
                self._restart()
            self.total = _content_length(answer)
            self._ranges_ok = answer.headers.get("accept-ranges", "").lower() == "bytes"
        self.content_type = _media_type(answer.headers.get("content-type"))
        if self._expected_size is not None and self.total not in (None, self._expected_size):
            # The server announces another file than the result did: no use reading it.
            got = self.total
            self._restart()
            raise _SizeMismatch(self._expected_size, got)
        return True

    def _restart(self) -> None:
        """Throw away what the file holds: the next bytes are the file's first."""
        assert self._file is not None
        self.done = 0
        self._ranges_ok = False
        self._head.clear()
        self._head_checked = not self._require_video
        self._hasher = hashlib.sha256() if self._checksum else None
        self._file.seek(0)
        self._file.truncate()

    async def _write_body(self, answer: httpx.Response) -> None:
        assert self._file is not None
        self._progress()
        async for chunk in answer.aiter_raw():
            if not self._head_checked:
                self._take_head(chunk)
            self._file.write(chunk)
            if self._hasher is not None:
                self._hasher.update(chunk)
            self.done += len(chunk)
            if self.total is not None and self.done > self.total:
                raise DownloadError(
                    f"The server sent more than the {self.total} bytes it announced."
                )
            self._progress()
        if self.total is not None and self.done < self.total:
            # httpx raises on a short body with Content-Length; this catches the rest.
            raise httpx.RemoteProtocolError(f"body ended at {self.done} of {self.total} bytes")
        if self._expected_size is not None and self.done != self._expected_size:
            got = self.done
            self._restart()
            raise _SizeMismatch(self._expected_size, got)

    def _take_head(self, chunk: bytes) -> None:
        """Keep the file's first bytes; once there are enough, check they are a video."""
        self._head += chunk[: HEAD_BYTES - len(self._head)]
        if len(self._head) >= HEAD_BYTES:
            self._check_head()

    def _check_head(self) -> None:
        """``DownloadError`` (nothing is kept) unless the file starts like a video."""
        self._head_checked = True
        if looks_like_video(bytes(self._head)):
            return
        said = f", served as {self.content_type}" if self.content_type else ""
        raise DownloadError(
            f"The file at the result's address is not a video: it is "
            f"{describe_head(bytes(self._head))}{said}. Nothing was saved; the service may "
            "have had a passing problem, so try the job again later.",
            retryable=True,
        )

    def _progress(self) -> None:
        if self._on_progress is not None:
            self._on_progress(self.done, self.total)

    async def finish(self) -> DownloadResult:
        """Flush and fsync the file, rename it into place; the result."""
        assert self._file is not None
        if not self._head_checked:  # a short file, or a resumed one whose head was on disk
            self._check_head()
        self._file.flush()
        await asyncio.to_thread(os.fsync, self._file.fileno())
        self._file.close()
        await asyncio.to_thread(_move_into_place, self.part, self.dest)
        self._finished = True
        digest = self._hasher.hexdigest() if self._hasher is not None else None
        return DownloadResult(self.dest, self.done, self.content_type, digest)

    def close(self) -> None:
        """Close the file; an unfinished ``.part`` is removed."""
        if self._file is not None:
            self._file.close()
        if not self._finished:
            with contextlib.suppress(OSError):
                self.part.unlink()


async def download(
    http: httpx.AsyncClient,
    url: str,
    dest: Path,
    *,
    http_ok: Callable[[str], bool],
    policy: RetryPolicy,
    on_progress: ProgressCallback | None = None,
    require_video: bool = True,
    expected_size: int | None = None,
    checksum: bool = False,
    sleep: Sleep = asyncio.sleep,
) -> DownloadResult:
    """Fetch ``url`` into ``dest`` (see ``FalClient.download``); ``http_ok(host)`` says which
    hosts may be reached over plain http. Call on the event loop."""
    job = _Download(
        http,
        check_media_url(url, http_ok),
        Path(dest),
        http_ok=http_ok,
        require_video=require_video,
        expected_size=expected_size,
        checksum=checksum,
        on_progress=on_progress,
    )
    try:
        await job.open()
        try:
            answer = await send_with_retries(job.attempt, policy=policy, sleep=sleep)
        except GaveUp as gave_up:
            cause = gave_up.__cause__
            if isinstance(cause, _SizeMismatch):
                raise DownloadError(
                    f"The video was not the size the service announced ({cause.expected} "
                    f"bytes; the media server sent {cause.got}) on any of "
                    f"{gave_up.attempts} tries. Nothing was saved; try again later.",
                    retryable=True,
                ) from cause
            raise DownloadError(
                f"The download broke off after {job.done} bytes and could not be resumed "
                f"({type(gave_up.__cause__).__name__}).",
                retryable=True,
            ) from gave_up.__cause__
        if not job.received:
            raise _http_error(answer.status_code)
        return await job.finish()
    finally:
        job.close()


def _hash_into(handle, hasher) -> int:
    """Feed a partial file to ``hasher`` (if any); returns its size, ``handle`` at its end."""
    size = 0
    while chunk := handle.read(1 << 20):
        if hasher is not None:
            hasher.update(chunk)
        size += len(chunk)
    return size


def _move_into_place(part: Path, dest: Path) -> None:
    os.replace(part, dest)
    fsync_dir(dest.parent)


def _http_error(code: int) -> DownloadError:
    if code in (403, 404, 410):
        return DownloadError(
            f"The video is no longer available at its address (HTTP {code}); media links "
            "expire a while after the request finishes."
        )
    return DownloadError(
        f"The media server answered HTTP {code}.", status_code=code, retryable=code >= 500
    )


def _content_length(response: httpx.Response) -> int | None:
    value = response.headers.get("content-length")
    if value is None:
        return None
    try:
        length = int(value)
    except ValueError:
        raise DownloadError("The media server sent an unreadable Content-Length.") from None
    if length < 0:
        raise DownloadError("The media server sent a negative Content-Length.")
    return length


def _check_range(response: httpx.Response, done: int) -> int | None:
    """The total size from a 206's Content-Range, which must start where the file ends."""
    match = _CONTENT_RANGE.match(response.headers.get("content-range", ""))
    if not match or int(match.group(1)) != done:
        # A 206 for some other range than the one asked: do not splice it in.
        raise _Restart
    total = None if match.group(3) == "*" else int(match.group(3))
    return total
