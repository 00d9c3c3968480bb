"""The contact sheet (``contactSheet``): the takes of a group, or 2–9 chosen clips, playing
side by side in a loop on one clock, culled from the keyboard.

Keys (the sheet takes them wherever the pointer is):

- Space plays and pauses; ``,`` and ``.`` (or Ctrl/Alt/Shift + Left/Right) step one frame,
  Home and End go to the first and last frame: every cell at once;
- the arrows move between takes; Enter opens the current take in the main player;
- 1–5 give stars, P picks, X rejects (each again takes the mark off), 0 clears both;
- Ctrl+Z undoes "Keep picks" (which moves the rejected takes to the trash); Esc closes.

The pointer over a take plays that take's sound. Playback is :class:`SheetPlayback`; the
library work is :class:`SheetCulling`, run as tasks of the window's ``TaskKeeper``; the keys are
:class:`SheetKeysMixin` (``sheet_keys``). GUI thread.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from typing import Any

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QCloseEvent, QImage, QShowEvent
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSlider,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from .async_bridge import TaskKeeper
from .formats import frame_position
from .icons import set_icon
from .naming import named
from .plain_text import plain_label, tooltip_text
from .sheet_cell import SheetCell
from .sheet_culling import SheetCulling, Take
from .sheet_feed import WAITING
from .sheet_grid import SheetGrid
from .sheet_keys import SheetKeysMixin
from .sheet_playback import SheetPlayback
from .status_notice import StatusNotice
from .theme import set_role

__all__ = ["HINT", "ContactSheet"]

#: What the keys do, under the grid.
HINT = (
    "Space play · , . step · 1–5 stars · P pick · X reject · 0 clear · "
    "arrows move · Enter open in player · Ctrl+Z undo"
)


class ContactSheet(SheetKeysMixin, QWidget):
    """``contactSheet``: a window of :class:`SheetCell` s (``contactSheetCell``) over one
    transport (``contactSheetPlay``, ``contactSheetSeek``, ``contactSheetFrame``), with
    ``contactSheetKeepPicks`` and the undo notice ``contactSheetNotice``.

    ``takes`` in the order shown; ``group_id`` when they are a take group. ``culling`` saves
    the marks (its library); ``tasks`` runs that work. Signals: ``openRequested(entry_id)``
    (Enter, a double-click: the window plays it), ``entrySaved(entry)`` after a mark was saved,
    ``trashed(ids)`` and ``restored(ids)`` after Keep picks and its undo.
    """

    openRequested = Signal(str)
    entrySaved = Signal(object)
    trashed = Signal(list)
    restored = Signal(list)

    def __init__(
        self,
        takes: list[Take],
        culling: SheetCulling,
        tasks: TaskKeeper,
        *,
        group_id: str | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        named(self, "contactSheet", "Contact sheet")
        self.takes = list(takes)
        self.group_id = group_id
        self.culling = culling
        self.tasks = tasks
        self.last_task = None
        self._current = 0
        self._hidden: set[int] = set()  # takes moved to the trash by Keep picks
        self._undo_ids: list[str] = []
        self._turn: asyncio.Lock | None = None  # made on first use, on the running loop
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        noun = "takes" if group_id else "clips"
        self.setWindowTitle(f"Contact sheet · {len(takes)} {noun}")
        self.playback = SheetPlayback([t.video_path for t in self.takes], self)
        self.cells = [self._make_cell(i, take) for i, take in enumerate(self.takes)]
        self._make_controls()
        self._lay_out()
        self._connect()
        self._arrange()
        self._sync_marks()
        self.cells[0].set_current(True)

    # ---- building -------------------------------------------------------------------------

    def _make_cell(self, number: int, take: Take) -> SheetCell:
        cell = SheetCell(number, take.label)
        cell.set_marks(take.rating, take.flag)
        cell.setToolTip(tooltip_text(take.label))
        return cell

    def _make_controls(self) -> None:
        title = f"Take group · {len(self.takes)} takes" if self.group_id else (
            f"{len(self.takes)} clips")  # fmt: skip
        self.title = named(plain_label(QLabel(title)), "contactSheetTitle", "Contact sheet")
        set_role(self.title, "heading")
        self.counts = named(plain_label(QLabel()), "contactSheetCounts", "Marks")
        set_role(self.counts, "muted")
        self.keep_button = named(
            QPushButton("Keep picks"), "contactSheetKeepPicks", "Keep picks",
            "Move the rejected takes to the trash (Ctrl+Z brings them back)",
        )  # fmt: skip
        self.notice = StatusNotice()
        named(self.notice, "contactSheetNotice", "Notice")
        self.play_button = named(QToolButton(), "contactSheetPlay", "Play or pause",
                                 "Play / pause every take (Space)")  # fmt: skip
        set_icon(self.play_button, "play")
        self.back_button = named(QToolButton(), "contactSheetBack", "Previous frame",
                                 "Previous frame (,)")  # fmt: skip
        set_icon(self.back_button, "frame_back")
        self.forward_button = named(QToolButton(), "contactSheetForward", "Next frame",
                                    "Next frame (.)")  # fmt: skip
        set_icon(self.forward_button, "frame_forward")
        self.seek = named(QSlider(Qt.Orientation.Horizontal), "contactSheetSeek", "Position")
        self.seek.setRange(0, 0)
        self.frame_label = named(QLabel(), "contactSheetFrame", "Frame")  # set once ready
        self.frame_label.setMinimumWidth(
            self.frame_label.fontMetrics().horizontalAdvance(frame_position(888, 889, 60.0))
        )
        self.hint = named(plain_label(QLabel(HINT)), "contactSheetHint", "Keys")
        set_role(self.hint, "muted")
        # The keys belong to the sheet: no child takes the focus from it (Space would press a
        # button, the arrows would move the slider).
        for widget in (self.keep_button, self.notice.button, self.play_button, self.back_button,
                       self.forward_button, self.seek):  # fmt: skip
            widget.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        for button in (self.play_button, self.back_button, self.forward_button):
            button.setAutoRaise(True)
            button.setIconSize(QSize(20, 20))

    def _lay_out(self) -> None:
        header = QHBoxLayout()
        header.setSpacing(10)
        header.addWidget(self.title)
        header.addWidget(self.counts)
        header.addStretch(1)
        header.addWidget(self.notice)
        header.addWidget(self.keep_button)
        self.grid = SheetGrid()
        bar = QHBoxLayout()
        bar.setSpacing(2)
        for widget in (self.play_button, self.back_button, self.forward_button):
            bar.addWidget(widget)
        bar.addWidget(self.seek, 1)
        bar.addSpacing(8)
        bar.addWidget(self.frame_label)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(10, 10, 10, 8)
        outer.setSpacing(8)
        outer.addLayout(header)
        outer.addWidget(self.grid, 1)
        outer.addLayout(bar)
        outer.addWidget(self.hint)

    def _connect(self) -> None:
        p = self.playback
        p.frameShown.connect(self._on_playback_frame_shown)
        p.positionChanged.connect(self._on_playback_position_changed)
        p.playingChanged.connect(self._on_playback_playing_changed)
        p.readyChanged.connect(self._on_playback_ready_changed)
        p.cellFailed.connect(self._on_playback_cell_failed)
        p.cellPreparing.connect(self._on_playback_cell_preparing)
        for cell in self.cells:
            cell.clicked.connect(self._on_cell_clicked)
            cell.activated.connect(self._on_cell_activated)
            cell.hovered.connect(self._on_cell_hovered)
            cell.left.connect(self._on_cell_left)
            cell.device_size_changed.connect(
                lambda size, n=cell.number: self.playback.set_cell_size(n, size)
            )
        self.keep_button.clicked.connect(self.keep_picks)
        self.play_button.clicked.connect(self.playback.toggle)
        self.back_button.clicked.connect(lambda: self.step(-1))
        self.forward_button.clicked.connect(lambda: self.step(1))
        self.seek.sliderMoved.connect(self._on_seek_slider_moved)
        self.seek.sliderPressed.connect(self._on_seek_slider_pressed)

    def _arrange(self) -> None:
        """Lay the takes still shown out in the grid (after Keep picks and its undo too)."""
        for number in self._hidden:
            self.cells[number].hide()
        self.grid.set_tiles([c for c in self.cells if c.number not in self._hidden])

    # ---- opening and closing --------------------------------------------------------------

    def start(self) -> None:
        """Start decoding (proxies are made where missing); playing starts when every take's
        length is known."""
        self.playback.start(autoplay=True)

    def showEvent(self, event: QShowEvent) -> None:  # Qt override
        # Before the window is mapped: a window of its own, not one its parent owns (which
        # stays above its owner), so Enter can bring the main window's player in front of the
        # sheet. The parent still owns the widget (and closes it when the window closes).
        handle = self.windowHandle()
        if handle is not None and handle.transientParent() is not None:
            handle.setTransientParent(None)
        super().showEvent(event)

    def closeEvent(self, event: QCloseEvent) -> None:  # Qt override
        self.playback.close()
        super().closeEvent(event)

    # ---- what tests and the window ask ----------------------------------------------------

    def current(self) -> int:
        """The take the keys act on (its number)."""
        return self._current

    def current_take(self) -> Take:
        """The take the keys act on."""
        return self.takes[self._current]

    def shown_takes(self) -> list[Take]:
        """The takes on the sheet (not moved to the trash), in order."""
        return [t for i, t in enumerate(self.takes) if i not in self._hidden]

    def set_current(self, number: int) -> None:
        """Make take ``number`` current (a hidden one is skipped)."""
        if number in self._hidden or not 0 <= number < len(self.cells):
            return
        self.cells[self._current].set_current(False)
        self._current = number
        self.cells[number].set_current(True)

    def step(self, frames: int) -> int:
        """Pause and move every take ``frames`` frames; returns the frame now."""
        return self.playback.step(frames)

    # ---- culling --------------------------------------------------------------------------

    def _library_turn(self) -> asyncio.Lock:
        """One library change at a time, in the order the keys asked: a quick 5 then P must
        not save the same sidecar at once, and Keep picks must see the reject just pressed."""
        if self._turn is None:
            self._turn = asyncio.Lock()
        return self._turn

    def _spawn(self, coro: Coroutine[Any, Any, Any], what: str):
        self.last_task = self.tasks.spawn(coro, what, self)
        return self.last_task

    def rate(self, stars: int):
        """Give the current take ``stars`` (1–5)."""
        take = self.current_take()
        return self._mark(take, take.with_marks(stars, take.flag),
                          lambda: self.culling.rate(take.id, stars), "Save the stars")  # fmt: skip

    def toggle_flag(self, flag: str):
        """Pick or reject the current take; the same key again takes the mark off."""
        take = self.current_take()
        new = "" if take.flag == flag else flag
        return self._mark(take, take.with_marks(take.rating, new),
                          lambda: self.culling.flag(take.id, new), "Save the pick")  # fmt: skip

    def clear_marks(self):
        """No stars and no pick or reject on the current take."""
        take = self.current_take()
        return self._mark(take, take.with_marks(0, ""), lambda: self.culling.clear(take.id),
                          "Clear the marks")  # fmt: skip

    def _mark(self, old: Take, new: Take, save: Callable[[], Coroutine[Any, Any, Any]],
              what: str):  # fmt: skip
        """Show ``new``'s marks at once, save them, and put ``old``'s back if saving fails."""
        number = self.takes.index(old)
        self._set_take(number, new)

        async def saving() -> None:
            try:
                async with self._library_turn():
                    entry = await save()
            except Exception:  # not a cancellation: then the sheet is gone
                if self.takes[number] == new:
                    self._set_take(number, old)
                raise
            self.entrySaved.emit(entry)

        return self._spawn(saving(), what)

    def show_marks(self, entry_id: str, rating: int, flag: str) -> None:
        """Marks saved elsewhere (the library grid, compare) for ``entry_id``: its badge and
        the counts show them (nothing for a clip not on the sheet)."""
        for number, take in enumerate(self.takes):
            if take.id == entry_id and (take.rating, take.flag) != (rating, flag):
                self._set_take(number, take.with_marks(rating, flag))

    def _set_take(self, number: int, take: Take) -> None:
        self.takes[number] = take
        self.cells[number].set_marks(take.rating, take.flag)
        self._sync_marks()

    def _sync_marks(self) -> None:
        shown = self.shown_takes()
        picked = sum(t.flag == "picked" for t in shown)
        rejected = sum(t.flag == "rejected" for t in shown)
        self.counts.setText(f"{picked} picked · {rejected} rejected")
        self.keep_button.setEnabled(rejected > 0)

    def keep_picks(self):
        """Move the rejected takes to the trash (the whole group's, for a take group); they
        leave the sheet, and Undo (or Ctrl+Z) brings them back."""
        if not any(t.flag == "rejected" for t in self.shown_takes()):
            return None
        return self._spawn(self._keep_picks(), "Keep picks")

    async def _keep_picks(self) -> None:
        async with self._library_turn():  # after the marks still being saved (that reject)
            moved = await self.culling.keep_picks(self.group_id, self.shown_takes())
        self._undo_ids = list(moved)
        self._hide_ids(set(moved), hidden=True)
        n = len(moved)
        self.notice.show_notice(
            f"Moved {n} rejected take{'s' if n != 1 else ''} to the trash.", "Undo", self.undo,
            timeout_ms=0,
        )  # fmt: skip
        if moved:
            self.trashed.emit(moved)

    def undo(self) -> bool:
        """Bring back what Keep picks moved to the trash; ``False`` when there is nothing."""
        ids, self._undo_ids = self._undo_ids, []
        if not ids:
            return False
        self.notice.dismiss()
        self._spawn(self._undo(ids), "Undo keep picks")
        return True

    async def _undo(self, ids: list[str]) -> None:
        async with self._library_turn():
            restored = await self.culling.undo_keep_picks(ids)
        self._hide_ids(set(ids), hidden=False)
        n = len(restored)
        self.notice.show_notice(f"Restored {n} take{'s' if n != 1 else ''}.", timeout_ms=5000)
        if restored:
            self.restored.emit(restored)

    def _hide_ids(self, ids: set[str], *, hidden: bool) -> None:
        for number, take in enumerate(self.takes):
            if take.id not in ids:
                continue
            if hidden:
                self._hidden.add(number)
            else:
                self._hidden.discard(number)
            self.playback.set_active(number, not hidden)
        self._arrange()
        if self._current in self._hidden:
            remaining = [c.number for c in self.cells if c.number not in self._hidden]
            if remaining:
                self.set_current(remaining[0])
        self._sync_marks()

    def open_current(self) -> None:
        """Open the current take in the main player (the sheet pauses)."""
        self.playback.pause()
        self.openRequested.emit(self.current_take().id)

    # ---- slots ----------------------------------------------------------------------------

    def _on_playback_frame_shown(self, cell: int, index: int, image: QImage) -> None:
        self.cells[cell].set_frame(index, image)

    def _on_playback_position_changed(self, _seconds: float, frame: int) -> None:
        if not self.seek.isSliderDown():
            self.seek.setValue(frame)
        fps = self.playback.clock.fps
        seconds = frame / fps if fps > 0 else 0.0
        self.frame_label.setText(frame_position(frame, self.playback.frame_count(), seconds))

    def _on_playback_playing_changed(self, playing: bool) -> None:
        set_icon(self.play_button, "pause" if playing else "play")

    def _on_playback_ready_changed(self) -> None:
        aspects = [f.info.aspect for f in self.playback.feeds if f.info is not None]
        if aspects:
            self.grid.set_aspect(aspects[0])
        count = self.playback.frame_count()
        self.seek.setRange(0, max(0, count - 1))
        self.seek.setPageStep(max(1, count // 10))
        self._on_playback_position_changed(0.0, self.playback.frame())

    def _on_playback_cell_failed(self, cell: int, message: str) -> None:
        self.cells[cell].fail(message)

    def _on_playback_cell_preparing(self, cell: int, percent: int) -> None:
        self.cells[cell].set_message(
            "Waiting to prepare the preview…" if percent == WAITING
            else f"Preparing the preview… {percent}%"
        )  # fmt: skip

    def _on_cell_clicked(self, number: int) -> None:
        self.set_current(number)
        self.setFocus()

    def _on_cell_activated(self, number: int) -> None:
        self.set_current(number)
        self.open_current()

    def _on_cell_hovered(self, number: int) -> None:
        self.playback.set_audio_take(number)

    def _on_cell_left(self, number: int) -> None:
        if self.playback.audio_take() == number:
            self.playback.set_audio_take(None)

    def _on_seek_slider_pressed(self) -> None:
        self.playback.seek_frame(self.seek.value())

    def _on_seek_slider_moved(self, frame: int) -> None:
        self.playback.seek_frame(frame)
