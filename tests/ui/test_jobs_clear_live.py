""" "Clear finished" on the offline engine: the finished jobs leave the list and the runner's
table, the clips they made stay in the library."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QListView, QToolButton

from wan_desktop.core.request import GenerationRequest
from wan_desktop.jobs.model import JobState

pytestmark = pytest.mark.timeout(120)


def test_clear_finished_keeps_the_clips(qtbot, run, engine_window, good_image):
    window, services = engine_window
    request = GenerationRequest(prompt="A kite rises over the dunes", image=str(good_image))
    jobs = [run(services.runner.enqueue(request), timeout=30) for _ in range(1)]
    model = window.findChild(QListView, "jobsView").model()

    def all_done() -> bool:
        states = [model.job(j.id).state for j in jobs if model.job(j.id) is not None]
        assert JobState.FAILED not in states
        return states == [JobState.DONE]

    qtbot.waitUntil(all_done, timeout=90000)
    entries = [model.job(j.id).entry_id for j in jobs]
    button = window.findChild(QToolButton, "jobsClearFinishedButton")
    assert button.isEnabled()
    button.click()
    qtbot.waitUntil(lambda: model.rowCount() == 0, timeout=5000)
    assert services.runner.jobs() == []
    assert not button.isEnabled()
    for entry_id in entries:
        entry = services.library.get(entry_id)
        assert entry.trashed_at is None and entry.video_path.exists()
