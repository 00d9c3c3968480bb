"""``data:`` URIs: the way a small input travels inside the submit body instead of an upload.

Only the base64 form is produced and accepted: it is what the fal clients send, and a strict
parser gives a clear message instead of guessing at percent-encoded text.
"""

from __future__ import annotations

import base64
import binascii
import re

from wan_desktop.core.problems import InvalidInputError, Problem

__all__ = ["parse_data_uri", "to_data_uri"]

# type/subtype per RFC 6838 (restricted-name characters), lower-cased before matching.
_MIME = re.compile(r"^[a-z0-9][a-z0-9!#$&^_.+-]*/[a-z0-9][a-z0-9!#$&^_.+-]*$")


#: Encoded in pieces of this many bytes (a multiple of 3, so the pieces join seamlessly).
_PIECE = 3 * 256 * 1024


def to_data_uri(data: bytes, mime: str) -> str:
    """``data:<mime>;base64,<data>`` for ``data`` (costs about 4/3 of its size).

    Large inputs are encoded piece by piece: one C call over 20 MB would hold the
    interpreter lock for tens of milliseconds and stall the GUI thread even when this runs in
    a worker thread (call it in an executor for large files).
    """
    if not _MIME.match(mime.lower()):
        raise ValueError(f"not a media type: {mime!r}")
    view = memoryview(data)
    pieces = [
        base64.b64encode(view[i : i + _PIECE]).decode("ascii") for i in range(0, len(view), _PIECE)
    ]
    return "".join([f"data:{mime};base64,", *pieces])


def parse_data_uri(uri: str, *, field: str = "image_url") -> tuple[bytes, str]:
    """The bytes and the lower-cased media type of a base64 ``data:`` URI.

    Parameters such as ``;name=photo.png`` are allowed and ignored. Anything else (no media
    type, no ``;base64``, characters outside the base64 alphabet, bad padding) raises
    :class:`~wan_desktop.core.problems.InvalidInputError` for ``field``.
    """
    label = "Audio" if field == "audio_url" else "Image"

    def refuse(why: str) -> InvalidInputError:
        return InvalidInputError(Problem(field, f"{label}: the data URI {why}."))

    if not isinstance(uri, str) or not uri[:5].lower() == "data:":
        raise refuse("must start with “data:”")
    header, comma, payload = uri[5:].partition(",")
    if not comma:
        raise refuse("has no comma between its header and its data")
    parts = [p.strip() for p in header.split(";")]
    mime = parts[0].lower()
    if not mime:
        raise refuse("names no media type (for example data:image/png;base64,...)")
    if not _MIME.match(mime):
        raise refuse(f"has an invalid media type ({parts[0][:40]!r})")
    if parts[-1].lower() != "base64" or len(parts) < 2:
        raise refuse("must be base64-encoded (…;base64,…)")
    try:
        data = base64.b64decode(payload, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise refuse("holds invalid base64 data") from exc
    if not data:
        raise refuse("holds no data")
    return data, mime
