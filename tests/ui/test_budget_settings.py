"""Settings → Budget: the daily and monthly caps (No cap at $0), filled from and saved to the
settings, the spend so far read from the machine's ledger, a saved cap reaching the runner at
once; screenshots light and dark (docs/screenshots/settings-budget*.png)."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QApplication, QDoubleSpinBox, QLabel
from test_window_laptop import _clipped
from ui_fakes import FakeRunner, FakeServices

from wan_desktop.core.budget import Caps, SpendLedger, ledger_path
from wan_desktop.core.secrets import KeyStore
from wan_desktop.core.settings import Settings, load_settings
from wan_desktop.core.settings_store import SettingsStore
from wan_desktop.ui.budget_settings import BudgetSettings
from wan_desktop.ui.main_window import MainWindow
from wan_desktop.ui.screenshots import SCREENSHOT_DIR, save_screenshot
from wan_desktop.ui.settings_dialog import SettingsDialog

pytestmark = pytest.mark.timeout(60)


def test_the_tab_reads_and_writes_the_caps(qtbot):
    tab = BudgetSettings(Settings(daily_cap_usd=2.5))
    qtbot.addWidget(tab)
    daily = tab.findChild(QDoubleSpinBox, "dailyCapSpin")
    monthly = tab.findChild(QDoubleSpinBox, "monthlyCapSpin")
    assert daily.value() == 2.5 and monthly.value() == 0.0
    assert monthly.specialValueText() == "No cap" and monthly.text() == "No cap"
    assert daily.text() == "$2.50"
    assert daily.accessibleName() and monthly.accessibleName()
    daily.setValue(0.0)
    monthly.setValue(40.0)
    changed = tab.applied(Settings(daily_cap_usd=2.5))
    assert changed.daily_cap_usd is None and changed.monthly_cap_usd == 40.0
    assert changed.caps() == Caps(None, 40.0)


@pytest.fixture
def dialog(qtbot, tasks, paths):
    SpendLedger(ledger_path(paths)).record("req-1", 1.25)
    dlg = SettingsDialog(SettingsStore(paths), KeyStore(paths, environ={}), tasks)
    qtbot.addWidget(dlg)
    dlg.show()
    qtbot.waitUntil(lambda: dlg.load_task.done() and dlg.budget.load_task.done(), timeout=5000)
    return dlg


def test_the_dialog_shows_the_spend_and_saves_the_caps(qtbot, dialog, paths):
    labels = [dialog.tabs.tabText(i) for i in range(dialog.tabs.count())]
    assert "Budget" in labels
    spent = dialog.findChild(QLabel, "spendSoFarLabel")
    assert spent.text() == "$1.25 today · $1.25 this month"
    dialog.findChild(QDoubleSpinBox, "dailyCapSpin").setValue(5.0)
    dialog.findChild(QDoubleSpinBox, "monthlyCapSpin").setValue(60.0)
    with qtbot.waitSignal(dialog.saved):
        dialog.buttons.accepted.emit()
    assert load_settings(paths).caps() == Caps(5.0, 60.0)


def test_a_saved_cap_reaches_the_runner_at_once(qtbot, tasks, paths):
    runner = FakeRunner()
    window = MainWindow(FakeServices(paths, runner=runner, offline=False), tasks)
    qtbot.addWidget(window)
    dialog = window.open_settings()
    qtbot.waitUntil(lambda: dialog.load_task.done(), timeout=5000)
    dialog.findChild(QDoubleSpinBox, "dailyCapSpin").setValue(3.0)
    with qtbot.waitSignal(dialog.saved):
        dialog.buttons.accepted.emit()
    assert runner.caps == Caps(3.0, None)
    window.close()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_screenshot(qtbot, qapp, dialog, scheme):
    theme = qapp._wan_theme
    theme.force(scheme)
    try:
        dialog.findChild(QDoubleSpinBox, "dailyCapSpin").setValue(5.0)
        dialog.tabs.setCurrentWidget(dialog.budget)
        dialog.adjustSize()
        QApplication.processEvents()
        assert _clipped(dialog) == []
        name = "settings-budget" if scheme == "light" else "settings-budget-dark"
        path = save_screenshot(dialog, name, SCREENSHOT_DIR)
        assert path.stat().st_size > 5_000
    finally:
        theme.force("light")
