"""Diagnostics for bug reports: complete, JSON-able, Qt-free, and never holding the key."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from importlib import metadata

import pytest

import wan_desktop
from wan_desktop.core import diagnostics, logs
from wan_desktop.core.paths import app_paths

KEY = "0f8e2c1a-3b4d-4e5f-8a9b-1c2d3e4f5a6b:9d8c7b6a5f4e3d2c1b0a9f8e7d6c5b4a"


@pytest.fixture(autouse=True)
def clean_secrets():
    yield
    logs.forget_secrets()


def test_collect_reports_versions_and_folders(wan_home):
    paths = app_paths()
    info = diagnostics.collect(paths)
    json.dumps(info)  # plain data, ready for a file or the clipboard
    assert info["app"]["version"] == wan_desktop.__version__
    assert info["app"]["frozen"] is False
    assert info["python"]["version"] == ".".join(map(str, sys.version_info[:3]))
    assert info["sqlite"] == sqlite3.sqlite_version
    packages = info["packages"]
    for name in ("PySide6-Essentials", "PySide6-Addons", "av", "Pillow", "httpx", "qasync"):
        assert packages[name] == metadata.version(name)
    assert packages["keyring"] == metadata.version("keyring")
    assert info["ffmpeg"]["libraries"]["libavcodec"].count(".") == 2
    assert info["keyring"]["backend"]
    assert isinstance(info["keyring"]["usable"], bool)
    assert info["paths"]["log_file"] == str(logs.log_file(paths))
    assert info["paths"]["data"] == str(wan_home.resolve())
    assert info["key"] == {"fal_key_env_set": False, "fallback_file_exists": False}


def test_no_key_value_appears_anywhere(wan_home, monkeypatch):
    monkeypatch.setenv("FAL_KEY", KEY)
    paths = app_paths()
    paths.ensure()
    (paths.config / "fal-key").write_text("another-stored-secret-123\n")
    logs.register_secret("another-stored-secret-123")
    extra = {
        "qt_multimedia_backend": "ffmpeg",
        "library": {"videos": 12, "bytes": 3_400_000, "last_error": f"refused {KEY}"},
        "settings": {"backend": "fal", "note": "key another-stored-secret-123"},
        f"odd key {KEY}": [KEY, "Authorization: Key sk_unknown_abcdef"],
    }
    info = diagnostics.collect(paths, extra=extra)
    text = diagnostics.format_text(info)
    dumped = json.dumps(info)
    for blob in (text, dumped):
        for secret in (KEY, *KEY.split(":"), "another-stored-secret-123", "sk_unknown_abcdef"):
            assert secret not in blob, f"{secret} leaked"
    assert info["key"]["fal_key_env_set"] is True
    assert info["key"]["fallback_file_exists"] is True
    assert "FAL_KEY" not in info["environment"]
    assert info["qt_multimedia_backend"] == "ffmpeg"
    assert info["library"]["videos"] == 12


def test_format_text_is_readable(wan_home):
    info = diagnostics.collect(
        app_paths(), extra={"qt_multimedia_backend": "ffmpeg", "library": {"videos": 3}}
    )
    text = diagnostics.format_text(info)
    assert text.startswith(f"wan-desktop {wan_desktop.__version__} diagnostics\n")
    assert f"  PySide6-Addons: {metadata.version('PySide6-Addons')}\n" in text
    assert "qt_multimedia_backend: ffmpeg\n" in text
    assert "library:\n  videos: 3\n" in text
    assert "  fal_key_env_set: no\n" in text
    assert text.endswith("\n")


def test_collect_imports_no_qt(wan_home):
    code = (
        "import sys\n"
        "from wan_desktop.core import diagnostics\n"
        "from wan_desktop.core.paths import app_paths\n"
        "diagnostics.format_text(diagnostics.collect(app_paths()))\n"
        "bad = [m for m in sys.modules if m.split('.')[0] in ('PySide6', 'shiboken6', 'qasync')]\n"
        "print(bad)\n"
        "sys.exit(1 if bad else 0)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stdout + done.stderr
