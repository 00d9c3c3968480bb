"""The main window's part that queues jobs (GUI thread): the runner it drives
(:meth:`~WindowGenerateMixin.attach_runner`, made by the app once the engine runs), the
composer's Generate turned into a queued job or take group through
:class:`~.generate_flow.GenerateFlow` (made on first use: not needed for the first paint),
refusals shown on the composer's fields, and the settings store written in a worker. Apart
from ``main_window``, which builds the frame and the panes and docks the library."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .async_bridge import run_blocking

if TYPE_CHECKING:
    from ..core.request import GenerationRequest
    from ..core.variants import VariantPlan
    from ..jobs.model import JobSnapshot
    from .generate_flow import GenerateFlow
    from .main_window import MainWindow
    from .window_services import JobQueue

    _WindowBase = MainWindow
else:
    _WindowBase = object  # a plain class, placed before QMainWindow in the window's bases

__all__ = ["WindowGenerateMixin"]


class WindowGenerateMixin(_WindowBase):
    """The runner, Generate and the settings store's save, for :class:`~.main_window.MainWindow`."""

    @property
    def generate_flow(self) -> GenerateFlow:
        """Queueing a job (:class:`~.generate_flow.GenerateFlow`), made on first use: its
        module and records are not needed for the first paint."""
        if self._generate_flow is None:
            from .generate_flow import GenerateFlow

            self._generate_flow = GenerateFlow(
                self.services.store, persist=lambda: self.save_store("Save recent prompts")
            )
        return self._generate_flow

    @property
    def runner(self) -> JobQueue | None:
        """The job runner the window drives (``None`` until the engine runs)."""
        return self.generate_flow.runner

    def update_budget(self) -> None:
        """Ask again whether a click now would pass a spending cap (the caps changed)."""
        if self._panes is not None:
            self._panes.jobs.update_budget()

    # ---- runner -----------------------------------------------------------------------------

    def attach_runner(self, runner: JobQueue, offline: bool) -> None:
        """Drive ``runner`` (a ``JobRunner``); ``offline`` when it runs on the offline engine."""
        self.generate_flow.runner = runner
        self._offline = offline
        self._built().jobs.attach(runner)
        if self.library_actions is not None:
            self.library_actions.attach_runner(runner)
        if offline or self._banner is not None:
            self.banner.setVisible(offline)
        self.composer.set_offline(offline)
        self.engine_label.setText(
            "Offline engine (not the AI model)" if offline else "fal · Wan 2.6"
        )
        self.composer.set_ready(None)
        # Qt Multimedia starts now that the window is up, not when the first result arrives.
        _ = self.player.engine

    def set_engine_problem(self, message: str) -> None:
        """The engine could not start: say why and keep Generate off."""
        self.engine_label.setText("Engine unavailable")
        self.composer.set_ready(message)
        self.statusBar().showMessage(message)

    # ---- generate ---------------------------------------------------------------------------

    def _on_composer_draft_replaced(self) -> None:
        self.show_notice("Settings reused", "Restore draft", self.composer.restore_draft)

    def _on_composer_generate_requested(self, request: GenerationRequest) -> None:
        # The job's thumbnail is made from the drop zone's preview, not the file decoded again.
        drop_zone = self.composer.drop_zone
        preview = drop_zone.preview_image()
        if preview is not None and drop_zone.source() == request.image:
            self.jobs_model.adopt_picture(request.image, preview)
        plan = self.composer.variant_plan()
        self.last_enqueue_task = self.tasks.spawn(self.enqueue(request, plan), "Queue the video")

    def _on_composer_price_changed(self, _usd: float) -> None:
        self.update_budget()

    async def enqueue(
        self, request: GenerationRequest, plan: VariantPlan | None = None
    ) -> JobSnapshot | None:
        """Queue ``request``, or the takes of ``plan`` as one group (:class:`GenerateFlow`);
        the composer stays ready for the next. Returns the (first) queued job."""
        if self.runner is not None:
            self.composer.clear_refusals()
        outcome = await self.generate_flow.enqueue(request, plan)
        for problem in outcome.problems:
            self.composer.mark_refusal(problem.field, problem.message)
        if outcome.refusal is not None:
            self.composer.set_budget_state(outcome.refusal)
        if outcome.job is None:
            self.statusBar().showMessage(outcome.message, 10000 if outcome.problems else 5000)
            return None
        self.composer.after_enqueue()
        self.jobs_panel.select_job(outcome.job.id)
        self.composer.set_recent_prompts(self.generate_flow.recent_prompts())
        self.statusBar().showMessage(outcome.message, 5000)
        return outcome.job

    def save_store(self, what: str) -> None:
        """Write the settings store in a worker thread (``what`` names it if it fails)."""
        self.tasks.spawn(run_blocking(self.services.store.save), what)
