"""One clock for several clips played together (the contact sheet): seconds into a loop,
advancing with the monotonic clock while playing.

Every cell asks the clock for the time and shows the frame for that time, so cells can never
drift apart: a late cell skips to the clock's frame instead of counting its own. Frame numbers
come from times by one rule (:func:`frame_at`), used by the cells, the seek bar and the tests
alike.

The clock's whole state is one immutable :class:`ClockState`, replaced (never changed) by the
GUI thread's play, pause and seek: the decoding threads read a snapshot and work out the time
themselves, so they keep decoding ahead while the GUI thread is busy. The time source is
``time.monotonic_ns`` (CLOCK_MONOTONIC, the clock ``QElapsedTimer`` reads), since Qt objects
are not read across threads here.
"""

from __future__ import annotations

import math
import time
from typing import NamedTuple

__all__ = ["ClipClock", "ClockState", "frame_at"]

#: A time set to a frame's start (``n / fps``) may come back a hair under it in floating point;
#: this much slack keeps it on frame ``n``. A microsecond: far below any frame's length.
_EPSILON_S = 1e-6


def frame_at(seconds: float, fps: float) -> int:
    """The frame shown at ``seconds`` of a clip at ``fps`` frames per second (frame ``n``
    covers ``[n / fps, (n + 1) / fps)``)."""
    if fps <= 0 or seconds <= 0:
        return 0
    return math.floor(seconds * fps + _EPSILON_S * fps)


class ClockState(NamedTuple):
    """The clock at one moment: ``base_s`` seconds in (unwrapped) when it last started or
    stopped, ``started_ns`` the monotonic time it started (``None``: paused), ``duration_s``
    the loop's length. Safe to read from any thread."""

    base_s: float
    started_ns: int | None
    duration_s: float

    def raw_s(self, now_ns: int | None = None) -> float:
        """Seconds since the last seek, unwrapped (``now_ns``: a monotonic time, else now)."""
        if self.started_ns is None:
            return self.base_s
        now = time.monotonic_ns() if now_ns is None else now_ns
        return self.base_s + (now - self.started_ns) / 1e9

    def position_s(self, now_ns: int | None = None) -> float:
        """Seconds into the loop, in ``[0, duration_s)`` (0 for an empty loop)."""
        if self.duration_s <= 0:
            return 0.0
        return self.raw_s(now_ns) % self.duration_s

    @property
    def playing(self) -> bool:
        """Whether the clock advances."""
        return self.started_ns is not None


class ClipClock:
    """Seconds into a loop of ``duration_s``; a step is one frame of ``fps``.

    While playing, the position advances with the wall clock and wraps at the end of the loop;
    paused, it stays where it was put (:meth:`seek`, :meth:`step`). ``loops`` counts the wraps
    since the last seek, so a listener can tell a wrap from a jump. Control from the GUI
    thread; :meth:`snapshot` from any thread.
    """

    def __init__(self, duration_s: float = 0.0, fps: float = 24.0) -> None:
        self._state = ClockState(0.0, None, max(0.0, float(duration_s)))
        self.fps = float(fps) if fps > 0 else 24.0

    # ---- reading --------------------------------------------------------------------------

    @property
    def duration_s(self) -> float:
        """The loop's length in seconds."""
        return self._state.duration_s

    def snapshot(self) -> ClockState:
        """The clock's state now (immutable; any thread)."""
        return self._state

    def position_s(self) -> float:
        """Seconds into the loop now, in ``[0, duration_s)`` (0 for an empty loop)."""
        return self._state.position_s()

    def loops(self) -> int:
        """How many times playing has wrapped to the start since the last seek."""
        state = self._state
        if state.duration_s <= 0:
            return 0
        return int(state.raw_s() // state.duration_s)

    def frame(self) -> int:
        """The loop's frame now (:func:`frame_at` of :meth:`position_s` at :attr:`fps`)."""
        return min(frame_at(self.position_s(), self.fps), self.frame_count() - 1)

    def frame_count(self) -> int:
        """Frames in one loop at :attr:`fps` (at least 1)."""
        return max(1, round(self.duration_s * self.fps))

    def is_playing(self) -> bool:
        """Whether the clock advances."""
        return self._state.playing

    # ---- control --------------------------------------------------------------------------

    def set_loop(self, duration_s: float, fps: float) -> None:
        """A loop of ``duration_s`` seconds whose frames are ``1 / fps`` long; the position is
        kept when it still falls inside."""
        position = self.position_s()
        duration = max(0.0, float(duration_s))
        if fps > 0:
            self.fps = float(fps)
        self._state = self._state._replace(duration_s=duration)
        self.seek(position if position < duration else 0.0)

    def play(self) -> None:
        """Advance from where it is."""
        if not self.is_playing():
            self._state = self._state._replace(base_s=self.position_s(),
                                               started_ns=time.monotonic_ns())  # fmt: skip

    def pause(self) -> None:
        """Stop where it is."""
        if self.is_playing():
            self._state = self._state._replace(base_s=self.position_s(), started_ns=None)

    def toggle(self) -> bool:
        """Play when paused, pause when playing; returns whether it plays now."""
        if self.is_playing():
            self.pause()
        else:
            self.play()
        return self.is_playing()

    def seek(self, seconds: float) -> None:
        """Go to ``seconds`` (wrapped into the loop); playing goes on from there."""
        duration = self._state.duration_s
        base = float(seconds) % duration if duration > 0 else 0.0
        started = time.monotonic_ns() if self.is_playing() else None
        self._state = ClockState(base, started, duration)

    def seek_frame(self, frame: int) -> None:
        """Go to the start of ``frame`` (wrapped into the loop)."""
        self.seek((frame % self.frame_count()) / self.fps)

    def step(self, frames: int) -> int:
        """Pause and move ``frames`` frames (negative: back), wrapping at either end of the
        loop; returns the frame it is on now."""
        self.pause()
        target = (self.frame() + frames) % self.frame_count()
        self.seek_frame(target)
        return target
