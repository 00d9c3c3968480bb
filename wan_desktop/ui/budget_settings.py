"""Settings → Budget: a daily and a monthly spending cap, both optional, and the spend so far.

A cap of $0.00 is shown as "No cap" (``Settings.daily_cap_usd`` / ``monthly_cap_usd`` ``None``).
A submission that would pass a cap is refused before anything is sent (``core.budget``). The
spend so far is read from the machine's spend ledger in a worker thread, so opening the dialog
never waits for it. GUI thread only.
"""

from __future__ import annotations

from PySide6.QtWidgets import QDoubleSpinBox, QFormLayout, QLabel, QVBoxLayout, QWidget

from ..core.budget import CAP_MAX_USD, SpendLedger
from ..core.pricing import format_usd
from ..core.settings import Settings
from .async_bridge import TaskKeeper, run_blocking
from .naming import named
from .plain_text import plain_label
from .theme import set_role

__all__ = ["BudgetSettings"]

_CAPS_NOTE = (
    "Generate is refused, before anything is sent, when a video (or a group of takes) would "
    "take the spend past a cap. The spend counts what fal billed for videos made on this "
    "computer, from the window and from the command line; failed or cancelled requests and "
    "the offline engine cost nothing. \u201cToday\u201d and \u201cthis month\u201d follow "
    "this computer's clock."
)


def _cap_spin(name: str, accessible: str) -> QDoubleSpinBox:
    spin = named(QDoubleSpinBox(), name, accessible)
    spin.setRange(0.0, CAP_MAX_USD)
    spin.setDecimals(2)
    spin.setSingleStep(1.0)
    spin.setPrefix("$")
    spin.setSpecialValueText("No cap")  # shown at 0: the cap is off
    # An amount reads best in a box of its own size, not stretched across the dialog.
    spin.setMinimumWidth(140)
    spin.setMaximumWidth(180)
    spin.setToolTip("Leave at No cap (0) to turn this cap off.")
    return spin


class BudgetSettings(QWidget):
    """``budgetSettings``, the "Budget" tab: ``dailyCapSpin``, ``monthlyCapSpin`` and
    ``spendSoFarLabel``. Filled from ``settings``; :meth:`applied` puts the caps it shows into
    a ``Settings``. ``ledger`` (when given) is read once, in a worker thread of ``tasks``."""

    def __init__(
        self,
        settings: Settings,
        *,
        ledger: SpendLedger | None = None,
        tasks: TaskKeeper | None = None,
        parent: QWidget | None = None,
    ):
        super().__init__(parent)
        self.setObjectName("budgetSettings")
        self.daily = _cap_spin("dailyCapSpin", "Daily spending cap, in US dollars")
        self.monthly = _cap_spin("monthlyCapSpin", "Monthly spending cap, in US dollars")
        self.spent = named(plain_label(QLabel()), "spendSoFarLabel", "Spend so far")
        self.spent.setWordWrap(True)
        note = QLabel(_CAPS_NOTE)
        set_role(note, "muted")
        note.setWordWrap(True)
        form = QFormLayout()
        form.addRow("Daily cap", self.daily)
        form.addRow("Monthly cap", self.monthly)
        form.addRow("Spent so far", self.spent)
        outer = QVBoxLayout(self)
        outer.addLayout(form)
        outer.addWidget(note)
        outer.addStretch(1)
        self.load_task = None
        self.fill(settings)
        if ledger is not None and tasks is not None:
            self.spent.setText("Reading …")
            self.load_task = tasks.spawn(self.load_spend(ledger), "Read the spend", self)
        else:
            self.spent.setText("Not known yet.")

    def fill(self, settings: Settings) -> None:
        """Show ``settings``' caps (``None``: No cap)."""
        self.daily.setValue(settings.daily_cap_usd or 0.0)
        self.monthly.setValue(settings.monthly_cap_usd or 0.0)

    def applied(self, settings: Settings) -> Settings:
        """``settings`` with the caps this tab shows (0: no cap)."""
        return settings.replace(
            daily_cap_usd=self.daily.value() or None,
            monthly_cap_usd=self.monthly.value() or None,
        )

    async def load_spend(self, ledger: SpendLedger) -> None:
        """Show today's and this month's spend, read in a worker thread."""
        today, month = await run_blocking(_spend, ledger)
        self.show_spend(today, month)

    def show_spend(self, today_usd: float, month_usd: float) -> None:
        """Say what was spent today and this month (US dollars)."""
        self.spent.setText(f"{format_usd(today_usd)} today · {format_usd(month_usd)} this month")


def _spend(ledger: SpendLedger) -> tuple[float, float]:
    return ledger.today_usd(), ledger.month_usd()
