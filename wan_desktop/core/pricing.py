"""Prices, in one table the user can see (the window shows it; the README lists it).

Source: a third-party listing quoted in fal-queue-protocol.md ("not confirmed on fal"):
$0.05 per second of video at 720p, $0.075 at 1080p. Estimates only; fal bills.
"""

from __future__ import annotations

from . import limits

__all__ = ["PRICE_PER_SECOND_USD", "estimate_usd", "format_estimate", "format_usd"]

PRICE_PER_SECOND_USD: dict[str, float] = {"720p": 0.05, "1080p": 0.075}
assert set(PRICE_PER_SECOND_USD) == set(limits.RESOLUTIONS)


def estimate_usd(resolution: str, duration_s: int) -> float:
    """Estimated price in US dollars of one video of ``duration_s`` seconds."""
    return round(PRICE_PER_SECOND_USD[resolution] * duration_s, 4)


def format_usd(amount: float) -> str:
    """``$0.38``: dollars with cents, rounded half up as a bill would show it."""
    cents = int(amount * 100 + 0.5 + 1e-9)
    return f"${cents // 100}.{cents % 100:02d}"


def format_estimate(resolution: str, duration_s: int) -> str:
    """The estimate as the window shows it, e.g. ``$0.38 · 5 s · 1080p``."""
    return f"{format_usd(estimate_usd(resolution, duration_s))} · {duration_s} s · {resolution}"
