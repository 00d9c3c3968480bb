"""Spending caps and the ledger of what fal billed.

The ledger is one SQLite file in the app's data folder (:func:`ledger_path`), shared by the
window and every ``wan-desktop`` process on the machine: SQLite's locking makes it safe across
processes, and each charge is keyed by fal's request id, so a result recorded twice (a resumed
job, two processes finishing the same request) counts once. Only results fal completed and
billed are recorded; failed and cancelled requests and the offline engine cost nothing.

"Today" and "this month" are the local calendar day and month of ``now``.

:func:`check` runs before anything is sent or prepared: it refuses a job (or a take group)
whose price, added to what was spent and what is already queued, would pass a cap, with a
message that shows the spend so far, the cap and the price. Qt-free; any thread (each call
opens its own connection).
"""

from __future__ import annotations

import contextlib
import math
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from .atomic import ensure_dir
from .paths import AppPaths
from .pricing import format_usd
from .problems import InvalidInputError, Problem

if TYPE_CHECKING:
    import sqlite3

__all__ = [
    "CAP_MAX_USD",
    "LEDGER_NAME",
    "BudgetExceededError",
    "BudgetRefusal",
    "Caps",
    "SpendLedger",
    "cap_problem",
    "check",
    "day_start",
    "ledger_path",
    "month_start",
]

#: The ledger's file name in the app's data folder.
LEDGER_NAME = "spend.sqlite3"
#: The largest cap the settings accept, in US dollars (past it, "no cap" is meant).
CAP_MAX_USD = 100_000.0
#: Amounts are compared with this slack, so $0.05 × 3 does not pass a $0.15 cap by rounding.
_EPSILON_USD = 1e-6
_BUSY_TIMEOUT_S = 10.0

_SCHEMA = """
CREATE TABLE IF NOT EXISTS charges (
    request_id TEXT PRIMARY KEY,
    amount_usd REAL NOT NULL,
    billed_ms INTEGER NOT NULL,
    job_id TEXT NOT NULL DEFAULT '',
    source TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS charges_by_time ON charges (billed_ms);
"""


def ledger_path(paths: AppPaths) -> Path:
    """Where the machine's spend ledger lives (the app's data folder, not the library: a
    moved or second library does not reset the spend)."""
    return paths.data / LEDGER_NAME


@dataclass(frozen=True, slots=True)
class Caps:
    """The spending caps in US dollars; ``None`` turns a cap off."""

    daily_usd: float | None = None
    monthly_usd: float | None = None

    @property
    def any(self) -> bool:
        """True when at least one cap is on."""
        return self.daily_usd is not None or self.monthly_usd is not None


def cap_problem(name: str, value: object) -> str | None:
    """The problem with a cap's value (``None`` when it is off or valid): a positive number
    of US dollars up to :data:`CAP_MAX_USD`. ``name`` is how the field is told to people."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return f"{name} must be an amount in US dollars (got {value!r})."
    if not 0 < value <= CAP_MAX_USD:
        return f"{name} must be more than $0 and at most {format_usd(CAP_MAX_USD)} (got {value})."
    return None


def day_start(now: datetime | None = None) -> float:
    """The local midnight that began the day of ``now``, in epoch seconds."""
    local = _local(now)
    return datetime(local.year, local.month, local.day).timestamp()


def month_start(now: datetime | None = None) -> float:
    """The local midnight that began the month of ``now``, in epoch seconds."""
    local = _local(now)
    return datetime(local.year, local.month, 1).timestamp()


def _day_end(now: datetime | None) -> float:
    local = _local(now)
    # Naive local datetimes: .timestamp() applies the offset of that very day (DST changes).
    return (datetime(local.year, local.month, local.day) + timedelta(days=1)).timestamp()


def _month_end(now: datetime | None) -> float:
    local = _local(now)
    year, month = (local.year + 1, 1) if local.month == 12 else (local.year, local.month + 1)
    return datetime(year, month, 1).timestamp()


def _local(now: datetime | None) -> datetime:
    return datetime.now().astimezone() if now is None else now.astimezone()


class SpendLedger:
    """What fal billed, one row per request id, in a SQLite file at ``path``.

    Safe to share between threads and processes: every call opens its own connection and
    writes in one transaction. The file and its folder are made on first use.
    """

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._ready = False

    @contextlib.contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        import sqlite3  # here: the settings import this module before the window's first paint

        if not self._ready:
            ensure_dir(self.path.parent, 0o700)
        connection = sqlite3.connect(self.path, timeout=_BUSY_TIMEOUT_S, isolation_level=None)
        try:
            if not self._ready:
                # WAL: a reader (the window's "today" figure) never waits for a writer.
                connection.execute("PRAGMA journal_mode=WAL")
                connection.executescript(_SCHEMA)
                self._ready = True
            yield connection
        finally:
            connection.close()

    def record(
        self,
        request_id: str,
        amount_usd: float,
        *,
        at: datetime | None = None,
        job_id: str = "",
        source: str = "",
    ) -> bool:
        """Record that fal billed ``amount_usd`` for ``request_id`` at ``at`` (default: now).
        Returns ``False`` when that request was already recorded (it is not counted twice).
        ``source`` says where the amount came from (``account``, ``bundled``)."""
        if not request_id:
            raise ValueError("a charge needs fal's request id")
        if not math.isfinite(amount_usd) or amount_usd < 0:
            raise ValueError(f"a charge must be a non-negative amount (got {amount_usd!r})")
        billed_ms = int((time.time() if at is None else at.timestamp()) * 1000)
        with self._connect() as db:
            cursor = db.execute(
                "INSERT OR IGNORE INTO charges (request_id, amount_usd, billed_ms, job_id, source)"
                " VALUES (?, ?, ?, ?, ?)",
                (request_id, float(amount_usd), billed_ms, job_id, source),
            )
            return cursor.rowcount == 1

    def has(self, request_id: str) -> bool:
        """True when ``request_id`` has been recorded."""
        with self._connect() as db:
            row = db.execute("SELECT 1 FROM charges WHERE request_id = ?", (request_id,))
            return row.fetchone() is not None

    def total_usd(self, since: float, until: float | None = None) -> float:
        """The sum billed from ``since`` (epoch seconds, included) to ``until`` (excluded;
        ``None``: no end), in US dollars. A ledger that does not exist yet has spent nothing."""
        if not self._ready and not self.path.exists():
            return 0.0
        end = 2**53 if until is None else until
        with self._connect() as db:
            (total,) = db.execute(
                "SELECT COALESCE(SUM(amount_usd), 0) FROM charges"
                " WHERE billed_ms >= ? AND billed_ms < ?",
                (int(since * 1000), int(end * 1000)),
            ).fetchone()
        return round(float(total), 6)

    def today_usd(self, now: datetime | None = None) -> float:
        """Billed on ``now``'s local calendar day (default: today)."""
        return self.total_usd(day_start(now), _day_end(now))

    def month_usd(self, now: datetime | None = None) -> float:
        """Billed in ``now``'s local calendar month (default: this month)."""
        return self.total_usd(month_start(now), _month_end(now))


@dataclass(frozen=True, slots=True)
class BudgetRefusal:
    """Why a submission was refused: the cap (``period`` ``daily`` or ``monthly``), what was
    spent in that period, what is queued and not yet billed, and the price asked for
    (US dollars). ``message`` says all of it in one sentence for people."""

    period: str
    cap_usd: float
    spent_usd: float
    pending_usd: float
    price_usd: float
    takes: int
    message: str


class BudgetExceededError(InvalidInputError):
    """A submission refused by a spending cap before anything was sent or prepared: an
    :class:`InvalidInputError` on the field ``budget`` (the command line exits 2 with its
    message), with the :class:`BudgetRefusal` as ``refusal``."""

    def __init__(self, refusal: BudgetRefusal):
        super().__init__(Problem("budget", refusal.message))
        self.refusal = refusal


def check(
    caps: Caps,
    ledger: SpendLedger | None,
    price_usd: float,
    *,
    pending_usd: float = 0.0,
    takes: int = 1,
    now: datetime | None = None,
) -> BudgetRefusal | None:
    """``None`` when a submission of ``price_usd`` fits both caps, else why not.

    ``pending_usd`` is what jobs already queued or running will cost once billed; ``takes``
    the number of jobs the price covers (a take group), for the message. A free submission
    (the offline engine) is never refused. ``ledger`` ``None``: nothing was spent.
    """
    if price_usd <= 0 or not caps.any:
        return None
    for period, cap in (("daily", caps.daily_usd), ("monthly", caps.monthly_usd)):
        if cap is None:
            continue
        spent = 0.0
        if ledger is not None:
            spent = ledger.today_usd(now) if period == "daily" else ledger.month_usd(now)
        if spent + pending_usd + price_usd > cap + _EPSILON_USD:
            message = _refusal_message(period, cap, spent, pending_usd, price_usd, takes)
            return BudgetRefusal(period, cap, spent, pending_usd, price_usd, takes, message)
    return None


def _refusal_message(
    period: str, cap: float, spent: float, pending: float, price: float, takes: int
) -> str:
    when = "today" if period == "daily" else "this month"
    queued = f" and {format_usd(pending)} queued" if pending > 0 else ""
    what = "this job costs" if takes == 1 else f"these {takes} takes cost"
    wait = "tomorrow" if period == "daily" else "next month"
    return (
        f"Over the {period} spending cap of {format_usd(cap)}: {format_usd(spent)} spent "
        f"{when}{queued}, and {what} {format_usd(price)}. "
        f"Raise the cap in Settings → Budget, or wait until {wait}."
    )
