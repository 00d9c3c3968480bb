"""The window's link to the job runner: the runner's events into the jobs pane, the pane's
requests (cancel, retry, remove, play; edit and move through :mod:`.job_edit_flow`) to the
runner, and each finished video to the player with a notification.

A finished video never takes over the player while the user watches or has paused another
clip: it plays at once only in an idle player (nothing loaded, or the clip ended), else the
player offers it ("New video ready – Play"). The ``video_ready`` preference ``play`` restores
playing every finished video at once.

It uses only public methods of the window's panes; the runner arrives once the engine runs
(:meth:`JobsLink.attach`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QApplication

from ..core.text import excerpt
from .async_bridge import run_blocking
from .job_edit_flow import JobEditFlow

if TYPE_CHECKING:
    from ..jobs.model import JobEvent
    from .jobs_panel import JobsPanel
    from .main_window import MainWindow
    from .window_services import JobQueue

__all__ = ["JobsLink"]


class JobsLink:
    """Connects ``window``'s jobs pane (``panel``), composer and player to a runner. GUI thread
    (the loop's). ``last_played_job`` is the job whose video the player last got."""

    def __init__(self, window: MainWindow, panel: JobsPanel) -> None:
        self._window = window
        self.runner: JobQueue | None = None
        self.last_played_job: str | None = None
        self._unsubscribe = None
        self._tray = None  # a QSystemTrayIcon, made for the first notification
        panel.cancelRequested.connect(self._on_jobs_panel_cancel_requested)
        panel.retryRequested.connect(self._on_jobs_panel_retry_requested)
        panel.removeRequested.connect(self._on_jobs_panel_remove_requested)
        panel.playRequested.connect(self._on_jobs_panel_play_requested)
        self.edits = JobEditFlow(window, lambda: self.runner)
        panel.editRequested.connect(self.edits.open)
        panel.moveRequested.connect(self.edits.move)

    def attach(self, runner: JobQueue) -> None:
        """Show ``runner``'s jobs and hear its events (instead of the previous runner's)."""
        self.detach()
        self.runner = runner
        model = self._window.jobs_model
        model.set_jobs(list(runner.jobs()))
        model.set_library(self._window.services.library)
        self._unsubscribe = runner.subscribe(self._on_runner_event)
        self.update_today_total()

    def detach(self) -> None:
        """Stop hearing the runner's events (the window closes, or another runner comes)."""
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None

    def update_today_total(self) -> None:
        """Today's spend on fal, in the composer's price line, and whether a click now would
        pass a spending cap."""
        if self.runner is not None:
            self._window.composer.set_today_total(self.runner.spent_today_usd())
        self.update_budget()

    def update_budget(self) -> None:
        """Tell the composer whether the caps would refuse what a click costs now (its
        Generate button then says why), counting the spend and what is queued."""
        from ..core.variants import take_count

        composer = self._window.composer
        takes = max(1, take_count(composer.variant_plan()))
        refusal = self._window.generate_flow.budget_refusal(composer.charge_usd(), takes)
        composer.set_budget_state(refusal)

    def _on_runner_event(self, event: JobEvent) -> None:
        from ..jobs.model import JobState

        window = self._window
        window.jobs_model.apply_event(event)
        self.edits.on_event(event)
        job = event.job
        if event.kind in ("added", "removed", "edited"):
            self.update_budget()  # what is queued counts against the caps
        if event.kind != "state":
            return
        if job.state is JobState.DONE:
            self.update_today_total()
            shown = self.show_result(job.id, job.entry_id, finished=True)
            window.tasks.spawn(shown, "Show the new video", window)
        elif job.state.is_final:
            self.update_budget()  # failed or cancelled: no longer queued, never billed
        if job.state is JobState.FAILED:
            message = job.error or "The job failed."
            if job.error_field:
                window.composer.mark_refusal(job.error_field, message)
            window.statusBar().showMessage(f"Failed: {message}", 15000)

    async def show_result(
        self, job_id: str, entry_id: str | None, *, finished: bool = False
    ) -> None:
        """Play the job's video (library entry ``entry_id``), offer its seed, announce it.
        ``finished``: the job just finished (nobody asked to play it), so a busy player only
        offers it, unless the preference says to play it now."""
        window = self._window
        library = window.services.library
        if entry_id is None or library is None:
            return
        entry = await run_blocking(library.get, entry_id)
        prompt = excerpt(entry.request.prompt)
        title = f"{prompt} · seed {entry.seed}"
        player = window.player
        play_now = window.services.settings.video_ready == "play" or player.is_idle()
        if play_now or not finished:
            self.last_played_job = job_id
            player.load(str(entry.video_path), title=title)
        else:
            player.offer_new_video(str(entry.video_path), title)
        window.composer.offer_seed(entry.seed)
        self._notify("Your video is ready", prompt)

    def _notify(self, title: str, text: str) -> None:
        from PySide6.QtWidgets import QSystemTrayIcon

        window = self._window
        if QSystemTrayIcon.isSystemTrayAvailable() and QSystemTrayIcon.supportsMessages():
            if self._tray is None:
                self._tray = QSystemTrayIcon(window.windowIcon(), window)
                self._tray.show()
            self._tray.showMessage(title, text, QSystemTrayIcon.MessageIcon.Information, 5000)
        window.statusBar().showMessage(f"{title}: {text}", 10000)
        if window.services.settings.notify_sound:
            QApplication.beep()

    def _on_jobs_panel_cancel_requested(self, job_id: str) -> None:
        if self.runner is not None:
            self._window.tasks.spawn(self.runner.cancel(job_id), "Cancel the job")

    def _on_jobs_panel_retry_requested(self, job_id: str) -> None:
        if self.runner is not None:
            self._window.tasks.spawn(self.runner.retry(job_id), "Retry the job")

    def _on_jobs_panel_remove_requested(self, job_id: str) -> None:
        if self.runner is not None:
            self.runner.remove(job_id)

    def _on_jobs_panel_play_requested(self, job_id: str) -> None:
        job = self._window.jobs_model.job(job_id)
        if job is not None and job.entry_id:
            coro = self.show_result(job_id, job.entry_id)
            self._window.tasks.spawn(coro, "Play the video", self._window)
