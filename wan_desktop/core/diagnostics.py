"""What a bug report needs to know about this installation ("Help → Copy diagnostics").

:func:`collect` gathers plain data — versions (read from package metadata, so Qt is never
imported here), the platform, SQLite and FFmpeg versions, the keyring backend, where the
folders are, and whether a key is configured (never the key) — plus whatever the caller adds
through ``extra`` (the window adds the Qt multimedia backend and library statistics).
:func:`format_text` turns it into text for the clipboard. Every string passes through
:func:`wan_desktop.core.logs.scrub` on the way out.

:func:`collect` may touch the keyring (a D-Bus call on Linux) and import PyAV: call it off the
GUI thread (an executor).
"""

from __future__ import annotations

import datetime as _dt
import os
import platform
import sqlite3
import sys
from collections.abc import Mapping
from importlib import metadata
from typing import Any

from .. import __version__
from .logs import log_file, scrub
from .paths import AppPaths
from .secrets import env_key, redact

__all__ = ["PACKAGES", "collect", "format_text"]

#: Distributions whose versions are reported (PyPI names, as in pyproject.toml).
PACKAGES = (
    "PySide6-Essentials",
    "PySide6-Addons",
    "shiboken6",
    "qasync",
    "av",
    "Pillow",
    "httpx",
    "httpx-sse",
    "keyring",
    "platformdirs",
    "certifi",
)

#: Environment variables worth showing (values scrubbed; ``FAL_KEY`` only as set / not set).
ENV_VARS = (
    "WAN_DESKTOP_HOME",
    "FAL_QUEUE_URL",
    "QT_QPA_PLATFORM",
    "QT_MEDIA_BACKEND",
    "QT_SCALE_FACTOR",
    "XDG_SESSION_TYPE",
    "XDG_CURRENT_DESKTOP",
    "WAYLAND_DISPLAY",
    "DISPLAY",
    "LANG",
)


def _package_versions() -> dict[str, str | None]:
    versions: dict[str, str | None] = {}
    for name in PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = None
    return versions


def _ffmpeg() -> dict[str, Any]:
    """PyAV's FFmpeg (Qt's media backend brings its own; the window reports that one)."""
    try:
        import av
    except Exception as exc:  # a broken wheel must not break the report
        return {"error": f"{type(exc).__name__}: {exc}"}
    info: dict[str, Any] = {"pyav": getattr(av, "__version__", None)}
    version = getattr(av, "ffmpeg_version_info", None)
    if version:
        info["ffmpeg"] = str(version)
    libraries = getattr(av, "library_versions", {}) or {}
    info["libraries"] = {
        name: ".".join(str(part) for part in parts) for name, parts in sorted(libraries.items())
    }
    return info


def _keyring() -> dict[str, Any]:
    try:
        import keyring
        from keyring.backends import fail
    except Exception as exc:
        return {"backend": None, "usable": False, "error": type(exc).__name__}
    try:
        backend = keyring.get_keyring()
    except Exception as exc:
        return {"backend": None, "usable": False, "error": type(exc).__name__}
    usable = not isinstance(backend, fail.Keyring) and getattr(backend, "priority", 1) > 0
    name = getattr(backend, "name", None) or type(backend).__name__
    return {"backend": str(name), "usable": bool(usable)}


def _platform() -> dict[str, Any]:
    info: dict[str, Any] = {
        "platform": platform.platform(),
        "system": platform.system(),
        "release": platform.release(),
        "machine": platform.machine(),
    }
    if sys.platform.startswith("linux"):
        try:
            release = platform.freedesktop_os_release()
        except OSError:
            release = {}
        if release.get("PRETTY_NAME"):
            info["distribution"] = release["PRETTY_NAME"]
    return info


def _clean(value: Any) -> Any:
    """``value`` as plain JSON-able data with every string scrubbed."""
    if isinstance(value, Mapping):
        return {str(scrub(str(k))): _clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [_clean(v) for v in value]
    if value is None or isinstance(value, (bool, int, float)):
        return value
    return scrub(str(value))


def collect(paths: AppPaths, *, extra: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """A snapshot of this installation for a bug report, as plain, JSON-able data.

    ``extra`` entries are added at the top level (e.g. ``{"qt_multimedia_backend": "ffmpeg",
    "library": {"videos": 12, "bytes": 123}}``) and scrubbed like everything else. Blocking
    (keyring, PyAV import): call from a worker thread.
    """
    fal_key = env_key(os.environ) or ""
    info: dict[str, Any] = {
        "app": {
            "name": "wan-desktop",
            "version": __version__,
            "frozen": bool(getattr(sys, "frozen", False)),
        },
        "collected_at": _dt.datetime.now(_dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "python": {
            "version": platform.python_version(),
            "implementation": platform.python_implementation(),
            "executable": sys.executable,
        },
        "platform": _platform(),
        "packages": _package_versions(),
        "sqlite": sqlite3.sqlite_version,
        "ffmpeg": _ffmpeg(),
        "keyring": _keyring(),
        "key": {
            # Whether a key is configured, never the key (nor its length or a prefix).
            "fal_key_env_set": bool(fal_key),
            "fallback_file_exists": (paths.config / "fal-key").exists(),
        },
        "paths": {
            "data": str(paths.data),
            "config": str(paths.config),
            "cache": str(paths.cache),
            "library": str(paths.library),
            "log_file": str(log_file(paths)),
        },
        "environment": {name: os.environ[name] for name in ENV_VARS if name in os.environ},
    }
    if extra:
        for key, value in extra.items():
            info[str(key)] = value
    cleaned = _clean(info)
    if fal_key:  # the environment's key is hidden even if nobody registered it
        cleaned = _redact_all(cleaned, fal_key)
    return cleaned


def _redact_all(value: Any, key: str) -> Any:
    if isinstance(value, dict):
        return {redact(k, key): _redact_all(v, key) for k, v in value.items()}
    if isinstance(value, list):
        return [_redact_all(v, key) for v in value]
    if isinstance(value, str):
        return redact(value, key)
    return value


def _lines(value: Any, indent: int) -> list[str]:
    pad = "  " * indent
    out: list[str] = []
    for key, item in value.items():
        if isinstance(item, dict):
            if item:
                out.append(f"{pad}{key}:")
                out += _lines(item, indent + 1)
            else:
                out.append(f"{pad}{key}: (none)")
        else:
            out.append(f"{pad}{key}: {_scalar(item)}")
    return out


def _scalar(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return ", ".join(_scalar(v) for v in value) or "(none)"
    return str(value)


def format_text(info: Mapping[str, Any]) -> str:
    """``info`` from :func:`collect` as indented ``key: value`` lines, for the clipboard."""
    app = info.get("app", {}) if isinstance(info.get("app"), Mapping) else {}
    title = f"wan-desktop {app.get('version', '?')} diagnostics"
    body = _lines(_clean(dict(info)), 0)
    return scrub("\n".join([title, "=" * len(title), *body])) + "\n"
