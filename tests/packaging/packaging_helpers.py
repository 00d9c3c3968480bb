"""Paths and tool look-ups shared by the packaging tests."""

from __future__ import annotations

import shutil
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
APP_ID = "io.github.wan_desktop.WanDesktop"
DESKTOP = ROOT / "resources" / "linux" / f"{APP_ID}.desktop"
METAINFO = ROOT / "resources" / "linux" / f"{APP_ID}.metainfo.xml"
ICONS = ROOT / "resources" / "icons"
SPEC = ROOT / "packaging" / "pyinstaller" / "wan-desktop.spec"
ICON_SIZES = (16, 32, 48, 64, 128, 256, 512)
MIME_TYPES = {"image/png", "image/jpeg", "image/webp", "image/bmp"}


def project() -> dict:
    """``[project]`` of pyproject.toml."""
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]


def require_tool(command: str, package: str) -> str:
    """The path of ``command``; a missing tool fails the test (it is not skipped)."""
    found = shutil.which(command)
    if not found:
        pytest.fail(
            f"`{command}` is missing: install the Debian package `{package}` "
            f"(`sudo sh packaging/linux/install-system-deps.sh --test-tools`, or "
            f"`sudo apt-get install {package}`)",
            pytrace=False,
        )
    return found


def desktop_entry(text: str) -> dict[str, str]:
    """The keys of the ``[Desktop Entry]`` group."""
    entry: dict[str, str] = {}
    group = None
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("["):
            group = line
            continue
        if group == "[Desktop Entry]":
            key, _, value = line.partition("=")
            entry[key.strip()] = value.strip()
    return entry
