"""How often a job tells its listeners about download progress: at most about ten times a
second, and always the end.

A download on a fast link calls back for every chunk it writes (hundreds a second). Each
report the gate lets through becomes a job event, which the window turns into a model update
and a repaint of the jobs list on its GUI thread (about 2 ms each): at 90 a second that was a
third of the GUI thread. Ten a second still moves the bar smoothly.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable

__all__ = ["PROGRESS_REPORTS_PER_S", "ProgressGate"]

#: The most progress reports a job makes a second (the last one, 100 %, always goes out).
PROGRESS_REPORTS_PER_S = 10.0
#: A change smaller than this (a fraction of the file) is not worth a report.
_MIN_STEP = 0.01


class ProgressGate:
    """Decides which ``(done, total)`` callbacks of one download become progress reports.

    :meth:`admit` returns the fraction (0.0–1.0) to report, or ``None`` to stay quiet. A report
    goes out when the fraction moved by at least 1 % and at least ``1 / per_second`` seconds
    passed since the previous one; the first report and the first one at 100 % always go out.
    ``clock`` is a monotonic clock in seconds (tests pass their own). Loop thread, one gate per
    download.
    """

    def __init__(
        self,
        *,
        per_second: float = PROGRESS_REPORTS_PER_S,
        clock: Callable[[], float] = time.monotonic,
    ):
        if per_second <= 0:
            raise ValueError(f"per_second must be above 0, got {per_second}")
        self._interval_s = 1.0 / per_second
        self._clock = clock
        self._last_fraction: float | None = None
        self._last_at = -math.inf

    def admit(self, done: int, total: int | None) -> float | None:
        """The fraction to report for ``done`` of ``total`` bytes now, or ``None``."""
        if not total:
            return None  # the size is unknown: there is no fraction to show
        fraction = min(1.0, max(0.0, done / total))
        last = self._last_fraction
        if fraction >= 1.0:
            if last == 1.0:
                return None  # the end was already told
            return self._passed(fraction, self._clock())
        if last is not None and abs(fraction - last) < _MIN_STEP:
            return None
        now = self._clock()
        if now - self._last_at < self._interval_s:
            return None
        return self._passed(fraction, now)

    def _passed(self, fraction: float, now: float) -> float:
        self._last_fraction = fraction
        self._last_at = now
        return fraction
