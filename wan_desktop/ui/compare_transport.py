"""The compare view's one transport: a position on the :class:`~.compare_timeline.CompareTimeline`
that plays, scrubs, steps by frames and loops a range (in and out points). GUI thread.

Playing follows the wall clock, not a count of ticks: each tick asks how long it has been
playing and shows the position for that time, so a slow tick skips frames rather than slowing
the clip down. The range always loops: comparing means watching the same moment again.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from PySide6.QtCore import QObject, Qt, QTimer, Signal

from .compare_timeline import CompareTimeline

__all__ = ["TICK_MS", "CompareTransport"]

#: How often a playing transport looks at the clock: well under a frame at 60 fps.
TICK_MS = 8


class CompareTransport(QObject):
    """Where the compare view is (``position``), whether it plays, and the looped range.

    Signals: ``position_changed(position)``, ``playing_changed(playing)``,
    ``range_changed(in_point, out_point)``, ``wrapped()`` when playing loops back to the in
    point. ``now`` (seconds, monotonic) is injectable for tests.
    """

    position_changed = Signal(int)
    playing_changed = Signal(bool)
    range_changed = Signal(int, int)
    wrapped = Signal()

    def __init__(
        self, parent: QObject | None = None, *, now: Callable[[], float] = time.monotonic
    ) -> None:
        super().__init__(parent)
        self._now = now
        self.timeline: CompareTimeline | None = None
        self._position = 0
        self._in = 0
        self._out = 0
        self._playing = False
        self._started_at = 0.0  # the clock when playing started (or was last re-anchored)
        self._started_s = 0.0  # the timeline time then
        self._timer = QTimer(self)
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.setInterval(TICK_MS)
        self._timer.timeout.connect(self.tick)

    # ---- reading --------------------------------------------------------------------------

    @property
    def position(self) -> int:
        """The position on screen (a frame of clip A)."""
        return self._position

    @property
    def in_point(self) -> int:
        """The first position of the looped range."""
        return self._in

    @property
    def out_point(self) -> int:
        """The last position of the looped range."""
        return self._out

    def has_range(self) -> bool:
        """Whether in or out was moved from the whole timeline."""
        return self.timeline is not None and (self._in, self._out) != (0, self._last())

    def is_playing(self) -> bool:
        """Whether it plays."""
        return self._playing

    def time_s(self) -> float:
        """The time of the position, seconds from the start (0 without a timeline)."""
        return self.timeline.time_at(self._position) if self.timeline else 0.0

    def _last(self) -> int:
        return self.timeline.length - 1 if self.timeline else 0

    # ---- control --------------------------------------------------------------------------

    def set_timeline(self, timeline: CompareTimeline) -> None:
        """Use ``timeline`` (paused, at its start, the range all of it)."""
        self.pause()
        self.timeline = timeline
        self._in, self._out = 0, self._last()
        self.range_changed.emit(self._in, self._out)
        self._move(0, force=True)

    def play(self) -> None:
        """Play from the position (from the in point when at the out point), looping."""
        if self.timeline is None or self._playing:
            return
        if self._position >= self._out or self._position < self._in:
            self._move(self._in)
        self._playing = True
        self._anchor()
        self._timer.start()
        self.playing_changed.emit(True)

    def pause(self) -> None:
        """Stay on the position shown."""
        if not self._playing:
            return
        self._playing = False
        self._timer.stop()
        self.playing_changed.emit(False)

    def toggle(self) -> None:
        """Play when paused, pause when playing."""
        self.pause() if self._playing else self.play()

    def seek(self, position: int) -> None:
        """Go to ``position`` (clamped); playing goes on from there."""
        if self.timeline is None:
            return
        self._move(self.timeline.clamp(position))
        self._anchor()

    def step(self, frames: int) -> None:
        """Pause and move ``frames`` positions (negative: back), within the timeline."""
        self.pause()
        self.seek(self._position + frames)

    def set_in(self, position: int | None = None) -> None:
        """Start the looped range at ``position`` (default: here); the out point moves to it
        when it was before."""
        if self.timeline is None:
            return
        self._in = self.timeline.clamp(self._position if position is None else position)
        self._out = max(self._out, self._in)
        self.range_changed.emit(self._in, self._out)

    def set_out(self, position: int | None = None) -> None:
        """End the looped range at ``position`` (default: here); the in point moves to it
        when it was after."""
        if self.timeline is None:
            return
        self._out = self.timeline.clamp(self._position if position is None else position)
        self._in = min(self._in, self._out)
        self.range_changed.emit(self._in, self._out)

    def clear_range(self) -> None:
        """Loop the whole timeline again."""
        self._in, self._out = 0, self._last()
        self.range_changed.emit(self._in, self._out)

    # ---- playing --------------------------------------------------------------------------

    def _anchor(self) -> None:
        """Playing continues from the position's time, from now."""
        self._started_at = self._now()
        self._started_s = self.time_s()

    def tick(self) -> None:
        """Show the position for the time that has passed (the timer calls this)."""
        if not self._playing or self.timeline is None:
            return
        timeline = self.timeline
        start = timeline.time_at(self._in)
        if self._out + 1 < timeline.length:
            end = timeline.time_at(self._out + 1)
        else:  # the last position lasts one frame of A's rate, like any other
            end = timeline.time_at(self._out) + self._frame_s()
        seconds = self._started_s + (self._now() - self._started_at)
        if seconds >= end:
            span = max(end - start, 1e-6)
            seconds = start + (seconds - start) % span
            self._started_at = self._now()
            self._started_s = seconds
            self.wrapped.emit()
        position = min(max(timeline.position_at(seconds), self._in), self._out)
        self._move(position)

    def _frame_s(self) -> float:
        timeline = self.timeline
        if timeline is None or timeline.length < 2:
            return 1.0 / 24
        span = timeline.time_at(timeline.length - 1) - timeline.time_at(0)
        return span / (timeline.length - 1)

    def _move(self, position: int, *, force: bool = False) -> None:
        if position != self._position or force:
            self._position = position
            self.position_changed.emit(position)
