"""Settings file, key store and price table."""

from __future__ import annotations

import json
import os
import stat

import pytest

from wan_desktop.core.paths import app_paths
from wan_desktop.core.pricing import estimate_usd, format_estimate
from wan_desktop.core.secrets import KeyStore, redact
from wan_desktop.core.settings import Settings, load_settings, save_settings


def test_paths_follow_wan_desktop_home(wan_home):
    paths = app_paths()
    assert paths.data == wan_home.resolve()
    assert paths.library == wan_home.resolve() / "library"


def test_settings_round_trip_and_private(wan_home):
    paths = app_paths()
    s = Settings().replace(concurrency=5, backend="offline").with_recent_prompt("hello")
    save_settings(paths, s)
    assert load_settings(paths) == s
    assert stat.S_IMODE(os.stat(paths.settings_file).st_mode) == 0o600


def test_bad_settings_fall_back(wan_home):
    paths = app_paths().ensure()
    paths.settings_file.write_text(
        json.dumps(
            {"concurrency": 999, "backend": "x", "notify_sound": "yes", "defaults": {"duration": 7}}
        )
    )
    s = load_settings(paths)
    assert s.concurrency == 40 and s.backend == "auto" and s.notify_sound is False
    assert s.defaults["duration"] == 5
    paths.settings_file.write_text("{not json")
    assert load_settings(paths) == Settings()


def test_recent_prompts_no_repeats():
    s = Settings().with_recent_prompt("a").with_recent_prompt("b").with_recent_prompt("a")
    assert s.recent_prompts == ["a", "b"]


def test_key_store_env_wins_and_file_fallback_is_private(wan_home):
    paths = app_paths()
    store = KeyStore(paths, environ={})
    assert store.get() is None
    where = store.set("id123:secret456")
    assert "readable only by you" in where or "keyring" in where
    got = store.get()
    assert got is not None and got.key == "id123:secret456"
    assert "secret456" not in repr(got) and "secret456" not in repr(store)
    if got.origin == "file":
        assert stat.S_IMODE(os.stat(store.fallback_file).st_mode) == 0o600
    env_store = KeyStore(paths, environ={"FAL_KEY": "envkey99"})
    assert env_store.get().key == "envkey99" and env_store.get().origin == "env"
    store.clear()
    assert store.get() is None


def test_redact_hides_key_and_parts():
    text = "failed with id123abc:secret456 and secret456"
    out = redact(text, "id123abc:secret456")
    assert "secret456" not in out and "id123abc" not in out


@pytest.mark.parametrize(
    ("res", "dur", "usd", "text"),
    [
        ("720p", 5, 0.25, "$0.25 · 5 s · 720p"),
        ("1080p", 5, 0.375, "$0.38 · 5 s · 1080p"),
        ("1080p", 15, 1.125, "$1.13 · 15 s · 1080p"),
    ],
)
def test_prices(res, dur, usd, text):
    assert estimate_usd(res, dur) == pytest.approx(usd)
    assert format_estimate(res, dur) == text
