"""Downloading an image the user gave as a web address (async, httpx).

Only ``https://`` is fetched, or plain ``http://`` to this machine (127.0.0.1, localhost, ::1:
the offline engine and tests). Redirects are followed by hand so each hop passes the same
check: a public page can never bounce the app onto plain http or into the local machine. The
body is streamed and abandoned as soon as it passes ``max_bytes``. Every failure is an
:class:`~wan_desktop.core.problems.InvalidInputError` on ``image_url`` naming the host.
"""

from __future__ import annotations

import ipaddress
from urllib.parse import unquote, urljoin, urlsplit

import httpx

from wan_desktop.core import limits
from wan_desktop.core.problems import InvalidInputError, Problem

from ._text import format_number

__all__ = ["LOOPBACK_HOSTS", "MAX_REDIRECTS", "fetch_image"]

FIELD = "image_url"
#: Hosts plain http may reach: this machine only.
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
#: Redirect hops followed before giving up (browsers allow about 20; images need few).
MAX_REDIRECTS = 5
_REDIRECTS = {301, 302, 303, 307, 308}


async def fetch_image(
    url: str, *, client: httpx.AsyncClient, max_bytes: int = limits.IMAGE_MAX_BYTES
) -> tuple[bytes, str]:
    """The bytes at ``url`` and a file name taken from its path (``image`` when it has none).

    ``client`` supplies timeouts, proxies and the transport (tests inject their own); its
    ``follow_redirects`` setting is ignored. Runs on the event loop (I/O only); the caller
    then checks the bytes with ``prepare_image_bytes`` in an executor.
    """
    current = url
    for _ in range(MAX_REDIRECTS + 1):
        host = _check_url(current, original=url)
        try:
            async with client.stream("GET", current, follow_redirects=False) as response:
                if response.status_code in _REDIRECTS and "location" in response.headers:
                    target = urljoin(current, response.headers["location"])
                    if urlsplit(target).scheme.lower() != "https" and not (
                        _is_loopback(current) and _is_loopback(target)
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
    def too_big() -> InvalidInputError:
        return _refuse(
            f"Image at {host} is larger than {format_number(max_bytes / 1_000_000)} MB, the limit; "
            "the download was stopped."
        )

    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        raise too_big()  # before a single body byte is read
    chunks: list[bytes] = []
    received = 0
    async for chunk in response.aiter_bytes():
        received += len(chunk)
        if received > max_bytes:
            raise too_big()
        chunks.append(chunk)
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
    if scheme == "http" and not _is_loopback(url):
        raise _refuse(
            f"Image: a web address must start with https:// (not http://); {host} was not "
            "contacted."
        )
    return host


def _is_loopback(url: str) -> bool:
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if parts.scheme.lower() not in ("http", "https"):
        return False
    if host in LOOPBACK_HOSTS:
        return True
    try:
        return ipaddress.ip_address(host) in (
            ipaddress.ip_address("127.0.0.1"),
            ipaddress.ip_address("::1"),
        )
    except ValueError:
        return False


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
