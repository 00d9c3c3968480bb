"""Small fakes of the services, implementing the documented interfaces (docs/interfaces.md)."""

from __future__ import annotations

import dataclasses
import itertools
import time
from typing import Any

from wan_desktop.core.request import GenerationRequest
from wan_desktop.jobs.model import JobEvent, JobSnapshot, JobState

_ids = itertools.count(1)


class FakeRunner:
    """A JobRunner stand-in: keeps snapshots, reports events; tests move jobs along."""

    def __init__(self) -> None:
        self._jobs: dict[str, JobSnapshot] = {}
        self._listeners: list = []
        self.concurrency = 2
        self.enqueued: list[GenerationRequest] = []
        self.cancelled: list[str] = []
        self.retried: list[str] = []
        #: What the spending caps say (tests set a ``BudgetRefusal``); ``None``: it fits.
        self.refusal = None
        self.caps = None

    def jobs(self) -> list[JobSnapshot]:
        return list(self._jobs.values())

    def spent_today_usd(self) -> float:
        """Like the runner: fal jobs done (the fakes are all of today)."""
        return sum(
            j.cost_usd or 0.0
            for j in self.jobs()
            if j.state is JobState.DONE and j.backend != "offline"
        )

    def subscribe(self, listener):
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener)

    def _emit(self, job: JobSnapshot, kind: str) -> None:
        for listener in list(self._listeners):
            listener(JobEvent(job, kind))

    def add(self, request: GenerationRequest, **changes: Any) -> JobSnapshot:
        job = JobSnapshot(
            id=f"job{next(_ids)}",
            state=JobState.PREPARING,
            request=request,
            created_at=time.time(),
            input_image_path=request.image,
        )
        job = dataclasses.replace(job, **changes)
        self._jobs[job.id] = job
        self._emit(job, "added")
        return job

    def update(self, job_id: str, kind: str = "state", **changes: Any) -> JobSnapshot:
        job = dataclasses.replace(self._jobs[job_id], **changes)
        self._jobs[job_id] = job
        self._emit(job, kind)
        return job

    async def enqueue(
        self,
        request: GenerationRequest,
        *,
        parent_id: str | None = None,
        group_id: str | None = None,
        variant: str = "",
    ) -> JobSnapshot:
        request.raise_if_invalid()
        self._check_budget()
        self.enqueued.append(request)
        return self.add(request, parent_id=parent_id, group_id=group_id, variant=variant)

    async def enqueue_group(self, takes, *, parent_id=None, group_id=None) -> list[JobSnapshot]:
        """Like the runner: every take checked first, then all queued under one group id."""
        for take in takes:
            take.request.raise_if_invalid()
        self._check_budget()
        group_id = group_id or f"g-fake{next(_ids):04d}"
        jobs = []
        for take in takes:
            self.enqueued.append(take.request)
            jobs.append(
                self.add(take.request, parent_id=parent_id, group_id=group_id, variant=take.label)
            )
        return jobs

    def budget_refusal(self, price_usd: float, *, takes: int = 1):
        return self.refusal

    def set_caps(self, caps) -> None:
        self.caps = caps

    def _check_budget(self) -> None:
        if self.refusal is not None:
            from wan_desktop.core.budget import BudgetExceededError

            raise BudgetExceededError(self.refusal)

    async def cancel(self, job_id: str) -> JobSnapshot:
        self.cancelled.append(job_id)
        return self.update(job_id, state=JobState.CANCELLED)

    async def retry(self, job_id: str, *, new_seed: bool = False) -> JobSnapshot:
        self.retried.append(job_id)
        return self.add(self._jobs[job_id].request)

    def remove(self, job_id: str) -> None:
        job = self._jobs.pop(job_id)
        self._emit(job, "removed")


@dataclasses.dataclass
class FakeEntry:
    id: str
    video_path: str
    request: GenerationRequest
    seed: int


class FakeLibrary:
    def __init__(self) -> None:
        self.entries: dict[str, FakeEntry] = {}

    def get(self, entry_id: str) -> FakeEntry:
        return self.entries[entry_id]

    def stats(self) -> dict[str, int]:
        return {"entries": len(self.entries), "trashed": 0, "bytes": 0}


class FakeServices:
    """What MainWindow needs (``ui.window_services.WindowServices``): paths, the settings store,
    the key store, a runner, a library, offline. ``store`` defaults to one that says the
    welcome was shown; ``settings`` / ``window_state`` replace its contents."""

    def __init__(
        self,
        paths,
        *,
        runner=None,
        offline: bool = True,
        settings=None,
        window_state=None,
        store=None,
    ) -> None:
        from wan_desktop.core.secrets import KeyStore
        from wan_desktop.core.settings_store import SettingsStore
        from wan_desktop.core.window_state import WindowState

        self.paths = paths
        self.store = store or SettingsStore(
            paths, settings, window_state or WindowState(first_run_done=True)
        )
        self.key_store = KeyStore(paths, environ={})
        self.runner = runner if runner is not None else FakeRunner()
        self.library = FakeLibrary()
        self.offline = offline
        self.has_key = False
        self.reconfigured: list[tuple[Any, bool]] = []

    @property
    def settings(self):
        return self.store.settings

    async def reconfigure(self, key_changed: bool) -> None:
        self.reconfigured.append((self.store.settings, key_changed))
