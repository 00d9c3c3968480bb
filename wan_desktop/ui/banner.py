"""The banner shown while the offline engine generates (it is not the AI model)."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QWidget

from .icons import icon as svg_icon
from .theme import apply_style

__all__ = ["OFFLINE_TEXT", "OfflineBanner"]

OFFLINE_TEXT = (
    "Offline engine: animates your image locally with a camera move — it is not the Wan AI "
    "model. Add a fal key in Settings to generate with Wan 2.6."
)


class OfflineBanner(QFrame):
    """``offlineBanner``: the sentence and an "Add a fal key…" button."""

    settingsRequested = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("offlineBanner")
        apply_style(self, "offlineBanner")
        self.setAccessibleName("Offline engine notice")
        icon = QLabel()
        icon.setProperty("svgPixmap", "info")
        icon.setProperty("svgPixmapSize", 20)
        icon.setPixmap(svg_icon("info").pixmap(20, 20))
        self.label = QLabel(OFFLINE_TEXT)
        self.label.setObjectName("offlineBannerText")
        self.label.setWordWrap(True)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.button = QPushButton("Add a fal key…")
        self.button.setObjectName("offlineBannerSettingsButton")
        self.button.setAccessibleName("Add a fal key")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(10, 6, 10, 6)
        layout.addWidget(icon, 0, Qt.AlignmentFlag.AlignTop)
        layout.addWidget(self.label, 1)
        layout.addWidget(self.button, 0, Qt.AlignmentFlag.AlignVCenter)
        self.button.clicked.connect(self._on_button_clicked)

    def _on_button_clicked(self) -> None:
        self.settingsRequested.emit()
