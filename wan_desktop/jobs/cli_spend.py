"""``wan-desktop spend``: what fal billed today and this month on this computer, and the caps.

The figures come from the machine's spend ledger (:mod:`wan_desktop.core.budget`), which the
window and every command share; only results fal completed count (the offline engine is free).
"""

from __future__ import annotations

import argparse
import json
from datetime import datetime
from typing import Any

from ..core.budget import SpendLedger, ledger_path
from ..core.paths import app_paths
from ..core.pricing import format_usd
from ..core.settings import load_settings

__all__ = ["add_parser", "run", "spend_summary"]


def add_parser(subparsers: Any) -> None:
    """Add ``spend`` to the top-level parser."""
    spend = subparsers.add_parser(
        "spend",
        help="what fal billed today and this month, and the caps",
        description="What fal billed today and this month (local time) for the videos made "
        "on this computer, and the daily and monthly caps set in Settings → Budget.",
    )
    spend.add_argument("--json", action="store_true", help="print one JSON object")


def spend_summary(now: datetime | None = None) -> dict[str, Any]:
    """Today's and this month's spend and the caps (US dollars; a cap of ``None`` is off),
    with the day and month they cover (blocking: reads the settings and the ledger)."""
    paths = app_paths()
    settings = load_settings(paths)
    ledger = SpendLedger(ledger_path(paths))
    local = (datetime.now() if now is None else now).astimezone()
    return {
        "day": local.strftime("%Y-%m-%d"),
        "month": local.strftime("%Y-%m"),
        "today_usd": ledger.today_usd(local),
        "month_usd": ledger.month_usd(local),
        "daily_cap_usd": settings.daily_cap_usd,
        "monthly_cap_usd": settings.monthly_cap_usd,
    }


def run(args: argparse.Namespace) -> int:
    """Print the spend (``--json``: one object); returns 0."""
    summary = spend_summary()
    if args.json:
        print(json.dumps(summary))
        return 0
    print(_line(f"Today ({summary['day']})", summary["today_usd"], summary["daily_cap_usd"]))
    month = datetime.strptime(summary["month"], "%Y-%m").strftime("%B %Y")
    print(_line(f"This month ({month})", summary["month_usd"], summary["monthly_cap_usd"]))
    return 0


def _line(when: str, spent: float, cap: float | None) -> str:
    if cap is None:
        return f"{when}: {format_usd(spent)} (no cap)"
    left = max(cap - spent, 0.0)
    return f"{when}: {format_usd(spent)} of {format_usd(cap)} cap, {format_usd(left)} left"
