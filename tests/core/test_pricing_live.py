"""Estimates from the resolved price: fal's price for the account, the bundled table, free
offline; silent clips at half."""

from __future__ import annotations

import pytest

from wan_desktop.core import pricing
from wan_desktop.core.pricing import (
    PriceQuote,
    current_price,
    estimate,
    estimate_usd,
    format_estimate,
    set_current_price,
)


@pytest.fixture
def restore_price():
    before = current_price()
    yield
    set_current_price(before)


def test_bundled_estimate_keeps_the_old_signature():
    assert estimate_usd("1080p", 5) == pytest.approx(0.375)
    assert estimate_usd("720p", 10) == pytest.approx(0.5)
    assert format_estimate("1080p", 5) == "$0.38 · 5 s · 1080p"


def test_silent_costs_half():
    assert estimate_usd("1080p", 10, generate_audio=False) == pytest.approx(0.375)
    assert format_estimate("720p", 5, generate_audio=False) == "$0.13 · 5 s · 720p · silent"


def test_account_price_scales_by_resolution_and_is_labelled():
    account = PriceQuote(0.06, "account", fetched_at=1.0)
    est = estimate("1080p", 5, price=account)
    assert est.amount_usd == pytest.approx(0.30)
    assert est.label == "fal's price for your account" and est.source == "account"
    assert estimate_usd("720p", 5, price=account) == pytest.approx(0.06 * 5 * 0.05 / 0.075)
    assert estimate_usd("720p", 5, price=account, generate_audio=False) == pytest.approx(0.1)


def test_labels_for_each_source():
    assert estimate("1080p", 5, price=PriceQuote.bundled()).label == "estimate (bundled table)"
    offline = estimate("1080p", 15, price=PriceQuote.offline())
    assert offline.amount_usd == 0 and offline.label == "offline engine: free"


def test_the_current_price_is_the_default(restore_price):
    set_current_price(PriceQuote(0.1, "account"))
    assert estimate_usd("1080p", 10) == pytest.approx(1.0)
    assert estimate("1080p", 10).label == pricing.SOURCE_LABELS["account"]


def test_a_resolution_the_table_does_not_know_is_priced_as_the_reference():
    assert estimate_usd("480p", 5) == pytest.approx(0.375)
