"""A finished job and the player: it plays at once in an idle player, but never takes over a
clip the user watches or has paused ("New video ready – Play" instead), unless the preference
says to play every finished video at once. Asking to play a job always plays it."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QSize, Qt
from PySide6.QtWidgets import QPushButton, QWidget
from ui_fakes import FakeEntry, FakeServices
from ui_helpers import make_clip

from wan_desktop.core.request import GenerationRequest
from wan_desktop.core.settings import Settings
from wan_desktop.jobs.model import JobState
from wan_desktop.ui.main_window import MainWindow

pytestmark = pytest.mark.timeout(60)


def _open(qtbot, tasks, paths, settings=None):
    win = MainWindow(FakeServices(paths, settings=settings), tasks)
    qtbot.addWidget(win)
    win.resize(QSize(1280, 800))
    win.show()
    qtbot.waitExposed(win)
    return win


@pytest.fixture
def window(qtbot, tasks, paths):
    win = _open(qtbot, tasks, paths)
    yield win
    win.player.unload()
    win.close()


def _finish(qtbot, win, clip, good_image, seed: int) -> str:
    request = GenerationRequest(prompt=f"a boat {seed}", image=str(good_image))
    job = win.runner.add(request)
    entry_id = f"e{seed}"
    win.services.library.entries[entry_id] = FakeEntry(entry_id, str(clip), request, seed)
    win.runner.update(job.id, state=JobState.DONE, entry_id=entry_id)
    qtbot.waitUntil(lambda: f"{seed}" in win.findChild(QPushButton, "useSeedButton").text(),
                    timeout=5000)  # fmt: skip
    return job.id


def test_a_finished_video_plays_in_an_idle_player(qtbot, window, clip, good_image):
    assert window.player.is_idle()
    _finish(qtbot, window, clip, good_image, 1)
    assert window.player.path() == str(clip)
    assert not window.findChild(QWidget, "newVideoOffer").isVisible()


def test_a_finished_video_is_offered_while_another_clip_is_open(
    qtbot, window, tmp_path, clip, good_image
):
    watching = make_clip(tmp_path / "watching.mp4", seconds=1.0)
    window.player.load(str(watching), autoplay=False)  # paused on another clip
    assert not window.player.is_idle()
    job_id = _finish(qtbot, window, clip, good_image, 2)
    assert window.player.path() == str(watching)  # not taken over
    offer = window.findChild(QWidget, "newVideoOffer")
    assert (
        offer.isVisible() and "New video ready" in offer.findChild(QWidget, "newVideoLabel").text()
    )
    assert window.last_played_job != job_id
    qtbot.mouseClick(window.findChild(QPushButton, "newVideoPlayButton"), Qt.MouseButton.LeftButton)
    assert window.player.path() == str(clip)
    assert not offer.isVisible()


def test_a_clip_that_ended_leaves_the_player_idle(qtbot, window, tmp_path, clip, good_image):
    watched = make_clip(tmp_path / "watched.mp4", seconds=1.0)
    window.player.load(str(watched))
    assert not window.player.is_idle()
    window.player.engine.ended.emit()
    assert window.player.is_idle()
    _finish(qtbot, window, clip, good_image, 3)
    assert window.player.path() == str(clip)


def test_play_it_now_preference_takes_over(qtbot, tasks, paths, tmp_path, clip, good_image):
    win = _open(qtbot, tasks, paths, Settings(video_ready="play"))
    watching = make_clip(tmp_path / "watching.mp4", seconds=1.0)
    win.player.load(str(watching))
    _finish(qtbot, win, clip, good_image, 4)
    assert win.player.path() == str(clip)
    win.player.unload()
    win.close()


def test_asking_to_play_a_job_always_plays_it(qtbot, window, tmp_path, clip, good_image):
    watching = make_clip(tmp_path / "watching.mp4", seconds=1.0)
    window.player.load(str(watching))
    job_id = _finish(qtbot, window, clip, good_image, 5)
    assert window.player.path() == str(watching)
    window.jobs_panel.playRequested.emit(job_id)
    qtbot.waitUntil(lambda: window.player.path() == str(clip), timeout=5000)
    assert window.last_played_job == job_id
