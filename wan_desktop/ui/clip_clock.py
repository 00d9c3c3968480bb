"""One clock for several clips played together (the contact sheet): seconds into a loop,
advancing with a monotonic ``QElapsedTimer`` while playing.

Every cell asks the clock for the time and shows the frame for that time, so cells can never
drift apart: a late cell skips to the clock's frame instead of counting its own. Frame numbers
come from times by one rule (:func:`frame_at`), used by the cells, the seek bar and the tests
alike. GUI thread.
"""

from __future__ import annotations

import math

from PySide6.QtCore import QElapsedTimer

__all__ = ["ClipClock", "frame_at"]

#: A time set to a frame's start (``n / fps``) may come back a hair under it in floating point;
#: this much slack keeps it on frame ``n``. A microsecond: far below any frame's length.
_EPSILON_S = 1e-6


def frame_at(seconds: float, fps: float) -> int:
    """The frame shown at ``seconds`` of a clip at ``fps`` frames per second (frame ``n``
    covers ``[n / fps, (n + 1) / fps)``)."""
    if fps <= 0 or seconds <= 0:
        return 0
    return math.floor(seconds * fps + _EPSILON_S * fps)


class ClipClock:
    """Seconds into a loop of ``duration_s``; a step is one frame of ``fps``.

    While playing, the position advances with the wall clock and wraps at the end of the loop;
    paused, it stays where it was put (:meth:`seek`, :meth:`step`). ``loops`` counts the wraps
    since the last seek, so a listener can tell a wrap from a jump.
    """

    def __init__(self, duration_s: float = 0.0, fps: float = 24.0) -> None:
        self._timer = QElapsedTimer()
        self._base_s = 0.0  # the position when the timer last started (or the paused position)
        self._playing = False
        self.duration_s = max(0.0, float(duration_s))
        self.fps = float(fps) if fps > 0 else 24.0

    # ---- reading --------------------------------------------------------------------------

    def _raw_s(self) -> float:
        if not self._playing:
            return self._base_s
        return self._base_s + self._timer.nsecsElapsed() / 1e9

    def position_s(self) -> float:
        """Seconds into the loop now, in ``[0, duration_s)`` (0 for an empty loop)."""
        if self.duration_s <= 0:
            return 0.0
        return self._raw_s() % self.duration_s

    def loops(self) -> int:
        """How many times playing has wrapped to the start since the last seek."""
        if self.duration_s <= 0:
            return 0
        return int(self._raw_s() // self.duration_s)

    def frame(self) -> int:
        """The loop's frame now (:func:`frame_at` of :meth:`position_s` at :attr:`fps`)."""
        return min(frame_at(self.position_s(), self.fps), max(0, self.frame_count() - 1))

    def frame_count(self) -> int:
        """Frames in one loop at :attr:`fps` (at least 1)."""
        return max(1, round(self.duration_s * self.fps))

    def is_playing(self) -> bool:
        """Whether the clock advances."""
        return self._playing

    # ---- control --------------------------------------------------------------------------

    def set_loop(self, duration_s: float, fps: float) -> None:
        """A loop of ``duration_s`` seconds whose frames are ``1 / fps`` long; the position is
        kept when it still falls inside."""
        position = self.position_s()
        self.duration_s = max(0.0, float(duration_s))
        if fps > 0:
            self.fps = float(fps)
        self.seek(position if position < self.duration_s else 0.0)

    def play(self) -> None:
        """Advance from where it is."""
        if self._playing:
            return
        self._base_s = self.position_s()
        self._timer.start()
        self._playing = True

    def pause(self) -> None:
        """Stop where it is."""
        if not self._playing:
            return
        self._base_s = self.position_s()
        self._playing = False

    def toggle(self) -> bool:
        """Play when paused, pause when playing; returns whether it plays now."""
        if self._playing:
            self.pause()
        else:
            self.play()
        return self._playing

    def seek(self, seconds: float) -> None:
        """Go to ``seconds`` (wrapped into the loop); playing goes on from there."""
        self._base_s = float(seconds) % self.duration_s if self.duration_s > 0 else 0.0
        if self._playing:
            self._timer.start()

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
