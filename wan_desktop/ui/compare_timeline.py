"""The compare view's one timeline: positions are clip A's frames, and each position has a time
that picks the frame of either clip (clips of other rates or lengths are matched by time).

When B runs longer than A, the timeline goes on past A's last frame at A's rate (A holds its
last picture there), so all of both clips can be stepped through. Plain Python: the GUI thread
asks it for times and positions; the tests use it without Qt.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence

__all__ = ["CompareTimeline"]

#: A time set to a frame's start may come back a hair under it in floating point; this much
#: slack keeps it on that frame (far below any frame's length).
_SLACK_S = 1e-6


class CompareTimeline:
    """Positions ``0 … length - 1``: clip A's frames (their start times ``a_times``, seconds
    from A's first frame), extended at ``a_fps`` up to ``span_s`` seconds (the longer clip's
    duration) when B is longer."""

    def __init__(self, a_times: Sequence[float], a_fps: float, span_s: float) -> None:
        if not a_times:
            raise ValueError("a_times must hold at least one frame time.")
        self.a_frames = len(a_times)
        self._times = list(a_times)
        step = 1.0 / a_fps if a_fps > 0 else 1.0 / 24
        last = self._times[-1]
        # A position exists for every step of A's rate that starts before the span ends.
        while last + step < span_s - _SLACK_S:
            last += step
            self._times.append(last)

    @property
    def length(self) -> int:
        """How many positions there are."""
        return len(self._times)

    def clamp(self, position: int) -> int:
        """``position`` kept within ``0 … length - 1``."""
        return max(0, min(int(position), self.length - 1))

    def time_at(self, position: int) -> float:
        """The time of ``position`` (clamped), seconds from the start."""
        return self._times[self.clamp(position)]

    def position_at(self, seconds: float) -> int:
        """The position on screen at ``seconds``: the last that starts at or before it."""
        return max(0, bisect.bisect_right(self._times, seconds + _SLACK_S) - 1)

    def a_index(self, position: int) -> int:
        """Clip A's frame number at ``position`` (its last frame past its end)."""
        return min(self.clamp(position), self.a_frames - 1)
