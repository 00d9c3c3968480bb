"""What the queue's jobs cost, and whether one more submission fits the spending caps.

The runner asks here before it prepares a job, a take group or an edit, and the window asks
before the click (:meth:`JobSpending.refusal`). The money rules live together so that every
path applies the same ones: a job is priced by the resolved estimate (fal's for the account,
else the bundled table; half when silent); what counts against a cap is the machine's billed
spend (the ledger every process shares) plus the estimates of the jobs fal has not billed yet;
the offline engine is free and never refused; an edited job is counted at its new price, not
its old one as well. Loop-thread object: it reads the runner's records, it never changes them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from ..core.budget import BudgetExceededError, BudgetRefusal, Caps, SpendLedger, check
from ..core.pricing import Estimate, estimate
from ..core.request import GenerationRequest
from .model import JobState
from .store import JobRecord

__all__ = ["JobSpending", "price_of", "unbilled_usd"]

#: The states of a job fal has not billed yet (it bills a request when it completes it).
_UNBILLED = (
    JobState.PREPARING,
    JobState.WAITING,
    JobState.SUBMITTING,
    JobState.QUEUED,
    JobState.RUNNING,
)


def unbilled_usd(records: Iterable[JobRecord]) -> float:
    """What ``records`` not billed yet will cost once fal completes them (their estimates,
    US dollars): jobs preparing, waiting, sent or running on fal (the offline engine is
    free)."""
    total = sum(
        r.cost_usd or 0.0 for r in records if r.state in _UNBILLED and r.backend != "offline"
    )
    return round(total, 4)


def price_of(request: GenerationRequest) -> Estimate:
    """The estimate a job of ``request`` is queued with (resolved price, halved silent)."""
    return estimate(request.resolution, request.duration, generate_audio=request.generate_audio)


class JobSpending:
    """The caps and the spend ledger of one runner, checked against its ``records``.

    ``offline``: the runner's backend is the offline engine (nothing is ever refused).
    ``ledger`` ``None`` records and reads nothing (tests and benchmarks).
    """

    def __init__(
        self,
        records: Mapping[str, JobRecord],
        *,
        offline: bool,
        caps: Caps,
        ledger: SpendLedger | None,
    ):
        self._records = records
        self._offline = offline
        self.caps = caps
        self.ledger = ledger

    def spent_today_usd(self) -> float:
        """What fal billed today (local time), from the ledger; 0 without one."""
        return self.ledger.today_usd() if self.ledger is not None else 0.0

    def pending_usd(self, *, except_id: str | None = None) -> float:
        """The estimates of the jobs not billed yet (leaving out job ``except_id``)."""
        return unbilled_usd(r for r in self._records.values() if r.id != except_id)

    def refusal(
        self, price_usd: float, *, takes: int = 1, except_id: str | None = None
    ) -> BudgetRefusal | None:
        """Why a submission of ``price_usd`` (``takes`` jobs) would be refused, counting what
        is unbilled (but job ``except_id``, the one being edited); ``None`` when it fits."""
        if self._offline:
            return None
        pending = self.pending_usd(except_id=except_id)
        return check(self.caps, self.ledger, price_usd, pending_usd=pending, takes=takes)

    def require(self, price_usd: float, *, takes: int = 1, except_id: str | None = None) -> None:
        """Raise :class:`~wan_desktop.core.budget.BudgetExceededError` when :meth:`refusal`
        has a reason."""
        refusal = self.refusal(price_usd, takes=takes, except_id=except_id)
        if refusal is not None:
            raise BudgetExceededError(refusal)
