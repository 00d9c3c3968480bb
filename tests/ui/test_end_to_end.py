"""The whole flow on the offline engine, through object names: drop, type, Generate, follow the
job to done, watch the player's position advance on the new video, find it in the library."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QListView, QPlainTextEdit, QPushButton
from ui_helpers import drop_urls

from wan_desktop.jobs.model import JobState

pytestmark = pytest.mark.timeout(90)


def test_generate_on_the_offline_engine_and_watch_it(qtbot, engine_window, good_image):
    window, services = engine_window
    assert services.offline
    assert window.findChild(QLabel, "offlineBannerText").isVisible()
    drop = window.findChild(object, "imageDropZone")
    drop_urls(drop, [good_image])
    qtbot.waitUntil(lambda: drop.source() is not None and not drop.is_loading(), timeout=10000)
    prompt = window.findChild(QPlainTextEdit, "promptEdit")
    qtbot.keyClicks(prompt, "Slow push in, the sun flickers")
    generate = window.findChild(QPushButton, "generateButton")
    assert generate.isEnabled(), window.composer.reason_text()
    qtbot.mouseClick(generate, Qt.MouseButton.LeftButton)

    model = window.findChild(QListView, "jobsView").model()
    qtbot.waitUntil(lambda: model.rowCount() == 1, timeout=10000)
    # The composer stays ready for the next one.
    assert prompt.toPlainText() == "Slow push in, the sun flickers"
    assert generate.isEnabled()

    def finished():
        job = model.jobs()[0]
        assert job.state not in (JobState.FAILED, JobState.CANCELLED), job.error
        return job.state is JobState.DONE

    qtbot.waitUntil(finished, timeout=60000)
    job = model.jobs()[0]
    entry = services.library.get(job.entry_id)
    assert entry.video_path.exists()

    player = window.findChild(object, "videoPlayer")
    qtbot.waitUntil(lambda: player.path() == str(entry.video_path), timeout=10000)
    player.engine.set_rate(8.0)
    qtbot.waitUntil(lambda: player.position_ms() > 500, timeout=15000)
    assert player.engine.frames_received > 0
    # The seed used is one click away.
    use_seed = window.findChild(QPushButton, "useSeedButton")
    assert use_seed.isVisible() and str(entry.seed) in use_seed.text()
    qtbot.mouseClick(use_seed, Qt.MouseButton.LeftButton)
    assert window.composer.options.values()["seed"] == entry.seed
    # The prompt went to the recent list, kept in the settings.
    assert services.store.window.recent_prompts[0] == "Slow push in, the sun flickers"
