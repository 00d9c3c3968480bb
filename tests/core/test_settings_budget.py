"""The budget preferences: a daily and a monthly cap, both optional; bad values mean no cap."""

from __future__ import annotations

from wan_desktop.core.budget import CAP_MAX_USD, Caps
from wan_desktop.core.settings import Settings


def test_caps_are_off_by_default():
    assert Settings().caps() == Caps(None, None)
    assert not Settings().caps().any


def test_caps_round_trip():
    settings = Settings(daily_cap_usd=2.5, monthly_cap_usd=40.0)
    again = Settings.from_dict(settings.to_dict())
    assert again.caps() == Caps(daily_usd=2.5, monthly_usd=40.0)
    assert Settings.from_dict({"daily_cap_usd": 3}).daily_cap_usd == 3.0


def test_bad_caps_are_no_caps():
    assert Settings.from_dict({"daily_cap_usd": 0}).daily_cap_usd is None
    assert Settings.from_dict({"daily_cap_usd": -4.0}).daily_cap_usd is None
    assert Settings.from_dict({"monthly_cap_usd": "lots"}).monthly_cap_usd is None
    assert Settings.from_dict({"monthly_cap_usd": 1e12}).monthly_cap_usd == CAP_MAX_USD
