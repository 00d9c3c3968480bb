"""Screenshots of the main states for the README (docs/screenshots/*.png), at 1280×800.

Each state is reached through the window as a user would reach it (fake services stand in
for the runner so the states hold still). The images are looked at by people; the test checks
they were written and are not blank.
"""

from __future__ import annotations

import time

import pytest
from PySide6.QtCore import QSize
from ui_fakes import FakeEntry, FakeServices
from ui_helpers import load_picture, make_image, shown_window

from wan_desktop.core.request import GenerationRequest
from wan_desktop.jobs.model import JobState
from wan_desktop.ui.screenshots import SCREENSHOT_DIR, save_screenshot

pytestmark = pytest.mark.timeout(90)
SIZE = QSize(1280, 800)
PROMPT = (
    "Slow dolly in over the meadow as the sun breaks through; grass ripples in the wind, "
    "a flock of birds crosses the sky, warm golden light, gentle camera sway."
)


@pytest.fixture
def picture(tmp_path):
    return make_image(tmp_path / "meadow.jpg", (1600, 1000), "JPEG")


@pytest.fixture
def window(qtbot, tasks, paths):
    with shown_window(qtbot, tasks, FakeServices(paths), SIZE) as win:
        yield win


def _shot(window, name: str):
    from PySide6.QtTest import QTest

    from wan_desktop.ui.jobs_panel import JobRole

    model = window.jobs_model
    for _ in range(100):  # thumbnails are decoded in the background: let them land
        if all(model.index(r).data(JobRole.Thumbnail) is not None for r in range(model.rowCount())):
            break
        QTest.qWait(20)
    path = save_screenshot(window, name, SCREENSHOT_DIR, SIZE)
    assert path.stat().st_size > 10_000
    return path


def _compose(qtbot, window, picture, prompt=PROMPT):
    load_picture(qtbot, window.composer, picture)
    window.composer.prompt.set_text(prompt)
    window.composer.negative.set_text("blurry, distorted, text, watermark")


def test_empty_composed_invalid(qtbot, window, picture, tmp_path):
    _shot(window, "01-empty")
    _compose(qtbot, window, picture)
    assert window.composer.generate_button.isEnabled()
    _shot(window, "02-composed")
    small = make_image(tmp_path / "thumb.png", (200, 150))
    load_picture(qtbot, window.composer, small)
    window.composer.prompt.set_text(PROMPT * 6)
    assert not window.composer.generate_button.isEnabled()
    _shot(window, "03-invalid")


def _running_jobs(window, picture):
    runner = window.runner
    request = GenerationRequest(prompt=PROMPT, image=str(picture))
    now = time.time()
    a = runner.add(request.replace(prompt="A paper boat drifts down a rainy street"))
    runner.update(a.id, state=JobState.WAITING)
    b = runner.add(request.replace(prompt="Camera orbits the lighthouse at dusk, waves crash"))
    runner.update(
        b.id,
        state=JobState.QUEUED,
        queue_position=1,
        elapsed_s=12,
        eta_s=95,
        logs=("Submitted to the queue",),
        started_at=now - 12,
    )
    c = runner.add(request)
    runner.update(
        c.id,
        state=JobState.DOWNLOADING,
        progress=0.62,
        elapsed_s=48,
        eta_s=4,
        logs=("Generating frames", "Encoding video", "Downloading video (62%)"),
        started_at=now - 48,
    )
    return c


def test_running(qtbot, window, picture):
    _compose(qtbot, window, picture)
    job = _running_jobs(window, picture)
    window.jobs_panel.select_job(job.id)
    window.jobs_panel.log_button.setChecked(True)
    _shot(window, "04-running")


def test_playing(qtbot, window, picture, tmp_path):
    from wan_desktop.emulator.render import render_video

    _compose(qtbot, window, picture)
    video = tmp_path / "result.mp4"
    render_video(picture.read_bytes(), resolution="720p", duration_s=5, seed=42, dest=video)
    runner = window.runner
    request = GenerationRequest(prompt=PROMPT, image=str(picture))
    window.services.library.entries["e1"] = FakeEntry("e1", str(video), request, 1234567)
    job = runner.add(request)
    runner.update(
        job.id,
        state=JobState.DONE,
        entry_id="e1",
        elapsed_s=31,
        finished_at=time.time(),
        logs=("Video ready",),
    )
    qtbot.waitUntil(lambda: window.player.path() == str(video), timeout=5000)
    window.player.engine.set_rate(4.0)
    qtbot.waitUntil(lambda: window.player.position_ms() > 2000, timeout=15000)
    window.player.engine.pause()
    qtbot.waitUntil(lambda: not window.player.engine.is_playing(), timeout=5000)
    window.jobs_panel.select_job(job.id)
    _shot(window, "05-playing")


def test_error(qtbot, window, picture):
    _compose(qtbot, window, picture, "A crowd riots and burns the city")
    runner = window.runner
    job = runner.add(
        GenerationRequest(prompt="A crowd riots and burns the city", image=str(picture))
    )
    runner.update(
        job.id,
        state=JobState.FAILED,
        error_field="prompt",
        elapsed_s=3,
        finished_at=time.time(),
        error=(
            "fal refused the prompt: it did not pass the content checker "
            "(content_policy_violation)."
        ),
        logs=("Submitted to the queue", "Refused: content_policy_violation"),
    )
    window.jobs_panel.select_job(job.id)
    _shot(window, "06-error")


def test_settings_and_welcome(qtbot, window):
    dialog = window.open_settings()
    qtbot.waitUntil(lambda: dialog.load_task.done(), timeout=5000)
    dialog.adjustSize()
    path = save_screenshot(dialog, "07-settings", SCREENSHOT_DIR)
    assert path.stat().st_size > 5_000
    dialog.reject()
    welcome = window.show_welcome()
    welcome.adjustSize()
    path = save_screenshot(welcome, "08-welcome", SCREENSHOT_DIR)
    assert path.stat().st_size > 5_000
    welcome.reject()


def test_dark(qtbot, qapp, window, picture):
    theme = qapp._wan_theme
    theme.force("dark")
    try:
        _compose(qtbot, window, picture)
        _running_jobs(window, picture)
        _shot(window, "09-dark")
    finally:
        theme.force("light")
