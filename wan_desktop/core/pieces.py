"""Reading a file in pieces (Qt-free): a bounded read that never holds the whole file, for
whichever thread reads the file."""

from __future__ import annotations

from collections.abc import Iterator
from typing import BinaryIO

__all__ = ["read_pieces"]


def read_pieces(handle: BinaryIO, count: int, piece_size: int) -> Iterator[bytes]:
    """Up to ``count`` bytes of ``handle`` from where it stands, in pieces of at most
    ``piece_size`` bytes. A short read is not the end of a file (a pipe or a growing file
    returns less); only an empty one is."""
    left = count
    while left > 0:
        piece = handle.read(min(piece_size, left))
        if not piece:
            return
        yield piece
        left -= len(piece)
