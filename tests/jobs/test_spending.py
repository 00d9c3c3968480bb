"""The runner's money rules (``jobs.spending``) and the queue order of the book, without an
engine: what counts as unbilled, an edited job priced without its old price, the offline
engine never refused, and a waiting job placed between its neighbours."""

from __future__ import annotations

import pytest

from wan_desktop.core.budget import BudgetExceededError, Caps
from wan_desktop.core.request import GenerationRequest
from wan_desktop.jobs.book import JobBook
from wan_desktop.jobs.model import JobState
from wan_desktop.jobs.spending import JobSpending, price_of, unbilled_usd
from wan_desktop.jobs.store import JobRecord


def _record(job_id: str, state: JobState, cost: float, *, backend="fal", position=1.0):
    request = GenerationRequest(prompt="a slow pan", image="in.png", resolution="720p")
    return JobRecord(
        id=job_id,
        request=request,
        state=state,
        created_at=0.0,
        position=position,
        backend=backend,
        cost_usd=cost,
    )


def test_only_jobs_fal_has_not_billed_count():
    records = [
        _record("waiting", JobState.WAITING, 1.0),
        _record("running", JobState.RUNNING, 2.0),
        _record("done", JobState.DONE, 4.0),
        _record("failed", JobState.FAILED, 8.0),
        _record("offline", JobState.WAITING, 16.0, backend="offline"),
    ]
    assert unbilled_usd(records) == 3.0


def test_an_edit_is_priced_without_its_own_old_price():
    records = {
        r.id: r for r in (_record("a", JobState.WAITING, 3.0), _record("b", JobState.WAITING, 3.0))
    }
    spending = JobSpending(records, offline=False, caps=Caps(daily_usd=7.0), ledger=None)
    assert spending.pending_usd() == 6.0 and spending.pending_usd(except_id="a") == 3.0
    refusal = spending.refusal(2.0)
    assert refusal is not None and refusal.period == "daily"
    assert spending.refusal(2.0, except_id="a") is None  # 3 + 2 fits under 7
    with pytest.raises(BudgetExceededError):
        spending.require(2.0, takes=2)


def test_the_offline_engine_is_never_refused():
    records = {"a": _record("a", JobState.WAITING, 100.0)}
    spending = JobSpending(records, offline=True, caps=Caps(daily_usd=0.01), ledger=None)
    assert spending.refusal(50.0) is None
    assert spending.spent_today_usd() == 0.0


def test_a_silent_clip_is_priced_below_one_with_sound():
    request = GenerationRequest(prompt="p", image="in.png", resolution="720p")
    silent = price_of(request.replace(generate_audio=False)).amount_usd
    assert silent > 0 and silent < price_of(request).amount_usd


def test_a_waiting_job_is_placed_between_its_neighbours(tmp_path):
    book = JobBook(tmp_path, tmp_path / "jobs.sqlite3")
    for n, job_id in enumerate(("a", "b", "c", "d"), start=1):
        book.records[job_id] = _record(job_id, JobState.WAITING, 0.0, position=float(n))
    book.records["sent"] = _record("sent", JobState.QUEUED, 0.0, position=0.5)
    assert book.place_waiting(book.records["d"], 1)
    assert [r.id for r in book.ordered()] == ["sent", "a", "d", "b", "c"]
    assert book.place_waiting(book.records["a"], 99)  # clamped: last
    assert [r.id for r in book.ordered() if r.state is JobState.WAITING] == ["d", "b", "c", "a"]
    alone = JobBook(tmp_path / "other", tmp_path / "other.sqlite3")
    alone.records["x"] = _record("x", JobState.WAITING, 0.0)
    assert not alone.place_waiting(alone.records["x"], 0)
