"""Undoing a response's ``Content-Encoding`` in small pieces.

httpx decodes a whole network chunk at once: 64 kB of gzip can become 64 MB in one call, so a
cap counted on its output comes too late. :func:`decoded_pieces` hands out at most
:data:`PIECE_BYTES` of decoded bytes at a time, so a caller that counts them stops a
compression bomb with no more than the cap (plus one piece) in memory. Pure computation: any
thread (the async form for the event loop, the blocking one for the offline engine's fetch).
"""

from __future__ import annotations

import zlib
from collections.abc import AsyncIterator, Iterable, Iterator

__all__ = [
    "PIECE_BYTES",
    "Decoder",
    "UnsupportedEncodingError",
    "decoded_pieces",
    "decoded_pieces_sync",
]

#: The most decoded bytes produced from one step of decompression.
PIECE_BYTES = 64 * 1024
# zlib window sizes: 47 reads either a gzip or a zlib header; -15 is raw deflate.
_AUTO_HEADER = 32 + zlib.MAX_WBITS
_RAW_DEFLATE = -zlib.MAX_WBITS


class UnsupportedEncodingError(ValueError):
    """A ``Content-Encoding`` this module does not decode, or a damaged compressed body."""


class Decoder:
    """Undoes one ``Content-Encoding`` (empty, ``identity``, ``gzip``, ``x-gzip`` or
    ``deflate``) a piece at a time. Raises :class:`UnsupportedEncodingError` for any other
    encoding and for damaged data."""

    def __init__(self, encoding: str) -> None:
        self._name = encoding.strip().lower()
        if self._name not in ("", "identity", "gzip", "x-gzip", "deflate"):
            raise UnsupportedEncodingError(encoding[:40])
        self._zlib = None if self._name in ("", "identity") else zlib.decompressobj(_AUTO_HEADER)
        self._first = True

    def feed(self, chunk: bytes) -> Iterator[bytes]:
        """The decoded pieces of ``chunk`` (each at most :data:`PIECE_BYTES` when compressed)."""
        if self._zlib is None:
            if chunk:
                yield chunk
            return
        if self._first and self._name == "deflate" and not _has_zlib_header(chunk):
            self._zlib = zlib.decompressobj(_RAW_DEFLATE)  # deflate as some servers send it
        self._first = False
        data = chunk
        while data:
            try:
                piece = self._zlib.decompress(data, PIECE_BYTES)
            except zlib.error as exc:
                raise UnsupportedEncodingError(f"damaged {self._name} data") from exc
            data = self._zlib.unconsumed_tail
            if piece:
                yield piece
            elif not data or self._zlib.eof:
                return

    def end(self) -> bytes:
        """What is left once the body has ended."""
        if self._zlib is None:
            return b""
        try:
            return self._zlib.flush()
        except zlib.error as exc:
            raise UnsupportedEncodingError(f"damaged {self._name} data") from exc


async def decoded_pieces(raw: AsyncIterator[bytes], encoding: str) -> AsyncIterator[bytes]:
    """The decoded body of ``raw`` (the bytes as sent, e.g. ``response.aiter_raw()``) under
    ``encoding``, in pieces (see :class:`Decoder`)."""
    decoder = Decoder(encoding)
    async for chunk in raw:
        for piece in decoder.feed(chunk):
            yield piece
    tail = decoder.end()
    if tail:
        yield tail


def decoded_pieces_sync(raw: Iterable[bytes], encoding: str) -> Iterator[bytes]:
    """:func:`decoded_pieces` for a blocking iterator (e.g. ``response.iter_raw()``)."""
    decoder = Decoder(encoding)
    for chunk in raw:
        yield from decoder.feed(chunk)
    tail = decoder.end()
    if tail:
        yield tail


def _has_zlib_header(chunk: bytes) -> bool:
    return len(chunk) >= 2 and (chunk[0] & 0x0F) == 8 and (chunk[0] << 8 | chunk[1]) % 31 == 0
