"""The contact sheet starts playing once every take is ready, as the GUI thread hears it: a
feed's worker knows its clip's length before its queued ``ready`` lands, and until then the
sheet does not call itself ready. A pause (or a step) before that keeps it still.

The feeds' workers are not started: each test plays the worker's part by hand (``info``, then
``ready``), so the order under test is exact, not left to a loaded machine."""

from __future__ import annotations

from pathlib import Path

import pytest

from wan_desktop.ui.sheet_feed import CellFeed, FeedInfo
from wan_desktop.ui.sheet_playback import SheetPlayback

pytestmark = pytest.mark.timeout(60)


@pytest.fixture
def playback(qtbot, monkeypatch, tmp_path):
    monkeypatch.setenv("WAN_DESKTOP_NO_MULTIMEDIA", "1")  # no sound device here
    monkeypatch.setattr(CellFeed, "start", lambda self: None)  # the test is the worker
    sheet = SheetPlayback([Path(tmp_path / f"take{n}.mp4") for n in range(3)])
    sheet.start(autoplay=True)
    yield sheet
    sheet.close()
    sheet.deleteLater()  # its timers go on the GUI thread, not in a GC pass on a worker's


def _opened(playback: SheetPlayback) -> None:
    """Each worker opened its proxy: ``info`` is set, ``ready`` not heard yet."""
    for feed in playback.feeds:
        feed.info = FeedInfo(fps=12.0, frame_count=24, duration_s=2.0, aspect=16 / 9)


def _heard(playback: SheetPlayback) -> None:
    for feed in playback.feeds:
        feed.ready.emit()


def test_ready_only_once_every_ready_is_heard_and_then_it_plays(playback):
    _opened(playback)
    assert not playback.is_ready() and not playback.is_playing()
    _heard(playback)
    assert playback.is_ready() and playback.is_playing()
    assert playback.frame_count() == 24


def test_a_pause_before_the_takes_are_ready_keeps_the_sheet_still(playback):
    _opened(playback)
    playback.pause()
    _heard(playback)
    assert playback.is_ready() and not playback.is_playing()


def test_a_step_before_the_takes_are_ready_keeps_the_sheet_still(playback):
    _opened(playback)
    playback.step(1)
    _heard(playback)
    assert playback.is_ready() and not playback.is_playing()


def test_a_failed_take_counts_as_ready_and_the_others_play(playback):
    _opened(playback)
    playback.feeds[2].info = None
    playback.feeds[0].ready.emit()
    playback.feeds[1].ready.emit()
    assert not playback.is_ready()
    playback.feeds[2].failed.emit("This clip cannot be played: test")
    assert playback.is_ready() and playback.is_playing()
