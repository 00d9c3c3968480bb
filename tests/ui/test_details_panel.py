"""The details panel explains itself: the heading is the clip's title or an excerpt of its
prompt (never a raw id), the key facts come first in a compact block beside the input image's
thumbnail (decoded off the GUI thread), and its scroll area is named for screen readers."""

from __future__ import annotations

import dataclasses
import threading

import pytest
from library_ui_helpers import add_entry
from PySide6.QtWidgets import QLabel, QScrollArea

from wan_desktop.ui.details_panel import DetailsPanel

pytestmark = pytest.mark.timeout(60)

LONG_PROMPT = (
    "A red fox sprints across a snowy field at dawn, its breath steaming, the camera tracking "
    "low beside it as the low sun turns the snow gold and long blue shadows stretch"
)


@pytest.fixture
def entry(lib, tmp_path):
    return add_entry(lib, tmp_path / "in", hue=0.3, prompt=LONG_PROMPT, seed=745410674)


@pytest.fixture
def panel(qtbot, tasks):
    panel = DetailsPanel()
    qtbot.addWidget(panel)
    panel.resize(520, 700)
    panel.show()
    return panel


def test_the_heading_is_the_title(panel, lib, entry):
    titled = lib.set_title(entry.id, "Fox at dawn")
    panel.show_entry(titled)
    assert panel.heading.text() == "Fox at dawn"


def test_without_a_title_the_heading_is_an_excerpt_of_the_prompt(panel, entry):
    panel.show_entry(entry)
    text = panel.heading.text()
    assert entry.id not in text
    assert text.startswith("A red fox sprints across a snowy field")
    assert text.endswith("…") and len(text) <= 80


def test_a_clip_without_title_or_prompt_is_not_named_by_its_id(panel, entry):
    bare = dataclasses.replace(entry, request=None, actual_prompt="", title="")
    panel.show_entry(bare)
    assert entry.id not in panel.heading.text()
    assert panel.heading.text().startswith("Clip made ")


def test_a_trashed_clip_says_so(panel, lib, entry):
    panel.show_entry(lib.trash(entry.id))
    assert panel.heading.text().endswith(" · in the trash")


def test_the_key_facts_come_first_in_a_compact_block(panel, entry):
    panel.show_entry(entry)
    block = panel.findChild(QLabel, "libraryKeyFacts")
    assert block is not None and block.isVisible()
    text = block.text()
    labels = ["Seed", "Resolution", "Duration", "Cost", "Request id"]
    positions = [text.index(label) for label in labels]
    assert positions == sorted(positions)
    assert "745410674" in text
    assert entry.request_id in text
    # Above the prompts, and not repeated in the table of the other parameters.
    assert (
        block.mapTo(panel, block.rect().topLeft()).y()
        < panel.prompt_view.mapTo(panel, panel.prompt_view.rect().topLeft()).y()
    )
    rest = panel.facts.text()
    assert "745410674" not in rest and "Request id" not in rest
    assert "Negative prompt" in rest


def test_the_input_image_thumbnail_is_decoded_off_the_gui_thread(qtbot, panel, entry, monkeypatch):
    from wan_desktop.ui import details_panel

    threads: list[bool] = []
    real = details_panel.read_thumbnail

    def recording(*args, **kwargs):
        threads.append(threading.current_thread() is threading.main_thread())
        return real(*args, **kwargs)

    monkeypatch.setattr(details_panel, "read_thumbnail", recording)
    image = panel.findChild(QLabel, "libraryDetailsImage")
    panel.show_entry(entry)
    qtbot.waitUntil(lambda: image.pixmap() is not None and not image.pixmap().isNull())
    assert threads == [False]
    assert image.accessibleName() == "Input image"
    assert image.isVisible()
    # Beside the key facts.
    block = panel.findChild(QLabel, "libraryKeyFacts")
    assert abs(image.geometry().top() - block.geometry().top()) < 40
    panel.show_entry(None)
    assert image.isHidden()


def test_the_scroll_area_has_an_accessible_name(panel):
    scroll = panel.findChild(QScrollArea, "libraryDetailsScroll")
    assert scroll is not None
    assert scroll.accessibleName() == "Details of the selected clip"


def test_the_fact_labels_follow_the_scheme(qapp, qtbot, panel, entry):
    from wan_desktop.ui.theme import colors

    manager = qapp._wan_theme
    panel.show_entry(entry)
    try:
        light = colors().muted
        assert light in panel.key_facts.text()
        manager.force("dark")
        dark = colors().muted
        assert dark != light
        qtbot.waitUntil(lambda: dark in panel.key_facts.text(), timeout=2000)
        assert dark in panel.facts.text()
    finally:
        manager.force("light")
