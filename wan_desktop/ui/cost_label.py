"""The price before you pay: the estimate for the current options (for every take of a variant
group), where its price comes from, and today's total."""

from __future__ import annotations

import time

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QWidget

from ..core import pricing
from ..core.pricing import Estimate, PriceQuote

__all__ = ["CostLabel"]

# What the line shows before the composer gives it the form's options.
_FIRST = ("1080p", 5)

# The line names its source in a few words; the tooltip says what that means.
_SHORT_SOURCE = {
    "account": "fal's price for your account",
    "bundled": "Estimate",
    "offline": "Offline engine: free",
}
_SOURCE_DETAILS = {
    "account": "fal's Platform API gave this price for your account{when}. fal bills the real "
    "amount.",
    "bundled": "fal's price for your account is not known (no key, or fal did not answer), so "
    "this is estimated from the price table that ships with the app ({table}). fal bills the "
    "real amount.",
    "offline": "Jobs run on the offline engine on this computer: nothing is paid. The price "
    "shown in brackets is what fal would charge.",
}


class CostLabel(QLabel):
    """``Estimate: $0.38 · 5 s · 1080p · today $1.13`` (plain text), naming where the price
    comes from: fal's price for the account, the bundled table, or the free offline engine.
    For several takes the total comes first, both amounts to the fraction of a cent:
    ``Estimate: $1.50 for 4 takes ($0.375 · 5 s · 1080p each)``. GUI thread."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("costLabel")
        self.setAccessibleName("Estimated cost")
        # Plain: the price and its source are data; nothing in them may become markup.
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setWordWrap(True)
        self._estimate: Estimate = pricing.estimate(*_FIRST)
        self._today_usd = 0.0
        self._offline = False
        self._takes = 1
        self._render()

    def update_estimate(
        self,
        resolution: str,
        duration_s: int,
        *,
        generate_audio: bool = True,
        price: PriceQuote | None = None,
    ) -> None:
        """Show the estimate for ``resolution`` and ``duration_s`` seconds, with or without
        audio, at ``price`` (the process's current price when ``None``)."""
        self._estimate = pricing.estimate(
            resolution, duration_s, generate_audio=generate_audio, price=price
        )
        self._render()

    def set_today_total(self, usd: float) -> None:
        """Show ``usd`` dollars spent today."""
        self._today_usd = usd
        self._render()

    def set_takes(self, takes: int) -> None:
        """Price ``takes`` jobs of these options (a variant group; at least one)."""
        self._takes = max(1, takes)
        self._render()

    def takes(self) -> int:
        """How many jobs the price shown covers."""
        return self._takes

    def total_usd(self) -> float:
        """The price of every take with fal, in US dollars: the sum of the per-take estimates
        (the takes differ only by seed or prompt, so each costs the same)."""
        return round(self._estimate.amount_usd * self._takes, 4)

    def charge_usd(self) -> float:
        """What a click would be billed, in US dollars: :meth:`total_usd`, or nothing on the
        offline engine."""
        return 0.0 if self._offline else self.total_usd()

    def set_offline(self, offline: bool) -> None:
        """On the offline engine nothing is paid; say so instead of a price."""
        self._offline = offline
        self._render()

    def estimate(self) -> Estimate:
        """The estimate shown (the price with fal, even while the offline engine runs)."""
        return self._estimate

    def estimate_text(self) -> str:
        """The estimate shown (``$0.38 · 5 s · 1080p``, ``· silent`` without audio)."""
        return self._estimate.text()

    def today_usd(self) -> float:
        """Today's total shown, in dollars."""
        return self._today_usd

    def _priced(self, estimate: Estimate) -> str:
        """``$0.38 · 5 s · 1080p``, or ``$1.125 for 3 takes ($0.375 · 5 s · 1080p each)``:
        for several takes both amounts keep their fractions of a cent, so the total is the
        per-take price times the takes, as read (rounded, 3 × $0.38 would show $1.13)."""
        if self._takes == 1:
            return estimate.text()
        total = pricing.format_usd(estimate.amount_usd * self._takes, exact=True)
        return f"{total} for {self._takes} takes ({estimate.text(exact=True)} each)"

    def _with_fal(self) -> Estimate:
        """What fal would charge for the estimate shown: the offline engine's own price is
        nothing, so then the bundled table says it."""
        e = self._estimate
        if e.source != "offline":
            return e
        return pricing.estimate(
            e.resolution, e.duration_s, generate_audio=e.generate_audio, price=PriceQuote.bundled()
        )

    def _render(self) -> None:
        source = "offline" if self._offline else self._estimate.source
        today = f"today\u00a0{pricing.format_usd(self._today_usd)}"  # wrapped as one
        if source == "offline":
            first = f"{_SHORT_SOURCE['offline']} ({self._priced(self._with_fal())} with fal)"
        else:
            short = _SHORT_SOURCE.get(source, _SHORT_SOURCE["bundled"])
            first = f"{short}: {self._priced(self._estimate)}"
        self.setText(f"{first}  ·  {today}")
        self.setToolTip(_details(source, pricing.current_price()))


def _details(source: str, price: PriceQuote) -> str:
    table = ", ".join(
        f"{r}: {pricing.format_usd(p)}/s" for r, p in pricing.PRICE_PER_SECOND_USD.items()
    )
    when = ""
    if price.source == "account" and price.fetched_at:
        when = time.strftime(" on %d %b %Y", time.localtime(price.fetched_at))
    text = _SOURCE_DETAILS.get(source, _SOURCE_DETAILS["bundled"])
    silent = f" A silent clip costs {int(pricing.SILENT_FACTOR * 100)}% of one with audio."
    return text.format(when=when, table=table) + silent
