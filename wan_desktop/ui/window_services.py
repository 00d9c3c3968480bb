"""What the main window needs from the services it drives, as types.

``app.Services`` is the real implementation; tests hand the window small fakes that satisfy
the same protocols. Nothing here is imported at run time beyond ``typing``: the window paints
before the job runner, the library or asyncio are loaded.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from ..core.budget import BudgetRefusal, Caps
    from ..core.paths import AppPaths
    from ..core.request import GenerationRequest
    from ..core.secrets import KeyStore
    from ..core.settings import Settings
    from ..core.settings_store import SettingsStore
    from ..core.variants import Variant
    from ..jobs.model import JobEvent, JobSnapshot

__all__ = ["JobQueue", "LibraryReader", "WindowServices"]


class JobQueue(Protocol):
    """The job runner as the window uses it (``jobs.runner.JobRunner``); loop thread."""

    concurrency: int

    def jobs(self) -> list[JobSnapshot]: ...

    def subscribe(self, listener: Callable[[JobEvent], None]) -> Callable[[], None]: ...

    async def enqueue(
        self,
        request: GenerationRequest,
        *,
        parent_id: str | None = None,
        group_id: str | None = None,
        variant: str = "",
    ) -> JobSnapshot: ...

    async def enqueue_group(
        self,
        variants: list[Variant],
        *,
        parent_id: str | None = None,
        group_id: str | None = None,
    ) -> list[JobSnapshot]:
        """The takes of one click as one take group (all or none)."""
        ...

    def budget_refusal(self, price_usd: float, *, takes: int = 1) -> BudgetRefusal | None:
        """Why the spending caps would refuse this price now (``None``: it fits)."""
        ...

    def set_caps(self, caps: Caps) -> None:
        """Check submissions from now on against ``caps``."""

    async def cancel(self, job_id: str) -> JobSnapshot: ...

    async def retry(self, job_id: str, *, new_seed: bool = False) -> JobSnapshot: ...

    def remove(self, job_id: str) -> None: ...

    async def edit(self, job_id: str, request: GenerationRequest) -> JobSnapshot:
        """Change a job still waiting in the local queue (refused once it is being sent)."""
        ...

    def move(self, job_id: str, index: int) -> None:
        """Move a waiting job to ``index`` among the other waiting jobs."""

    def spent_today_usd(self) -> float: ...

    def set_limits(self, *, start_timeout_s: float | None, upload_expiry_s: int | None) -> None:
        """The start deadline and upload lifetime (seconds) for jobs sent from now on."""


class LibraryReader(Protocol):
    """The library as the window reads it (``library.Library``); call in an executor."""

    def get(self, entry_id: str) -> Any: ...

    def stats(self) -> dict[str, Any]: ...


class WindowServices(Protocol):
    """The services the window drives (``app.Services``). ``library`` and ``runner`` are
    ``None`` until started; ``offline`` when the runner uses the offline engine; ``has_key``
    when a fal key was found. ``store`` is the only writer of settings and window state."""

    paths: AppPaths
    store: SettingsStore
    key_store: KeyStore
    library: LibraryReader | None
    runner: JobQueue | None
    offline: bool
    has_key: bool

    @property
    def settings(self) -> Settings: ...

    async def reconfigure(self, key_changed: bool) -> None:
        """Restart the engine with the stored settings (a new key, backend or queue URL)."""
        ...
