"""Settings → Advanced: "Give up if not started within N minutes" and "Keep my uploaded inputs
on fal for at most N hours" (0: never / fal's default), filled from and saved to the settings."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QSpinBox

from wan_desktop.core.secrets import KeyStore
from wan_desktop.core.settings import load_settings
from wan_desktop.core.settings_store import SettingsStore
from wan_desktop.ui.advanced_settings import AdvancedSettings
from wan_desktop.ui.settings_dialog import SettingsDialog


def test_the_tab_reads_and_writes_the_preferences(qtbot):
    from wan_desktop.core.settings import Settings

    tab = AdvancedSettings(Settings(start_timeout_min=15, upload_expiry_h=0))
    qtbot.addWidget(tab)
    start = tab.findChild(QSpinBox, "startTimeoutSpin")
    expiry = tab.findChild(QSpinBox, "uploadExpirySpin")
    assert start.value() == 15 and expiry.value() == 0
    assert start.specialValueText() == "Never" and expiry.specialValueText() == "fal's default"
    assert start.accessibleName() and expiry.accessibleName()
    start.setValue(0)
    expiry.setValue(6)
    changed = tab.applied(Settings())
    assert changed.start_timeout_min == 0 and changed.upload_expiry_h == 6


@pytest.fixture
def dialog(qtbot, tasks, paths):
    dlg = SettingsDialog(SettingsStore(paths), KeyStore(paths, environ={}), tasks)
    qtbot.addWidget(dlg)
    dlg.show()
    qtbot.waitUntil(lambda: dlg.load_task.done(), timeout=5000)
    return dlg


def test_the_dialog_saves_them(qtbot, dialog, paths):
    labels = [dialog.tabs.tabText(i) for i in range(dialog.tabs.count())]
    assert "Advanced" in labels
    dialog.findChild(QSpinBox, "startTimeoutSpin").setValue(10)
    dialog.findChild(QSpinBox, "uploadExpirySpin").setValue(24)
    with qtbot.waitSignal(dialog.saved):
        dialog.buttons.accepted.emit()
    saved = load_settings(paths)
    assert saved.start_timeout_min == 10 and saved.upload_expiry_h == 24
