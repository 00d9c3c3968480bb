"""What a submit sends and what it reads back: the queue headers, the JSON body (encoded
without holding the interpreter lock for long, sent in pieces), the handle from the answer,
and the error for a submit that got no answer.

Inline media (:class:`InlineMedia`) never exist as one string: their base64 is encoded piece
by piece while the body streams out, so no single call copies tens of megabytes."""

from __future__ import annotations

import base64
import json
import math
import re
import secrets
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx

from wan_desktop.fal.errors import NetworkError
from wan_desktop.fal.handle import RequestHandle
from wan_desktop.fal.mapping import protocol_error
from wan_desktop.fal.retry import submit_may_retry
from wan_desktop.fal.transport import GaveUp

__all__ = [
    "BODY_PIECE_BYTES",
    "InlineMedia",
    "JsonBody",
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
#: Inline media are base64-encoded this many bytes at a time (a multiple of 3, so the pieces
#: join without padding in between): about 1 MB of text, about a millisecond each.
_BASE64_PIECE = 3 * 256 * 1024
_MEDIA_TYPE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]*/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]*$")


@dataclass(frozen=True, slots=True)
class InlineMedia:
    """A file sent inside the JSON body as a ``data:<mime>;base64,...`` string value.

    The string is never built: :meth:`pieces` encodes it piece by piece as the body streams,
    as often as the body is sent (a retried submit sends the same bytes again). ``len()`` is
    the length of the data URI in characters (and bytes: it is ASCII).
    """

    data: bytes = field(repr=False)
    mime: str

    def __post_init__(self) -> None:
        if not _MEDIA_TYPE.match(self.mime):
            raise ValueError(f"not a media type: {self.mime!r}")

    def _prefix(self) -> bytes:
        return f"data:{self.mime};base64,".encode("ascii")

    def __len__(self) -> int:
        return len(self._prefix()) + 4 * math.ceil(len(self.data) / 3)

    def pieces(self) -> Iterator[bytes]:
        """The data URI's bytes, the header first, then about 1 MB of base64 at a time."""
        yield self._prefix()
        view = memoryview(self.data)
        for start in range(0, len(view), _BASE64_PIECE):
            yield base64.b64encode(view[start : start + _BASE64_PIECE])


class JsonBody:
    """A JSON request body made of encoded text and :class:`InlineMedia` streamed in place.

    Re-iterable (each :meth:`pieces` call starts over, so a retry sends it whole again);
    ``len()`` is its exact size in bytes, for ``Content-Length``; ``bytes()`` joins it (tests).
    """

    __slots__ = ("_parts",)

    def __init__(self, parts: list[bytes | InlineMedia]):
        self._parts = tuple(parts)

    def __len__(self) -> int:
        return sum(len(part) for part in self._parts)

    def __bytes__(self) -> bytes:
        return b"".join(self.pieces())

    def pieces(self) -> Iterator[bytes]:
        """The body in order: text in ``BODY_PIECE_BYTES`` pieces, media as they encode."""
        for part in self._parts:
            if isinstance(part, InlineMedia):
                yield from part.pieces()
                continue
            view = memoryview(part)
            for start in range(0, len(view), BODY_PIECE_BYTES):
                yield bytes(view[start : start + BODY_PIECE_BYTES])


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


def encode_json_body(arguments: dict[str, Any]) -> JsonBody:
    """``arguments`` as UTF-8 JSON, without holding the interpreter lock for long.

    Top-level :class:`InlineMedia` values go out as JSON strings holding their data URI,
    encoded while the body streams. Long data URIs passed as strings need no JSON escaping
    either: they are spliced in as they are instead of passing through one long
    ``json.dumps`` (which would stall every other thread, the GUI's included, for its whole
    duration). Call in a worker thread.
    """
    spliced: dict[str, str | InlineMedia] = {}
    shallow: dict[str, Any] = {}
    token = secrets.token_hex(8)  # a marker no prompt can contain by chance
    for name, value in arguments.items():
        if isinstance(value, InlineMedia) or _spliceable(value):
            marker = f"@@{token}-{len(spliced)}@@"
            spliced[marker] = value
            shallow[name] = marker
        else:
            shallow[name] = value
    rest = json.dumps(shallow, ensure_ascii=False)
    parts: list[bytes | InlineMedia] = []
    for marker, value in spliced.items():
        before, _, rest = rest.partition(marker)
        parts.append(before.encode("utf-8"))
        parts.append(value if isinstance(value, InlineMedia) else value.encode("ascii"))
    parts.append(rest.encode("utf-8"))
    return JsonBody(parts)


async def body_pieces(body: JsonBody | bytes) -> AsyncIterator[bytes]:
    """``body`` piece by piece, from its start (a fresh iterator for each try)."""
    for piece in (body if isinstance(body, JsonBody) else JsonBody([body])).pieces():
        yield piece


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
