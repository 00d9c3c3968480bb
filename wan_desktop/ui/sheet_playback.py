"""The contact sheet's playback: one clock, one feed per take, one timer that shows every cell
the frame for the clock's time.

Each tick (just past each frame's start, or every :data:`TICK_MS` while a cell waits for its
frame) reads the clock once and asks every feed for its frame at that time; a feed that has it
hands it over (``frameShown``), one that is late keeps its cell on its latest frame and is
told where to catch up. Nothing counts frames, so no cell can drift: at worst one shows an
older frame for a tick or two. The feeds read the clock themselves to decode ahead of it. The
loop is as long as the longest take; the sound follows :meth:`SheetPlayback.set_audio_take`.
GUI thread.
"""

from __future__ import annotations

import math
import time
from pathlib import Path

from PySide6.QtCore import QObject, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QImage

from .clip_clock import ClipClock, frame_at
from .sheet_audio import SheetAudio
from .sheet_feed import CellFeed

__all__ = ["AUDIO_SYNC_MS", "CLOSE_WAIT_S", "TICK_MS", "SheetPlayback"]

#: How often the cells are brought up to the clock while one waits for its frame. When every
#: cell is on the clock's frame, the next tick is just past the next frame's start instead.
TICK_MS = 5
#: How often the sound is checked against the clock while playing.
AUDIO_SYNC_MS = 250
#: The longest closing waits for the decoding threads (each ends within a frame's work).
CLOSE_WAIT_S = 2.0


class SheetPlayback(QObject):
    """Plays ``videos`` (the takes' original clips; their proxies are decoded) together.

    Signals: ``frameShown(cell, index, image)`` when a cell gets a new picture;
    ``positionChanged(seconds, frame)`` when the clock's frame changes; ``playingChanged``;
    ``readyChanged()`` when a take's length is known (the loop may have grown);
    ``cellFailed(cell, message)`` when a take cannot be played; ``cellPreparing(cell, percent)``
    while a take's proxy is being made.
    """

    frameShown = Signal(int, int, QImage)
    positionChanged = Signal(float, int)
    playingChanged = Signal(bool)
    readyChanged = Signal()
    cellFailed = Signal(int, str)
    cellPreparing = Signal(int, int)

    def __init__(self, videos: list[Path], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.videos = [Path(v) for v in videos]
        self.clock = ClipClock()
        self.audio = SheetAudio(self)
        self.feeds = [CellFeed(v, self.clock.snapshot, self) for v in self.videos]
        self._shown = [-1] * len(self.feeds)  # frame index on screen per cell
        self._active = [True] * len(self.feeds)  # False: hidden (a trashed take)
        self._failed = [False] * len(self.feeds)
        # Per take: its ``ready`` reached this thread. A feed's ``info`` is set on its worker
        # before that queued signal lands; readiness (and autoplay) go by the signal, so
        # ``is_ready()`` never says yes while an autoplay is still on its way.
        self._heard = [False] * len(self.feeds)
        self._last_frame = -1
        self._autoplay = False
        self._audio_take: int | None = None
        self._timer = QTimer(self)
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.setInterval(TICK_MS)
        self._timer.timeout.connect(self.tick)
        self._audio_timer = QTimer(self)
        self._audio_timer.setInterval(AUDIO_SYNC_MS)
        self._audio_timer.timeout.connect(self._sync_audio)
        for cell, feed in enumerate(self.feeds):
            feed.ready.connect(lambda cell=cell: self._on_feed_ready(cell))
            feed.landed.connect(self._wake)
            feed.failed.connect(lambda message, cell=cell: self._on_feed_failed(cell, message))
            feed.preparing.connect(
                lambda percent, cell=cell: self.cellPreparing.emit(cell, percent)
            )

    # ---- set-up ---------------------------------------------------------------------------

    def start(self, *, autoplay: bool = True) -> None:
        """Start the feeds (proxies are made where missing); with ``autoplay`` the clock runs
        as soon as every take's length is known."""
        self._autoplay = autoplay
        for feed in self.feeds:
            feed.start()

    def set_cell_size(self, cell: int, size: QSize) -> None:
        """Cell ``cell`` shows pictures in ``size`` device pixels: its frame is decoded again
        at that size (it keeps the old picture until then)."""
        self.feeds[cell].set_size(size)
        self._shown[cell] = -1
        self._wake()

    def set_active(self, cell: int, active: bool) -> None:
        """Show cell ``cell`` or not (a hidden one is left out of the spread and the sound)."""
        self._active[cell] = active
        if not active and self._audio_take == cell:
            self.set_audio_take(None)

    def is_ready(self) -> bool:
        """Whether every take's length is known here (or it failed): an autoplay has then
        started already, so a pause from now on holds."""
        return all(heard or bad for heard, bad in zip(self._heard, self._failed, strict=True))

    def _on_feed_ready(self, cell: int) -> None:
        self._heard[cell] = True
        known = [f.info for f in self.feeds if f.info is not None]
        loop_s = max(info.duration_s for info in known)
        fps = max(info.fps for info in known)  # a step is the finest frame among the takes
        self.clock.set_loop(loop_s, fps)
        for feed in self.feeds:
            feed.set_loop(loop_s)
        self.readyChanged.emit()
        if self.is_ready() and self._autoplay:
            self._autoplay = False
            self.play()
        self._wake()

    def _on_feed_failed(self, cell: int, message: str) -> None:
        self._failed[cell] = True
        self.cellFailed.emit(cell, message)
        if self.is_ready() and self._autoplay and any(self._heard):
            self._autoplay = False
            self.play()

    # ---- transport ------------------------------------------------------------------------

    def is_playing(self) -> bool:
        """Whether the clock runs."""
        return self.clock.is_playing()

    def play(self) -> None:
        """Run the clock (every cell plays)."""
        if not self.clock.is_playing():
            self.clock.play()
            self.playingChanged.emit(True)
        self._audio_timer.start()
        self._sync_audio(force=True)
        self._wake()

    def pause(self) -> None:
        """Stop the clock (every cell holds its frame). Before every take is ready, the
        sheet then stays still instead of starting by itself."""
        self._autoplay = False
        if self.clock.is_playing():
            self.clock.pause()
            self.playingChanged.emit(False)
        self._audio_timer.stop()
        self._sync_audio(force=True)
        self._wake()

    def toggle(self) -> None:
        """Play when paused, pause when playing."""
        self.pause() if self.clock.is_playing() else self.play()

    def seek(self, seconds: float) -> None:
        """Every cell to ``seconds`` into the loop (playing goes on from there)."""
        self.clock.seek(seconds)
        self._sync_audio(force=True)
        self._wake()

    def seek_frame(self, frame: int) -> None:
        """Every cell to the start of the loop's frame ``frame``."""
        self.clock.seek_frame(frame)
        self._sync_audio(force=True)
        self._wake()

    def step(self, frames: int) -> int:
        """Pause and move every cell ``frames`` frames; returns the loop's frame now."""
        self._autoplay = False  # a step before every take is ready: the sheet stays still
        was_playing = self.clock.is_playing()
        frame = self.clock.step(frames)
        if was_playing:
            self.playingChanged.emit(False)
            self._audio_timer.stop()
        self._sync_audio(force=True)
        self._wake()
        return frame

    def frame(self) -> int:
        """The loop's frame now."""
        return self.clock.frame()

    def frame_count(self) -> int:
        """Frames in the loop."""
        return self.clock.frame_count()

    def shown(self, cell: int) -> int:
        """The frame index cell ``cell`` shows (-1: none yet)."""
        return self._shown[cell]

    def wanted(self, cell: int) -> int:
        """The frame index the clock asks of cell ``cell`` now."""
        return self.feeds[cell].index_at(self.clock.position_s())

    def is_settled(self) -> bool:
        """Whether every playable cell shows the frame the clock asks of it."""
        return all(self._shown[c] == self.wanted(c) for c in self._playable())

    # ---- sound ----------------------------------------------------------------------------

    def set_audio_take(self, cell: int | None) -> None:
        """Sound from cell ``cell``'s take (the one under the pointer); ``None``: silence."""
        if cell is not None and not self._active[cell]:
            cell = None
        self._audio_take = cell
        path = self.videos[cell] if cell is not None else None
        self.audio.follow(path, self.clock.position_s(), self.clock.is_playing())

    def audio_take(self) -> int | None:
        """The cell whose sound plays (or would, when playing), or ``None``."""
        return self._audio_take

    def _sync_audio(self, force: bool = False) -> None:
        self.audio.sync(self.clock.position_s(), self.clock.is_playing(), force=force)

    # ---- the tick -------------------------------------------------------------------------

    def _playable(self) -> list[int]:
        return [
            c
            for c, feed in enumerate(self.feeds)
            if self._active[c] and not self._failed[c] and feed.info is not None
        ]

    def _wake(self) -> None:
        if not self._timer.isActive():
            self._timer.start()
        self.tick()

    def tick(self) -> None:
        """Bring every cell up to the clock (the timer calls this; so does every transport
        action, so a paused step shows at once when its frames are ready)."""
        seconds = self.clock.position_s()
        lags: list[int] = []
        for cell in self._playable():
            index, image = self.feeds[cell].frame_for(seconds, self._shown[cell])
            if image is not None:
                self._shown[cell] = index
                self.frameShown.emit(cell, index, image)
            lags.append(self._lag(cell, index))
        frame = self.clock.frame()
        if frame != self._last_frame:
            self._last_frame = frame
            self.positionChanged.emit(seconds, frame)
        if any(lags):
            self._timer.start(TICK_MS)  # a cell waits for its frame: look again soon
        elif self.clock.is_playing():
            # Every cell is on the clock's frame: nothing changes before the next one starts.
            self._timer.start(self._ms_to_next_frame(seconds))
        else:
            self._timer.stop()  # nothing moves: wake again on the next action or landed frame

    def _ms_to_next_frame(self, seconds: float) -> int:
        """Milliseconds from ``seconds`` to just past the start of the clock's next frame."""
        fps = self.clock.fps
        next_start = (frame_at(seconds, fps) + 1) / fps
        return max(1, math.ceil((next_start - seconds) * 1000) + 1)

    def lags(self) -> list[int]:
        """How many frames each playing cell is behind the clock now (0: on its frame)."""
        seconds = self.clock.position_s()
        return [self._lag(c, self.feeds[c].index_at(seconds)) for c in self._playable()]

    def _lag(self, cell: int, wanted: int) -> int:
        """Frames cell ``cell`` is behind ``wanted`` (a loop's wrap counted as continuing)."""
        shown = self._shown[cell]
        info = self.feeds[cell].info
        if shown < 0 or info is None:
            return 0 if shown == wanted else max(1, wanted)
        if shown <= wanted:
            return wanted - shown
        return wanted + (info.frame_count - shown)  # it still shows the end of the last loop

    def close(self) -> None:
        """Stop everything: the timers, the sound and every feed's worker (all told first,
        then waited for together, at most :data:`CLOSE_WAIT_S` in all)."""
        self._timer.stop()
        self._audio_timer.stop()
        self.clock.pause()
        self.audio.close()
        for feed in self.feeds:
            feed.close(wait_s=0)
        deadline = time.monotonic() + CLOSE_WAIT_S
        for feed in self.feeds:
            feed.join(deadline - time.monotonic())
