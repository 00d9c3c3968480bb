"""The rendered videos: ``GET|HEAD /files/{id}.mp4`` with ``Range`` support, streamed in small
pieces so memory stays flat for any file (the handler's thread)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import BinaryIO

from wan_desktop.core.pieces import read_pieces

from .exchange import Exchange

__all__ = ["media", "parse_range"]

_CHUNK = 64 * 1024  # media is sent in pieces this size


def parse_range(header: str | None, size: int) -> tuple[int, int] | str | None:
    """Read a ``Range`` header against a file of ``size`` bytes.

    Returns ``(first, last)`` (inclusive) for one satisfiable range, ``"unsatisfiable"`` for
    a range that starts past the end, or None to send the whole file (no header, several
    ranges or a malformed one: RFC 9110 lets a server ignore those).
    """
    if not header:
        return None
    match = re.fullmatch(r"\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*", header)
    if not match:
        return None
    first_text, last_text = match.groups()
    if not first_text:
        if not last_text:
            return None
        suffix = int(last_text)
        if suffix == 0 or size == 0:
            return "unsatisfiable"
        return (max(0, size - suffix), size - 1)
    first = int(first_text)
    last = int(last_text) if last_text else size - 1
    if last_text and last < first:
        return None
    if first >= size:
        return "unsatisfiable"
    return (first, min(last, size - 1))


def media(ex: Exchange, request_id: str) -> None:
    """Send a finished request's video (404 when there is none, or under ``expire_result``)."""
    faults = ex.engine.faults
    path = ex.engine.store.media_path(request_id)
    if path is not None and faults.take("expire_result", "media") is not None:
        path = None  # expired: answered as if it had never been
    handle = ex.open_file(path)
    if handle is None:
        return
    assert path is not None
    with handle:
        _send_file(ex, request_id, path, handle)


def _send_file(ex: Exchange, request_id: str, path: Path, handle: BinaryIO) -> None:
    faults = ex.engine.faults
    size = path.stat().st_size
    wanted = None if faults.take("no_range", "media") else ex.headers.get("Range")
    span = parse_range(wanted, size)
    if isinstance(span, str):
        headers = {"Content-Range": f"bytes */{size}"}
        ex.json(416, {"detail": "Range not satisfiable."}, headers)
        return
    first, last = (0, size - 1) if span is None else span
    length = last - first + 1 if size else 0
    # A CDN may not say what the file is (the octet_stream fault): clients must look inside.
    kind = "application/octet-stream" if faults.take("octet_stream", "media") else "video/mp4"
    headers = {"Content-Type": kind, "Content-Length": str(length), "Accept-Ranges": "bytes"}
    if span is not None:
        headers["Content-Range"] = f"bytes {first}-{last}/{size}"
    headers["x-fal-request-id"] = request_id
    ex.start(200 if span is None else 206, headers)
    if ex.method == "HEAD":
        return
    cut = faults.take("truncate_media", "media")
    budget = length if cut is None else min(length, int(cut["after_bytes"]))
    handle.seek(first)
    for chunk in read_pieces(handle, budget, _CHUNK):
        ex.write(chunk)
        ex.engine.count_media_bytes(len(chunk))
    if cut is not None:
        ex.hang_up()  # promised Content-Length bytes, sent fewer: the client sees the cut
