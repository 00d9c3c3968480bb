"""Downloading an image the user gave as a web address (async, httpx).

Only ``https://`` is fetched, or plain ``http://`` to this machine (``core.net``'s loopback
rule: the offline engine and tests). Redirects are followed by hand so each hop passes the
same check: a public page can never bounce the app onto plain http or into the local machine.
The body is streamed and abandoned as soon as it passes ``max_bytes`` counted after
decompression (a gzip bomb stops at the cap, decoded in small pieces), and the whole fetch has
one deadline (a server dripping a byte at a time cannot hold it for ever). Every failure is an
:class:`~wan_desktop.core.problems.InvalidInputError` on ``image_url`` naming the host.
"""

from __future__ import annotations

import asyncio
from urllib.parse import unquote, urljoin, urlsplit

import httpx

from wan_desktop.core import limits
from wan_desktop.core.net import is_loopback_url
from wan_desktop.core.problems import InvalidInputError, Problem

from ._text import format_number
from .decoding import UnsupportedEncodingError, decoded_pieces

__all__ = ["DEADLINE_S", "MAX_REDIRECTS", "fetch_image"]

FIELD = "image_url"
#: Redirect hops followed before giving up (browsers allow about 20; images need few).
MAX_REDIRECTS = 5
#: Seconds a whole fetch may take, redirects included: a 25 MB image on a slow line fits.
DEADLINE_S = 60.0
_REDIRECTS = {301, 302, 303, 307, 308}
# Only encodings decoded here piece by piece, so that the cap holds on decoded bytes.
_ACCEPT = {"Accept-Encoding": "gzip, deflate"}


async def fetch_image(
    url: str,
    *,
    client: httpx.AsyncClient,
    max_bytes: int = limits.IMAGE_MAX_BYTES,
    deadline_s: float = DEADLINE_S,
) -> tuple[bytes, str]:
    """The bytes at ``url`` and a file name taken from its path (``image`` when it has none).

    ``client`` supplies timeouts, proxies and the transport (tests inject their own); its
    ``follow_redirects`` setting is ignored. ``max_bytes`` caps the decoded body and
    ``deadline_s`` (seconds) the whole fetch. Runs on the event loop (I/O only); the caller
    then checks the bytes with ``prepare_image_bytes`` in an executor.
    """
    hosts = [_host_of(url)]
    try:
        async with asyncio.timeout(deadline_s):
            return await _follow(url, client, max_bytes, hosts)
    except TimeoutError as exc:
        raise _refuse(
            f"Image: the download from {hosts[-1]} took longer than "
            f"{format_number(deadline_s)} s, the limit; it was stopped."
        ) from exc


async def _follow(
    url: str, client: httpx.AsyncClient, max_bytes: int, hosts: list[str]
) -> tuple[bytes, str]:
    """Fetch ``url``, following redirects by hand; ``hosts`` gets each host contacted."""
    current = url
    for _ in range(MAX_REDIRECTS + 1):
        host = _check_url(current, original=url)
        hosts.append(host)
        try:
            request = client.stream("GET", current, headers=_ACCEPT, follow_redirects=False)
            async with request as response:
                if response.status_code in _REDIRECTS and "location" in response.headers:
                    target = urljoin(current, response.headers["location"])
                    if urlsplit(target).scheme.lower() != "https" and not (
                        is_loopback_url(current) and is_loopback_url(target)
                    ):
                        raise _refuse(
                            f"Image: {host} redirected to {_host_of(target)} without https; "
                            "only https addresses are followed."
                        )
                    current = target
                    continue
                if response.status_code != 200:
                    reason = response.reason_phrase or "error"
                    raise _refuse(
                        f"Image: could not download from {host} "
                        f"(HTTP {response.status_code} {reason})."
                    )
                content_type = response.headers.get("content-type", "").split(";")[0].strip()
                if content_type.lower() in ("text/html", "application/xhtml+xml"):
                    raise _refuse(
                        f"Image: the address on {host} is a web page, not an image; "
                        "use the address of the image itself."
                    )
                data = await _read_capped(response, host, max_bytes)
                return data, _file_name(current)
        except InvalidInputError:
            raise
        except httpx.TimeoutException as exc:
            raise _refuse(f"Image: the download from {host} timed out.") from exc
        except httpx.HTTPError as exc:
            raise _refuse(
                f"Image: could not download from {host} ({type(exc).__name__}: {exc})."
            ) from exc
    raise _refuse(f"Image: {_host_of(url)} redirected more than {MAX_REDIRECTS} times.")


async def _read_capped(response: httpx.Response, host: str, max_bytes: int) -> bytes:
    """The body, decoded, refused once it passes ``max_bytes`` (never more held in memory
    than that and one small piece)."""

    def too_big() -> InvalidInputError:
        return _refuse(
            f"Image at {host} is larger than {format_number(max_bytes / 1_000_000)} MB, the limit; "
            "the download was stopped."
        )

    declared = response.headers.get("content-length", "")
    encoding = response.headers.get("content-encoding", "")
    if declared.isdigit() and int(declared) > max_bytes and encoding in ("", "identity"):
        raise too_big()  # before a single body byte is read
    if response.is_stream_consumed:  # a transport that handed over the whole body (tests)
        if len(response.content) > max_bytes:
            raise too_big()
        return response.content
    chunks: list[bytes] = []
    received = 0
    try:
        async for piece in decoded_pieces(response.aiter_raw(), encoding):
            received += len(piece)
            if received > max_bytes:
                raise too_big()
            chunks.append(piece)
    except UnsupportedEncodingError as exc:
        raise _refuse(f"Image at {host} was sent with an unreadable encoding ({exc}).") from exc
    return b"".join(chunks)


def _check_url(url: str, *, original: str) -> str:
    """The host of ``url`` once it passes: https, or http to this machine."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        parts.port  # noqa: B018 - raises ValueError on a malformed port
    except ValueError as exc:
        raise _refuse(f"Image: “{original[:200]}” is not a valid web address.") from exc
    scheme = parts.scheme.lower()
    if not host or scheme not in ("http", "https"):
        raise _refuse(
            f"Image: “{original[:200]}” is not a web address (it must start with https://)."
        )
    if scheme == "http" and not is_loopback_url(url):
        raise _refuse(
            f"Image: a web address must start with https:// (not http://); {host} was not "
            "contacted."
        )
    return host


def _host_of(url: str) -> str:
    try:
        return urlsplit(url).hostname or url[:100]
    except ValueError:
        return url[:100]


def _file_name(url: str) -> str:
    segment = unquote(urlsplit(url).path.rsplit("/", 1)[-1]).strip()
    return segment[:200] or "image"


def _refuse(message: str) -> InvalidInputError:
    return InvalidInputError(Problem(FIELD, message))
