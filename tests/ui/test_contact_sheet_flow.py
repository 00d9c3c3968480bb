"""The takes flow on the offline engine, through object names: three takes from one Generate
(``variantCount``), their group opened as the contact sheet (``contactSheet``) from the
library, culled by keys, the rejects trashed by Keep picks and brought back by Ctrl+Z."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QComboBox, QListView, QPlainTextEdit, QPushButton, QSpinBox, QWidget
from ui_helpers import drop_urls

from wan_desktop.jobs.model import JobState

pytestmark = [pytest.mark.timeout(240), pytest.mark.slow]


@pytest.fixture
def live(qtbot, run, tasks, wan_home, monkeypatch):
    from wan_desktop.app import Services
    from wan_desktop.ui.library_pane import install_library
    from wan_desktop.ui.main_window import MainWindow

    monkeypatch.setenv("WAN_DESKTOP_NO_MULTIMEDIA", "1")  # no sound device on the test machine
    services = Services.from_environment()
    services.store.set_window(services.store.window.replace(first_run_done=True))
    window = MainWindow(services, tasks)
    qtbot.addWidget(window)
    window.resize(1600, 900)
    window.show()
    run(services.start(), timeout=60)
    pane = install_library(window, tasks)
    window.library_actions.set_library(services.library)
    window.attach_runner(services.runner, services.offline)
    yield window, services, pane
    sheet = window.findChild(QWidget, "contactSheet")
    if sheet is not None:
        sheet.close()
    window.player.unload()
    run(services.close(), timeout=30)


def test_three_takes_open_as_a_contact_sheet_and_are_culled(qtbot, live, good_image):
    window, services, pane = live
    drop = window.findChild(QWidget, "imageDropZone")
    drop_urls(drop, [good_image])
    qtbot.waitUntil(lambda: drop.source() is not None and not drop.is_loading(), timeout=10000)
    qtbot.keyClicks(window.findChild(QPlainTextEdit, "promptEdit"), "The meadow at dawn")
    resolution = window.findChild(QComboBox, "resolutionCombo")
    resolution.setCurrentIndex(resolution.findData("720p"))  # quicker to render
    window.findChild(QSpinBox, "variantCount").setValue(3)
    generate = window.findChild(QPushButton, "generateButton")
    assert generate.isEnabled(), window.composer.reason_text()
    qtbot.mouseClick(generate, Qt.MouseButton.LeftButton)

    jobs = window.findChild(QListView, "jobsView").model()
    qtbot.waitUntil(lambda: jobs.rowCount() == 3, timeout=10000)

    def all_done() -> bool:
        states = [job.state for job in jobs.jobs()]
        assert JobState.FAILED not in states and JobState.CANCELLED not in states
        return states == [JobState.DONE] * 3

    qtbot.waitUntil(all_done, timeout=180000)
    entry_ids = [job.entry_id for job in jobs.jobs()]
    library = services.library
    group = {library.get(entry_id).group_id for entry_id in entry_ids}
    assert len(group) == 1 and None not in group
    group_id = group.pop()

    qtbot.waitUntil(lambda: set(entry_ids) <= set(pane.model.ids()), timeout=10000)
    assert pane.select(entry_ids[0])
    pane.action_set.contact_sheet_action.trigger()
    qtbot.waitUntil(lambda: window.findChild(QWidget, "contactSheet") is not None, timeout=10000)
    sheet = window.findChild(QWidget, "contactSheet")
    assert len(sheet.cells) == 3 and sheet.group_id == group_id
    qtbot.waitUntil(sheet.playback.is_ready, timeout=60000)

    first, second = sheet.takes[0].id, sheet.takes[1].id
    for key in (Qt.Key.Key_5, Qt.Key.Key_P, Qt.Key.Key_Right, Qt.Key.Key_2, Qt.Key.Key_X):
        QTest.keyClick(sheet, key)
    qtbot.waitUntil(lambda: library.get(second).flag == "rejected", timeout=10000)
    assert (library.get(first).rating, library.get(first).flag) == (5, "picked")
    assert library.get(second).rating == 2
    with qtbot.waitSignal(sheet.trashed, timeout=10000):
        sheet.findChild(QPushButton, "contactSheetKeepPicks").click()
    assert library.get(second).trashed_at is not None
    assert [m.id for m in library.group_members(group_id)] == [
        t.id for t in sheet.takes if t.id != second
    ]
    with qtbot.waitSignal(sheet.restored, timeout=10000):
        QTest.keyClick(sheet, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert library.get(second).trashed_at is None
    assert len(library.group_members(group_id)) == 3
