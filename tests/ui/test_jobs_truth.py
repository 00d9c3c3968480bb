"""The jobs panel tells the truth: running and waiting counted apart, a waiting job shows its
place in line instead of a progress bar, active jobs stay at the top, "Clear finished" asks to
remove every finished row at once, and a clip in the trash is no longer offered to play."""

from __future__ import annotations

import dataclasses
import time

import pytest
from PySide6.QtCore import Qt

from wan_desktop.core.request import GenerationRequest
from wan_desktop.jobs.model import JobEvent, JobEventKind, JobSnapshot, JobState
from wan_desktop.ui.jobs_panel import JobRole, JobsModel, JobsPanel, summary_text

_T0 = time.time() - 600


def _job(job_id: str, state: JobState, **changes) -> JobSnapshot:
    base = JobSnapshot(
        id=job_id,
        state=state,
        request=GenerationRequest(prompt=f"Prompt of {job_id}", image="https://x.test/a.png"),
        created_at=_T0 + int(job_id.lstrip("j")),
    )
    return dataclasses.replace(base, **changes)


def _ids(model: JobsModel) -> list[str]:
    return [model.data(model.index(row), JobRole.Id) for row in range(model.rowCount())]


def _feed(model: JobsModel, *jobs: JobSnapshot) -> None:
    for job in jobs:
        kind = JobEventKind.ADDED if model.row_of(job.id) < 0 else JobEventKind.STATE
        model.apply_event(JobEvent(job, kind))


@pytest.fixture
def model(qtbot):
    return JobsModel()


@pytest.fixture
def panel(qtbot, model):
    panel = JobsPanel(model)
    qtbot.addWidget(panel)
    panel.resize(720, 480)
    panel.show()
    return panel


def test_the_summary_counts_waiting_jobs_apart_from_running_ones():
    jobs = [
        _job("j1", JobState.RUNNING),
        _job("j2", JobState.WAITING),
        _job("j3", JobState.QUEUED, queue_position=4),
        _job("j4", JobState.PREPARING),
        _job("j5", JobState.DONE),
        _job("j6", JobState.FAILED),
    ]
    assert summary_text(jobs) == "1 running · 3 waiting · 1 done · 1 failed"
    downloading = [_job("j1", JobState.DOWNLOADING), _job("j2", JobState.SUBMITTING)]
    assert summary_text(downloading) == "1 running · 1 waiting"


def test_the_panel_summary_follows_the_events(panel, model):
    _feed(model, *(_job(f"j{i}", JobState.WAITING) for i in range(1, 5)))
    assert panel.summary.text() == "4 waiting"
    _feed(model, _job("j1", JobState.RUNNING))
    assert panel.summary.text() == "1 running · 3 waiting"


def test_waiting_jobs_show_their_place_in_line(model):
    _feed(
        model,
        _job("j1", JobState.RUNNING, progress=None),
        _job("j2", JobState.WAITING),
        _job("j3", JobState.WAITING),
        _job("j4", JobState.WAITING),
        _job("j5", JobState.QUEUED, queue_position=2),
        _job("j6", JobState.QUEUED),
    )

    def place(job_id: str) -> str:
        return model.data(model.index(model.row_of(job_id)), JobRole.Place)

    assert place("j1") == ""
    assert [place("j2"), place("j3"), place("j4")] == [
        "1st in line",
        "2nd in line",
        "3rd in line",
    ]
    assert place("j5") == "3rd in the service's queue"
    assert place("j6") == "In the service's queue"
    # The first in line starts: the others move up.
    _feed(model, _job("j2", JobState.SUBMITTING))
    assert [place("j3"), place("j4")] == ["1st in line", "2nd in line"]


def test_no_progress_bar_on_a_waiting_job(qtbot, panel, model, monkeypatch):
    from wan_desktop.ui import job_delegate

    drawn: list[float | None] = []
    real = job_delegate.draw_progress

    def recording(painter, rect, progress, *args):
        drawn.append(progress)
        real(painter, rect, progress, *args)

    monkeypatch.setattr(job_delegate, "draw_progress", recording)
    _feed(model, _job("j1", JobState.WAITING), _job("j2", JobState.QUEUED, queue_position=0))
    panel.view.grab()
    assert drawn == []
    _feed(model, _job("j3", JobState.DOWNLOADING, progress=0.5))
    panel.view.grab()
    assert drawn == [0.5]


def test_active_jobs_stay_at_the_top(model):
    _feed(
        model,
        _job("j1", JobState.DONE, finished_at=_T0 + 100),
        _job("j2", JobState.WAITING),
        _job("j3", JobState.WAITING),
        _job("j4", JobState.FAILED, finished_at=_T0 + 200),
        _job("j5", JobState.RUNNING),
    )
    assert _ids(model) == ["j5", "j2", "j3", "j4", "j1"]
    # A new job waits behind the others, above every finished one.
    _feed(model, _job("j6", JobState.PREPARING))
    assert _ids(model) == ["j5", "j2", "j3", "j6", "j4", "j1"]
    # The running one finishes: it is the newest finished; the next waiting one starts.
    _feed(model, _job("j5", JobState.DONE, finished_at=_T0 + 300))
    _feed(model, _job("j2", JobState.RUNNING))
    assert _ids(model) == ["j2", "j3", "j6", "j5", "j4", "j1"]


def test_set_jobs_keeps_the_runner_queue_order(model):
    model.set_jobs(
        [
            _job("j1", JobState.DONE, finished_at=_T0 + 50),
            _job("j7", JobState.WAITING),
            _job("j3", JobState.WAITING),
            _job("j2", JobState.DOWNLOADING, progress=0.1),
        ]
    )
    assert _ids(model) == ["j2", "j7", "j3", "j1"]
    assert model.data(model.index(1), JobRole.Place) == "1st in line"


def test_a_moved_row_keeps_its_selection(panel, model):
    _feed(model, _job("j1", JobState.WAITING), _job("j2", JobState.WAITING))
    panel.select_job("j2")
    _feed(model, _job("j2", JobState.RUNNING))
    assert _ids(model) == ["j2", "j1"]
    assert panel.current_job().id == "j2"


def test_clear_finished_asks_to_remove_every_finished_job(qtbot, panel, model):
    button = panel.clear_finished_button
    assert button.objectName() == "jobsClearFinishedButton"
    assert button.text() == "Clear finished"
    _feed(model, _job("j1", JobState.RUNNING), _job("j2", JobState.WAITING))
    assert not button.isEnabled()
    _feed(
        model,
        _job("j3", JobState.DONE, entry_id="e3"),
        _job("j4", JobState.FAILED, error="Refused."),
        _job("j5", JobState.CANCELLED),
    )
    assert button.isEnabled()
    asked: list[str] = []
    panel.removeRequested.connect(asked.append)
    button.click()
    assert sorted(asked) == ["j3", "j4", "j5"]


def test_a_trashed_clip_is_no_longer_offered_to_play(qtbot, panel, model):
    _feed(model, _job("j1", JobState.DONE, entry_id="e1"), _job("j2", JobState.DONE, entry_id="e2"))
    index = model.index(model.row_of("j1"))
    assert index.data(JobRole.Note) == "Double-click to play"
    assert index.data(JobRole.Playable) is True
    model.mark_trashed(["e1"])
    index = model.index(model.row_of("j1"))
    assert index.data(JobRole.Note) == "The clip is in the trash"
    assert index.data(JobRole.Playable) is False
    assert model.data(model.index(model.row_of("j2")), JobRole.Playable) is True
    panel.select_job("j1")
    assert not panel.play_button.isEnabled()
    asked: list[str] = []
    panel.playRequested.connect(asked.append)
    rect = panel.view.visualRect(panel.view.currentIndex())
    from pytestqt.qtbot import QtBot

    QtBot.mouseDClick(panel.view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert asked == []
    model.mark_trashed(["e1"], trashed=False)
    assert model.data(model.index(model.row_of("j1")), JobRole.Note) == "Double-click to play"
    assert panel.play_button.isEnabled()


def test_the_trash_is_read_from_the_library_on_load(qtbot, tasks, tmp_path):
    from library_ui_helpers import add_entry

    from wan_desktop.library import Library

    lib = Library.open(tmp_path / "lib")
    try:
        kept = add_entry(lib, tmp_path / "a", hue=0.1)
        trashed = add_entry(lib, tmp_path / "b", hue=0.6)
        lib.trash(trashed.id)
        model = JobsModel(tasks)
        model.set_jobs(
            [
                _job("j1", JobState.DONE, entry_id=kept.id),
                _job("j2", JobState.DONE, entry_id=trashed.id),
                _job("j3", JobState.DONE, entry_id="20200101-000000-gone00"),
            ]
        )
        model.set_library(lib)

        def note(job_id: str) -> str:
            return model.data(model.index(model.row_of(job_id)), JobRole.Note)

        qtbot.waitUntil(lambda: note("j2") == "The clip is in the trash", timeout=5000)
        assert note("j1") == "Double-click to play"
        assert note("j3") == "The clip is no longer in the library"
    finally:
        lib.close()


def test_the_header_never_widens_the_panel(qtbot, panel, model):
    _feed(
        model,
        _job("j1", JobState.RUNNING),
        _job("j2", JobState.WAITING),
        _job("j3", JobState.DONE),
        _job("j4", JobState.FAILED),
    )
    assert panel.summary.text() == "1 running · 1 waiting · 1 done · 1 failed"
    assert panel.minimumSizeHint().width() <= 400
    panel.resize(1000, 480)
    qtbot.waitUntil(
        lambda: panel.play_button.toolButtonStyle() != Qt.ToolButtonStyle.ToolButtonIconOnly
    )
    panel.resize(460, 480)
    qtbot.waitUntil(
        lambda: panel.play_button.toolButtonStyle() == Qt.ToolButtonStyle.ToolButtonIconOnly
    )
    assert panel.play_button.accessibleName() == "Play"
    assert panel.clear_finished_button.text() == "Clear finished"


def test_screen_readers_hear_the_place_in_line(model):
    _feed(model, _job("j1", JobState.WAITING), _job("j2", JobState.WAITING))
    text = model.data(model.index(1), Qt.ItemDataRole.AccessibleTextRole)
    assert text == "Waiting, 2nd in line: Prompt of j2"
    _feed(model, _job("j3", JobState.DONE, entry_id="e3"))
    model.mark_trashed(["e3"])
    text = model.data(model.index(model.row_of("j3")), Qt.ItemDataRole.AccessibleTextRole)
    assert text == "Done, the clip is in the trash: Prompt of j3"
