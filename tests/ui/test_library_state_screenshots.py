"""Screenshots of the library pane in light and dark: each empty state, and the grid at the
smallest and largest thumbnail size. Saved in ``$WAN_LIBRARY_SHOTS`` when set (to look at
them), else in the test's temporary folder."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from library_ui_helpers import add_entry
from PySide6.QtCore import QSize

from wan_desktop.library import Library
from wan_desktop.ui.library_actions import LibraryActions
from wan_desktop.ui.library_model import LibraryRole
from wan_desktop.ui.library_pane import LibraryPane
from wan_desktop.ui.library_view import MAX_THUMBNAIL, MIN_THUMBNAIL
from wan_desktop.ui.screenshots import save_screenshot

pytestmark = pytest.mark.timeout(120)
SIZE = QSize(560, 820)
CLIPS = [  # prompt, title, hue, resolution, audio, seed
    ("Slow dolly in over a misty alpine lake at sunrise", "Sunrise lake", 0.58, "1080p", False,
     745410674),
    ("A red fox trots through fresh snow, camera follows low", "", 0.08, "720p", True, 2147483647),
    ("Neon city street in the rain, reflections", "Neon rain", 0.78, "1080p", False, 42),
    ("Waves crash on black volcanic rocks", "", 0.52, "720p", True, 1234567),
    ("Hot air balloons drift over a canyon", "Balloons", 0.1, "1080p", False, 99887766),
    ("A paper boat floats down a stream", "", 0.3, "720p", False, 5),
    ("Cherry blossoms fall in a quiet temple garden", "", 0.92, "720p", False, 318007),
]  # fmt: skip


@pytest.fixture
def folder(tmp_path) -> Path:
    return Path(os.environ.get("WAN_LIBRARY_SHOTS") or tmp_path / "shots")


def _pane(qtbot, tasks, lib) -> LibraryPane:
    actions = LibraryActions()
    pane = LibraryPane(tasks, actions)
    qtbot.addWidget(pane)
    pane.resize(SIZE)
    pane.show()
    qtbot.waitExposed(pane)
    with qtbot.waitSignal(pane.model.queryApplied, timeout=5000):
        actions.set_library(lib)
    return pane


def _apply(qtbot, pane, change):
    with qtbot.waitSignal(pane.model.queryApplied, timeout=5000):
        change()


def _check_empty_state(view) -> None:
    """The words and the button are inside the grid, the button under the words."""
    assert view.showing_empty_state()
    heading, body = view._text_rects()
    port = view.viewport().rect()
    assert port.contains(heading) and port.contains(body)
    if view.empty_button.isVisible():
        button = view.empty_button.geometry()
        assert port.contains(button) and button.top() > body.bottom()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_empty_states(qapp, qtbot, tasks, tmp_path, folder, scheme):
    qapp._wan_theme.force(scheme)
    lib = Library.open(tmp_path / "lib")
    try:
        pane = _pane(qtbot, tasks, lib)
        _check_empty_state(pane.view)
        save_screenshot(pane, f"library-no-clips-{scheme}", folder)
        add_entry(lib, tmp_path / "in", hue=0.4, prompt="a heron over still water", seed=9)
        pane.model.refresh()
        qtbot.waitUntil(lambda: pane.model.rowCount() == 1, timeout=5000)
        _apply(qtbot, pane, lambda: pane.search.setText("volcano"))
        _check_empty_state(pane.view)
        save_screenshot(pane, f"library-no-results-{scheme}", folder)
        _apply(qtbot, pane, pane.view.empty_button.click)
        _apply(qtbot, pane, lambda: pane.favourites_filter.setChecked(True))
        qtbot.wait(400)  # the search box's clear button fades out
        _check_empty_state(pane.view)
        save_screenshot(pane, f"library-no-favourites-{scheme}", folder)
        _apply(qtbot, pane, lambda: pane.favourites_filter.setChecked(False))
        _apply(qtbot, pane, lambda: pane.trash_toggle.setChecked(True))
        _check_empty_state(pane.view)
        save_screenshot(pane, f"library-empty-trash-{scheme}", folder)
        pane.model.loader.cancel_all()
    finally:
        qapp._wan_theme.force("light")
        lib.close()


def _posters(qtbot, pane) -> None:
    model = pane.model
    for r in range(model.rowCount()):
        model.index(r).data(LibraryRole.Thumbnail)
    qtbot.waitUntil(
        lambda: all(model.index(r).data(LibraryRole.ThumbnailLoaded)
                    for r in range(model.rowCount())),
        timeout=10000,
    )  # fmt: skip


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_thumbnail_sizes(qapp, qtbot, tasks, tmp_path, folder, scheme):
    qapp._wan_theme.force(scheme)
    lib = Library.open(tmp_path / "lib")
    try:
        for prompt, title, hue, resolution, audio, seed in CLIPS:
            entry = add_entry(lib, tmp_path / "in", hue=hue, resolution=resolution, audio=audio,
                              prompt=prompt, seed=seed)  # fmt: skip
            if title:
                lib.set_title(entry.id, title)
        pane = _pane(qtbot, tasks, lib)
        _posters(qtbot, pane)
        pane.view.setCurrentIndex(pane.model.index(1))
        for size, name in ((MIN_THUMBNAIL, "min"), (MAX_THUMBNAIL, "max")):
            pane.thumbnail_size = size
            _posters(qtbot, pane)
            assert not pane.view.horizontalScrollBar().isVisible()
            save_screenshot(pane, f"library-size-{name}-{scheme}", folder)
        pane.model.loader.cancel_all()
    finally:
        qapp._wan_theme.force("light")
        lib.close()
