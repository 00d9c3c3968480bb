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
_UNSURE_MAX_BYTES = 1 << 20


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
        # "deflate" comes zlib-wrapped or raw: until the first output, what was fed is kept so
        # that a stream the wrapped reading refuses can be read again as raw deflate.
        self._unsure: bytearray | None = bytearray() if self._name == "deflate" else None

    def feed(self, chunk: bytes) -> Iterator[bytes]:
        """The decoded pieces of ``chunk`` (each at most :data:`PIECE_BYTES` when compressed)."""
        if self._zlib is None:
            if chunk:
                yield chunk
            return
        if self._unsure is not None:
            self._unsure += chunk
            if len(self._unsure) > _UNSURE_MAX_BYTES:
                self._unsure = None  # no output after this much input: it is not raw either
        try:
            yield from self._inflate(chunk)
        except UnsupportedEncodingError:
            if self._unsure is None:
                raise
            seen, self._unsure = bytes(self._unsure), None
            self._zlib = zlib.decompressobj(_RAW_DEFLATE)
            yield from self._inflate(seen)

    def _inflate(self, data: bytes) -> Iterator[bytes]:
        assert self._zlib is not None
        while data:
            try:
                piece = self._zlib.decompress(data, PIECE_BYTES)
            except zlib.error as exc:
                raise UnsupportedEncodingError(f"damaged {self._name} data") from exc
            data = self._zlib.unconsumed_tail
            if piece:
                self._unsure = None  # the reading works: no going back
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
