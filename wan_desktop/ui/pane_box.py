"""A pane of the main window that its panel is built into after the first paint."""

from __future__ import annotations

from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QVBoxLayout, QWidget

__all__ = ["PaneBox"]


class PaneBox(QWidget):
    """A pane that its panel is built into later (with the panel's margins). Until then it
    shows ``placeholder`` (if given) where the panel will be: the player's dark canvas does
    not flash in from the window's background."""

    def __init__(self, margins: tuple[int, int, int, int], placeholder: str | None = None):
        super().__init__()
        QVBoxLayout(self).setContentsMargins(*margins)
        self._filler: QWidget | None = None
        if placeholder:
            # A child that Qt fills from its palette, not a paintEvent: QPainter.fillRect's
            # overload resolution builds PySide's whole ``Qt`` namespace (93 enums, 15–30 ms)
            # in the middle of the first paint.
            filler = QWidget(self)
            palette = filler.palette()
            palette.setColor(QPalette.ColorRole.Window, QColor(placeholder))
            filler.setPalette(palette)
            filler.setAutoFillBackground(True)
            self.layout().addWidget(filler)
            self._filler = filler

    def add_panel(self, panel: QWidget) -> None:
        """Put ``panel`` into the pane (in place of the placeholder)."""
        if self._filler is not None:
            self.layout().removeWidget(self._filler)
            self._filler.hide()
            self._filler.deleteLater()
            self._filler = None
        self.layout().addWidget(panel)
