"""Queueing one click of Generate, as a plain service: the window's Generate slot awaits it,
and tests drive it without widgets.

It finds the job's parent (a continuation from a library entry's last frame), expands the
click's variants into takes (``core.variants``), hands the single job or the take group to the
runner, and remembers the prompt among the recent ones. What the window shows about it
(refusals at their field, a spending cap passed, the status line) comes back as a
:class:`QueueOutcome`. :meth:`GenerateFlow.budget_refusal` answers, before the click, whether
the caps would refuse what a click would cost.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..core.problems import InvalidInputError, Problem

if TYPE_CHECKING:
    from ..core.budget import BudgetRefusal
    from ..core.request import GenerationRequest
    from ..core.settings_store import SettingsStore
    from ..core.variants import Variant, VariantPlan
    from ..jobs.model import JobSnapshot
    from .window_services import JobQueue

__all__ = ["GenerateFlow", "QueueOutcome"]

NOT_READY = "The engine is still starting; try again in a moment."
QUEUED = "Queued. You can compose the next one."


@dataclass(frozen=True, slots=True)
class QueueOutcome:
    """``jobs`` when queued (one, or the takes of a group in queue order; ``job`` is the
    first); else ``problems`` (refusals by field) and ``message`` say why, and ``refusal``
    when a spending cap refused it."""

    jobs: tuple[JobSnapshot, ...]
    message: str
    problems: tuple[Problem, ...] = ()
    refusal: BudgetRefusal | None = None

    @property
    def job(self) -> JobSnapshot | None:
        """The (first) queued job, ``None`` when nothing was queued."""
        return self.jobs[0] if self.jobs else None

    @property
    def queued(self) -> bool:
        return bool(self.jobs)


class GenerateFlow:
    """Generate → parent lookup → variants → ``runner.enqueue`` / ``enqueue_group`` → recent
    prompts; on the loop thread.

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

    async def enqueue(
        self, request: GenerationRequest, plan: VariantPlan | None = None
    ) -> QueueOutcome:
        """Queue ``request``, or the takes ``plan`` makes of it as one take group (all or
        none); a refusal before anything was sent comes back as problems."""
        from ..core.budget import BudgetExceededError

        if self.runner is None:
            return QueueOutcome((), NOT_READY)
        parent_id = self.parent_for(request)
        try:
            takes = _takes(request, plan)
            if takes is not None:
                jobs = tuple(await self.runner.enqueue_group(takes, parent_id=parent_id))
            elif parent_id is not None:
                jobs = (await self.runner.enqueue(request, parent_id=parent_id),)
            else:
                jobs = (await self.runner.enqueue(request),)
        except BudgetExceededError as exc:
            return QueueOutcome((), str(exc), tuple(exc.problems), exc.refusal)
        except InvalidInputError as exc:
            return QueueOutcome((), str(exc), tuple(exc.problems))
        self.store.remember_prompt(request.prompt)
        self.persist()
        if len(jobs) > 1:
            return QueueOutcome(jobs, f"Queued {len(jobs)} takes as one group. {_NEXT}")
        return QueueOutcome(jobs, QUEUED)

    def budget_refusal(self, charge_usd: float, takes: int) -> BudgetRefusal | None:
        """Why the spending caps would refuse a click billed ``charge_usd`` for ``takes``
        jobs (counting what is queued), ``None`` when it fits or the engine is not running.
        A small query of the spend ledger."""
        if self.runner is None:
            return None
        return self.runner.budget_refusal(charge_usd, takes=takes)

    def recent_prompts(self) -> list[str]:
        """The recent prompts, newest first."""
        return list(self.store.window.recent_prompts)


_NEXT = "You can compose the next one."


def _takes(request: GenerationRequest, plan: VariantPlan | None) -> list[Variant] | None:
    """The takes of a group, or ``None`` for a lone job (no plan, or one seed)."""
    if plan is None:
        return None
    from ..core.variants import expand, take_count

    if plan.mode == "seeds" and take_count(plan) <= 1:
        return None
    return expand(request, plan)
