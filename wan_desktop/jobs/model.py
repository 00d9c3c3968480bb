"""Job states, snapshots and events: the plain data the runner reports upward."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

from ..core.request import GenerationRequest

__all__ = ["JobEvent", "JobEventKind", "JobSnapshot", "JobState"]


class JobState(enum.StrEnum):
    """Where a job is. The order of the members is the normal order of a job's life."""

    PREPARING = "preparing"  # inputs being checked and converted
    WAITING = "waiting"  # prepared, waiting locally for a free slot (concurrency limit)
    SUBMITTING = "submitting"  # the submit request is on its way
    QUEUED = "queued"  # accepted by the service, waiting in its queue (position known)
    RUNNING = "running"  # the service is generating
    DOWNLOADING = "downloading"  # fetching the video
    DONE = "done"
    FAILED = "failed"
    CANCELLED = "cancelled"

    @property
    def is_final(self) -> bool:
        """Done, failed or cancelled: nothing more will happen by itself."""
        return self in (JobState.DONE, JobState.FAILED, JobState.CANCELLED)

    @property
    def is_submitted(self) -> bool:
        """The service knows the request (it counts against the concurrency limit)."""
        return self in (JobState.QUEUED, JobState.RUNNING, JobState.DOWNLOADING)

    @property
    def is_active(self) -> bool:
        """Holding a slot: submitting, queued, running or downloading."""
        return self is JobState.SUBMITTING or self.is_submitted

    @property
    def label(self) -> str:
        """A word for people."""
        return self.value.capitalize()


@dataclass(frozen=True, slots=True)
class JobSnapshot:
    """A job as it is at one moment. Times are epoch seconds; durations in seconds.

    ``progress`` is 0..1 while downloading (``None`` when unknown). ``error_field`` is the API
    input a refusal names (``prompt``...), so the window can mark that field. ``retryable``
    says whether Retry may help; ``resumable`` that Retry picks the same request up again
    (the service has it) instead of sending a new one. ``notes`` are sentences about the
    inputs (conversions, audio cut) or about what happened (cancellation outcome).
    """

    id: str
    state: JobState
    request: GenerationRequest
    created_at: float
    backend: str = "fal"
    started_at: float | None = None
    finished_at: float | None = None
    queue_position: int | None = None
    logs: tuple[str, ...] = ()
    progress: float | None = None
    elapsed_s: float = 0.0
    eta_s: float | None = None
    error: str | None = None
    error_field: str | None = None
    retryable: bool = False
    resumable: bool = False
    entry_id: str | None = None
    request_id: str | None = None
    parent_id: str | None = None
    group_id: str | None = None  # the take group (variants queued by one click share it)
    variant: str = ""  # the take's label in its group ("seed 1234")
    cost_usd: float | None = None
    seed: int | None = None  # the seed used once the service said, else the one asked for
    input_image_path: str | None = None
    notes: tuple[str, ...] = field(default_factory=tuple)
    #: Failed while its submit was in flight: the service may have the request (and bill it).
    #: Stays True until the user retries or removes it.
    needs_attention: bool = False


class JobEventKind(enum.StrEnum):
    """What a :class:`JobEvent` reports. A ``str`` enum: ``kind == "state"`` holds too."""

    ADDED = "added"
    STATE = "state"  # the state changed, or a note was added (cancellation outcome)
    POSITION = "position"  # the place in the service's queue, or in the local queue
    LOG = "log"  # a new log line from the service (``JobEvent.line``)
    PROGRESS = "progress"  # download progress
    REMOVED = "removed"
    #: The request of a job waiting in the local queue was changed (``JobRunner.edit``).
    EDITED = "edited"
    #: Once, after the ``state`` event that made the job done, failed or cancelled: the hook
    #: for notifications.
    FINISHED = "finished"


@dataclass(frozen=True, slots=True)
class JobEvent:
    """Something happened to a job (see :class:`JobEventKind`)."""

    job: JobSnapshot
    kind: JobEventKind
    line: str | None = None  # the new log line, for kind == "log"
