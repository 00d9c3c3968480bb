"""How long a submitted job still needs: the median time of similar finished jobs."""

from __future__ import annotations

import statistics
from collections.abc import Iterable

from .model import JobState
from .store import JobRecord

__all__ = ["SIMILAR_JOBS_KEPT", "eta_s"]

#: How many of the latest similar jobs the estimate looks at.
SIMILAR_JOBS_KEPT = 10


def eta_s(rec: JobRecord, records: Iterable[JobRecord], now: float) -> float | None:
    """Seconds until ``rec`` is likely done (``None`` when unknown or not submitted).

    Similar means the same resolution and duration; a job's time is from its submit to its
    finish. ``now`` is epoch seconds. Pure: any thread.
    """
    if rec.state.is_final or rec.submitted_at is None:
        return None
    similar = [
        r.finished_at - r.submitted_at
        for r in records
        if r.state is JobState.DONE
        and r.submitted_at is not None
        and r.finished_at is not None
        and r.request.resolution == rec.request.resolution
        and r.request.duration == rec.request.duration
    ][-SIMILAR_JOBS_KEPT:]
    if not similar:
        return None
    return max(0.0, statistics.median(similar) - (now - rec.submitted_at))
