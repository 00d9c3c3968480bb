"""A real main window with the library pane docked over a real library (fake runner)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import QUrl


@dataclass
class Opened:
    """Stands in for ``QDesktopServices.openUrl`` (no file manager or player in tests)."""

    urls: list[QUrl] = field(default_factory=list)

    def __call__(self, url: QUrl) -> bool:
        self.urls.append(url)
        return True


def open_window(qtbot, tasks, services: Any, lib: Any, size=(1500, 900)):
    from wan_desktop.ui.library_pane import install_library
    from wan_desktop.ui.main_window import MainWindow

    services.library = lib
    win = MainWindow(services, tasks)
    qtbot.addWidget(win)
    pane = install_library(win, tasks)
    if not win.library_action.isChecked():  # hidden by default below 1600 px: show it (Ctrl+L)
        win.library_action.trigger()
    pane.open_url = Opened()
    win.resize(*size)
    win.show()
    qtbot.waitExposed(win)
    with qtbot.waitSignal(pane.model.queryApplied, timeout=30000):
        pane.actions.set_library(lib)
    return win, pane


def wait_task(qtbot, pane, timeout: int = 30000):
    task = pane.last_task
    assert task is not None
    qtbot.waitUntil(task.done, timeout=timeout)
    return task.result()


def close_player(win) -> None:
    """Unload the player if it still exists (pytest-qt may have closed the window first)."""
    import shiboken6

    engine = win.player.engine
    if engine is not None and shiboken6.isValid(engine) and win.player.path():
        win.player.unload()


def close_sheet_and_player(win) -> None:
    """Close the window's contact sheet if one is open (its decoding threads stop), then
    unload the player."""
    from wan_desktop.ui.contact_sheet import ContactSheet

    sheet = win.findChild(ContactSheet, "contactSheet")
    if sheet is not None:
        sheet.close()
    close_player(win)


def load_posters(qtbot, pane, timeout: int = 10000) -> None:
    """Ask for every card's poster and wait until all have loaded (a screenshot shows them)."""
    from wan_desktop.ui.library_model import LibraryRole

    model = pane.model
    for r in range(model.rowCount()):
        model.index(r).data(LibraryRole.Thumbnail)
    qtbot.waitUntil(
        lambda: all(
            model.index(r).data(LibraryRole.ThumbnailLoaded) for r in range(model.rowCount())
        ),
        timeout=timeout,
    )
