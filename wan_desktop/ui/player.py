"""The player pane (``videoPlayer``): the canvas, the seek bar and the transport controls.

- Playback goes through :class:`~.media_engine.MediaEngine` (QMediaPlayer behind signals in
  our units), made on first use; without QtMultimedia the pane says why, plainly.
- :class:`~.video_canvas.VideoCanvas` paints the frames itself, so ``grab()`` captures them.
- The first frame is decoded with PyAV in an executor and painted at once, until the media
  player delivers frames.
- The window drives it through public methods (``toggle``, ``step_frame``, ``seek_ms``,
  ``toggle_full_screen``, ``is_idle``, ``offer_new_video``, ``set_marks``), never its slots.
- The seek bar (:class:`~.seek_marks.MarkedSlider`) shows marks (:class:`~.seek_marks.Mark`):
  planned shots, detected cuts, a sequence's seams; they go when another clip loads.
- The transport bar, its keys and slots live in :mod:`.player_controls`; the "New video
  ready – Play" line in :mod:`.player_offer`.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QHBoxLayout, QLabel, QVBoxLayout, QWidget

from .async_bridge import TaskKeeper, run_blocking
from .formats import format_ms
from .icons import set_icon
from .media_engine import (
    QUIET_MULTIMEDIA_RULES,
    MediaEngine,
    create_engine,
    first_frame,
    quiet_multimedia_logs,
)
from .plain_text import plain_label
from .player_controls import PlayerControlsMixin
from .player_offer import NewVideoOffer
from .seek_marks import Mark
from .theme import set_role
from .video_canvas import VideoCanvas

__all__ = [
    "QUIET_MULTIMEDIA_RULES",
    "Mark",
    "MediaEngine",
    "NewVideoOffer",
    "VideoCanvas",
    "VideoPlayer",
    "create_engine",
    "first_frame",
    "format_ms",
    "quiet_multimedia_logs",
]


class VideoPlayer(PlayerControlsMixin, QWidget):
    """The player pane (``videoPlayer``): canvas, seek bar with times, transport controls.

    Keys while it has focus: Space play/pause, ``,``/``.`` frame step, F full screen.
    ``fullScreenRequested(bool)`` asks the window to show only the player;
    ``clipLoaded(path)`` follows every :meth:`load` (``""`` after :meth:`unload`).
    """

    fullScreenRequested = Signal(bool)
    clipLoaded = Signal(str)

    def __init__(self, tasks: TaskKeeper, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("videoPlayer")
        self.setAccessibleName("Video player")
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self._tasks = tasks
        self._full = False
        self._scrubbing = False
        self._path: str | None = None
        self._ended = False  # the clip played to its end (and does not loop)
        self._load_token = 0
        self.first_frame_task = None
        self._engine: MediaEngine | None = None
        self._engine_made = False
        self._unavailable_reason: str | None = None
        self.canvas = VideoCanvas()
        self._make_labels()
        self._make_transport()
        self._make_sound_and_speed()
        self._lay_out()
        self._bind_keys()
        self._connect()

    def _make_labels(self) -> None:
        """What plays (a prompt: data, so shown as plain text) and notices about playback."""
        self.title = plain_label(QLabel())
        self.title.setObjectName("playerTitle")
        self.title.setAccessibleName("Playing")
        set_role(self.title, "muted")
        self.notice = plain_label(QLabel())
        self.notice.setObjectName("playerNotice")
        self.notice.setAccessibleName("Player notice")
        set_role(self.notice, "muted")
        self.notice.setWordWrap(True)
        self.notice.hide()
        self.offer = NewVideoOffer()
        self.offer.play_requested.connect(self._on_offer_play_requested)

    def _lay_out(self) -> None:
        bar = QHBoxLayout()
        bar.setSpacing(2)
        for w in (self.play_button, self.back_button, self.forward_button):
            bar.addWidget(w)
        bar.addWidget(self.seek, 1)
        bar.addWidget(self.time_label)
        for w in (self.loop_button, self.mute_button, self.volume, self.speed, self.full_button):
            bar.addWidget(w)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addWidget(self.canvas, 1)
        layout.addLayout(bar)
        layout.addWidget(self.offer)
        layout.addWidget(self.title)
        layout.addWidget(self.notice)

    # ---- the media engine, made on first use --------------------------------------------------

    @property
    def engine(self) -> MediaEngine | None:
        """The media engine, or ``None`` when video playback is unavailable
        (:attr:`unavailable_reason` says why).

        Made on first use, not with the widget: starting Qt Multimedia (its FFmpeg backend,
        the audio devices) takes ~50 ms, which the window's start-up need not wait for. The app
        asks for it once the window is up; a clip loaded earlier makes it at once.
        """
        if not self._engine_made:
            self._engine_made = True
            self._engine, self._unavailable_reason = create_engine(self)
            self._attach_engine()
        return self._engine

    @property
    def unavailable_reason(self) -> str | None:
        """Why video playback is unavailable, or ``None`` when it works."""
        _ = self.engine
        return self._unavailable_reason

    def _attach_engine(self) -> None:
        engine = self._engine
        if engine is None:
            self._say_unavailable(self._unavailable_reason or "Video playback is unavailable.")
            return
        # The controls may have been used before the engine existed: it starts as they say.
        engine.set_loop(self.loop_button.isChecked())
        engine.set_volume(self.volume.value() / 100)
        engine.set_muted(self.mute_button.isChecked())
        engine.set_rate(float(self.speed.currentData()))
        if not engine.audio_available:
            self._show_notice("No sound device found: videos play silently.")
            self.mute_button.setEnabled(False)
            self.volume.setEnabled(False)
        engine.set_frame_size(self.canvas.device_size())
        self.canvas.device_size_changed.connect(engine.set_frame_size)
        engine.frame_ready.connect(self._on_engine_frame_ready)
        engine.position_changed_ms.connect(self._on_engine_position_changed_ms)
        engine.duration_changed_ms.connect(self._on_engine_duration_changed_ms)
        engine.playing_changed.connect(self._on_engine_playing_changed)
        engine.error_occurred.connect(self._on_engine_error_occurred)
        engine.ended.connect(self._on_engine_ended)

    def _say_unavailable(self, reason: str) -> None:
        self.canvas.set_message(reason)
        self._show_notice(reason)
        for w in (
            self.play_button,
            self.back_button,
            self.forward_button,
            self.seek,
            self.loop_button,
            self.mute_button,
            self.volume,
            self.speed,
        ):
            w.setEnabled(False)

    # ---- API (GUI thread) ---------------------------------------------------------------------

    def step_frame(self, frames: int = 1) -> None:
        """Pause and move ``frames`` frames (negative: back); nothing without a clip."""
        if self._engine is not None and self._path:
            self._engine.step_frames(frames)

    def seek_ms(self, ms: int) -> None:
        """Jump to ``ms`` milliseconds into the clip (clamped to its length)."""
        if self._engine is not None and self._path:
            self._engine.seek_ms(ms)

    def is_playing(self) -> bool:
        """Whether the clip is playing now."""
        return self._engine is not None and self._engine.is_playing()

    def is_idle(self) -> bool:
        """Whether nothing would be interrupted by loading another clip: nothing is loaded, or
        the clip played to its end. A clip that plays (or loops) or is paused is not idle."""
        return self._path is None or self._ended or self._engine is None

    def offer_new_video(self, path: str | Path, title: str = "") -> None:
        """Offer ``path`` under the bar ("New video ready – Play") instead of loading it."""
        self.offer.offer(str(path), title)

    def toggle_full_screen(self) -> None:
        """Ask the window to show only the player, or everything again."""
        self.set_full_screen(not self._full)

    def set_marks(self, marks: list[Mark]) -> None:
        """Mark ``marks`` on the seek bar (replacing any) until another clip loads."""
        self.seek.set_marks(marks)

    def marks(self) -> list[Mark]:
        """The marks on the seek bar."""
        return self.seek.marks()

    def load(self, path: str | Path, *, autoplay: bool = True, title: str = "") -> None:
        """Show ``path``: its first frame at once, then play it (when ``autoplay``). The
        seek bar's marks are cleared (they belonged to the clip before)."""
        self._path = str(path)
        self._ended = False
        self.seek.set_marks([])
        if self.offer.offered_path() == self._path:
            self.offer.withdraw()
        self._load_token += 1
        self.title.setText(title or Path(path).name)
        self.canvas.set_image(None)
        self.canvas.set_message("Loading …")
        self.first_frame_task = self._tasks.spawn(
            self._show_first_frame(self._path, self._load_token), "Show video", self
        )
        engine = self.engine
        if engine is not None:
            engine.load(self._path)
            if autoplay:
                engine.play()
        self.clipLoaded.emit(self._path)

    def unload(self) -> None:
        """Stop, forget the clip and its marks, show the empty canvas."""
        self._path = None
        self.seek.set_marks([])
        self._load_token += 1
        if self._engine is not None:
            self._engine.stop()
            self._engine.load(None)
        self.canvas.set_image(None)
        self.canvas.set_message("Your video will play here")
        self.title.setText("")
        self.clipLoaded.emit("")

    def path(self) -> str | None:
        """The clip loaded, or ``None``."""
        return self._path

    def position_ms(self) -> int:
        """Where the clip is, in milliseconds (0 without playback)."""
        return self._engine.position_ms() if self._engine else 0

    def toggle(self) -> None:
        """Play or pause the loaded video, as the play button does (GUI thread)."""
        self._on_play_button_clicked()

    def is_full_screen(self) -> bool:
        """Whether the player asked to be shown alone."""
        return self._full

    def set_full_screen(self, full: bool) -> None:
        """Ask the window (``fullScreenRequested``) to show only the player, or not."""
        self._full = full
        self.full_button.setToolTip("Leave full screen (F or Esc)" if full else "Full screen (F)")
        self.fullScreenRequested.emit(full)

    async def _show_first_frame(self, path: str, token: int) -> None:
        # Made at the size shown (a hidden canvas has no real size yet: then the full frame).
        box = self.canvas.device_size() if self.canvas.isVisible() else None
        image = await run_blocking(first_frame, path, box)
        if token != self._load_token:
            return
        if image is None:
            if self.canvas.image() is None:
                self.canvas.set_message(f"{Path(path).name} has no picture that can be shown.")
            return
        if self._engine is None or self._engine.frames_received == 0:
            self.canvas.set_image(image)

    def _show_notice(self, text: str) -> None:
        self.notice.setText(text)
        self.notice.setVisible(bool(text))

    # ---- slots ----------------------------------------------------------------------------

    def _on_engine_frame_ready(self, image: QImage) -> None:
        self.canvas.set_image(image)

    def _on_engine_position_changed_ms(self, ms: int) -> None:
        if not self._scrubbing:
            self.seek.setValue(ms)
        self._update_time(ms)

    def _on_engine_duration_changed_ms(self, ms: int) -> None:
        self.seek.setRange(0, max(0, ms))
        self.seek.setPageStep(max(1, ms // 10))
        self._update_time(self.position_ms())

    def _update_time(self, position: int) -> None:
        duration = self._engine.duration_ms() if self._engine else 0
        self.time_label.setText(f"{format_ms(position)} / {format_ms(duration)}")

    def _on_engine_playing_changed(self, playing: bool) -> None:
        set_icon(self.play_button, "pause" if playing else "play")

    def _on_engine_ended(self) -> None:
        self._ended = True

    def _on_offer_play_requested(self, path: str, title: str) -> None:
        self.load(path, title=title)

    def _on_engine_error_occurred(self, message: str) -> None:
        self._show_notice(f"Playback problem: {message}")

    def keyPressEvent(self, event) -> None:  # Qt override
        if event.key() == Qt.Key.Key_Escape and self._full:
            self.set_full_screen(False)
            return
        super().keyPressEvent(event)
