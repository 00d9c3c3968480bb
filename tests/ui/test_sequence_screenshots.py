"""Screenshots of the Sequences pane for the README, light and dark, at 1280×470
(docs/screenshots/sequence-strip.png and sequence-strip-dark.png): a chain of six clips of
different lengths in the strip, the second seam selected with a 6-frame crossfade and an
earlier out-point, and its preview (with the clips' sound) paused in the middle of the
crossfade. The test checks what the pane shows, then writes the images (looked at by
people)."""

from __future__ import annotations

import msgspec
import pytest
from PySide6.QtCore import QSize
from sequence_helpers import add_clip, open_library, shown_sequence_pane

from wan_desktop.ui.screenshots import SCREENSHOT_DIR, save_screenshot

pytestmark = pytest.mark.timeout(180)
SIZE = QSize(1280, 470)
SHOTS = [
    (0.58, 2.0, "Harbour at dawn, boats at rest"),
    (0.08, 3.0, "The fishing boat leaves the harbour"),
    (0.12, 2.0, "Gulls follow the boat out"),
    (0.62, 4.0, "Open sea, the sun climbing"),
    (0.75, 2.0, "Clouds gather over the water"),
    (0.85, 3.0, "Night falls on the returning boat"),
]


def test_sequence_screenshots(qtbot, tmp_path, scheme, tasks, run):
    lib = open_library(tmp_path)
    try:
        parent = None
        ids = []
        for hue, seconds, prompt in SHOTS:
            parent = add_clip(lib, tmp_path, hue=hue, seconds=seconds, parent=parent,
                              prompt=prompt, fps=12, audio=True)  # fmt: skip
            ids.append(parent.id)
        pane = shown_sequence_pane(
            qtbot, tasks, lib, tmp_path / "cache", (SIZE.width(), SIZE.height())
        )
        qtbot.waitExposed(pane)
        opened = run(pane.create("The fishing trip", ids))
        run(pane.create("Gull studies", ids[2:3]))
        run(pane.open_sequence(opened.sequence.id))
        items = list(pane.current.sequence.items)
        items[1] = msgspec.structs.replace(items[1], end_frame=32)  # 4 frames earlier
        items[2] = msgspec.structs.replace(items[2], crossfade_frames=6)
        run(pane.refresh())
        task = pane.apply_items(items)
        qtbot.waitUntil(task.done, timeout=10000)
        pane.edit_seam(2)
        editor = pane.seam_editor
        qtbot.waitUntil(lambda: editor.suggest_task is not None and editor.suggest_task.done(),
                        timeout=30000)  # fmt: skip
        qtbot.waitUntil(lambda: len(editor.preview.frames()) > 0, timeout=30000)
        window = editor.last_window
        editor.preview.set_paused(True)
        editor.preview.show_index(round(window.seam_s * 24))  # the middle of the crossfade
        qtbot.waitUntil(lambda: pane.strip.posters_pending() == 0, timeout=10000)
        assert len(pane.strip.cell_rects()) == 6
        assert pane.strip.selection() == ("seam", 2)
        assert editor.fade_spin.value() == 6 and editor.end_spin.value() == 31
        assert pane.list.topLevelItemCount() == 2
        assert pane.summary.text() == "6 clips · 0:15"
        assert window.has_audio  # the preview plays the clips' sound (Sound, under it)
        suffix = "" if scheme == "light" else "-dark"
        path = save_screenshot(pane, f"sequence-strip{suffix}", SCREENSHOT_DIR, SIZE)
        assert path.stat().st_size > 30_000
    finally:
        lib.close()
