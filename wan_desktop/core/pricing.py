"""Prices: the bundled table, fal's price for this account when known, and the estimate.

The bundled table comes from public listings quoted in ``fal-platform-api.md``: $0.05 per
second of video at 720p, $0.075 at 1080p; a silent clip (``generate_audio`` off) costs half.
fal's Platform API answers one unit price per endpoint for the account (``PriceQuote`` with
source ``account``); how resolution changes it is not in that answer, so the unit price is
taken as the 1080p price and 720p keeps the bundled ratio. Estimates only: fal bills.

The process has one current price (``current_price()``), the bundled one until the app
resolves the account's price (``set_current_price``). The offline engine is free: callers
pass ``PriceQuote.offline()`` for it.
"""

from __future__ import annotations

from dataclasses import dataclass

from . import limits

__all__ = [
    "PRICE_PER_SECOND_USD",
    "REFERENCE_RESOLUTION",
    "SILENT_FACTOR",
    "SOURCE_LABELS",
    "Estimate",
    "PriceQuote",
    "current_price",
    "estimate",
    "estimate_usd",
    "format_estimate",
    "format_usd",
    "set_current_price",
]

PRICE_PER_SECOND_USD: dict[str, float] = {"720p": 0.05, "1080p": 0.075}
assert set(PRICE_PER_SECOND_USD) == set(limits.RESOLUTIONS)
#: The resolution fal's single unit price is read as (the public listing's $0.075/s is 1080p).
REFERENCE_RESOLUTION = "1080p"
#: "A silent clip costs half as much as one with audio."
SILENT_FACTOR = 0.5

#: How each source of a price is told to people.
SOURCE_LABELS = {
    "account": "fal's price for your account",
    "bundled": "estimate (bundled table)",
    "offline": "offline engine: free",
}


@dataclass(frozen=True, slots=True)
class PriceQuote:
    """A price per second of video and where it came from (immutable; any thread).

    ``unit_price_usd`` is US dollars per second at :data:`REFERENCE_RESOLUTION` with audio.
    ``source`` is a key of :data:`SOURCE_LABELS`; ``fetched_at`` is when fal answered
    (epoch seconds; ``None`` for the bundled and offline prices).
    """

    unit_price_usd: float
    source: str = "bundled"
    fetched_at: float | None = None

    @classmethod
    def bundled(cls) -> PriceQuote:
        """The price table as it ships."""
        return cls(PRICE_PER_SECOND_USD[REFERENCE_RESOLUTION])

    @classmethod
    def offline(cls) -> PriceQuote:
        """The offline engine's price: nothing."""
        return cls(0.0, "offline")

    @property
    def label(self) -> str:
        """Where the price comes from, for people (``fal's price for your account``, ...)."""
        return SOURCE_LABELS.get(self.source, SOURCE_LABELS["bundled"])

    def per_second_usd(self, resolution: str, *, generate_audio: bool = True) -> float:
        """US dollars per second of video at ``resolution`` (a resolution the bundled table
        does not know is priced like the reference one)."""
        reference = PRICE_PER_SECOND_USD[REFERENCE_RESOLUTION]
        ratio = PRICE_PER_SECOND_USD.get(resolution, reference) / reference
        return self.unit_price_usd * ratio * (1.0 if generate_audio else SILENT_FACTOR)


@dataclass(frozen=True, slots=True)
class Estimate:
    """The price of one video before it is made, with where the price came from."""

    amount_usd: float
    resolution: str
    duration_s: int
    generate_audio: bool
    source: str
    label: str

    def text(self, *, exact: bool = False) -> str:
        """As the window shows it: ``$0.38 · 5 s · 1080p`` (``· silent`` without audio);
        ``exact``: the amount with the fractions of a cent it has (see :func:`format_usd`)."""
        silent = "" if self.generate_audio else " · silent"
        amount = format_usd(self.amount_usd, exact=exact)
        return f"{amount} · {self.duration_s} s · {self.resolution}{silent}"


_current = PriceQuote.bundled()


def current_price() -> PriceQuote:
    """The process-wide resolved price (any thread: replaced whole, never mutated)."""
    return _current


def set_current_price(price: PriceQuote) -> None:
    """Make ``price`` the one estimates use by default (call from one thread: the loop's)."""
    global _current
    _current = price


def estimate(
    resolution: str,
    duration_s: int,
    *,
    generate_audio: bool = True,
    price: PriceQuote | None = None,
) -> Estimate:
    """The estimate for one video of ``duration_s`` seconds (``price``: the current one when
    ``None``)."""
    quote = current_price() if price is None else price
    amount = round(quote.per_second_usd(resolution, generate_audio=generate_audio) * duration_s, 4)
    return Estimate(amount, resolution, duration_s, generate_audio, quote.source, quote.label)


def estimate_usd(
    resolution: str,
    duration_s: int,
    *,
    generate_audio: bool = True,
    price: PriceQuote | None = None,
) -> float:
    """Estimated price in US dollars of one video of ``duration_s`` seconds."""
    return estimate(resolution, duration_s, generate_audio=generate_audio, price=price).amount_usd


def format_usd(amount: float, *, exact: bool = False) -> str:
    """``$0.38``: dollars with cents, rounded half up as a bill would show it. With ``exact``
    the fractions of a cent a price per take can have are kept (``$0.375``, ``$1.125``; at
    most four places, ``$1.50`` stays ``$1.50``): a per-take price and its total then agree
    (3 × $0.375 = $1.125, where 3 × $0.38 ≠ $1.13)."""
    if not exact:
        cents = int(amount * 100 + 0.5 + 1e-9)
        return f"${cents // 100}.{cents % 100:02d}"
    parts = int(amount * _EXACT_PARTS + 0.5 + 1e-9)
    whole, fraction = divmod(parts, _EXACT_PARTS)
    digits = f"{fraction:04d}".rstrip("0").ljust(2, "0")
    return f"${whole}.{digits}"


#: ``format_usd(exact=True)`` keeps ten-thousandths of a dollar: a per-second price of a few
#: thousandths times whole seconds never needs more.
_EXACT_PARTS = 10_000


def format_estimate(
    resolution: str,
    duration_s: int,
    *,
    generate_audio: bool = True,
    price: PriceQuote | None = None,
) -> str:
    """The estimate as the window shows it, e.g. ``$0.38 · 5 s · 1080p``."""
    return estimate(resolution, duration_s, generate_audio=generate_audio, price=price).text()
