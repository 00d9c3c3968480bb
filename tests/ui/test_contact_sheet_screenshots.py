"""Screenshots of the contact sheet for the README, light and dark, at 1600×900
(docs/screenshots/contact-sheet.png, contact-sheet-dark.png): a take group of eight, paused on
one frame, culled from the keyboard (stars, two picks, a reject) with the current take framed.
The test checks what the sheet says, then writes the images (looked at by people)."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from library_ui_helpers import make_scene_clip, new_entry
from PySide6.QtCore import QSize, Qt
from PySide6.QtTest import QTest

from wan_desktop.library.ids import new_group_id
from wan_desktop.ui.contact_sheet import ContactSheet
from wan_desktop.ui.screenshots import SCREENSHOT_DIR, save_screenshot
from wan_desktop.ui.sheet_culling import SheetCulling, load_takes

pytestmark = pytest.mark.timeout(120)
SIZE = QSize(1600, 900)
HUES = (0.58, 0.08, 0.78, 0.52, 0.1, 0.3, 0.02, 0.92)
PROMPT = "Hot air balloons drift over a canyon at golden hour"
_KEYS = {">": Qt.Key.Key_Right, "<": Qt.Key.Key_Left, "v": Qt.Key.Key_Down}


def _group(lib, tmp: Path) -> list:
    group = new_group_id()
    entries = []
    for take, hue in enumerate(HUES):
        seed = 4410 + 17 * take
        label = f"prompt {'AB'[take // 4]} · seed {seed}"
        new = new_entry(tmp / f"take-{take}", prompt=PROMPT, seed=seed, group_id=group,
                        variant=label, resolution="1080p")  # fmt: skip
        clip = make_scene_clip(Path(new.video_path), hue=hue, seconds=2.0, size=(640, 360))
        entries.append(lib.add(dataclasses.replace(new, video_path=clip)))
    return entries


def test_contact_sheet_screenshots(qtbot, tasks, lib, tmp_path, scheme, monkeypatch):
    monkeypatch.setenv("WAN_DESKTOP_NO_MULTIMEDIA", "1")
    entries = _group(lib, tmp_path)
    takes, group_id = load_takes(lib, [entries[0].id])
    sheet = ContactSheet(takes, SheetCulling(lib), tasks, group_id=group_id)
    qtbot.addWidget(sheet)
    sheet.resize(SIZE)
    sheet.show()
    qtbot.waitExposed(sheet)
    sheet.start()
    qtbot.waitUntil(sheet.playback.is_ready, timeout=60000)
    # Culled as a user would: stars and picks on the first row, a reject on the second.
    for key in "4P>>5PvX<3":
        QTest.keyClick(sheet, _KEYS.get(key) or getattr(Qt.Key, f"Key_{key}"))
    qtbot.waitUntil(lambda: not tasks.pending(), timeout=10000)
    assert sheet.grid.columns() == 3  # eight 16:9 takes are largest in 3 × 3
    assert lib.get(entries[5].id).flag == "rejected"
    assert lib.get(entries[2].id).rating == 5
    assert sheet.counts.text() == "2 picked · 1 rejected"
    assert sheet.keep_button.isEnabled()
    assert sheet.current() == 4
    sheet.playback.pause()
    sheet.playback.seek_frame(14)
    qtbot.waitUntil(
        lambda: sheet.playback.is_settled() and all(c.frame_index == 14 for c in sheet.cells),
        timeout=10000,
    )
    assert sheet.frame_label.text() == "Frame 14 / 23 · 0:01.1"  # from 0, as everywhere
    name = "contact-sheet" if scheme == "light" else "contact-sheet-dark"
    path = save_screenshot(sheet, name, SCREENSHOT_DIR, SIZE)
    assert path.stat().st_size > 50_000
    sheet.close()
