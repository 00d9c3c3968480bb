"""Offline: with a key set but the fal queue unreachable (a closed port), the library pane
still browses, searches, plays, reuses, continues, edits, exports, trashes, restores and
imports — none of it needs the network."""

from __future__ import annotations

import shutil
import socket

import pytest
from library_ui_helpers import add_entry
from library_window import Opened, close_player, wait_task
from ui_helpers import drop_urls

from wan_desktop.library import Library
from wan_desktop.ui.library_model import LibraryRole

pytestmark = pytest.mark.timeout(90)


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def offline_window(qtbot, tasks, run, wan_home, monkeypatch, tmp_path):
    from wan_desktop.app import Services
    from wan_desktop.ui.library_pane import install_library
    from wan_desktop.ui.main_window import MainWindow

    monkeypatch.setenv("FAL_KEY", "key-id:key-secret")
    monkeypatch.setenv("FAL_QUEUE_URL", f"http://127.0.0.1:{_closed_port()}")
    services = Services.from_environment()
    services.store.set_window(services.store.window.replace(first_run_done=True))
    services.paths.ensure()
    with Library.open(services.library_root()) as lib:
        add_entry(lib, tmp_path / "in", hue=0.2, prompt="waves on a pebble beach", seed=5)
        add_entry(lib, tmp_path / "in", hue=0.7, prompt="a tram in the fog", seed=6, audio=True)
    run(services.start(), timeout=30)
    assert services.has_key and not services.offline  # fal, which cannot be reached
    win = MainWindow(services, tasks)
    qtbot.addWidget(win)
    pane = install_library(win, tasks)
    pane.open_url = Opened()
    win.resize(1500, 900)
    win.show()
    with qtbot.waitSignal(pane.model.queryApplied, timeout=5000):
        pane.actions.set_library(services.library)
    win.attach_runner(services.runner, services.offline)
    yield win, pane, services
    qtbot.waitUntil(lambda: not win.composer.drop_zone.is_loading(), timeout=10000)
    close_player(win)
    win.close()
    run(services.close(), timeout=30)


def test_everything_but_generating_works_offline(qtbot, offline_window, tmp_path):
    win, pane, services = offline_window
    model = pane.model
    assert pane.count_label.text() == "2 clips"
    qtbot.waitUntil(
        lambda: model.index(0).data(LibraryRole.ThumbnailLoaded) is not None, timeout=5000
    )
    model.index(0).data(LibraryRole.Thumbnail)
    qtbot.waitUntil(lambda: model.index(0).data(LibraryRole.ThumbnailLoaded), timeout=5000)
    entry = _search_play_reuse_continue(qtbot, win, pane)
    _edit_reveal_export(qtbot, pane, services, entry, tmp_path)
    _trash_and_restore(qtbot, pane, services, entry)
    _import_by_drop(qtbot, pane, tmp_path)


def _search_play_reuse_continue(qtbot, win, pane):
    model = pane.model
    with qtbot.waitSignal(model.queryApplied, timeout=5000):
        pane.search.setText("tram")
    assert model.rowCount() == 1 and pane.count_label.text() == "1 clip"

    pane.view.setCurrentIndex(model.index(0))
    qtbot.waitUntil(lambda: pane.details.entry is not None, timeout=5000)
    entry = pane.details.entry
    pane.play_action.trigger()
    wait_task(qtbot, pane)
    assert win.player.path() == str(entry.video_path)
    pane.reuse_action.trigger()
    wait_task(qtbot, pane)
    assert win.composer.request().seed == 6
    pane.continue_action.trigger()
    wait_task(qtbot, pane)
    qtbot.waitUntil(lambda: not win.composer.drop_zone.is_loading(), timeout=10000)
    assert win.composer.drop_zone.source() == str(entry.last_frame_path)
    assert pane.actions.parent_for(win.composer.request()) == entry.id
    return entry


def _edit_reveal_export(qtbot, pane, services, entry, tmp_path):
    pane.details.favourite_check.setChecked(True)
    wait_task(qtbot, pane)
    assert services.library.get(entry.id).favourite
    pane.reveal_action.trigger()
    wait_task(qtbot, pane)
    assert pane.open_url.urls[-1].toLocalFile() == str(entry.folder)
    pane.export_action.trigger()
    out = tmp_path / "out"
    out.mkdir()
    pane.export_dialog.folder_edit.setText(str(out))
    pane.export_dialog.accept()
    assert wait_task(qtbot, pane).is_file()


def _trash_and_restore(qtbot, pane, services, entry):
    model = pane.model
    pane.trash_action.trigger()
    wait_task(qtbot, pane)
    assert model.rowCount() == 0
    with qtbot.waitSignal(model.queryApplied, timeout=5000):
        pane.trash_toggle.setChecked(True)
    pane.view.setCurrentIndex(model.index(0))
    pane.restore_action.trigger()
    wait_task(qtbot, pane)
    assert services.library.get(entry.id).trashed_at is None


def _import_by_drop(qtbot, pane, tmp_path):
    model = pane.model
    with qtbot.waitSignal(model.queryApplied, timeout=5000):
        pane.trash_toggle.setChecked(False)
    with qtbot.waitSignal(model.queryApplied, timeout=5000):
        pane.search.clear()
        pane.apply_query()
    other = Library.open(tmp_path / "other")
    made = add_entry(other, tmp_path / "in2", hue=0.45, prompt="a kite over dunes")
    clip = tmp_path / "kite.mp4"
    shutil.copy(made.video_path, clip)
    other.close()
    drop_urls(pane.view.viewport(), [clip])
    wait_task(qtbot, pane)
    imported, restored = pane.last_import
    assert restored and imported.request.prompt == "a kite over dunes"
    qtbot.waitUntil(lambda: model.row_of(imported.id) == 0, timeout=5000)
    assert pane.count_label.text() == "3 clips"
