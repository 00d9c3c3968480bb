"""The price before you pay: the estimate for the current options and today's total."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QWidget

from ..core import pricing

__all__ = ["CostLabel"]


class CostLabel(QLabel):
    """``Estimate $0.38 · 5 s · 1080p — today $1.13``. Estimates only: fal bills."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("costLabel")
        self.setAccessibleName("Estimated cost")
        self.setTextFormat(Qt.TextFormat.RichText)
        self._estimate = ""
        self._today_usd = 0.0
        self._offline = False
        self.setToolTip(
            "Estimated from the price table ("
            + ", ".join(
                f"{r}: {pricing.format_usd(p)}/s" for r, p in pricing.PRICE_PER_SECOND_USD.items()
            )
            + "). fal bills the real amount."
        )

    def update_estimate(self, resolution: str, duration_s: int) -> None:
        """Show the estimate for ``resolution`` and ``duration_s`` seconds."""
        self._estimate = pricing.format_estimate(resolution, duration_s)
        self._render()

    def set_today_total(self, usd: float) -> None:
        """Show ``usd`` dollars spent today."""
        self._today_usd = usd
        self._render()

    def set_offline(self, offline: bool) -> None:
        """On the offline engine nothing is paid; say so instead of a price."""
        self._offline = offline
        self._render()

    def estimate_text(self) -> str:
        """The estimate shown (``$0.38 · 5 s · 1080p``)."""
        return self._estimate

    def today_usd(self) -> float:
        """Today's total shown, in dollars."""
        return self._today_usd

    def _render(self) -> None:
        if self._offline:
            first = f"<b>Free</b> on the offline engine <span>({self._estimate} with fal)</span>"
        else:
            first = f"Estimate <b>{self._estimate}</b>"
        self.setText(f"{first} &nbsp;·&nbsp; today {pricing.format_usd(self._today_usd)}")
