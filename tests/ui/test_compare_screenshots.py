"""Screenshots of the A/B compare for the README, light and dark, at 1280×720
(docs/screenshots/compare-side.png, compare-wipe.png, compare-difference.png and their -dark
twins): two takes of one prompt, paused on the same frame, in the three views. The test checks
what the view shows, then writes the images (looked at by people)."""

from __future__ import annotations

import pytest
from compare_helpers import image_rgb, plain_frames, write_take
from PySide6.QtCore import QSize

from wan_desktop.ui.compare_view import CompareClip, CompareView
from wan_desktop.ui.screenshots import SCREENSHOT_DIR, save_screenshot

pytestmark = pytest.mark.timeout(120)
SIZE = QSize(1280, 720)
FRAME = 30


def test_compare_screenshots(qtbot, tmp_path, scheme, monkeypatch):
    monkeypatch.setenv("WAN_DESKTOP_NO_MULTIMEDIA", "1")
    # Two takes of one prompt: the same scene, the sun a little further along and brighter.
    a = write_take(tmp_path / "a.mp4", sun_lead=0.0, glow=0)
    b = write_take(tmp_path / "b.mp4", sun_lead=0.04, glow=40)
    view = CompareView(
        CompareClip(a, "Misty alpine lake at sunrise · seed 4410", "a"),
        CompareClip(b, "Misty alpine lake at sunrise · seed 4427", "b"),
    )
    qtbot.addWidget(view)
    view.resize(SIZE)
    view.show()
    qtbot.waitExposed(view)
    qtbot.waitUntil(lambda: view.picture() is not None, timeout=20000)
    view.transport.seek(12)
    view.transport.set_in()
    view.transport.set_out(40)
    view.seek_frame(FRAME)
    qtbot.waitUntil(lambda: view.picture().position == FRAME, timeout=5000)
    assert view.bar.range_label.text() == "loop 12–40"
    assert view.bar.time_label.text() == "Frame 30 / 47 · 0:01.2"
    suffix = "" if scheme == "light" else "-dark"
    for mode in ("side", "wipe", "difference"):
        view.set_mode(mode)
        if mode == "wipe":
            view.canvas.set_wipe_fraction(0.42)
        if mode == "difference":
            view.show_promoted(a_won=False)
        qtbot.waitUntil(
            lambda mode=mode: (
                view.picture().a.width() == _fitted_width(view)
                and (mode != "difference" or view.picture().difference is not None)
            ),
            timeout=5000,
        )
        picture = view.picture()
        assert (picture.a_index, picture.b_index) == (FRAME, FRAME)
        path = save_screenshot(view, f"compare-{mode}{suffix}", SCREENSHOT_DIR, SIZE)
        assert path.stat().st_size > 30_000
    # Full size in the difference view (640 × 360 fits): the very pixels of a plain decode.
    assert image_rgb(view.picture().a) == plain_frames(a)[FRAME]
    view.close()
    assert view.feed.wait_closed()


def _fitted_width(view: CompareView) -> int:
    """The width of a 640×360 picture made for the view's slot (fitted, never enlarged): the
    picture made for this view, not the one left from the view before."""
    slot = view.canvas.slot_device_size()
    return round(640 * min(slot.width() / 640, slot.height() / 360, 1.0))
