"""One shot of the storyboard: its number, start and end seconds, what happens in it, and the
buttons that move it up or down or remove it (GUI thread)."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDoubleSpinBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ..core.storyboard import Shot, format_seconds
from .icons import set_icon
from .naming import named
from .theme import apply_style, set_role, set_style_property

__all__ = ["ShotCard"]

#: The longest time a card's spin boxes take, in seconds: far past any video the model makes,
#: so a hand-typed time past the end still shows as typed (and the storyboard says so).
_MAX_S = 999.0
_TEXT_HEIGHT_PX = 50


class _Seconds(QDoubleSpinBox):
    """Seconds as the prompt writes them: ``4 s``, ``2.5 s`` (no trailing zeros)."""

    def __init__(self, name: str, accessible: str):
        super().__init__()
        named(self, name, accessible)
        self.setDecimals(2)
        self.setRange(0.0, _MAX_S)
        self.setSingleStep(0.5)
        self.setSuffix(" s")
        # The value counts once typing is done (Enter, Tab, the arrows): "12" does not pass
        # through "1", which would rewrite the prompt and flag an overlap for a keystroke.
        self.setKeyboardTracking(False)
        self.setAlignment(Qt.AlignmentFlag.AlignRight)
        self.setMinimumWidth(76)  # "10.5 s" beside the arrows

    def textFromValue(self, value: float) -> str:  # Qt override
        return format_seconds(value)


class ShotCard(QFrame):
    """Shot ``number``: ``edited`` when the user changes its times or words;
    ``moveRequested(delta)`` (−1 up, +1 down) and ``removeRequested`` from its buttons.
    :meth:`set_shot` shows a shot without emitting ``edited``."""

    edited = Signal()
    moveRequested = Signal(int)
    removeRequested = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("shotCard")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self._number = 0
        self._updating = False
        self._build()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 6, 6, 8)
        layout.setSpacing(4)
        layout.addLayout(self._header())
        layout.addWidget(self.text_edit)
        self.start.valueChanged.connect(self._on_time_value_changed)
        self.end.valueChanged.connect(self._on_time_value_changed)
        self.text_edit.textChanged.connect(self._on_text_edit_text_changed)
        self.up_button.clicked.connect(lambda: self.moveRequested.emit(-1))
        self.down_button.clicked.connect(lambda: self.moveRequested.emit(1))
        self.remove_button.clicked.connect(self.removeRequested.emit)

    def _build(self) -> None:
        self.title = QLabel()
        set_role(self.title, "heading")
        self.start = _Seconds("shotStart", "Shot start")
        self.end = _Seconds("shotEnd", "Shot end")
        self.length = QLabel()
        set_role(self.length, "muted")
        self.up_button = self._tool("shotUpButton", "Move the shot earlier", Qt.ArrowType.UpArrow)
        self.down_button = self._tool(
            "shotDownButton", "Move the shot later", Qt.ArrowType.DownArrow
        )
        self.remove_button = self._tool("shotRemoveButton", "Remove the shot", None)
        set_icon(self.remove_button, "close")
        self.text_edit = named(QPlainTextEdit(), "shotText", "What happens in the shot")
        apply_style(self.text_edit, "textBox")  # the red frame while ``invalid``
        self.text_edit.setPlaceholderText("What happens in this shot: action, camera, cut…")
        self.text_edit.setTabChangesFocus(True)
        self.text_edit.setFixedHeight(_TEXT_HEIGHT_PX)

    @staticmethod
    def _tool(name: str, accessible: str, arrow: Qt.ArrowType | None) -> QToolButton:
        button = named(QToolButton(), name, accessible, accessible)
        button.setAutoRaise(True)
        if arrow is not None:
            button.setArrowType(arrow)
        return button

    def _header(self) -> QHBoxLayout:
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(4)
        row.addWidget(self.title)
        row.addSpacing(6)
        row.addWidget(self.start)
        dash = QLabel("to")
        set_role(dash, "muted")
        row.addWidget(dash)
        row.addWidget(self.end)
        row.addSpacing(6)
        row.addWidget(self.length)
        row.addStretch(1)
        for button in (self.up_button, self.down_button, self.remove_button):
            row.addWidget(button)
        return row

    # ---- what the storyboard asks of it ---------------------------------------------------

    def shot(self) -> Shot:
        """The shot as the card shows it."""
        return Shot(self.start.value(), self.end.value(), self.text_edit.toPlainText())

    def number(self) -> int:
        """The shot's number (1 for the first)."""
        return self._number

    def set_shot(self, number: int, shot: Shot) -> None:
        """Show ``shot`` as shot ``number`` without emitting ``edited``. The words are left
        alone when they differ only by surrounding white space (the prompt strips it), so
        the text being typed keeps its cursor."""
        self._updating = True
        try:
            self._number = number
            self.title.setText(f"Shot {number}")
            self.setAccessibleName(f"Shot {number}")
            self.start.setValue(shot.start_s)
            self.end.setValue(shot.end_s)
            if self.text_edit.toPlainText().strip() != shot.text.strip():
                self.text_edit.setPlainText(shot.text)
        finally:
            self._updating = False
        self._show_length()

    def set_movable(self, up: bool, down: bool) -> None:
        """Whether the shot can move earlier and later (not the first up, not the last down)."""
        self.up_button.setEnabled(up)
        self.down_button.setEnabled(down)

    def set_flagged(self, flagged: bool, why: str = "") -> None:
        """Mark the card while a check names its shot; ``why`` becomes the title's tooltip."""
        self.title.setToolTip(why)
        if flagged == self.is_flagged():
            return  # re-styling on every keystroke would repaint every card
        set_role(self.title, "error" if flagged else "heading", bold=True)
        set_style_property(self.text_edit, "invalid", flagged)

    def is_flagged(self) -> bool:
        """Whether the card is marked."""
        return bool(self.text_edit.property("invalid"))

    # ---- slots ----------------------------------------------------------------------------

    def _show_length(self) -> None:
        length = self.end.value() - self.start.value()
        self.length.setText(f"{format_seconds(length)} s long" if length > 0 else "")

    def _on_time_value_changed(self, _value: float) -> None:
        self._show_length()
        if not self._updating:
            self.edited.emit()

    def _on_text_edit_text_changed(self) -> None:
        if not self._updating:
            self.edited.emit()
