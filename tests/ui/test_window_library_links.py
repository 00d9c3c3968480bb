"""What the window links between the library and the rest: a trashed clip's job row stops
offering to play (and offers it again after Undo), the library's thumbnail size is remembered
in the window state."""

from __future__ import annotations

import time

import pytest
from library_ui_helpers import add_two_clips
from library_window import close_player, open_window, wait_task
from PySide6.QtCore import QItemSelectionModel, Qt
from PySide6.QtWidgets import QPushButton
from ui_fakes import FakeServices

from wan_desktop.core.request import GenerationRequest
from wan_desktop.jobs.model import JobEvent, JobEventKind, JobSnapshot, JobState
from wan_desktop.ui.jobs_panel import JobRole
from wan_desktop.ui.library_model import LibraryRole

pytestmark = pytest.mark.timeout(90)


@pytest.fixture
def lib(lib, tmp_path):
    """The suite's library holding two clips (a lighthouse, seed 11; a fox, seed 1234)."""
    add_two_clips(lib, tmp_path / "in")
    return lib


@pytest.fixture
def services(paths):
    return FakeServices(paths)


@pytest.fixture
def opened(qtbot, tasks, services, lib):
    win, pane = open_window(qtbot, tasks, services, lib, size=(1600, 900))
    yield win, pane
    close_player(win)
    win.close()


def _select(pane, row: int) -> str:
    index = pane.model.index(row)
    flag = QItemSelectionModel.SelectionFlag.ClearAndSelect
    pane.view.selectionModel().setCurrentIndex(index, flag)
    return index.data(LibraryRole.Id)


def _playable(win, job_id: str) -> bool:
    model = win.jobs_model
    return bool(model.data(model.index(model.row_of(job_id)), JobRole.Playable))


def test_a_trashed_clip_s_job_row_stops_offering_to_play_until_undo(qtbot, opened):
    win, pane = opened
    entry_id = _select(pane, 0)
    job = JobSnapshot(
        id="j1",
        state=JobState.DONE,
        request=GenerationRequest(prompt="a lighthouse", image="https://x.test/a.png"),
        created_at=time.time(),
        entry_id=entry_id,
    )
    win.jobs_model.apply_event(JobEvent(job, JobEventKind.ADDED))
    assert _playable(win, "j1")
    with qtbot.waitSignal(pane.trashed, timeout=10000):
        pane.trash_action.trigger()
    assert not _playable(win, "j1")
    undo = win.findChild(QPushButton, "statusNoticeAction")
    qtbot.mouseClick(undo, Qt.MouseButton.LeftButton)
    wait_task(qtbot, pane)
    qtbot.waitUntil(lambda: _playable(win, "j1"), timeout=5000)


def test_the_library_s_thumbnail_size_is_remembered(qtbot, tasks, services, lib):
    from wan_desktop.ui.grid_sizing import MAX_THUMBNAIL, MIN_THUMBNAIL

    win, pane = open_window(qtbot, tasks, services, lib, size=(1600, 900))
    size = (MIN_THUMBNAIL + MAX_THUMBNAIL) // 2 + 7
    assert pane.thumbnail_size != size
    pane.thumbnail_size = size
    assert services.store.window.layout["library_thumbnail"] == str(pane.thumbnail_size)
    close_player(win)
    win.close()
    assert services.store.window.layout["library_thumbnail"] == str(size)
    again, pane = open_window(qtbot, tasks, services, lib, size=(1600, 900))
    assert pane.thumbnail_size == size
    close_player(again)
    again.close()


def test_advanced_settings_reach_the_runner_on_save(qtbot, tasks, paths):
    from PySide6.QtWidgets import QSpinBox
    from ui_fakes import FakeRunner

    from wan_desktop.ui.main_window import MainWindow

    class Runner(FakeRunner):
        def __init__(self) -> None:
            super().__init__()
            self.limits: list[dict] = []

        def set_limits(self, **limits) -> None:
            self.limits.append(limits)

    runner = Runner()
    win = MainWindow(FakeServices(paths, runner=runner), tasks)
    qtbot.addWidget(win)
    dialog = win.open_settings()
    qtbot.waitUntil(lambda: dialog.load_task.done(), timeout=5000)
    dialog.findChild(QSpinBox, "startTimeoutSpin").setValue(10)
    dialog.findChild(QSpinBox, "uploadExpirySpin").setValue(24)
    with qtbot.waitSignal(dialog.saved, timeout=5000):
        dialog.buttons.accepted.emit()
    assert runner.limits == [{"start_timeout_s": 600.0, "upload_expiry_s": 24 * 3600}]
    win.close()
