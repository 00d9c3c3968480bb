"""The optional background audio: pick a WAV/MP3, see its length and size, hear it.

The file is checked like the API checks it (``media.audio.prepare_audio_file`` in an executor).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from PySide6.QtCore import Qt, QUrl, Signal
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ..core import limits
from ..core.problems import InvalidInputError
from .async_bridge import TaskKeeper, run_blocking
from .drop_zone import _human_size
from .icons import set_icon
from .plain_text import plain_label
from .theme import set_role

__all__ = ["AudioInfo", "AudioPicker", "read_audio"]

AUDIO_FILTER = "Audio (*.wav *.mp3);;All files (*)"


@dataclass(frozen=True, slots=True)
class AudioInfo:
    """What the check learnt about an audio file."""

    path: str
    duration_s: float | None = None
    format: str | None = None
    size_bytes: int | None = None
    problem: str | None = None
    notes: list[str] = field(default_factory=list)


def read_audio(path: str) -> AudioInfo:
    """Check ``path`` like the API would. Worker thread only."""
    p = Path(path)
    try:
        size = p.stat().st_size
    except OSError as exc:
        return AudioInfo(path, problem=f"Audio: cannot read {p.name} ({exc.strerror}).")
    try:
        from ..media import audio as media_audio
    except ImportError:
        return _basic_audio(p, size)
    try:
        prepared = media_audio.prepare_audio_file(p)
    except InvalidInputError as exc:
        return AudioInfo(path, size_bytes=size, problem="; ".join(x.message for x in exc.problems))
    return AudioInfo(path, prepared.duration_s, prepared.format, size, None, list(prepared.notes))


def _basic_audio(p: Path, size: int) -> AudioInfo:
    # Only while media.audio is not installed; the media layer is the real check.
    import av

    try:
        with av.open(str(p)) as container:
            stream = container.streams.audio[0]
            fmt = container.format.name.split(",")[0].upper()
            duration = float(container.duration / 1_000_000) if container.duration else None
            del stream
    except Exception as exc:
        return AudioInfo(
            str(p), size_bytes=size, problem=f"Audio: {p.name} could not be read ({exc})."
        )
    fmt = "WAV" if fmt.startswith("WAV") else fmt
    problem = None
    if fmt not in limits.AUDIO_FORMATS:
        problem = f"Audio must be {' or '.join(limits.AUDIO_FORMATS)} (got {fmt})."
    elif duration is not None and not limits.AUDIO_MIN_S <= duration <= limits.AUDIO_MAX_S:
        low, high = limits.AUDIO_MIN_S, limits.AUDIO_MAX_S
        problem = f"Audio is {duration:.1f} s; it must be {low:g}–{high:g} s."
    elif size > limits.AUDIO_MAX_BYTES:
        problem = (
            f"Audio is {_human_size(size)}; the limit is {_human_size(limits.AUDIO_MAX_BYTES)}."
        )
    return AudioInfo(str(p), duration, fmt, size, problem)


class AudioPicker(QWidget):
    """``audioPicker``: choose, check, preview and clear the background audio."""

    changed = Signal()

    def __init__(self, tasks: TaskKeeper, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("audioPicker")
        self.setAccessibleName("Background audio")
        self._tasks = tasks
        self._info: AudioInfo | None = None
        self._loading = False
        self._duration_s = 5
        self._token = 0
        self._player = None
        self.last_task = None

        self.choose_button = QToolButton()
        self.choose_button.setObjectName("audioChooseButton")
        self.choose_button.setAccessibleName("Choose audio")
        self.choose_button.setText("Add audio…")
        set_icon(self.choose_button, "volume")
        self.choose_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.label = plain_label(
            QLabel("No audio: the video is silent unless the service adds sound.")
        )
        self.label.setObjectName("audioInfoLabel")
        self.label.setAccessibleName("Audio details")
        set_role(self.label, "muted")
        self.label.setWordWrap(True)
        self.play_button = QToolButton()
        self.play_button.setObjectName("audioPlayButton")
        self.play_button.setAccessibleName("Play audio")
        self.play_button.setToolTip("Listen")
        self.play_button.setCheckable(True)
        set_icon(self.play_button, "play")
        self.clear_button = QToolButton()
        self.clear_button.setObjectName("audioClearButton")
        self.clear_button.setAccessibleName("Remove audio")
        self.clear_button.setToolTip("Remove the audio")
        set_icon(self.clear_button, "close")
        self.note = plain_label(QLabel())
        self.note.setObjectName("audioNoteLabel")
        self.note.setAccessibleName("Audio note")
        self.note.setWordWrap(True)
        set_role(self.note, "muted")
        self.note.hide()

        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.choose_button)
        row.addWidget(self.label, 1)
        row.addWidget(self.play_button)
        row.addWidget(self.clear_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addLayout(row)
        layout.addWidget(self.note)
        self.choose_button.clicked.connect(self._on_choose_button_clicked)
        self.clear_button.clicked.connect(self._on_clear_button_clicked)
        self.play_button.toggled.connect(self._on_play_button_toggled)
        self._sync()

    # ---- state ----------------------------------------------------------------------------

    def path(self) -> str | None:
        return self._info.path if self._info else None

    def problem(self) -> str | None:
        return None if self._loading or self._info is None else self._info.problem

    def is_loading(self) -> bool:
        return self._loading

    def set_duration(self, duration_s: int) -> None:
        """The video's duration, for the note about cutting or silence."""
        self._duration_s = duration_s
        self._sync()

    def load(self, path: str) -> None:
        self._token += 1
        self._loading = True
        self.label.setText(f"Checking {Path(path).name} …")
        self.changed.emit()
        self.last_task = self._tasks.spawn(self._check(path, self._token), "Check audio", self)

    def clear(self) -> None:
        self._token += 1
        self._info = None
        self._loading = False
        self._stop_preview()
        self._sync()
        self.changed.emit()

    async def _check(self, path: str, token: int) -> None:
        try:
            info = await run_blocking(read_audio, path)
        finally:
            if token == self._token:
                self._loading = False
        if token == self._token:
            self._info = info
            self._sync()
            self.changed.emit()

    def _sync(self) -> None:
        info = self._info
        has = info is not None
        self.play_button.setEnabled(has and info.problem is None)
        self.clear_button.setEnabled(has)
        if not has:
            self.label.setText(
                f"No audio (optional): WAV or MP3, {limits.AUDIO_MIN_S:g}–{limits.AUDIO_MAX_S:g} s"
            )
            set_role(self.label, "muted")
            self.note.hide()
        else:
            parts = [Path(info.path).name]
            if info.duration_s is not None:
                parts.append(f"{info.duration_s:.1f} s")
            if info.format:
                parts.append(info.format)
            if info.size_bytes is not None:
                parts.append(_human_size(info.size_bytes))
            self.label.setText(" · ".join(parts) + (f"\n{info.problem}" if info.problem else ""))
            set_role(self.label, "error" if info.problem else "")
            self.note.setText(self._cut_note(info))
            self.note.setVisible(bool(self.note.text()))

    def _cut_note(self, info: AudioInfo) -> str:
        if info.problem or info.duration_s is None:
            return ""
        d = self._duration_s
        if info.duration_s > d + 0.05:
            return (
                f"The video is {d} s: only the first {d} s of the audio are used; the rest is cut."
            )
        if info.duration_s < d - 0.05:
            return f"The audio is shorter than the {d} s video: the rest of the video is silent."
        return ""

    # ---- preview --------------------------------------------------------------------------

    def _on_play_button_toggled(self, checked: bool) -> None:
        set_icon(self.play_button, "stop" if checked else "play")
        if not checked:
            self._stop_preview()
            return
        if self._info is None:
            return
        try:
            from PySide6.QtMultimedia import QAudioOutput, QMediaPlayer
        except ImportError:
            self.note.setText("Audio preview is unavailable (Qt Multimedia is not installed).")
            self.note.show()
            return
        if self._player is None:
            self._player = QMediaPlayer(self)
            self._audio_out = QAudioOutput(self)
            self._player.setAudioOutput(self._audio_out)
            self._player.mediaStatusChanged.connect(self._on_player_media_status_changed)
        self._player.setSource(QUrl.fromLocalFile(self._info.path))
        self._player.play()

    def _on_player_media_status_changed(self, status) -> None:
        from PySide6.QtMultimedia import QMediaPlayer

        if status == QMediaPlayer.MediaStatus.EndOfMedia:
            self.play_button.setChecked(False)

    def _stop_preview(self) -> None:
        if self._player is not None:
            self._player.pause()
            self._player.stop()
        if self.play_button.isChecked():
            self.play_button.setChecked(False)

    def _on_choose_button_clicked(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Choose background audio", "", AUDIO_FILTER)
        if path:
            self.load(path)

    def _on_clear_button_clicked(self) -> None:
        self.clear()
