"""The compare view's controls, made here so the view only wires them (GUI thread):

- :class:`CompareHeader`: which clip is A and which is B, the view buttons, the difference's
  gain, the sound choice and "A wins" / "B wins";
- :class:`CompareTransportBar`: play, frame steps, the seek bar, the time, and the loop range.
"""

from __future__ import annotations

from PySide6.QtCore import QRect, QSize, Qt
from PySide6.QtGui import QColor, QPainter
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QSizePolicy,
    QSlider,
    QStyle,
    QStyleOptionSlider,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from .compare_audio import SOURCES
from .compare_canvas import MODES
from .formats import frame_position
from .icons import set_icon
from .naming import named
from .plain_text import plain_label, tooltip_text
from .theme import colors, set_role

__all__ = ["GAINS", "CompareHeader", "CompareTransportBar", "RangeSeekBar"]

#: How much the difference view amplifies: small differences of a re-encode show at ×4.
GAINS = (1, 2, 4, 8, 16)
_MODE_KEYS = {"side": "1", "wipe": "2", "difference": "3", "toggle": "Tab"}
_MODE_NAMES = {
    "side": "compareSideButton",
    "wipe": "compareWipeButton",
    "difference": "compareDifferenceButton",
    "toggle": "compareToggleButton",
}


def _tool(name: str, text: str, tip: str, *, icon: str = "") -> QToolButton:
    button = named(QToolButton(), name, text, tip)
    button.setText(text)
    button.setAutoRaise(True)
    button.setFocusPolicy(Qt.FocusPolicy.TabFocus)
    if icon:
        set_icon(button, icon)
        button.setIconSize(QSize(20, 20))
    return button


class CompareHeader(QWidget):
    """The row above the pictures. ``mode_buttons`` by view key, ``gain_combo``,
    ``sound_combo``, ``a_wins_button``, ``b_wins_button``; ``a_title`` and ``b_title`` show
    the clips' titles (data: plain text)."""

    def __init__(self, title_a: str, title_b: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._titles = (title_a, title_b)
        self.a_title = self._title("compareTitleA", "A", title_a)
        self.b_title = self._title("compareTitleB", "B", title_b)
        self.mode_group = QButtonGroup(self)
        self.mode_group.setExclusive(True)
        self.mode_buttons: dict[str, QToolButton] = {}
        for key, label in MODES:
            keys = _MODE_KEYS[key]
            button = _tool(_MODE_NAMES[key], label, f"{label} ({keys})")
            button.setCheckable(True)
            button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
            self.mode_group.addButton(button)
            self.mode_buttons[key] = button
        self.mode_buttons["side"].setChecked(True)
        self.gain_combo = named(QComboBox(), "compareGainCombo", "Difference gain",
                                "How much the difference view amplifies |A − B|")  # fmt: skip
        for gain in GAINS:
            self.gain_combo.addItem(f"× {gain}", gain)
        self.gain_combo.setCurrentIndex(GAINS.index(4))
        self.sound_combo = named(QComboBox(), "compareSoundCombo", "Sound",
                                 "Which clip's sound plays")  # fmt: skip
        for key, label in SOURCES:
            self.sound_combo.addItem(label, key)
        self.a_wins_button = _tool("compareAWinsButton", "A wins",
                                   "Promote A: mark it picked and B rejected")  # fmt: skip
        self.b_wins_button = _tool("compareBWinsButton", "B wins",
                                   "Promote B: mark it picked and A rejected")  # fmt: skip
        for button in (self.a_wins_button, self.b_wins_button):
            button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self._lay_out()

    @staticmethod
    def _title(name: str, letter: str, title: str) -> QLabel:
        label = named(plain_label(QLabel(f"{letter}  {title}")), name, f"Clip {letter}")
        label.setToolTip(tooltip_text(title))
        # Elided to the room there is (resizeEvent): a long title never widens the window.
        label.setMinimumWidth(60)
        label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        label.setTextInteractionFlags(Qt.TextInteractionFlag.NoTextInteraction)
        return label

    def _lay_out(self) -> None:
        titles = QVBoxLayout()
        titles.setSpacing(0)
        titles.addWidget(self.a_title)
        titles.addWidget(self.b_title)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(4)
        row.addLayout(titles, 1)
        for key, _label in MODES:
            row.addWidget(self.mode_buttons[key])
        row.addWidget(self.gain_combo)
        row.addSpacing(12)
        row.addWidget(self.sound_combo)
        row.addSpacing(12)
        row.addWidget(self.a_wins_button)
        row.addWidget(self.b_wins_button)

    def describe(self, letter: str, facts: str) -> None:
        """Add ``facts`` (size, rate, length) under clip ``letter``'s title in its tooltip."""
        label = self.a_title if letter == "A" else self.b_title
        title = self._titles[0 if letter == "A" else 1]
        label.setToolTip(tooltip_text(f"{title}\n{facts}"))

    def resizeEvent(self, event) -> None:  # Qt override
        super().resizeEvent(event)
        for label, letter, title in zip((self.a_title, self.b_title), "AB", self._titles,
                                        strict=True):  # fmt: skip
            metrics = label.fontMetrics()
            room = max(20, label.width() - metrics.horizontalAdvance(f"{letter}  "))
            label.setText(
                f"{letter}  {metrics.elidedText(title, Qt.TextElideMode.ElideRight, room)}"
            )


class RangeSeekBar(QSlider):
    """The seek bar, with the looped range drawn under its groove (in the accent colour)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(Qt.Orientation.Horizontal, parent)
        self._range: tuple[int, int] | None = None

    def set_loop_range(self, in_point: int, out_point: int, whole: bool) -> None:
        """Mark ``in_point`` … ``out_point`` (nothing when the range is the whole clip)."""
        self._range = None if whole else (in_point, out_point)
        self.update()

    def loop_range(self) -> tuple[int, int] | None:
        """The marked range, or None."""
        return self._range

    def paintEvent(self, event) -> None:  # Qt override
        super().paintEvent(event)
        if self._range is None or self.maximum() <= self.minimum():
            return
        option = QStyleOptionSlider()
        self.initStyleOption(option)
        style = self.style()
        groove = style.subControlRect(
            QStyle.ComplexControl.CC_Slider, option, QStyle.SubControl.SC_SliderGroove, self
        )
        handle = style.subControlRect(
            QStyle.ComplexControl.CC_Slider, option, QStyle.SubControl.SC_SliderHandle, self
        )
        span = groove.width() - handle.width()
        offset = groove.x() + handle.width() // 2

        def x_of(value: int) -> int:
            return offset + QStyle.sliderPositionFromValue(
                self.minimum(), self.maximum(), value, span
            )

        left, right = x_of(self._range[0]), x_of(self._range[1])
        painter = QPainter(self)
        colour = QColor(colors().accent)
        band = QRect(left, min(self.height() - 3, groove.bottom() + 3), max(2, right - left), 3)
        painter.fillRect(band, colour)
        for x in (left, right):  # the in and out points, as short ticks
            painter.fillRect(QRect(x - 1, band.y() - 5, 2, 8), colour)


class CompareTransportBar(QWidget):
    """Play, frame steps, the seek bar (``seek``), the time (``time_label``) and the loop
    range's buttons (``in_button``, ``out_button``, ``clear_range_button``, ``range_label``)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.play_button = _tool("comparePlayButton", "Play", "Play / pause (Space)", icon="play")
        self.back_button = _tool("compareBackButton", "Previous frame",
                                 "Previous frame (Left or ,)", icon="frame_back")  # fmt: skip
        self.forward_button = _tool("compareForwardButton", "Next frame",
                                    "Next frame (Right or .)", icon="frame_forward")  # fmt: skip
        self.seek = named(RangeSeekBar(), "compareSeekSlider", "Position")
        self.seek.setRange(0, 0)
        self.seek.setMinimumWidth(120)
        self.time_label = named(QLabel(frame_position(0, 0, 0.0)), "compareTimeLabel", "Time")
        self.time_label.setMinimumWidth(
            self.time_label.fontMetrics().horizontalAdvance(frame_position(8888, 8889, 600.0))
        )
        self.in_button = _tool("compareInButton", "In", "Start the loop here (I)")
        self.out_button = _tool("compareOutButton", "Out", "End the loop here (O)")
        self.clear_range_button = _tool("compareClearRangeButton", "Whole clip",
                                        "Loop the whole clip again (X)")  # fmt: skip
        for button in (self.in_button, self.out_button, self.clear_range_button):
            button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.range_label = named(QLabel(), "compareRangeLabel", "Loop range")
        set_role(self.range_label, "muted")
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(2)
        for widget in (self.play_button, self.back_button, self.forward_button):
            row.addWidget(widget)
        row.addWidget(self.seek, 1)
        row.addWidget(self.time_label)
        row.addSpacing(8)
        for widget in (self.in_button, self.out_button, self.clear_range_button,
                       self.range_label):  # fmt: skip
            row.addWidget(widget)

    def show_playing(self, playing: bool) -> None:
        """The play button as pause while playing."""
        set_icon(self.play_button, "pause" if playing else "play")
        self.play_button.setAccessibleName("Pause" if playing else "Play")

    def show_time(self, a_index: int, a_frames: int, time_s: float) -> None:
        """The time of the picture on screen: "Frame N / M · m:ss.t" (A's frame number, from
        0, as every frame number in the app)."""
        self.time_label.setText(frame_position(a_index, a_frames, time_s))

    def show_range(self, in_point: int, out_point: int, whole: bool) -> None:
        """The loop range, in positions (nothing said when it is the whole clip)."""
        self.range_label.setText("" if whole else f"loop {in_point}–{out_point}")
        self.seek.set_loop_range(in_point, out_point, whole)
        self.clear_range_button.setEnabled(not whole)
