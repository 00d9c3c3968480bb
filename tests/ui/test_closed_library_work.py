"""Work the window queued just before its library closed (closing the window, a test's
teardown) reaches the executor after the close: it is dropped quietly, never said as a failure
nor raised into the event loop. Any other library error is still said."""

from __future__ import annotations

import pytest
from library_ui_helpers import add_two_clips
from library_window import close_player, open_window
from PySide6.QtCore import QItemSelectionModel
from PySide6.QtWidgets import QApplication
from ui_fakes import FakeServices

from wan_desktop.library.errors import LibraryClosedError, LibraryError

pytestmark = pytest.mark.timeout(90)


@pytest.fixture
def opened(qtbot, tasks, paths, lib, tmp_path):
    add_two_clips(lib, tmp_path / "in")
    win, pane = open_window(qtbot, tasks, FakeServices(paths), lib)
    yield win, pane
    close_player(win)
    win.close()


def _failing(exc: BaseException):
    async def work() -> None:
        raise exc

    return work()


def test_a_task_meeting_a_closed_library_is_dropped_and_other_errors_are_said(qtbot, qasync_loop):
    from wan_desktop.ui.async_bridge import TaskKeeper

    keeper = TaskKeeper()
    failures: list[tuple[str, str]] = []
    keeper.failed.connect(lambda what, message: failures.append((what, message)))
    closed = keeper.spawn(_failing(LibraryClosedError("the library is closed")), "Late query")
    refused = keeper.spawn(_failing(LibraryError("no such entry")), "Show the clip")
    qtbot.waitUntil(lambda: closed.done() and refused.done(), timeout=10000)
    assert failures == [("Show the clip", "no such entry")]
    assert not keeper.pending()
    keeper.deleteLater()


def test_a_search_queued_before_the_library_closes_is_dropped(qtbot, tasks, opened, lib):
    _win, pane = opened
    task = pane.model.refresh()  # the query runs in the executor after this returns...
    lib.close()  # ...so it meets a closed library
    qtbot.waitUntil(task.done, timeout=20000)
    assert isinstance(task.exception(), LibraryClosedError)
    assert tasks.failures == []


def test_details_asked_for_as_the_window_closes_are_dropped(qtbot, tasks, opened, lib):
    win, pane = opened
    flag = QItemSelectionModel.SelectionFlag.ClearAndSelect
    pane.view.selectionModel().setCurrentIndex(pane.model.index(1), flag)  # loads its details
    task = pane.last_task
    close_player(win)
    win.close()
    lib.close()
    qtbot.waitUntil(task.done, timeout=20000)
    assert tasks.failures == []


def test_a_search_in_flight_when_the_model_goes_is_cancelled(qtbot, tasks, lib):
    import shiboken6

    from wan_desktop.ui.library_model import LibraryModel

    model = LibraryModel(tasks)
    model.library = lib
    task = model.refresh()
    shiboken6.delete(model)  # the window went (pytest-qt deletes it before the fixtures end)
    qtbot.waitUntil(task.done, timeout=20000)
    assert task.cancelled()
    assert tasks.failures == []


def test_a_failure_said_after_the_window_went_does_not_reach_it(qtbot, paths):
    import shiboken6

    from wan_desktop.ui.async_bridge import TaskKeeper
    from wan_desktop.ui.main_window import MainWindow

    keeper = TaskKeeper()  # outlives the window, as the app's and the tests' keepers do
    win = MainWindow(FakeServices(paths), keeper)
    keeper.failed.emit("Show the clip", "said while the window is there")
    assert "said while the window is there" in win.statusBar().currentMessage()
    shiboken6.delete(win)
    with qtbot.captureExceptions() as raised:
        keeper.failed.emit("Search the library", "said after the window went")
        QApplication.processEvents()
    assert raised == []
    keeper.deleteLater()
