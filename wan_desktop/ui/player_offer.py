"""The player's "New video ready – Play" line (``newVideoOffer``): a video that finished
while another clip was open is offered under the player's bar rather than loaded over it.
Apart from the player so the pane holds only playback. GUI thread."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QWidget

from .plain_text import plain_label

__all__ = ["NewVideoOffer"]


class NewVideoOffer(QWidget):
    """``newVideoOffer``: "New video ready – Play" under the player's bar, for a video that
    finished while another clip was open. ``play_requested(path, title)`` when Play is
    pressed (then it hides). GUI thread."""

    play_requested = Signal(str, str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("newVideoOffer")
        self.setAccessibleName("New video ready")
        self.label = plain_label(QLabel("New video ready"))
        self.label.setObjectName("newVideoLabel")
        self.label.setMinimumWidth(40)  # a long title never widens the player: it is cut
        self.button = QPushButton("Play")
        self.button.setObjectName("newVideoPlayButton")
        self.button.setAccessibleName("Play the new video")
        self.button.clicked.connect(self._on_button_clicked)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.label)
        row.addWidget(self.button)
        row.addStretch(1)
        self._offered: tuple[str, str] | None = None
        self.hide()

    def offer(self, path: str, title: str) -> None:
        """Offer ``path`` (a newer offer replaces an older one)."""
        self._offered = (path, title)
        self.label.setText(f"New video ready \u2013 {title}" if title else "New video ready")
        self.button.setToolTip(f"Play {title or Path(path).name}")
        self.label.setToolTip(title)
        self.show()

    def offered_path(self) -> str | None:
        """The video on offer, or ``None``."""
        return self._offered[0] if self._offered and not self.isHidden() else None

    def withdraw(self) -> None:
        """Take the offer back (its video was loaded another way)."""
        self._offered = None
        self.hide()

    def _on_button_clicked(self) -> None:
        offered, self._offered = self._offered, None
        self.hide()
        if offered is not None:
            self.play_requested.emit(*offered)
