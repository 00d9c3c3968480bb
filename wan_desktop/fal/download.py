"""Downloading output media: streamed to ``dest.part``, resumed after a break, checked,
fsynced and renamed into place. Memory stays flat whatever the file size."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import os
import re
from collections.abc import Awaitable, Callable, Collection
from dataclasses import dataclass
from pathlib import Path

import httpx

from wan_desktop.core.atomic import ensure_dir, fsync_dir
from wan_desktop.fal.errors import DownloadError
from wan_desktop.fal.retry import RetryPolicy, backoff_delay, should_retry

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


def check_media_url(url: str, allow_http_hosts: Collection[str]) -> httpx.URL:
    """The parsed URL when it may be fetched: https anywhere, http only to an allowed host.
    ``DownloadError`` otherwise (before any request is made)."""
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, TypeError) as exc:
        raise DownloadError("The media address is not a valid URL.") from exc
    if parsed.scheme == "https" and parsed.host:
        return parsed
    if parsed.scheme == "http" and parsed.host in allow_http_hosts:
        return parsed
    raise DownloadError(
        f"Refusing to download from {parsed.scheme or 'a'}://{parsed.host or '?'}: only https "
        "addresses (or the local engine) are allowed."
    )


def _media_type(value: str | None) -> str:
    return (value or "").partition(";")[0].strip().lower()


def _path_of(url: httpx.URL) -> str:
    # Signed media URLs carry their secret in the query: log only scheme, host and path.
    return f"{url.scheme}://{url.netloc.decode('ascii', 'replace')}{url.path}"


class _Restart(Exception):
    """The server cannot continue where the partial file ends: start again from byte 0."""


async def download(
    http: httpx.AsyncClient,
    url: str,
    dest: Path,
    *,
    allow_http_hosts: Collection[str],
    policy: RetryPolicy,
    on_progress: ProgressCallback | None = None,
    expected_content_type: str | None = "video/mp4",
    checksum: bool = False,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
) -> DownloadResult:
    """Fetch ``url`` into ``dest`` (see ``FalClient.download``). Call on the event loop."""
    current = check_media_url(url, allow_http_hosts)
    dest = Path(dest)
    ensure_dir(dest.parent)
    part = dest.with_name(dest.name + ".part")
    # Hashing while streaming costs about a quarter of a fast local transfer: only on request.
    hasher = hashlib.sha256() if checksum else None
    done = 0
    total: int | None = None
    content_type = ""
    ranges_ok = False
    attempt = 0
    redirects = 0
    finished = False
    resumed = part.exists()
    # A partial file left by an earlier run (the app was killed mid-download) is continued
    # with a Range request; if the server ignores Range, the loop below starts over.
    handle = open(part, "r+b" if resumed else "wb")  # noqa: SIM115 - closed in the finally
    try:
        if resumed:
            done = await asyncio.to_thread(_hash_into, handle, hasher)
            ranges_ok = done > 0
            if done:
                log.debug("resuming a partial download at %d bytes", done)
        while True:
            attempt += 1
            headers = {"Accept-Encoding": "identity"}
            if done and ranges_ok:
                headers["Range"] = f"bytes={done}-"
            try:
                async with http.stream("GET", current, headers=headers) as response:
                    log.debug("GET %s -> %s", _path_of(current), response.status_code)
                    code = response.status_code
                    if code in REDIRECT_CODES and "location" in response.headers:
                        redirects += 1
                        if redirects > MAX_REDIRECTS:
                            raise DownloadError("The media address redirects too many times.")
                        current = check_media_url(
                            str(current.join(response.headers["location"])), allow_http_hosts
                        )
                        attempt -= 1  # following a redirect is not a failed attempt
                        continue
                    if code == 416 and done:
                        raise _Restart
                    if not (code == 200 or (code == 206 and done)):
                        await response.aread()
                        if should_retry(response) and attempt < policy.max_attempts:
                            delay = backoff_delay(
                                attempt, response.headers.get("retry-after"), policy=policy
                            )
                            await sleep(delay)
                            continue
                        raise _http_error(code)
                    if code == 206:
                        total = _check_range(response, done)
                    else:
                        if done:
                            # The server ignored Range: throw away what we had and take it all.
                            log.debug("server ignored Range; restarting the download")
                            done = 0
                            hasher = hashlib.sha256() if checksum else None
                            handle.seek(0)
                            handle.truncate()
                        total = _content_length(response)
                        ranges_ok = response.headers.get("accept-ranges", "").lower() == "bytes"
                    if code == 206:
                        ranges_ok = True
                    content_type = _media_type(response.headers.get("content-type"))
                    if expected_content_type and content_type != _media_type(expected_content_type):
                        raise DownloadError(
                            f"The server sent {content_type or 'an unnamed type'} where "
                            f"{expected_content_type} was expected."
                        )
                    if on_progress is not None:
                        on_progress(done, total)
                    async for chunk in response.aiter_raw():
                        handle.write(chunk)
                        if hasher is not None:
                            hasher.update(chunk)
                        done += len(chunk)
                        if total is not None and done > total:
                            raise DownloadError(
                                f"The server sent more than the {total} bytes it announced."
                            )
                        if on_progress is not None:
                            on_progress(done, total)
                if total is not None and done < total:
                    # httpx raises on a short body with Content-Length; this catches the rest.
                    raise httpx.RemoteProtocolError(f"body ended at {done} of {total} bytes")
                break
            except _Restart:
                done = 0
                ranges_ok = False
                hasher = hashlib.sha256() if checksum else None
                handle.seek(0)
                handle.truncate()
                if attempt >= policy.max_attempts:
                    raise DownloadError("The media server cannot resume the download.") from None
            except httpx.TransportError as exc:
                log.debug(
                    "download of %s broke at %d bytes: %s", _path_of(current), done, type(exc)
                )
                if not should_retry(exc) or attempt >= policy.max_attempts:
                    raise DownloadError(
                        f"The download broke off after {done} bytes and could not be "
                        f"resumed ({type(exc).__name__}).",
                        retryable=True,
                    ) from exc
                await sleep(backoff_delay(attempt, policy=policy))
        handle.flush()
        await asyncio.to_thread(os.fsync, handle.fileno())
        handle.close()
        await asyncio.to_thread(_move_into_place, part, dest)
        finished = True
        digest = hasher.hexdigest() if hasher is not None else None
        return DownloadResult(dest, done, content_type, digest)
    finally:
        handle.close()
        if not finished:
            with contextlib.suppress(OSError):
                part.unlink()


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
