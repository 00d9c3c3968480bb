"""What a submit sends and what it reads back: the queue headers, the JSON body (encoded
without holding the interpreter lock for long, sent in pieces), the handle from the answer,
and the error for a submit that got no answer."""

from __future__ import annotations

import json
import math
import secrets
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx

from wan_desktop.fal.errors import NetworkError
from wan_desktop.fal.handle import RequestHandle
from wan_desktop.fal.mapping import protocol_error
from wan_desktop.fal.retry import submit_may_retry
from wan_desktop.fal.transport import GaveUp

__all__ = [
    "BODY_PIECE_BYTES",
    "body_pieces",
    "encode_json_body",
    "handle_from_answer",
    "no_answer_error",
    "submit_headers",
]

#: Request bodies go out in pieces this large, so the loop (the GUI) runs between them.
BODY_PIECE_BYTES = 256 * 1024
#: String values longer than this are spliced into the JSON rather than encoded by it.
_SPLICE_MIN_CHARS = 64 * 1024
PRIORITIES = ("normal", "low")


def submit_headers(
    priority: str | None, start_timeout_s: float | None, media_expiry_s: int | None
) -> dict[str, str]:
    """The queue's ``X-Fal-*`` headers for these options (see ``FalClient.submit``);
    ``ValueError`` for a priority other than ``"normal"`` or ``"low"``, or a start deadline
    that is not a positive, finite number of seconds."""
    headers: dict[str, str] = {}
    if priority is not None:
        if priority not in PRIORITIES:
            raise ValueError(f"priority must be 'normal' or 'low', not {priority!r}")
        headers["X-Fal-Queue-Priority"] = priority
    if start_timeout_s is not None:
        seconds = float(start_timeout_s)
        if not 0 < seconds < math.inf:
            raise ValueError(f"start_timeout_s must be a positive number of seconds, not {seconds}")
        headers["X-Fal-Request-Timeout"] = f"{seconds:g}"
    if media_expiry_s is not None:
        headers["X-Fal-Object-Lifecycle-Preference"] = json.dumps(
            {"expiration_duration_seconds": int(media_expiry_s)}
        )
    return headers


def _spliceable(value: Any) -> bool:
    return (
        isinstance(value, str)
        and len(value) >= _SPLICE_MIN_CHARS
        and value.startswith("data:")
        and value.isascii()  # O(1) in CPython: a flag of the string
        and '"' not in value
        and "\\" not in value
        and "\n" not in value
    )


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
        if _spliceable(value):
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


async def body_pieces(body: bytes) -> AsyncIterator[bytes]:
    """``body`` in ``BODY_PIECE_BYTES`` pieces (a fresh iterator for each try)."""
    view = memoryview(body)
    for start in range(0, len(view), BODY_PIECE_BYTES):
        yield bytes(view[start : start + BODY_PIECE_BYTES])


def no_answer_error(gave_up: GaveUp) -> NetworkError:
    """The error for a submit whose last try broke: "nothing was sent" when the break proves
    it (no connection was made), else ``maybe_submitted`` (it may have been accepted)."""
    cause = gave_up.__cause__
    kind = type(cause).__name__
    if cause is not None and submit_may_retry(cause):
        return NetworkError(
            f"Could not reach the service to send the request ({kind}, after "
            f"{gave_up.attempts} attempts). Nothing was sent; check the connection.",
        )
    return NetworkError(
        f"The connection broke after the request was sent ({kind}): the service may have "
        "accepted it. Check the jobs on fal before sending it again, or it may be billed twice.",
        maybe_submitted=True,
    )


def handle_from_answer(
    response: httpx.Response,
    data: dict[str, Any],
    *,
    base_url: str,
    endpoint_id: str,
    check_target: Callable[[str], None],
    start_timeout_s: float | None = None,
) -> RequestHandle:
    """The handle in a submit's answer ``data``: its request id and the URLs the server gave
    (each checked with ``check_target``), or URLs built from ``base_url`` where it gave none;
    it keeps the ``start_timeout_s`` the request was sent with."""
    request_id = data.get("request_id")
    if not isinstance(request_id, str) or not request_id:
        raise protocol_error(response, during="submit", what="it holds no request_id")
    built = RequestHandle.from_base(base_url, endpoint_id, request_id)
    urls = {}
    for name in ("status_url", "response_url", "cancel_url"):
        value = data.get(name)
        urls[name] = value if isinstance(value, str) and value else getattr(built, name)
        check_target(urls[name])
    return RequestHandle(endpoint_id, request_id, **urls, start_timeout_s=start_timeout_s)
