"""Where a job stands, in words and in order: running or waiting, its place in line, the
panel's summary, and the sort that keeps active jobs at the top. Pure functions; GUI thread.

A job *runs* once the service generates it (or its video downloads). Before that it *waits*:
its inputs are being prepared, it waits locally for a free slot, its submit is on its way, or
it sits in the service's queue.
"""

from __future__ import annotations

from collections.abc import Iterable

from ..jobs.model import JobSnapshot, JobState
from .formats import ordinal

__all__ = ["RUNNING_STATES", "is_waiting", "place_text", "sort_key", "summary_text"]

#: States in which the service is working on the job for us.
RUNNING_STATES = frozenset({JobState.RUNNING, JobState.DOWNLOADING})


def is_waiting(state: JobState) -> bool:
    """Not finished and not running yet (preparing, waiting, submitting, queued)."""
    return not state.is_final and state not in RUNNING_STATES


def sort_key(job: JobSnapshot, sequence: int) -> tuple[int, float]:
    """Running jobs first, then the waiting ones, both in queue order (``sequence``: the
    job's place in the runner's queue, lower first), then the finished ones, newest first."""
    if job.state in RUNNING_STATES:
        return (0, float(sequence))
    if not job.state.is_final:
        return (1, float(sequence))
    return (2, -(job.finished_at or job.created_at))


def place_text(job: JobSnapshot, local_place: int | None) -> str:
    """``3rd in line`` (``local_place``: 1-based among the jobs waiting for a slot), the
    service's queue position (``3rd in the service's queue``), or empty for other states."""
    if job.state is JobState.WAITING and local_place is not None:
        return f"{ordinal(local_place)} in line"
    if job.state is JobState.PREPARING:
        return "Preparing the inputs"
    if job.state is JobState.SUBMITTING:
        return "Sending to the service"
    if job.state is JobState.QUEUED:
        if job.queue_position is None:
            return "In the service's queue"
        return f"{ordinal(job.queue_position + 1)} in the service's queue"
    return ""


def summary_text(jobs: Iterable[JobSnapshot]) -> str:
    """``1 running · 3 waiting · 1 done · 1 failed`` (the parts that are not zero)."""
    counts = {"running": 0, "waiting": 0, "done": 0, "failed": 0}
    for job in jobs:
        if job.state in RUNNING_STATES:
            counts["running"] += 1
        elif is_waiting(job.state):
            counts["waiting"] += 1
        elif job.state is JobState.DONE:
            counts["done"] += 1
        elif job.state is JobState.FAILED:
            counts["failed"] += 1
    return " · ".join(f"{n} {word}" for word, n in counts.items() if n)
