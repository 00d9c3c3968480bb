"""The player's transport bar (GUI thread): play, frame steps, the seek bar and the time,
loop, mute, volume, speed and full screen, their keys while the player has focus (Space,
``,``/``.``, F) and what each control does to the media engine. The controls work before the
engine exists: it starts as they say (``VideoPlayer._attach_engine``). Apart from the player,
which holds the clip, the engine and the API the window drives."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QComboBox, QLabel, QSlider, QToolButton

from .icons import set_icon
from .seek_marks import MarkedSlider

if TYPE_CHECKING:
    from .player import VideoPlayer

    _PlayerBase = VideoPlayer
else:
    _PlayerBase = object  # a plain class, placed before QWidget in the player's bases

__all__ = ["SPEEDS", "PlayerControlsMixin"]

#: The playback speeds offered, in the speed box's order.
SPEEDS = (0.25, 0.5, 1.0, 1.5, 2.0)


def _tool(name: str, accessible: str, tip: str) -> QToolButton:
    button = QToolButton()
    button.setObjectName(name)
    button.setAccessibleName(accessible)
    button.setToolTip(tip)
    button.setAutoRaise(True)
    button.setIconSize(QSize(20, 20))
    return button


class PlayerControlsMixin(_PlayerBase):
    """The transport bar's widgets (made by :meth:`_make_transport` and
    :meth:`_make_sound_and_speed`), their keys and their slots."""

    def _make_transport(self) -> None:
        """Play, frame steps, the seek bar and the time. The icons are tinted from the
        palette (the style's media icons are black, unreadable on the dark bar)."""
        self.play_button = _tool("playButton", "Play or pause", "Play / pause (Space)")
        set_icon(self.play_button, "play")
        self.back_button = _tool("frameBackButton", "Previous frame", "Previous frame (,)")
        set_icon(self.back_button, "frame_back")
        self.forward_button = _tool("frameForwardButton", "Next frame", "Next frame (.)")
        set_icon(self.forward_button, "frame_forward")
        self.seek = MarkedSlider()
        self.seek.setObjectName("seekSlider")
        self.seek.setAccessibleName("Position")
        self.seek.setRange(0, 0)
        self.seek.setMinimumWidth(80)  # a narrow player shrinks the volume first, never this
        self.time_label = QLabel("0:00.0 / 0:00.0")
        self.time_label.setObjectName("timeLabel")
        self.time_label.setAccessibleName("Time")
        self.time_label.setMinimumWidth(
            self.time_label.fontMetrics().horizontalAdvance("00:00.0 / 00:00.0")
        )

    def _make_sound_and_speed(self) -> None:
        """Loop, mute, volume, speed and full screen."""
        self.loop_button = _tool("loopButton", "Loop", "Loop")
        self.loop_button.setCheckable(True)
        self.loop_button.setChecked(True)
        set_icon(self.loop_button, "loop")
        self.mute_button = _tool("muteButton", "Mute", "Mute")
        self.mute_button.setCheckable(True)
        set_icon(self.mute_button, "volume")
        self.volume = QSlider(Qt.Orientation.Horizontal)
        self.volume.setObjectName("volumeSlider")
        self.volume.setAccessibleName("Volume")
        self.volume.setRange(0, 100)
        self.volume.setValue(80)
        self.volume.setMinimumWidth(40)
        self.volume.setMaximumWidth(80)
        self.speed = QComboBox()
        self.speed.setObjectName("speedCombo")
        self.speed.setAccessibleName("Speed")
        self.speed.setToolTip("Playback speed")
        for rate in SPEEDS:
            self.speed.addItem(f"{rate:g}×", rate)
        self.speed.setCurrentIndex(SPEEDS.index(1.0))
        self.full_button = _tool("fullScreenButton", "Full screen", "Full screen (F)")
        set_icon(self.full_button, "fullscreen")

    def _bind_keys(self) -> None:
        """Space, comma, period and F while the player (or a child) has focus."""
        for key, slot in (
            (Qt.Key.Key_Space, self._on_play_button_clicked),
            (Qt.Key.Key_Comma, self._on_back_button_clicked),
            (Qt.Key.Key_Period, self._on_forward_button_clicked),
            (Qt.Key.Key_F, self._on_full_button_clicked),
        ):
            shortcut = QShortcut(QKeySequence(key), self)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(slot)

    def _connect(self) -> None:
        self.play_button.clicked.connect(self._on_play_button_clicked)
        self.back_button.clicked.connect(self._on_back_button_clicked)
        self.forward_button.clicked.connect(self._on_forward_button_clicked)
        self.full_button.clicked.connect(self._on_full_button_clicked)
        self.seek.sliderPressed.connect(self._on_seek_slider_pressed)
        self.seek.sliderReleased.connect(self._on_seek_slider_released)
        self.seek.sliderMoved.connect(self._on_seek_slider_moved)
        self.loop_button.toggled.connect(self._on_loop_button_toggled)
        self.mute_button.toggled.connect(self._on_mute_button_toggled)
        self.volume.valueChanged.connect(self._on_volume_value_changed)
        self.speed.currentIndexChanged.connect(self._on_speed_current_index_changed)

    def _on_play_button_clicked(self) -> None:
        if self._engine is not None and self._path:
            self._ended = False
            self._engine.toggle()

    def _on_back_button_clicked(self) -> None:
        self.step_frame(-1)

    def _on_forward_button_clicked(self) -> None:
        self.step_frame(1)

    def _on_full_button_clicked(self) -> None:
        self.toggle_full_screen()

    def _on_seek_slider_pressed(self) -> None:
        self._scrubbing = True

    def _on_seek_slider_released(self) -> None:
        self._scrubbing = False
        if self._engine is not None:
            self._engine.seek_ms(self.seek.value())

    def _on_seek_slider_moved(self, value: int) -> None:
        if self._engine is not None:
            self._engine.seek_ms(value)

    def _on_loop_button_toggled(self, checked: bool) -> None:
        if self._engine is not None:
            self._engine.set_loop(checked)

    def _on_mute_button_toggled(self, checked: bool) -> None:
        set_icon(self.mute_button, "volume_off" if checked else "volume")
        if self._engine is not None:
            self._engine.set_muted(checked)

    def _on_volume_value_changed(self, value: int) -> None:
        if self._engine is not None:
            self._engine.set_volume(value / 100)

    def _on_speed_current_index_changed(self, _index: int) -> None:
        if self._engine is not None:
            self._engine.set_rate(float(self.speed.currentData()))
