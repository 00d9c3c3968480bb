"""The first-run welcome: the key, the offline engine, where results are kept. No dead ends."""

from __future__ import annotations

import html

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QPushButton, QVBoxLayout, QWidget

from .icons import icon

__all__ = ["WelcomeDialog"]


class WelcomeDialog(QDialog):
    """``welcomeDialog``. ``choice()`` is ``"key"`` (open settings) or ``"offline"``."""

    def __init__(self, library_dir: str, has_key: bool, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("welcomeDialog")
        self.setAccessibleName("Welcome")
        self.setWindowTitle("Welcome to Wan Desktop")
        self.setMinimumWidth(560)
        self._choice = "offline"

        logo = QLabel()
        logo.setPixmap(icon("app", "#ffffff").pixmap(56, 56))
        title = QLabel("<h2 style='margin:0'>Turn a still image into a short video</h2>")
        key_state = (
            "A fal key is already set, so videos are made by Wan 2.6 on fal."
            if has_key
            else "Add your fal key to generate with <b>Wan 2.6</b> on fal.ai "
            "(<a href='https://fal.ai/dashboard/keys'>get one</a>). Each video is billed by fal; "
            "the window shows the estimate before you press Generate."
        )
        body = QLabel(
            f"<p><b>1 · Your fal key.</b> {key_state}</p>"
            "<p><b>2 · No key? Try it offline.</b> The offline engine animates your image "
            "locally with a camera move. It is <i>not</i> the Wan AI model, but it lets you try "
            "every part of the app for free, with no network.</p>"
            f"<p><b>3 · Everything is kept.</b> Every video, with its image, prompt and settings, "
            f"is saved in your library:<br><code>{html.escape(str(library_dir))}</code></p>"
            "<p style='color:gray'>You can open this again from Help → Welcome.</p>"
        )
        body.setObjectName("welcomeText")
        body.setWordWrap(True)
        body.setOpenExternalLinks(True)
        body.setTextFormat(Qt.TextFormat.RichText)

        buttons = QDialogButtonBox()
        self.key_button = QPushButton("Add a fal key…" if not has_key else "Open settings…")
        self.key_button.setObjectName("welcomeAddKeyButton")
        self.key_button.setAccessibleName("Add a fal key")
        self.offline_button = QPushButton("Continue offline" if not has_key else "Start")
        self.offline_button.setObjectName("welcomeContinueButton")
        self.offline_button.setAccessibleName("Continue")
        self.offline_button.setDefault(True)
        buttons.addButton(self.key_button, QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton(self.offline_button, QDialogButtonBox.ButtonRole.RejectRole)
        self.key_button.clicked.connect(self._on_key_button_clicked)
        self.offline_button.clicked.connect(self._on_offline_button_clicked)

        layout = QVBoxLayout(self)
        layout.setSpacing(10)
        layout.addWidget(logo)
        layout.addWidget(title)
        layout.addWidget(body)
        layout.addWidget(buttons)

    def choice(self) -> str:
        return self._choice

    def _on_key_button_clicked(self) -> None:
        self._choice = "key"
        self.accept()

    def _on_offline_button_clicked(self) -> None:
        self._choice = "offline"
        self.reject()
