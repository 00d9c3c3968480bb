"""Screenshots of the library for the README: the grid with stars, picks and a reject (light
and dark), details with a prompt diff, a search (docs/screenshots/10-library.png,
10-library-dark.png, 11-details-diff.png, 12-search.png)."""

from __future__ import annotations

import pytest
from library_ui_helpers import add_entry
from library_window import close_player, load_posters, open_window
from PySide6.QtCore import QSize
from ui_fakes import FakeServices

from wan_desktop.library import Library
from wan_desktop.ui.screenshots import SCREENSHOT_DIR, save_screenshot

pytestmark = pytest.mark.timeout(120)
SIZE = QSize(1600, 900)
# prompt, title, hue, seconds, resolution, audio, favourite
CLIPS = [
    (
        "Slow dolly in over a misty alpine lake at sunrise",
        "Sunrise lake",
        0.58,
        1.0,
        "1080p",
        False,
        True,
    ),
    ("A red fox trots through fresh snow, camera follows low", "", 0.08, 2.0, "720p", True, False),
    (
        "Neon city street in the rain, reflections, people with umbrellas",
        "Neon rain",
        0.78,
        1.5,
        "1080p",
        False,
        False,
    ),
    ("Waves crash on black volcanic rocks, slow motion spray", "", 0.52, 3.0, "720p", True, True),
    (
        "Hot air balloons drift over a canyon at golden hour",
        "Balloons",
        0.1,
        1.0,
        "1080p",
        False,
        False,
    ),
    ("A paper boat floats down a stream between mossy stones", "", 0.3, 2.5, "720p", False, True),
    (
        "Astronaut walks across a dusty red planet, wide shot",
        "Mars walk",
        0.02,
        1.0,
        "1080p",
        True,
        False,
    ),
    ("Cherry blossoms fall in a quiet temple garden", "", 0.92, 2.0, "720p", False, False),
    (
        "Lighthouse beam sweeps over a stormy sea at night",
        "Storm light",
        0.65,
        1.5,
        "1080p",
        True,
        True,
    ),
    ("Desert dunes ripple as wind lifts fine sand", "", 0.13, 1.0, "720p", False, False),
    (
        "A cat watches snowflakes from a warm window sill",
        "Window cat",
        0.45,
        2.0,
        "1080p",
        False,
        False,
    ),
    ("Aerial drone shot over a winding forest river in autumn", "", 0.22, 3.0, "720p", True, False),
]
# How some clips were judged: title or prompt start -> (stars, flag).
MARKS = {"Sunrise lake": (5, "picked"), "A red fox": (3, ""), "Neon rain": (0, "rejected"),
         "Waves crash": (4, "picked"), "Balloons": (2, ""),
         "A paper boat": (1, "rejected")}  # fmt: skip
ACTUAL = (
    "Slow dolly in over a misty alpine lake at sunrise; thin fog drifts across the glassy "
    "water while the first golden light touches the snowy peaks, a lone heron lifts off, "
    "cinematic, soft contrast."
)


@pytest.fixture
def shots(qtbot, tasks, paths, tmp_path):
    lib = Library.open(tmp_path / "lib")
    for n, (prompt, title, hue, seconds, res, audio, fav) in enumerate(reversed(CLIPS)):
        actual = ACTUAL if title == "Sunrise lake" else prompt.capitalize() + "."
        entry = add_entry(lib, tmp_path / "in", hue=hue, seconds=seconds, resolution=res,
                          audio=audio, prompt=prompt, actual_prompt=actual, seed=1000 + 7919 * n,
                          size=(426, 240) if res == "720p" else (480, 270))  # fmt: skip
        if title:
            lib.set_title(entry.id, title)
        if fav:
            lib.set_favourite(entry.id, True)
        for start, (stars, flag) in MARKS.items():
            if (title or prompt).startswith(start):
                lib.set_rating(entry.id, stars)
                lib.set_flag(entry.id, flag)
    win, pane = open_window(
        qtbot, tasks, FakeServices(paths), lib, size=(SIZE.width(), SIZE.height())
    )
    total = win.main_splitter.width()
    win.main_splitter.setSizes([530, 300, total - 830])
    yield win, pane
    close_player(win)
    win.close()
    lib.close()


def test_library_dark_screenshot(qtbot, qapp, shots):
    win, pane = shots
    theme = qapp._wan_theme
    theme.force("dark")
    try:
        load_posters(qtbot, pane)
        pane.splitter.setSizes([560, 200])
        path = save_screenshot(win, "10-library-dark", SCREENSHOT_DIR, SIZE)
        assert path.stat().st_size > 20_000
    finally:
        theme.force("light")


def test_library_screenshots(qtbot, shots):
    win, pane = shots
    load_posters(qtbot, pane)
    pane.splitter.setSizes([560, 200])
    path = save_screenshot(win, "10-library", SCREENSHOT_DIR, SIZE)
    assert path.stat().st_size > 20_000
    # Three panes side by side: the composer's form still shows whole (it only scrolls
    # up and down), whatever sizes the splitter was asked for.
    form = win.composer.scroll.viewport()
    assert form.width() >= win.composer.scroll.widget().minimumSizeHint().width()

    # Details with the prompt diff: the first clip, its prompt rewritten by the service.
    pane.view.setCurrentIndex(pane.model.index(0))
    qtbot.waitUntil(lambda: pane.details.entry is not None, timeout=5000)
    pane.splitter.setSizes([250, 560])
    # The input image beside the key facts is decoded in the background: shown, not blank.
    qtbot.waitUntil(lambda: not pane.details.image.pixmap().isNull(), timeout=30000)
    path = save_screenshot(win, "11-details-diff", SCREENSHOT_DIR, SIZE)
    assert "heron" in pane.details.actual_view.toPlainText()

    pane.splitter.setSizes([560, 200])
    with qtbot.waitSignal(pane.model.queryApplied, timeout=5000):
        qtbot.keyClicks(pane.search, "over")
    load_posters(qtbot, pane)
    pane.view.setCurrentIndex(pane.model.index(0))
    qtbot.waitUntil(lambda: pane.details.entry is not None, timeout=5000)
    assert pane.count_label.text() == "1 clip" or pane.model.rowCount() >= 1
    save_screenshot(win, "12-search", SCREENSHOT_DIR, SIZE)
