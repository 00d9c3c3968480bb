"""The advanced preferences: give up on a job not started within N minutes, keep uploaded
inputs on fal at most N hours (0: never / fal's default); out-of-range values are pulled in."""

from __future__ import annotations

from wan_desktop.core.settings import (
    START_TIMEOUT_MAX_MIN,
    UPLOAD_EXPIRY_MAX_H,
    Settings,
)


def test_defaults_are_off():
    settings = Settings()
    assert settings.start_timeout_min == 0
    assert settings.upload_expiry_h == 0
    assert settings.start_timeout_s() is None
    assert settings.upload_expiry_s() is None


def test_seconds_for_the_client():
    settings = Settings(start_timeout_min=5, upload_expiry_h=2)
    assert settings.start_timeout_s() == 300.0
    assert settings.upload_expiry_s() == 7200


def test_round_trip_and_bad_values():
    data = Settings(start_timeout_min=10, upload_expiry_h=48).to_dict()
    assert Settings.from_dict(data) == Settings(start_timeout_min=10, upload_expiry_h=48)
    clamped = Settings.from_dict({"start_timeout_min": -3, "upload_expiry_h": 10**9})
    assert clamped.start_timeout_min == 0
    assert clamped.upload_expiry_h == UPLOAD_EXPIRY_MAX_H
    assert Settings.from_dict({"start_timeout_min": 10**9}).start_timeout_min == (
        START_TIMEOUT_MAX_MIN
    )
    assert Settings.from_dict({"start_timeout_min": "soon"}).start_timeout_min == 0
