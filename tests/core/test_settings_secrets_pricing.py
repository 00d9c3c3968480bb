"""Settings file, key store and price table."""

from __future__ import annotations

import json
import os
import stat

import pytest

from wan_desktop.core.paths import app_paths
from wan_desktop.core.pricing import estimate_usd, format_estimate
from wan_desktop.core.secrets import KeyStore, env_key, redact
from wan_desktop.core.settings import DEFAULT_QUEUE_URL, Settings, load_settings, resolve_queue_url
from wan_desktop.core.settings_store import SettingsStore
from wan_desktop.core.window_state import WindowState, window_state_file


def test_paths_follow_wan_desktop_home(wan_home):
    paths = app_paths()
    assert paths.data == wan_home.resolve()
    assert paths.library == wan_home.resolve() / "library"


def test_settings_round_trip_and_private(wan_home):
    paths = app_paths()
    store = SettingsStore(paths)
    store.set_settings(Settings().replace(concurrency=5, backend="offline"))
    store.remember_prompt("hello")
    store.save()
    again = SettingsStore.load(paths)
    assert again.settings == store.settings and again.window == store.window
    assert load_settings(paths) == store.settings
    for path in (paths.settings_file, window_state_file(paths)):
        assert stat.S_IMODE(os.stat(path).st_mode) == 0o600


def test_preferences_and_window_state_live_in_two_files(wan_home):
    paths = app_paths()
    store = SettingsStore(paths)
    store.set_window(WindowState(layout={"geometry": "AAA"}, first_run_done=True))
    store.save()
    assert not paths.settings_file.exists()  # nothing changed there: nothing written
    store.set_settings(Settings(notify_sound=True))
    store.save()
    prefs = json.loads(paths.settings_file.read_text())
    assert prefs["notify_sound"] is True
    assert not {"window", "layout", "recent_prompts", "first_run_done"} & prefs.keys()
    state = json.loads(window_state_file(paths).read_text())
    assert state["layout"] == {"geometry": "AAA"} and state["first_run_done"] is True


def test_an_old_settings_file_is_migrated(wan_home):
    """Before the split, one settings.json held the window state too."""
    paths = app_paths().ensure()
    old = {
        "concurrency": 3,
        "library_dir": None,
        "queue_url": "http://127.0.0.1:8123/",
        "upload_threshold_bytes": 8000000,
        "defaults": {"resolution": "720p", "duration": 10},
        "backend": "fal",
        "notify_sound": True,
        "recent_prompts": ["waves", "a boat drifts"],
        "first_run_done": True,
        "window": {"geometry": "Z2VvbQ==", "main_splitter": "c3BsaXQ=", "library_visible": "1"},
    }
    paths.settings_file.write_text(json.dumps(old))
    store = SettingsStore.load(paths)
    assert store.settings.concurrency == 3 and store.settings.backend == "fal"
    assert store.settings.defaults["resolution"] == "720p"
    assert store.settings.notify_sound and store.settings.queue_url == "http://127.0.0.1:8123/"
    assert store.window.recent_prompts == ("waves", "a boat drifts")
    assert store.window.first_run_done
    assert store.window.layout == old["window"]
    assert load_settings(paths) == store.settings  # the command line reads it as before
    store.save()  # the state moves out of the settings file
    prefs = json.loads(paths.settings_file.read_text())
    assert not {"window", "recent_prompts", "first_run_done"} & prefs.keys()
    again = SettingsStore.load(paths)
    assert again.window == store.window and again.settings == store.settings


def test_a_bad_window_state_value_falls_back_alone(wan_home):
    paths = app_paths().ensure()
    window_state_file(paths).write_text(
        json.dumps({"layout": {"geometry": "AAA"}, "recent_prompts": "oops", "first_run_done": 1})
    )
    state = SettingsStore.load(paths).window
    assert state.layout == {"geometry": "AAA"}
    assert state.recent_prompts == () and state.first_run_done is False


def test_a_failed_save_stays_due(wan_home, monkeypatch):
    import wan_desktop.core.settings_store as settings_store

    paths = app_paths()
    store = SettingsStore(paths)
    store.set_settings(Settings(concurrency=4))

    def fail(*_args, **_kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(settings_store, "atomic_write_json", fail)
    with pytest.raises(OSError):
        store.save()
    monkeypatch.undo()
    store.save()
    assert load_settings(paths).concurrency == 4


def test_queue_url_precedence():
    setting = Settings(queue_url="http://127.0.0.1:9000/")
    assert resolve_queue_url(Settings(), {}) == (DEFAULT_QUEUE_URL, "default")
    assert resolve_queue_url(setting, {}) == ("http://127.0.0.1:9000", "setting")
    env = {"FAL_QUEUE_URL": "http://localhost:7000/"}
    assert resolve_queue_url(setting, env) == ("http://localhost:7000", "env")
    assert resolve_queue_url(Settings(), {"FAL_QUEUE_URL": ""})[1] == "default"


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


def test_colour_scheme_and_finished_video_preferences(wan_home):
    paths = app_paths().ensure()
    assert Settings().color_scheme == "system" and Settings().video_ready == "offer"
    store = SettingsStore(paths)
    store.set_settings(Settings().replace(color_scheme="dark", video_ready="play"))
    store.save()
    again = load_settings(paths)
    assert again.color_scheme == "dark" and again.video_ready == "play"
    paths.settings_file.write_text(json.dumps({"color_scheme": "pink", "video_ready": 3}))
    bad = load_settings(paths)
    assert bad.color_scheme == "system" and bad.video_ready == "offer"


def test_recent_prompts_no_repeats():
    s = WindowState().with_recent_prompt("a").with_recent_prompt("b").with_recent_prompt("a")
    assert s.recent_prompts == ("a", "b")


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


def test_key_store_reads_fal_key_id_and_secret_when_fal_key_is_unset(wan_home):
    paths = app_paths()
    pair = {"FAL_KEY_ID": " id-0001 ", "FAL_KEY_SECRET": "secret-0002\n"}
    got = KeyStore(paths, environ=pair).get()
    assert got is not None and got.key == "id-0001:secret-0002" and got.origin == "env"
    assert env_key(pair) == "id-0001:secret-0002"
    # FAL_KEY wins over the pair, as in fal-client.
    both = {**pair, "FAL_KEY": "whole-key-9"}
    assert KeyStore(paths, environ=both).get().key == "whole-key-9"
    assert env_key(both) == "whole-key-9"
    # Half a pair is no key: the stored key (or none) is used.
    for half in ({"FAL_KEY_ID": "id-0001"}, {"FAL_KEY_SECRET": "secret-0002"}):
        assert env_key(half) is None
        assert KeyStore(paths, environ=half).get() is None
    assert "FAL_KEY_ID" in KeyStore(paths, environ=pair).describe()


def test_redact_hides_key_and_parts():
    text = "failed with id123abc:secret456 and secret456 and id123abc%3Asecret456"
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
