"""Undoing a response's ``Content-Encoding`` in small pieces (async; the event loop's thread).

httpx decodes a whole network chunk at once: 64 kB of gzip can become 64 MB in one call, so a
cap counted on its output comes too late. :func:`decoded_pieces` hands out at most
:data:`PIECE_BYTES` of decoded bytes at a time, so a caller that counts them stops a
compression bomb with no more than the cap (plus one piece) in memory.
"""

from __future__ import annotations

import zlib
from collections.abc import AsyncIterator

__all__ = ["PIECE_BYTES", "UnsupportedEncodingError", "decoded_pieces"]

#: The most decoded bytes produced from one step of decompression.
PIECE_BYTES = 64 * 1024
# zlib window sizes: 47 reads either a gzip or a zlib header; -15 is raw deflate.
_AUTO_HEADER = 32 + zlib.MAX_WBITS
_RAW_DEFLATE = -zlib.MAX_WBITS


class UnsupportedEncodingError(ValueError):
    """A ``Content-Encoding`` this module does not decode, or a damaged compressed body."""


async def decoded_pieces(raw: AsyncIterator[bytes], encoding: str) -> AsyncIterator[bytes]:
    """The decoded body of ``raw`` (the bytes as sent) under ``encoding`` (the header's value:
    empty, ``identity``, ``gzip``, ``x-gzip`` or ``deflate``), in pieces of at most
    :data:`PIECE_BYTES` for compressed bodies."""
    name = encoding.strip().lower()
    if name in ("", "identity"):
        async for chunk in raw:
            yield chunk
        return
    if name not in ("gzip", "x-gzip", "deflate"):
        raise UnsupportedEncodingError(encoding[:40])
    decoder = zlib.decompressobj(_AUTO_HEADER)
    first = True
    async for chunk in raw:
        if first and name == "deflate" and not _has_zlib_header(chunk):
            decoder = zlib.decompressobj(_RAW_DEFLATE)  # deflate as some servers send it
        first = False
        for piece in _drain(decoder, chunk):
            yield piece
    try:
        tail = decoder.flush()
    except zlib.error as exc:
        raise UnsupportedEncodingError(f"damaged {name} data") from exc
    if tail:
        yield tail


def _drain(decoder, data: bytes):
    """Decode ``data`` a piece at a time (``unconsumed_tail`` keeps what is left)."""
    while data:
        try:
            piece = decoder.decompress(data, PIECE_BYTES)
        except zlib.error as exc:
            raise UnsupportedEncodingError("damaged compressed data") from exc
        data = decoder.unconsumed_tail
        if piece:
            yield piece
        elif not data or decoder.eof:
            return


def _has_zlib_header(chunk: bytes) -> bool:
    return len(chunk) >= 2 and (chunk[0] & 0x0F) == 8 and (chunk[0] << 8 | chunk[1]) % 31 == 0
