"""A/B compare of any two clips, frame-locked (``compareView``), in a window of its own.

One transport (:class:`~.compare_transport.CompareTransport`) moves a position along clip A's
frames; each position names A's frame and, by time, B's (clips of other rates or lengths are
matched by time). The pictures come in pairs from one worker
(:class:`~.compare_feed.CompareFeed`), so both sides always show the same moment. Views: side by
side, wipe (drag the divider), difference (|A − B| amplified), and A/B (one at a time, Tab
flips). Sound from A or B. "A wins" / "B wins" ask whoever opened the view to mark the winner
picked and the other rejected (``promote_requested``). GUI thread; decoding never happens here.

Keys: Space play/pause; Left/Right (or , and .) a frame; Shift+Left/Right ten; Home/End;
I and O set the loop's in and out points, X clears them; 1, 2, 3 the side-by-side, wipe and
difference views; Tab the A/B view (again: the other clip), A and B show that clip; [ and ]
move the wipe's divider.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from .compare_audio import SOURCES, CompareAudio
from .compare_canvas import CompareCanvas
from .compare_controls import CompareHeader, CompareTransportBar
from .compare_feed import CompareFeed, ComparePicture, Want
from .compare_timeline import CompareTimeline
from .compare_transport import CompareTransport
from .naming import named
from .plain_text import plain_label
from .theme import set_role

__all__ = ["AHEAD_FRAMES", "BACK_FRAMES", "CompareClip", "CompareView"]

#: Positions decoded ahead of the one on screen (playing, or paused: the next steps).
AHEAD_FRAMES = 4
#: Positions decoded behind the one on screen after a step back (the next steps back).
BACK_FRAMES = 8


@dataclass(frozen=True, slots=True)
class CompareClip:
    """One side: the video file, a title to show, and its library id (None: a file outside
    the library, which cannot be promoted)."""

    path: Path
    title: str
    entry_id: str | None = None


class CompareView(QWidget):
    """Compares ``a`` and ``b`` (see the module docstring). ``promote_requested(winner_id,
    loser_id)`` when "A wins" or "B wins" is pressed; the opener answers with
    :meth:`show_promoted` or :meth:`show_problem`. ``picture_shown(position)`` after each
    picture is painted."""

    promote_requested = Signal(str, str)
    picture_shown = Signal(int)

    def __init__(self, a: CompareClip, b: CompareClip, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("compareView")
        self.setAccessibleName("Compare two clips")
        self.setWindowTitle(f"Compare — {a.title} vs {b.title}")
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.clip_a, self.clip_b = a, b
        self.timeline: CompareTimeline | None = None
        self.header = CompareHeader(a.title, b.title)
        self.canvas = CompareCanvas()
        self.bar = CompareTransportBar()
        self.status = named(plain_label(QLabel()), "compareStatus", "Compare notice")
        set_role(self.status, "muted")
        self.status.setWordWrap(True)
        self.transport = CompareTransport(self)
        self.feed = CompareFeed(a.path, b.path, self)
        self.audio = CompareAudio((a.path, b.path), self)
        self._lay_out()
        self._connect()
        self._bind_keys()
        can_promote = a.entry_id is not None and b.entry_id is not None
        for button in (self.header.a_wins_button, self.header.b_wins_button):
            button.setEnabled(False)  # until both clips are open
            if not can_promote:
                button.setToolTip("Only clips in the library can be picked or rejected")
        self._can_promote = can_promote
        self._previous_position = 0  # which way the view moved last: what to decode ahead
        self.resize(QSize(1100, 680))
        self._size_pictures()
        self.feed.start()

    def _lay_out(self) -> None:
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 8, 10, 8)
        layout.setSpacing(6)
        layout.addWidget(self.header)
        layout.addWidget(self.canvas, 1)
        layout.addWidget(self.bar)
        layout.addWidget(self.status)

    def _connect(self) -> None:
        h, bar, t = self.header, self.bar, self.transport
        for key, button in h.mode_buttons.items():
            button.clicked.connect(lambda _checked=False, key=key: self.set_mode(key))
        h.gain_combo.currentIndexChanged.connect(self._on_gain_combo_current_index_changed)
        h.sound_combo.currentIndexChanged.connect(self._on_sound_combo_current_index_changed)
        h.a_wins_button.clicked.connect(lambda: self._promote(a_wins=True))
        h.b_wins_button.clicked.connect(lambda: self._promote(a_wins=False))
        bar.play_button.clicked.connect(t.toggle)
        bar.back_button.clicked.connect(lambda: t.step(-1))
        bar.forward_button.clicked.connect(lambda: t.step(1))
        bar.seek.valueChanged.connect(self._on_seek_value_changed)
        bar.in_button.clicked.connect(lambda: t.set_in())
        bar.out_button.clicked.connect(lambda: t.set_out())
        bar.clear_range_button.clicked.connect(t.clear_range)
        t.position_changed.connect(self._on_transport_position_changed)
        t.playing_changed.connect(self._on_transport_playing_changed)
        t.range_changed.connect(self._on_transport_range_changed)
        t.wrapped.connect(self._on_transport_wrapped)
        self.feed.opened.connect(self._on_feed_opened)
        self.feed.failed.connect(self._on_feed_failed)
        self.feed.landed.connect(self._on_feed_landed)
        self.canvas.device_size_changed.connect(self._on_canvas_device_size_changed)

    def _bind_keys(self) -> None:
        t = self.transport
        bindings = [
            ("Space", t.toggle), ("Left", lambda: t.step(-1)), ("Right", lambda: t.step(1)),
            (",", lambda: t.step(-1)), (".", lambda: t.step(1)),
            ("Shift+Left", lambda: t.step(-10)), ("Shift+Right", lambda: t.step(10)),
            ("Home", lambda: t.seek(0)), ("End", lambda: t.seek(1 << 30)),
            ("I", lambda: t.set_in()), ("O", lambda: t.set_out()), ("X", t.clear_range),
            ("1", lambda: self.set_mode("side")), ("2", lambda: self.set_mode("wipe")),
            ("3", lambda: self.set_mode("difference")), ("Tab", self.toggle_ab),
            ("A", lambda: self.show_clip(b=False)), ("B", lambda: self.show_clip(b=True)),
            ("[", lambda: self._nudge_wipe(-0.05)), ("]", lambda: self._nudge_wipe(0.05)),
        ]  # fmt: skip
        for key, slot in bindings:
            shortcut = QShortcut(QKeySequence(key), self)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(slot)

    # ---- what scripts and tests drive -----------------------------------------------------

    def set_mode(self, mode: str) -> None:
        """Show view ``mode``: "side", "wipe", "difference" or "toggle" (A/B)."""
        slot = self.canvas.slot_device_size()
        self.canvas.set_mode(mode)
        self.header.mode_buttons[mode].setChecked(True)
        if self.canvas.slot_device_size() != slot:
            self._on_canvas_device_size_changed(self.canvas.device_size())
        self.header.gain_combo.setEnabled(mode == "difference")
        gain = self.header.gain_combo.currentData() if mode == "difference" else 0
        self.feed.set_difference(gain)
        picture = self.canvas.picture()
        if gain and (picture is None or picture.difference is None or picture.gain != gain):
            self._request()  # the picture on screen has no difference (at this gain) yet

    def toggle_ab(self) -> None:
        """The A/B view, showing the other clip than it did."""
        if self.canvas.mode == "toggle":
            self.show_clip(b=not self.canvas.showing_b)
        else:
            self.show_clip(b=self.canvas.showing_b)

    def show_clip(self, *, b: bool) -> None:
        """The A/B view showing clip B (``b``) or A."""
        self.canvas.set_showing_b(b)
        self.set_mode("toggle")

    def seek_frame(self, position: int) -> None:
        """Go to ``position`` on the timeline (A's frame number), paused."""
        self.transport.pause()
        self.transport.seek(position)

    def picture(self) -> ComparePicture | None:
        """The picture on screen (both sides' frames at one position), or None."""
        return self.canvas.picture()

    def show_promoted(self, a_won: bool) -> None:
        """Say that the winner is picked and the other rejected."""
        winner, loser = ("A", "B") if a_won else ("B", "A")
        self.status.setText(f"{winner} is marked picked and {loser} rejected.")
        set_role(self.status, "muted")

    def show_problem(self, message: str) -> None:
        """Show ``message`` as a problem under the pictures."""
        self.status.setText(message)
        set_role(self.status, "error")

    # ---- slots ----------------------------------------------------------------------------

    def _on_feed_opened(self) -> None:
        a, b = self.feed.info_a, self.feed.info_b
        assert a is not None and b is not None
        self.timeline = CompareTimeline(a.times, a.fps, max(a.duration_s, b.duration_s))
        self.bar.seek.setRange(0, self.timeline.length - 1)
        self.bar.seek.setPageStep(max(1, round(a.fps)))
        if a.fps and b.fps and abs(a.fps - b.fps) > 0.01:
            self.status.setText(f"A runs at {a.fps:g} fps and B at {b.fps:g} fps: B shows the "
                                "frame on screen at A's time.")  # fmt: skip
        for letter, info in (("A", a), ("B", b)):
            facts = f"{info.width}×{info.height} · {info.fps:g} fps · {info.frame_count} frames"
            self.header.describe(letter, f"{facts} · {info.duration_s:.2f} s")
        self._set_up_sound(a.has_audio, b.has_audio)
        for button in (self.header.a_wins_button, self.header.b_wins_button):
            button.setEnabled(self._can_promote)
        self.transport.set_timeline(self.timeline)

    def _set_up_sound(self, a_has: bool, b_has: bool) -> None:
        combo = self.header.sound_combo
        model = combo.model()
        has = {"a": a_has, "b": b_has, "off": True}
        for row, (key, _label) in enumerate(SOURCES):
            model.item(row).setEnabled(self.audio.available and has[key])
        if not self.audio.available:
            combo.setToolTip(self.audio.reason)
        first = next((k for k in ("a", "b") if has[k] and self.audio.available), "off")
        combo.setCurrentIndex([k for k, _ in SOURCES].index(first))
        self._on_sound_combo_current_index_changed(combo.currentIndex())

    def _on_feed_failed(self, message: str) -> None:
        if self.canvas.picture() is None:
            self.canvas.set_message(message)
        self.show_problem(message)

    def _on_feed_landed(self) -> None:
        picture = self.feed.take()
        if picture is None:
            return
        self.canvas.set_picture(picture)
        if self.timeline is not None:
            self.bar.show_time(picture.a_index, self.timeline.a_frames, picture.time_s)
        self.picture_shown.emit(picture.position)

    def _on_transport_position_changed(self, position: int) -> None:
        if self.bar.seek.value() != position:
            self.bar.seek.blockSignals(True)
            self.bar.seek.setValue(position)
            self.bar.seek.blockSignals(False)
        self._request()
        self.audio.follow(self.transport.time_s(), self.transport.is_playing())

    def _on_transport_playing_changed(self, playing: bool) -> None:
        self.bar.show_playing(playing)
        self.audio.follow(self.transport.time_s(), playing, jumped=True)
        if not playing:
            self._request()  # no more frames ahead wanted

    def _on_transport_range_changed(self, in_point: int, out_point: int) -> None:
        self.bar.show_range(in_point, out_point, not self.transport.has_range())

    def _on_transport_wrapped(self) -> None:
        self.audio.follow(self.transport.time_s(), True, jumped=True)

    def _on_seek_value_changed(self, value: int) -> None:
        self.transport.seek(value)
        self.audio.follow(self.transport.time_s(), self.transport.is_playing(), jumped=True)

    def _on_gain_combo_current_index_changed(self, _index: int) -> None:
        if self.canvas.mode == "difference":
            self.set_mode("difference")

    def _on_sound_combo_current_index_changed(self, index: int) -> None:
        source = SOURCES[max(0, index)][0]
        self.audio.set_source(source, self.transport.time_s(), self.transport.is_playing())

    def _on_canvas_device_size_changed(self, _size: QSize) -> None:
        self._size_pictures()
        self._request()  # the picture again, made for the new size

    def _size_pictures(self) -> None:
        self.feed.set_size(self.canvas.slot_device_size())

    def _promote(self, *, a_wins: bool) -> None:
        a, b = self.clip_a.entry_id, self.clip_b.entry_id
        if a is None or b is None:
            return
        self.status.setText("Saving…")
        set_role(self.status, "muted")
        self.promote_requested.emit(*((a, b) if a_wins else (b, a)))

    def _nudge_wipe(self, delta: float) -> None:
        self.set_mode("wipe")
        self.canvas.set_wipe_fraction(self.canvas.wipe_fraction + delta)

    # ---- requests -------------------------------------------------------------------------

    def _want(self, position: int) -> Want:
        timeline = self.timeline
        assert timeline is not None
        return Want(position, timeline.a_index(position), timeline.time_at(position))

    def _request(self) -> None:
        """Ask the worker for the position's picture (and, playing, the next few ahead)."""
        if self.timeline is None:
            return
        t = self.transport
        position, last = t.position, self.timeline.length - 1
        if t.is_playing():
            span = t.out_point - t.in_point + 1
            ahead = [t.in_point + (position - t.in_point + k) % span
                     for k in range(1, min(AHEAD_FRAMES, span - 1) + 1)]  # fmt: skip
        elif position < self._previous_position:
            # Stepping back: the frames before, in decoding order (one seek serves them all).
            ahead = list(range(max(0, position - BACK_FRAMES), position))
        else:
            ahead = list(range(position + 1, min(last, position + AHEAD_FRAMES) + 1))
        self._previous_position = position
        self.feed.want(self._want(position), tuple(self._want(p) for p in ahead))

    def closeEvent(self, event) -> None:  # Qt override
        self.transport.pause()
        self.audio.close()
        self.feed.close()
        super().closeEvent(event)
