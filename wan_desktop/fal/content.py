"""Is a downloaded file a video? Told from its first bytes, never from ``Content-Type``
(fal's CDN may serve an MP4 as ``application/octet-stream``). Pure; any thread.

A video here is an ISO base media file (MP4, MOV: an ``ftyp`` box first, or a QuickTime
``moov``/``mdat``/``wide``/``free``/``skip`` box without one) whose brand is not an audio or
still-image one, or a Matroska/WebM file. Everything else (an HTML error page, JSON, text)
is refused with a sentence saying what it is instead.
"""

from __future__ import annotations

import struct

__all__ = ["HEAD_BYTES", "describe_head", "looks_like_video"]

#: How many first bytes the checks read (enough for a box header and a brand, or a page).
HEAD_BYTES = 64

_FIRST_BOXES = frozenset({b"moov", b"mdat", b"wide", b"free", b"skip", b"pnot"})
# ftyp brands that are not video: audio books and songs, still images.
_NOT_VIDEO_BRANDS = frozenset({b"M4A ", b"M4B ", b"M4P ", b"heic", b"heix", b"mif1", b"avif"})
_EBML = b"\x1a\x45\xdf\xa3"


def looks_like_video(head: bytes) -> bool:
    """Whether a file starting with ``head`` (its first bytes) is a video container."""
    if head.startswith(_EBML):
        return True
    if len(head) < 8:
        return False
    (size,) = struct.unpack(">I", head[:4])
    kind = head[4:8]
    if size not in (0, 1) and size < 8:  # 0: to the end of file; 1: a 64-bit size follows
        return False
    if kind == b"ftyp":
        return head[8:12] not in _NOT_VIDEO_BRANDS
    return kind in _FIRST_BOXES


def describe_head(head: bytes) -> str:
    """What a file that is not a video holds instead, for a message: ``"a web page"``..."""
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if not head:
        return "an empty file"
    if text[:1] == b"<":
        return "a web page or other markup"
    if text[:1] in (b"{", b"["):
        return "JSON data"
    if head[4:8] == b"ftyp":
        return "an audio or image file in an MP4 container"
    try:
        head.decode("utf-8")
    except UnicodeDecodeError:
        return "a file of an unknown kind"
    return "text"
