"""The window's side of editing and reordering waiting jobs: the jobs pane asks, this opens
the edit dialog, hands its request to the runner and reports the outcome, moves jobs in line,
and keeps the list's order and an open dialog in step with the runner's events.

Loop/GUI thread. The runner is read through ``runner_of()`` each time (the engine can
restart with another runner while the window runs).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt

from ..core.problems import InvalidInputError
from ..jobs.job_edit import edit_refusal
from ..jobs.model import JobEvent, JobEventKind, JobState
from .job_edit_dialog import JobEditDialog
from .jobs_model import JobRole

if TYPE_CHECKING:
    from ..core.request import GenerationRequest
    from .main_window import MainWindow
    from .window_services import JobQueue

__all__ = ["EDITED_MESSAGE", "JobEditFlow"]

EDITED_MESSAGE = "Job changed. It keeps its place in line."
_REMOVED = "The job was removed from the list, so there is nothing left to save."


class JobEditFlow:
    """Edits and moves for ``window``'s jobs pane. ``dialog`` is the edit dialog open now."""

    def __init__(self, window: MainWindow, runner_of: Callable[[], JobQueue | None]):
        self._window = window
        self._runner_of = runner_of
        self.dialog: JobEditDialog | None = None

    def open(self, job_id: str) -> None:
        """Open the edit dialog on waiting job ``job_id`` (another job's dialog is closed;
        this job's comes to the front). A job that cannot be edited says why instead."""
        window = self._window
        model = window.jobs_model
        job = model.job(job_id)
        if job is None or self._runner_of() is None:
            return
        refusal = edit_refusal(job.state)
        if refusal is not None:
            window.statusBar().showMessage(f"This job cannot be edited: {refusal}", 10000)
            return
        if self.dialog is not None:
            if self.dialog.job.id == job_id:
                self.dialog.raise_()
                self.dialog.activateWindow()
                return
            self.dialog.reject()
        place = model.index(model.row_of(job_id)).data(JobRole.Place) or ""
        dialog = JobEditDialog(
            job, window.tasks, window.services.paths.cache, place=place, parent=window
        )
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.saveRequested.connect(lambda request: self._on_dialog_save(dialog, request))
        dialog.finished.connect(lambda _result: self._on_dialog_finished(dialog))
        self.dialog = dialog
        dialog.open()

    def move(self, job_id: str, index: int) -> None:
        """Move waiting job ``job_id`` to ``index`` among the other waiting jobs; a refusal
        (it was sent meanwhile) goes to the status bar."""
        runner = self._runner_of()
        if runner is None:
            return
        try:
            runner.move(job_id, index)
        except (ValueError, KeyError) as exc:
            reason = str(exc) if isinstance(exc, ValueError) else "it is no longer in the list"
            self._window.statusBar().showMessage(f"The job was not moved: {reason}", 10000)

    def on_event(self, event: JobEvent) -> None:
        """Follow a runner event: a waiting job moved in line (the rows follow the runner's
        order), or the open dialog's job left the queue (Save says why it is unavailable)."""
        runner = self._runner_of()
        job = event.job
        if event.kind is JobEventKind.POSITION and job.state is JobState.WAITING and runner:
            self._window.jobs_model.set_queue_order([j.id for j in runner.jobs()])
        dialog = self.dialog
        if dialog is None or job.id != dialog.job.id:
            return
        if event.kind is JobEventKind.REMOVED:
            dialog.set_locked(_REMOVED)
        elif event.kind is JobEventKind.EDITED and not dialog.is_saving():
            dialog.changed_elsewhere()
        elif job.state is not JobState.WAITING:
            refusal = edit_refusal(job.state)
            dialog.set_locked(f"This job can no longer be edited. {refusal}")

    # ---- the dialog -----------------------------------------------------------------------

    def _on_dialog_save(self, dialog: JobEditDialog, request: GenerationRequest) -> None:
        self._window.tasks.spawn(self._save(dialog, request), "Edit the job", dialog)

    async def _save(self, dialog: JobEditDialog, request: GenerationRequest) -> None:
        runner = self._runner_of()
        if runner is None:
            dialog.refused(["The engine is restarting; try again in a moment."])
            return
        try:
            await runner.edit(dialog.job.id, request)
        except InvalidInputError as exc:  # the same checks as a new job, or a spending cap
            dialog.refused([p.message for p in exc.problems])
            return
        except KeyError:
            dialog.refused([_REMOVED])
            return
        except ValueError as exc:  # sent meanwhile: the runner says why
            dialog.refused([str(exc)])
            return
        dialog.saved()
        self._window.statusBar().showMessage(EDITED_MESSAGE, 6000)

    def _on_dialog_finished(self, dialog: JobEditDialog) -> None:
        if self.dialog is dialog:
            self.dialog = None
