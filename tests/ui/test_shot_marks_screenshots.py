"""Screenshots of a multi-shot clip in the window, light and dark, at 1600×900
(docs/screenshots/shot-marks.png, shot-marks-dark.png): the clip selected in the library and
paused in its second shot; the seek bar marks where the prompt planned each shot and where
cut detection found the cuts, and the details say both. Reached through the window's own
wiring (the library pane, the player, the shot marks); the test checks the marks and the
Shots line, then writes the images (looked at by people)."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import av
import pytest
from library_ui_helpers import add_entry, make_scene_clip, new_entry
from library_window import close_player, load_posters, open_window
from PySide6.QtCore import QSize
from ui_fakes import FakeServices
from wan_testkit import write_clip

from wan_desktop.library import Library
from wan_desktop.ui.library_model import LibraryRole
from wan_desktop.ui.screenshots import SCREENSHOT_DIR, save_screenshot

pytestmark = pytest.mark.timeout(120)
SIZE = QSize(1600, 900)
FPS = 24
PROMPT = (
    "A lighthouse on a rocky coast as a storm rolls in.\n\n"
    "Shot 1 [0-2s] wide shot, the sky turns from blue to grey\n"
    "Shot 2 [2-4s] the lamp room glows orange at dusk\n"
    "Shot 3 [4-5s] night falls over the sea, violet clouds"
)
# Shot lengths in frames: the second shot runs a quarter second past its planned end.
SHOTS = ((0.58, 48), (0.08, 54), (0.78, 18))


def _three_shots(folder: Path, dest: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    frames = []
    for n, (hue, count) in enumerate(SHOTS):
        part = make_scene_clip(folder / f"shot-{n}.mp4", hue=hue, seconds=count / FPS,
                               size=(640, 360), fps=FPS)  # fmt: skip
        with av.open(str(part)) as container:
            frames += [f.to_image() for f in container.decode(video=0)]
    return write_clip(dest, lambda i, _n: frames[i], frames=len(frames), fps=FPS)


@pytest.fixture
def window(qtbot, tasks, paths, tmp_path, scheme):
    lib = Library.open(tmp_path / "lib")
    for n, hue in enumerate((0.3, 0.92)):
        add_entry(lib, tmp_path / "in", hue=hue, seconds=1.0, seed=300 + n,
                  prompt="Cherry blossoms fall in a quiet temple garden" if n else
                  "A paper boat floats down a stream between mossy stones")  # fmt: skip
    new = new_entry(tmp_path / "multi", prompt=PROMPT, actual_prompt=PROMPT, seed=2718,
                    resolution="720p")  # fmt: skip
    clip = _three_shots(tmp_path / "parts", Path(new.video_path))
    entry = lib.add(dataclasses.replace(new, video_path=clip))
    win, pane = open_window(qtbot, tasks, FakeServices(paths), lib,
                            size=(SIZE.width(), SIZE.height()))  # fmt: skip
    total = win.main_splitter.width()
    win.main_splitter.setSizes([440, total - 440 - 470, 470])
    yield win, pane, entry
    close_player(win)
    win.close()
    lib.close()


def test_shot_marks_screenshots(qtbot, window, scheme):
    win, pane, entry = window
    model = pane.model
    row = next(
        r for r in range(model.rowCount()) if model.index(r).data(LibraryRole.Id) == entry.id
    )
    pane.view.setCurrentIndex(model.index(row))
    details = pane.details
    qtbot.waitUntil(lambda: "cut at" in details.shots.text(), timeout=30000)
    assert details.shots.text() == "Shots: planned 0 · 2 · 4 s; cut at 0 · 2.0 · 4.2 s"
    player = win.player
    assert player.engine is not None, player.unavailable_reason
    player.load(
        str(entry.video_path), autoplay=False, title="A lighthouse on a rocky coast · seed 2718"
    )
    qtbot.waitUntil(lambda: sum(m.kind == "cut" for m in player.marks()) == 2, timeout=30000)
    assert [m.seconds for m in player.marks() if m.kind == "planned"] == [2.0, 4.0]
    qtbot.waitUntil(lambda: player.engine.duration_ms() > 0, timeout=10000)
    # Paused in the second shot: played from 2.9 s, stopped once frames arrive past 3 s.
    player.engine.set_loop(False)
    player.seek_ms(2900)
    player.engine.play()
    qtbot.waitUntil(
        lambda: player.engine.frames_received > 0 and player.position_ms() >= 3000,
        timeout=10000,
    )
    player.engine.pause()
    load_posters(qtbot, pane)
    name = "shot-marks" if scheme == "light" else "shot-marks-dark"
    path = save_screenshot(win, name, SCREENSHOT_DIR, SIZE)
    assert path.stat().st_size > 50_000
