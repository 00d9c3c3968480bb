"""Queueing one generation, as a plain service: the window's Generate slot awaits it, and tests
drive it without widgets.

It finds the job's parent (a continuation from a library entry's last frame), hands the request
to the runner, and remembers the prompt among the recent ones. What the window shows about it
(refusals at their field, the status line) comes back as a :class:`QueueOutcome`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..core.problems import InvalidInputError, Problem

if TYPE_CHECKING:
    from ..core.request import GenerationRequest
    from ..core.settings_store import SettingsStore
    from ..jobs.model import JobSnapshot
    from .window_services import JobQueue

__all__ = ["GenerateFlow", "QueueOutcome"]

NOT_READY = "The engine is still starting; try again in a moment."
QUEUED = "Queued. You can compose the next one."


@dataclass(frozen=True, slots=True)
class QueueOutcome:
    """``job`` when queued; else ``problems`` (refusals by field) and ``message`` say why."""

    job: JobSnapshot | None
    message: str
    problems: tuple[Problem, ...] = ()

    @property
    def queued(self) -> bool:
        return self.job is not None


class GenerateFlow:
    """Generate → parent lookup → ``runner.enqueue`` → recent prompts; on the loop thread.

    ``runner`` is set once the engine runs (``None`` before). ``parent_for(request)`` names the
    entry a job continues (``LibraryActions.parent_for``), ``None`` for a fresh one.
    ``persist()`` is called after the recent prompts changed in ``store`` (the window saves
    the store in a worker thread).
    """

    def __init__(
        self,
        store: SettingsStore,
        *,
        persist: Callable[[], None] = lambda: None,
    ) -> None:
        self.store = store
        self.runner: JobQueue | None = None
        self.parent_for: Callable[[GenerationRequest], str | None] = lambda _request: None
        self.persist = persist

    async def enqueue(self, request: GenerationRequest) -> QueueOutcome:
        """Queue ``request``; a refusal before anything was sent comes back as problems."""
        if self.runner is None:
            return QueueOutcome(None, NOT_READY)
        parent_id = self.parent_for(request)
        try:
            if parent_id is not None:
                job = await self.runner.enqueue(request, parent_id=parent_id)
            else:
                job = await self.runner.enqueue(request)
        except InvalidInputError as exc:
            return QueueOutcome(None, str(exc), tuple(exc.problems))
        self.store.remember_prompt(request.prompt)
        self.persist()
        return QueueOutcome(job, QUEUED)

    def recent_prompts(self) -> list[str]:
        """The recent prompts, newest first."""
        return list(self.store.window.recent_prompts)
