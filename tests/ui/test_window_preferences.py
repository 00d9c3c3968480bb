"""The window's preferences: the colour scheme (View menu and Settings, applied at once and
kept), what a finished video does, and the key's state and place never contradicting."""

from __future__ import annotations

import pytest
from PySide6.QtGui import QAction, QPalette
from PySide6.QtWidgets import QApplication, QComboBox, QLabel
from ui_fakes import FakeServices

from wan_desktop.core.secrets import KeyStore
from wan_desktop.core.settings import load_settings
from wan_desktop.core.settings_store import SettingsStore
from wan_desktop.ui import theme
from wan_desktop.ui.main_window import MainWindow
from wan_desktop.ui.settings_dialog import SettingsDialog

pytestmark = pytest.mark.timeout(60)


@pytest.fixture
def window(qtbot, tasks, paths, qapp):
    win = MainWindow(FakeServices(paths), tasks)
    qtbot.addWidget(win)
    win.resize(1280, 800)
    win.show()
    qtbot.waitExposed(win)
    yield win
    win.close()
    qapp._wan_theme.force("light")  # the other tests' scheme


def _window_colour() -> str:
    return QApplication.palette().color(QPalette.ColorRole.Window).name()


def test_the_view_menu_switches_the_scheme_live_and_keeps_it(qtbot, window, paths):
    dark = window.findChild(QAction, "schemeDarkAction")
    assert dark is not None and dark.isCheckable()
    assert window.findChild(QAction, "schemeSystemAction").isChecked()
    dark.trigger()
    assert theme.is_dark() and _window_colour() == "#1f1f24"
    assert window.services.settings.color_scheme == "dark"
    qtbot.waitUntil(lambda: load_settings(paths).color_scheme == "dark", timeout=5000)
    window.findChild(QAction, "schemeLightAction").trigger()
    assert not theme.is_dark() and _window_colour() == "#f3f3f6"
    assert not dark.isChecked()


def test_settings_choose_the_scheme_and_what_a_finished_video_does(qtbot, window, paths):
    dialog = window.open_settings()
    qtbot.waitUntil(lambda: dialog.load_task.done(), timeout=5000)
    scheme = dialog.findChild(QComboBox, "colorSchemeCombo")
    ready = dialog.findChild(QComboBox, "videoReadyCombo")
    assert [scheme.itemData(i) for i in range(scheme.count())] == ["system", "light", "dark"]
    assert ready.currentData() == "offer"
    scheme.setCurrentIndex(scheme.findData("dark"))
    ready.setCurrentIndex(ready.findData("play"))
    with qtbot.waitSignal(dialog.saved, timeout=5000):
        dialog.buttons.accepted.emit()
    assert theme.is_dark()
    assert window.findChild(QAction, "schemeDarkAction").isChecked()
    saved = load_settings(paths)
    assert saved.color_scheme == "dark" and saved.video_ready == "play"


def _key_texts(dialog) -> str:
    return dialog.key_state.text() + " " + dialog.findChild(QLabel, "keyStorageLabel").text()


def test_no_key_is_never_beside_the_key_is_stored(qtbot, tasks, paths, run):
    store = KeyStore(paths, environ={})
    dialog = SettingsDialog(SettingsStore(paths), store, tasks)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.load_task.done(), timeout=5000)
    text = _key_texts(dialog)
    assert "No key is set" in text and "The key is stored in" not in text
    assert "A key you save is kept in" in text
    assert not dialog.remove_key.isEnabled()

    store.set("abc:stored-secret")  # a stored key, then removed from the dialog
    run(dialog._load_key_state())
    text = _key_texts(dialog)
    assert "A key is stored" in text and "No key is set" not in text
    dialog.remove_key.click()
    qtbot.waitUntil(lambda: "No key is set" in dialog.key_state.text(), timeout=5000)
    assert "The key is stored in" not in _key_texts(dialog)
    assert "stored-secret" not in _key_texts(dialog)
    dialog.reject()


def test_the_window_tab_is_not_clipped(qtbot, tasks, paths, qapp):
    dialog = SettingsDialog(SettingsStore(paths), KeyStore(paths, environ={}), tasks)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.load_task.done(), timeout=5000)
    dialog.tabs.setCurrentIndex(dialog.tabs.indexOf(dialog.color_scheme.parentWidget()))
    QApplication.processEvents()
    tab = dialog.tabs.currentWidget()
    labels = [w for w in tab.findChildren(QLabel) if w.isVisible() and not w.wordWrap()]
    assert labels
    for label in labels:
        assert label.width() >= label.sizeHint().width(), label.text()
    dialog.reject()
