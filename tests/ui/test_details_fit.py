"""The details panel fits the window on a laptop and a 1600×900 screen (issue 18): nothing in it
is cut off at its right edge; a long request id or group id is elided in the middle to the room
it has, its whole text in the tooltip and one click from the clipboard."""

from __future__ import annotations

import pytest
from library_window import close_player, open_window
from PySide6.QtGui import QGuiApplication, QTextDocument
from PySide6.QtWidgets import QApplication, QLabel, QScrollArea
from sheet_helpers import add_group
from ui_fakes import FakeServices

pytestmark = pytest.mark.timeout(60)


def _table_fits(label: QLabel) -> bool:
    """Whether ``label``'s rich text lays out within its width (no cell wider than it)."""
    doc = QTextDocument()
    doc.setDefaultFont(label.font())
    doc.setDocumentMargin(0)
    doc.setHtml(label.text())
    doc.setTextWidth(label.width())
    return doc.idealWidth() <= label.width() + 1


@pytest.mark.parametrize("size", [(1600, 900), (1366, 768)])
def test_nothing_is_cut_off_and_long_ids_elide(qtbot, tasks, paths, lib, tmp_path, size,
                                               monkeypatch):  # fmt: skip
    monkeypatch.setenv("WAN_DESKTOP_NO_MULTIMEDIA", "1")  # no sound device here
    take = add_group(lib, tmp_path, 2, frames=6)[0]
    win, pane = open_window(qtbot, tasks, FakeServices(paths), lib, size=size)
    assert pane.select(take.id)
    details = pane.details
    qtbot.waitUntil(lambda: getattr(details.entry, "id", None) == take.id, timeout=10000)
    QApplication.processEvents()

    scroll = details.findChild(QScrollArea, "libraryDetailsScroll")
    assert details.body.width() <= scroll.viewport().width()
    favourite = details.favourite_check
    assert favourite.isVisible() and favourite.width() >= favourite.sizeHint().width()
    right = favourite.mapTo(scroll.viewport(), favourite.rect().topRight()).x()
    assert right < scroll.viewport().width()
    for table in (details.key_facts, details.facts):
        assert _table_fits(table), table.objectName()

    request_id, group_id = take.request_id, take.group_id
    assert len(request_id) == 36
    text = details.key_facts.text()
    shown_whole = request_id in text and group_id in text
    assert shown_whole or "…" in text  # elided in the middle when there is no room
    if size == (1366, 768):
        assert shown_whole  # the laptop's panel is wide enough for both
    tip = details.key_facts.toolTip()
    assert f"Request id: {request_id}" in tip and f"Group: {group_id}" in tip
    details.copy_request_id_action.trigger()
    assert QGuiApplication.clipboard().text() == request_id
    details.copy_group_id_action.trigger()
    assert QGuiApplication.clipboard().text() == group_id
    assert details.key_facts.textInteractionFlags()  # selectable, as before
    close_player(win)
