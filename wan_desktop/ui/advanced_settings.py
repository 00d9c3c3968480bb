"""Settings → Advanced: how long fal may keep a job waiting, and how long it keeps uploads.

"Give up if not started within N minutes" becomes fal's start deadline on each submit
(``Settings.start_timeout_min``; 0: never); "Keep my uploaded inputs on fal for at most N
hours" becomes fal's media-expiration preference on each upload (``Settings.upload_expiry_h``;
0: the account's default). Both apply to jobs started after the engine restarts (saving a
new key or engine, or the next start). GUI thread only.
"""

from __future__ import annotations

from PySide6.QtWidgets import QFormLayout, QLabel, QSpinBox, QVBoxLayout, QWidget

from ..core.settings import START_TIMEOUT_MAX_MIN, UPLOAD_EXPIRY_MAX_H, Settings
from .naming import named
from .theme import set_role

__all__ = ["AdvancedSettings"]

_START_NOTE = (
    "When fal is busy a job can wait in its queue. With a limit, fal drops a job that has not "
    "started in time (nothing is billed) and the job says so; you can run it again later."
)
_EXPIRY_NOTE = (
    "Large images and audio are uploaded to fal's storage to be sent. They are deleted after "
    "this many hours instead of when fal's default says."
)


def _spin(name: str, accessible: str, maximum: int, suffix: str, zero: str) -> QSpinBox:
    spin = named(QSpinBox(), name, accessible)
    spin.setRange(0, maximum)
    spin.setSuffix(suffix)
    spin.setSpecialValueText(zero)  # shown at 0
    spin.setMinimumWidth(130)
    return spin


def _note(text: str) -> QLabel:
    label = QLabel(text)
    set_role(label, "muted")
    label.setWordWrap(True)
    return label


class AdvancedSettings(QWidget):
    """The "Advanced" tab of the settings dialog, filled from ``settings``;
    :meth:`applied` puts what it shows into a ``Settings``."""

    def __init__(self, settings: Settings, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("advancedSettings")
        self.start_timeout = _spin(
            "startTimeoutSpin",
            "Give up if not started within, in minutes",
            START_TIMEOUT_MAX_MIN,
            " min",
            "Never",
        )
        self.upload_expiry = _spin(
            "uploadExpirySpin",
            "Keep uploaded inputs on fal for at most, in hours",
            UPLOAD_EXPIRY_MAX_H,
            " h",
            "fal's default",
        )
        form = QFormLayout()
        form.addRow("Give up if not started within", self.start_timeout)
        form.addRow("", _note(_START_NOTE))
        form.addRow("Keep my uploaded inputs on fal for at most", self.upload_expiry)
        form.addRow("", _note(_EXPIRY_NOTE))
        outer = QVBoxLayout(self)
        outer.addLayout(form)
        outer.addWidget(_note("Changes apply to jobs sent after the app next starts its engine."))
        outer.addStretch(1)
        self.fill(settings)

    def fill(self, settings: Settings) -> None:
        """Show ``settings``' values."""
        self.start_timeout.setValue(settings.start_timeout_min)
        self.upload_expiry.setValue(settings.upload_expiry_h)

    def applied(self, settings: Settings) -> Settings:
        """``settings`` with the values this tab shows."""
        return settings.replace(
            start_timeout_min=self.start_timeout.value(),
            upload_expiry_h=self.upload_expiry.value(),
        )
