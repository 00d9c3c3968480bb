"""The jobs model's roles (each tested), events in, thumbnails loaded once in the background,
and the panel's actions enabled by state."""

from __future__ import annotations

import time

import pytest
from PySide6.QtCore import QModelIndex, Qt

from wan_desktop.core.request import GenerationRequest
from wan_desktop.jobs.model import JobEvent, JobEventKind, JobSnapshot, JobState
from wan_desktop.ui.jobs_panel import JobRole, JobsModel, JobsPanel, format_duration


def _job(image: str, **changes) -> JobSnapshot:
    base = JobSnapshot(
        id=changes.pop("id", "j1"),
        state=JobState.QUEUED,
        request=GenerationRequest(prompt="A heron lifts off the water, slow motion", image=image),
        created_at=time.time(),
        queue_position=2,
        logs=("submitted", "in queue"),
        progress=None,
        elapsed_s=3.0,
        eta_s=30.0,
        input_image_path=image,
    )
    import dataclasses

    return dataclasses.replace(base, **changes)


@pytest.fixture
def model(qtbot, tasks):
    return JobsModel(tasks)


def test_roles(qtbot, model, good_image):
    model.apply_event(JobEvent(_job(str(good_image)), JobEventKind.ADDED))
    index = model.index(0)
    assert model.rowCount() == 1
    assert index.data(JobRole.Id) == "j1"
    assert index.data(JobRole.State) == JobState.QUEUED
    assert index.data(JobRole.PromptExcerpt).startswith("A heron")
    assert index.data(Qt.ItemDataRole.DisplayRole) == index.data(JobRole.PromptExcerpt)
    assert index.data(JobRole.QueuePosition) == 2
    assert index.data(JobRole.ElapsedSeconds) >= 3.0
    assert 0 < index.data(JobRole.EtaSeconds) <= 30.0
    assert index.data(JobRole.Progress) is None
    assert index.data(JobRole.Logs) == ["submitted", "in queue"]
    assert index.data(JobRole.Error) is None
    assert index.data(JobRole.Expanded) is False
    assert index.data(JobRole.Snapshot).id == "j1"
    assert index.data(JobRole.Place) == "3rd in the service's queue"
    assert "left" in index.data(JobRole.StatusLine)
    assert b"promptExcerpt" in model.roleNames().values()
    assert model.data(QModelIndex(), JobRole.Id) is None
    # The thumbnail arrives from the background and updates that row alone.
    with qtbot.waitSignal(model.dataChanged, timeout=5000) as signal:
        assert index.data(JobRole.Thumbnail) is None
    assert signal.args[2] == [JobRole.Thumbnail]
    assert index.data(JobRole.Thumbnail) is not None


def test_events_update_and_remove(model, good_image):
    model.apply_event(JobEvent(_job(str(good_image)), JobEventKind.ADDED))
    model.apply_event(JobEvent(_job(str(good_image), id="j2"), JobEventKind.ADDED))
    assert model.data(model.index(0), JobRole.Id) == "j1"  # waiting jobs in queue order
    failed = _job(str(good_image), state=JobState.FAILED, error="Refused.", eta_s=None)
    model.apply_event(JobEvent(failed, JobEventKind.STATE))
    index = model.index(model.row_of("j1"))
    assert index.data(JobRole.Error) == "Refused."
    assert index.data(JobRole.EtaSeconds) is None
    assert "took" in index.data(JobRole.StatusLine)
    model.apply_event(JobEvent(failed, JobEventKind.REMOVED))
    assert model.rowCount() == 1 and model.row_of("j1") == -1


def test_panel_actions_follow_the_state(qtbot, model, good_image):
    panel = JobsPanel(model)
    qtbot.addWidget(panel)
    panel.resize(700, 400)
    panel.show()
    model.apply_event(JobEvent(_job(str(good_image)), JobEventKind.ADDED))
    panel.select_job("j1")
    assert panel.cancel_button.isEnabled() and not panel.retry_button.isEnabled()
    assert not panel.play_button.isEnabled() and not panel.remove_button.isEnabled()
    with qtbot.waitSignal(panel.cancelRequested) as signal:
        panel.cancel_button.click()
    assert signal.args == ["j1"]
    model.apply_event(
        JobEvent(_job(str(good_image), state=JobState.FAILED, error="x"), JobEventKind.STATE)
    )
    assert panel.retry_button.isEnabled() and panel.remove_button.isEnabled()
    assert not panel.cancel_button.isEnabled()
    model.apply_event(
        JobEvent(_job(str(good_image), state=JobState.DONE, entry_id="e"), JobEventKind.STATE)
    )
    assert panel.play_button.isEnabled()
    height = panel.view.sizeHintForRow(0)
    panel.log_button.setChecked(True)
    assert model.data(model.index(0), JobRole.Expanded) is True
    assert panel.view.sizeHintForRow(0) > height
    assert "1 done" in panel.summary.text()


def test_format_duration():
    assert format_duration(None) == ""
    assert format_duration(7) == "0:07"
    assert format_duration(3723) == "1:02:03"
    assert format_duration(62.4) == "1:02"  # the library's cards and details read the same
    from wan_desktop.ui.library_model import format_duration as library_format

    assert library_format is format_duration


def test_expanding_a_row_announces_the_layout_change_first(model, good_image):
    model.apply_event(JobEvent(_job(str(good_image)), JobEventKind.ADDED))
    seen = []
    model.layoutAboutToBeChanged.connect(lambda *_: seen.append("about"))
    model.layoutChanged.connect(lambda *_: seen.append("changed"))
    model.set_expanded("j1", True)
    model.set_expanded("j1", False)
    assert seen == ["about", "changed", "about", "changed"]


def test_passes_qt_model_tester(qtmodeltester, model, good_image):
    model.apply_event(JobEvent(_job(str(good_image)), JobEventKind.ADDED))
    model.apply_event(JobEvent(_job(str(good_image), id="j2"), JobEventKind.ADDED))
    qtmodeltester.check(model, force_py=True)
    model.set_expanded("j1", True)
    model.apply_event(JobEvent(_job(str(good_image)), JobEventKind.REMOVED))


def test_a_thumbnail_that_cannot_be_read_is_tried_once(qtbot, model, tmp_path, monkeypatch):
    from wan_desktop.ui import jobs_model

    calls = []
    real = jobs_model.read_image_preview

    def counting(path):
        calls.append(path)
        return real(path)

    monkeypatch.setattr(jobs_model, "read_image_preview", counting)
    gone = str(tmp_path / "removed-job-folder" / "source-image.png")
    model.apply_event(JobEvent(_job(gone), JobEventKind.ADDED))
    index = model.index(0)
    for _ in range(5):  # repaints
        assert index.data(JobRole.Thumbnail) is None
        qtbot.wait(100)
    assert calls == [gone]


def test_a_finished_job_shows_its_library_entry_picture(qtbot, model, tmp_path):
    from library_ui_helpers import add_entry

    from wan_desktop.library import Library

    lib = Library.open(tmp_path / "lib")
    try:
        entry = add_entry(lib, tmp_path / "in", hue=0.2)
        gone = str(tmp_path / "jobs" / "j1" / "source-image.png")  # the job folder was removed
        model.set_library(lib)
        model.apply_event(
            JobEvent(_job(gone, state=JobState.DONE, entry_id=entry.id), JobEventKind.ADDED)
        )
        index = model.index(0)
        with qtbot.waitSignal(model.dataChanged, timeout=5000) as signal:
            assert index.data(JobRole.Thumbnail) is None
        assert signal.args[2] == [JobRole.Thumbnail]
        image = index.data(JobRole.Thumbnail)
        assert image is not None and not image.isNull()
    finally:
        lib.close()
