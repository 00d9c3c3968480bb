"""A pane of the main window that its panel is built into after the first paint."""

from __future__ import annotations

from PySide6.QtGui import QColor, QPainter
from PySide6.QtWidgets import QVBoxLayout, QWidget

__all__ = ["PaneBox"]


class PaneBox(QWidget):
    """A pane that its panel is built into later (with the panel's margins). Until then it
    paints ``placeholder`` (if given) where the panel will be: the player's dark canvas does
    not flash in from the window's background."""

    def __init__(self, margins: tuple[int, int, int, int], placeholder: str | None = None):
        super().__init__()
        QVBoxLayout(self).setContentsMargins(*margins)
        self._placeholder = placeholder

    def add_panel(self, panel: QWidget) -> None:
        """Put ``panel`` into the pane."""
        self.layout().addWidget(panel)

    def paintEvent(self, event) -> None:  # Qt override
        if self._placeholder and self.layout().count() == 0:
            painter = QPainter(self)
            area = self.rect().marginsRemoved(self.layout().contentsMargins())
            painter.fillRect(area, QColor(self._placeholder))
            painter.end()
        super().paintEvent(event)
