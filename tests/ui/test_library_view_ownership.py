"""A library model given to the view without a Qt parent becomes the view's child, so it is
deleted with the view on the GUI thread. Left to Python's garbage collector it was deleted on
the proxy maker's thread now and then, and the next of its timers to fire crashed Qt (a
segmentation fault in ``QTimerInfoList::activateTimers``, seen in ``test_library_grid``)."""

from __future__ import annotations

import threading

import pytest
from PySide6.QtCore import QObject, Qt
from PySide6.QtWidgets import QApplication

from wan_desktop.ui.library_model import LibraryModel
from wan_desktop.ui.library_view import LibraryView

pytestmark = pytest.mark.timeout(60)


def test_an_orphan_model_goes_with_its_view_on_the_gui_thread(qtbot, tasks):
    model = LibraryModel(tasks)
    view = LibraryView(model)
    assert model.parent() is view
    gone: list[str] = []
    model.destroyed.connect(
        lambda *_: gone.append(threading.current_thread().name), Qt.ConnectionType.DirectConnection
    )
    view.deleteLater()
    qtbot.waitUntil(lambda: gone != [], timeout=10000)
    assert gone == [threading.main_thread().name]


def test_a_model_with_an_owner_keeps_it(qtbot, tasks):
    owner = QObject()
    model = LibraryModel(tasks, owner)
    view = LibraryView(model)
    qtbot.addWidget(view)
    assert model.parent() is owner
    QApplication.processEvents()
    owner.deleteLater()
