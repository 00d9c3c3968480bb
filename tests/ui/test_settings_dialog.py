"""Settings: the key saved through KeyStore in a temporary WAN_DESKTOP_HOME (no keyring here:
the private file), masked with show/hide, tested against the offline engine on loopback."""

from __future__ import annotations

import stat

import pytest
from PySide6.QtWidgets import QLineEdit

from wan_desktop.core.secrets import KeyStore
from wan_desktop.core.settings import load_settings
from wan_desktop.core.settings_store import SettingsStore
from wan_desktop.ui.key_check import check_key
from wan_desktop.ui.settings_dialog import SettingsDialog


@pytest.fixture
def dialog(qtbot, tasks, paths):
    store = KeyStore(paths, environ={})
    dlg = SettingsDialog(SettingsStore(paths), store, tasks)
    qtbot.addWidget(dlg)
    dlg.show()
    qtbot.waitUntil(lambda: dlg.load_task.done(), timeout=5000)
    return dlg


def test_key_is_masked_and_can_be_shown(dialog):
    edit = dialog.findChild(QLineEdit, "falKeyEdit")
    assert edit.echoMode() == QLineEdit.EchoMode.Password
    dialog.show_key.setChecked(True)
    assert edit.echoMode() == QLineEdit.EchoMode.Normal
    dialog.show_key.setChecked(False)
    assert edit.echoMode() == QLineEdit.EchoMode.Password


def test_says_where_the_key_goes(dialog, paths):
    assert "No key is set" in dialog.key_state.text()
    assert str(paths.config) in dialog.where.text() or "keyring" in dialog.where.text()


def test_saving_stores_the_key_and_settings(qtbot, dialog, paths, run):
    dialog.findChild(QLineEdit, "falKeyEdit").setText("abc123:secret-value")
    dialog.concurrency.setValue(5)
    dialog.backend.setCurrentIndex(dialog.backend.findData("offline"))
    dialog.default_resolution.setCurrentIndex(dialog.default_resolution.findData("720p"))
    with qtbot.waitSignal(dialog.saved) as signal:
        dialog.buttons.accepted.emit()
    _settings, key_changed = signal.args
    assert key_changed
    source = KeyStore(paths, environ={}).get()
    assert source is not None and source.key == "abc123:secret-value"
    if source.origin == "file":
        mode = stat.S_IMODE((paths.config / "fal-key").stat().st_mode)
        assert mode == 0o600
    saved = load_settings(paths)
    assert saved.concurrency == 5 and saved.backend == "offline"
    assert saved.defaults["resolution"] == "720p"
    assert "secret-value" not in (paths.config / "settings.json").read_text()
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=5000)


def test_test_key_button_against_the_engine(qtbot, dialog, engine, run, monkeypatch):
    monkeypatch.setenv("FAL_QUEUE_URL", engine.base_url)
    dialog.findChild(QLineEdit, "falKeyEdit").setText(engine.api_key)
    result = run(dialog.test_key(), timeout=15)
    assert result.ok is True, result.message
    assert "works" in dialog.key_status.text()


def test_refused_key(run, engine):
    engine.faults.set("auth", count=-1)
    result = run(check_key("bad:key", engine.base_url), timeout=15)
    assert result.ok is False
    assert "refused" in result.message


def test_unreachable_service(run):
    result = run(check_key("k:v", "http://127.0.0.1:9"), timeout=30)
    assert result.ok is None
