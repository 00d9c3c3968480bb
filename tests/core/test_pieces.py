"""core.pieces: a bounded read in pieces."""

from __future__ import annotations

import io

from wan_desktop.core.pieces import read_pieces


class _Trickle(io.BytesIO):
    """A file that answers at most 3 bytes a read, as a pipe may."""

    def read(self, size: int | None = -1) -> bytes:
        return super().read(min(3, size if size is not None and size >= 0 else 3))


def test_stops_at_the_count_in_pieces_of_the_size():
    assert list(read_pieces(io.BytesIO(b"abcdefghij"), 7, 4)) == [b"abcd", b"efg"]


def test_a_short_read_is_not_the_end():
    assert b"".join(read_pieces(_Trickle(b"abcdefghij"), 8, 5)) == b"abcdefgh"


def test_ends_at_the_end_of_the_file():
    assert list(read_pieces(io.BytesIO(b"abc"), 10, 2)) == [b"ab", b"c"]
    assert list(read_pieces(io.BytesIO(b"abc"), 0, 2)) == []
