"""Budget: caps, the spend ledger (shared by processes, each request counted once) and the
refusal that says why."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from datetime import datetime, timedelta

import pytest

from wan_desktop.core.budget import (
    BudgetRefusal,
    Caps,
    SpendLedger,
    cap_problem,
    check,
    day_start,
    ledger_path,
    month_start,
)
from wan_desktop.core.paths import app_paths

NOON = datetime(2026, 6, 15, 12, 0).astimezone()


@pytest.fixture
def ledger(tmp_path):
    return SpendLedger(tmp_path / "data" / "spend.sqlite3")


def test_an_unused_ledger_has_spent_nothing_and_makes_no_file(ledger):
    assert ledger.today_usd(NOON) == 0.0
    assert ledger.month_usd(NOON) == 0.0
    assert not ledger.path.exists()


def test_each_request_counts_once(ledger):
    assert ledger.record("req-1", 0.375, at=NOON) is True
    assert ledger.record("req-1", 0.375, at=NOON) is False
    assert ledger.record("req-2", 0.25, at=NOON) is True
    assert ledger.today_usd(NOON) == pytest.approx(0.625)
    assert ledger.has("req-1") and not ledger.has("req-3")


def test_today_and_this_month_are_local_calendar_periods(ledger):
    ledger.record("yesterday", 1.0, at=NOON - timedelta(days=1))
    ledger.record("last-month", 2.0, at=NOON - timedelta(days=20))
    ledger.record("today", 0.5, at=NOON)
    ledger.record("tomorrow", 4.0, at=NOON + timedelta(days=1))
    assert ledger.today_usd(NOON) == pytest.approx(0.5)
    assert ledger.month_usd(NOON) == pytest.approx(1.0 + 0.5 + 4.0)  # the 14th, 15th, 16th
    assert day_start(NOON) == datetime(2026, 6, 15).timestamp()
    assert month_start(NOON) == datetime(2026, 6, 1).timestamp()


def test_bad_charges_are_refused(ledger):
    with pytest.raises(ValueError, match="request id"):
        ledger.record("", 1.0)
    with pytest.raises(ValueError, match="non-negative"):
        ledger.record("req", -1.0)


def test_no_caps_never_refuse(ledger):
    ledger.record("req", 1000.0, at=NOON)
    assert check(Caps(), ledger, 5.0, now=NOON) is None


def test_the_daily_cap_refuses_and_says_why(ledger):
    ledger.record("req-1", 1.20, at=NOON)
    caps = Caps(daily_usd=1.50)
    assert check(caps, ledger, 0.25, now=NOON) is None
    assert check(caps, ledger, 0.30, now=NOON) is None  # exactly at the cap is allowed
    refusal = check(caps, ledger, 0.38, now=NOON)
    assert isinstance(refusal, BudgetRefusal)
    assert refusal.period == "daily"
    assert (refusal.spent_usd, refusal.cap_usd, refusal.price_usd) == (1.2, 1.5, 0.38)
    assert "$1.20 spent today" in refusal.message
    assert "daily spending cap of $1.50" in refusal.message
    assert "this job costs $0.38" in refusal.message


def test_queued_jobs_count_and_a_group_is_named(ledger):
    caps = Caps(daily_usd=2.0)
    refusal = check(caps, ledger, 1.52, pending_usd=0.75, takes=4, now=NOON)
    assert refusal is not None
    assert "$0.75 queued" in refusal.message
    assert "these 4 takes cost $1.52" in refusal.message
    assert check(caps, ledger, 1.0, pending_usd=0.75, takes=4, now=NOON) is None


def test_the_monthly_cap_counts_the_whole_month(ledger):
    ledger.record("early", 9.0, at=NOON - timedelta(days=10))
    caps = Caps(daily_usd=5.0, monthly_usd=10.0)
    refusal = check(caps, ledger, 1.5, now=NOON)
    assert refusal is not None and refusal.period == "monthly"
    assert "$9.00 spent this month" in refusal.message
    assert "next month" in refusal.message


def test_a_free_job_is_never_refused(ledger):
    ledger.record("req", 50.0, at=NOON)
    assert check(Caps(daily_usd=1.0), ledger, 0.0, now=NOON) is None


def test_cap_values():
    assert cap_problem("Daily cap", None) is None
    assert cap_problem("Daily cap", 2.5) is None
    assert "more than $0" in cap_problem("Daily cap", 0)
    assert "Daily cap" in cap_problem("Daily cap", "ten")
    assert "at most" in cap_problem("Monthly cap", 10**9)


def test_the_ledger_lives_in_the_data_folder(tmp_path):
    paths = app_paths({"WAN_DESKTOP_HOME": str(tmp_path)})
    assert ledger_path(paths) == paths.data / "spend.sqlite3"


_WRITER = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from wan_desktop.core.budget import SpendLedger

    ledger = SpendLedger(Path(sys.argv[1]))
    tag = sys.argv[2]
    for i in range(40):
        ledger.record(f"shared-{i}", 0.01)  # both processes bill the same requests
        ledger.record(f"{tag}-{i}", 0.01)
    """
)


def test_two_processes_share_one_ledger(ledger):
    writers = [
        subprocess.Popen([sys.executable, "-c", _WRITER, str(ledger.path), tag])
        for tag in ("a", "b")
    ]
    for writer in writers:
        assert writer.wait(timeout=120) == 0
    # 40 shared requests once each, and 40 of each process's own.
    assert ledger.today_usd() == pytest.approx(1.20)


def test_a_refusal_is_an_input_error_on_the_budget_field(ledger):
    from wan_desktop.core.budget import BudgetExceededError
    from wan_desktop.core.problems import InvalidInputError

    refusal = check(Caps(daily_usd=0.1), ledger, 0.5, now=NOON)
    error = BudgetExceededError(refusal)
    assert isinstance(error, InvalidInputError)
    assert error.fields == ["budget"]
    assert str(error) == refusal.message
    assert error.refusal is refusal


def test_without_a_ledger_nothing_was_spent():
    assert check(Caps(daily_usd=1.0), None, 0.5, now=NOON) is None
    refusal = check(Caps(daily_usd=1.0), None, 1.5, now=NOON)
    assert refusal is not None and "$0.00 spent today" in refusal.message
