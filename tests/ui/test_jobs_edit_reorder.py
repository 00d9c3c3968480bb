"""Editing and reordering waiting jobs from the jobs pane, against a real runner (one slot,
taken by a long job on the engine, so the others wait): a drop between waiting rows moves the
job in the runner's queue and ``jobs list --json`` shows the new order; Edit… (Enter) opens
``jobEditDialog`` with the composer's fields and checks, and Save commits the change; a job
already at fal cannot be edited and says why. Screenshots of the dialog and of a drag, light
and dark (docs/screenshots/jobs-edit-*.png, jobs-reorder*.png)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from PySide6.QtCore import QMimeData, QPoint, QPointF, QSize, Qt
from PySide6.QtGui import QDropEvent
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QToolButton,
)
from ui_fakes import FakeServices
from ui_helpers import make_image

from wan_desktop.core.pricing import PriceQuote, current_price, set_current_price
from wan_desktop.core.request import GenerationRequest
from wan_desktop.emulator import EmulatorServer
from wan_desktop.jobs.backend import Backend
from wan_desktop.jobs.job_edit import EDITED_NOTE
from wan_desktop.jobs.model import JobState
from wan_desktop.jobs.runner import JobRunner
from wan_desktop.jobs.store import JobStore
from wan_desktop.library import Library
from wan_desktop.ui.job_edit_dialog import JobEditDialog
from wan_desktop.ui.jobs_model import JobRole
from wan_desktop.ui.jobs_view import JOB_MIME, drop_index
from wan_desktop.ui.main_window import MainWindow
from wan_desktop.ui.screenshots import SCREENSHOT_DIR, save_screenshot

pytestmark = pytest.mark.timeout(120)
KEY = "k-jobs-edit"
PROMPTS = [
    "Slow dolly in over the meadow as the sun breaks through the clouds",
    "A heron lifts off the water, wings spread, slow motion",
    "Waves roll onto the beach at dusk, foam glowing pink",
    "Steam rises from a cup of coffee on a rainy window sill",
]


@pytest.fixture
def engine():
    # The first job runs for two minutes: with one slot, every other job waits locally.
    server = EmulatorServer(workers=1, min_run_s=120, api_key=KEY)
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def queue(run, engine, paths, tmp_path):
    """A started runner over the library at ``paths.library``: one job at fal, three waiting."""
    library = Library.open(paths.library)
    runner = JobRunner(library, Backend(engine.base_url, KEY, offline=False), concurrency=1)
    run(runner.start())
    images = [make_image(tmp_path / f"in{i}.png", (640, 400)) for i in range(len(PROMPTS))]
    jobs = []
    for prompt, image in zip(PROMPTS, images, strict=True):
        request = GenerationRequest(prompt=prompt, image=str(image), resolution="720p")
        jobs.append(run(runner.enqueue(request)))
    first = jobs[0].id

    async def sent() -> None:
        import asyncio

        while runner.get(first).state not in (JobState.QUEUED, JobState.RUNNING):
            await asyncio.sleep(0.02)

    run(sent(), timeout=30)
    try:
        yield runner, library, [j.id for j in jobs]
    finally:
        run(runner.close(), timeout=30)
        library.close()


@pytest.fixture
def window(qtbot, tasks, paths, queue):
    price = current_price()
    set_current_price(PriceQuote.bundled())
    runner, _library, _ids = queue
    win = MainWindow(FakeServices(paths, runner=runner, offline=False), tasks)
    qtbot.addWidget(win)
    win.resize(QSize(1366, 768))
    win.show()
    qtbot.waitExposed(win)
    yield win
    dialog = _dialog(win)
    if dialog is not None:
        dialog.reject()
    win.close()
    set_current_price(price)


def _dialog(window) -> JobEditDialog | None:
    """The edit dialog on screen (a closed one waits for its deletion, hidden)."""
    shown = [d for d in window.findChildren(JobEditDialog) if d.isVisible()]
    return shown[0] if shown else None


def _waiting(window) -> list[str]:
    view = window.jobs_panel.view
    return [window.jobs_model.jobs()[row].id for row in view.waiting_rows()]


def _row_point(window, job_id: str, *, upper: bool) -> QPoint:
    view = window.jobs_panel.view
    rect = view.visualRect(window.jobs_model.index(window.jobs_model.row_of(job_id)))
    return QPoint(rect.center().x(), rect.top() + (4 if upper else rect.height() - 4))


def _drop(window, job_id: str, at: QPoint) -> None:
    """What Qt delivers when a dragged job is let go over ``at`` (viewport coordinates)."""
    mime = QMimeData()
    mime.setData(JOB_MIME, job_id.encode())
    event = QDropEvent(
        QPointF(at),
        Qt.DropAction.MoveAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    window.jobs_panel.view.dropEvent(event)


def _hover(window, job_id: str, at: QPoint) -> None:
    """A drag of ``job_id`` held over ``at``: the drop line shows where it would go."""
    from PySide6.QtGui import QDragMoveEvent

    mime = QMimeData()
    mime.setData(JOB_MIME, job_id.encode())
    event = QDragMoveEvent(
        at,
        Qt.DropAction.MoveAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    window.jobs_panel.view.dragMoveEvent(event)


def _jobs_list() -> list[dict]:
    env = dict(os.environ)  # WAN_DESKTOP_HOME: the test's own (wan_home)
    out = subprocess.run(
        [sys.executable, "-m", "wan_desktop", "jobs", "list", "--json"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
    )
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


def test_drop_index_counts_among_the_other_waiting_jobs():
    assert drop_index(0, 2) == 0  # to the front
    assert drop_index(3, 0) == 2  # the first to the end of three
    assert drop_index(1, 1) == 1 and drop_index(2, 1) == 1  # either side of itself: stays


def test_a_drop_moves_the_job_and_jobs_list_shows_the_order(qtbot, window, queue, paths):
    runner, library, (first, a, b, c) = queue
    qtbot.waitUntil(lambda: _waiting(window) == [a, b, c], timeout=5000)
    # Only waiting rows start a drag.
    started: list[str] = []
    view = window.jobs_panel.view
    view.start_drag = started.append
    for job_id in (first, b):
        press = _row_point(window, job_id, upper=True)
        qtbot.mousePress(view.viewport(), Qt.MouseButton.LeftButton, pos=press)
        qtbot.mouseMove(view.viewport(), press + QPoint(0, 30))
        qtbot.mouseRelease(view.viewport(), Qt.MouseButton.LeftButton, pos=press + QPoint(0, 30))
    assert started == [b]
    # Held over the upper half of the first waiting row: the line goes before it.
    _hover(window, c, _row_point(window, a, upper=True))
    assert view.drop_slot() == 0
    _drop(window, c, _row_point(window, a, upper=True))
    assert view.drop_slot() is None
    qtbot.waitUntil(lambda: _waiting(window) == [c, a, b], timeout=5000)
    assert [j.id for j in runner.jobs() if j.state is JobState.WAITING] == [c, a, b]
    index = window.jobs_model.index(window.jobs_model.row_of(c))
    assert "1st in line" in index.data(Qt.ItemDataRole.AccessibleTextRole)
    # Alt+Down moves the selected waiting job one place later.
    window.jobs_panel.select_job(a)
    qtbot.keyClick(view, Qt.Key.Key_Down, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: _waiting(window) == [c, b, a], timeout=5000)

    def committed() -> bool:
        store = JobStore(library.paths.db)
        try:
            rows = [r for r in store.load() if r.state is JobState.WAITING]
        finally:
            store.close()
        return [r.id for r in rows] == [c, b, a]

    qtbot.waitUntil(committed, timeout=5000)
    listed = {j["id"]: j["order"] for j in _jobs_list()}
    assert listed == {first: None, c: 1, b: 2, a: 3}


def test_edit_a_waiting_job_in_the_dialog(qtbot, window, queue, scheme):
    runner, _library, (_first, a, _b, _c) = queue
    qtbot.waitUntil(lambda: a in _waiting(window), timeout=5000)
    window.jobs_panel.select_job(a)
    edit = window.findChild(QToolButton, "jobEditButton")
    assert edit.isEnabled()
    qtbot.keyClick(window.jobs_panel.view, Qt.Key.Key_Return)
    dialog = _dialog(window)
    assert dialog is not None and dialog.objectName() == "jobEditDialog"
    qtbot.waitExposed(dialog)
    save = dialog.findChild(QPushButton, "jobEditSaveButton")
    qtbot.waitUntil(save.isEnabled, timeout=10000)  # the image read in the background
    prompt = dialog.findChild(QPlainTextEdit, "jobEditPromptEdit")
    assert prompt.toPlainText() == PROMPTS[1]
    # The composer's limit, and Save says why it is unavailable.
    prompt.setPlainText("x" * 5000)
    assert not save.isEnabled()
    reason = dialog.findChild(QLabel, "jobEditReason").text()
    assert "5000" in reason and "Prompt" in reason
    new_prompt = "A heron lifts off the misty water at dawn, wings spread, slow motion"
    prompt.setPlainText(new_prompt)
    resolution = dialog.findChild(QComboBox, "resolutionCombo")
    resolution.setCurrentIndex(resolution.findData("1080p"))
    assert save.isEnabled()
    assert "1080p (was $0.25 · 5 s · 720p)" in dialog.cost.text()
    QApplication.processEvents()
    name = "jobs-edit-dialog" if scheme == "light" else "jobs-edit-dialog-dark"
    path = save_screenshot(dialog, name, SCREENSHOT_DIR, QSize(600, 760))
    assert path.stat().st_size > 10_000
    qtbot.mouseClick(save, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: _dialog(window) is None, timeout=10000)
    job = runner.get(a)
    assert job.request.prompt == new_prompt and job.request.resolution == "1080p"
    assert job.notes[-1] == EDITED_NOTE
    row = window.jobs_model.index(window.jobs_model.row_of(a))
    assert row.data(Qt.ItemDataRole.ToolTipRole).startswith("A heron lifts off the misty")
    assert _waiting(window)[0] == a  # it kept its place


def test_a_job_at_fal_cannot_be_edited_and_says_why(qtbot, window, queue):
    runner, _library, (first, _a, b, _c) = queue
    qtbot.waitUntil(lambda: window.jobs_model.row_of(first) >= 0, timeout=5000)
    window.jobs_panel.select_job(first)
    edit = window.findChild(QToolButton, "jobEditButton")
    assert not edit.isEnabled()
    assert "already at fal" in edit.toolTip() and "Cancel" in edit.toolTip()
    window.jobs_panel.editRequested.emit(first)  # as the context menu would
    assert _dialog(window) is None
    assert "cannot be edited" in window.statusBar().currentMessage()
    # A dialog open on a job that leaves the queue (cancelled here) stops offering Save.
    window.jobs_panel.select_job(b)
    window.jobs_panel.editRequested.emit(b)
    dialog = _dialog(window)
    save = dialog.findChild(QPushButton, "jobEditSaveButton")
    qtbot.waitUntil(save.isEnabled, timeout=10000)
    # Edited elsewhere (a shell, through the window's runner): Save would replace it.
    window.tasks.spawn(runner.edit(b, dialog.job.request.replace(prompt="from a shell")), "edit")
    reason = dialog.findChild(QLabel, "jobEditReason")
    qtbot.waitUntil(lambda: "changed elsewhere" in reason.text(), timeout=5000)
    assert save.isEnabled()
    window.tasks.spawn(runner.cancel(b), "cancel")
    qtbot.waitUntil(lambda: not save.isEnabled(), timeout=5000)
    assert "can no longer be edited" in dialog.findChild(QLabel, "jobEditReason").text()


def test_the_drop_line_between_waiting_rows(qtbot, window, queue, scheme):
    _runner, _library, (_first, a, b, c) = queue
    qtbot.waitUntil(lambda: _waiting(window) == [a, b, c], timeout=5000)
    view = window.jobs_panel.view
    window.resize(QSize(1366, 1000))  # room for every row
    window.jobs_panel.select_job(c)
    view.scrollToTop()
    model = window.jobs_model
    qtbot.waitUntil(
        lambda: all(model.index(r).data(JobRole.Thumbnail) for r in range(4)), timeout=10000
    )
    _hover(window, c, _row_point(window, b, upper=True))  # c dragged up, before b
    assert view.drop_slot() == 1
    name = "jobs-reorder" if scheme == "light" else "jobs-reorder-dark"
    path = save_screenshot(window.jobs_panel, name, SCREENSHOT_DIR)
    assert path.stat().st_size > 10_000
    view.dragLeaveEvent(_Leave())
    assert view.drop_slot() is None


class _Leave:
    def accept(self) -> None:
        pass
