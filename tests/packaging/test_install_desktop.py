"""`make install-desktop` into a temporary HOME."""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest
from packaging_helpers import APP_ID, ICON_SIZES, ROOT, desktop_entry, require_tool


def _run(home, *args, **env):
    environ = {k: v for k, v in os.environ.items() if k != "XDG_DATA_HOME"}
    environ.update(HOME=str(home), **env)
    return subprocess.run(
        list(args), cwd=ROOT, env=environ, capture_output=True, text=True, timeout=120
    )


@pytest.fixture
def home(tmp_path):
    folder = tmp_path / "user home"  # a space, to prove the quoting
    folder.mkdir()
    return folder


def test_make_install_desktop_installs_for_the_user(home):
    if not shutil.which("make"):
        pytest.fail("`make` is missing: install the Debian package `make`", pytrace=False)
    done = _run(home, "make", "--no-print-directory", "install-desktop")
    assert done.returncode == 0, done.stdout + done.stderr
    share = home / ".local" / "share"
    desktop = share / "applications" / f"{APP_ID}.desktop"
    assert (share / "metainfo" / f"{APP_ID}.metainfo.xml").is_file()
    assert (share / "icons" / "hicolor" / "scalable" / "apps" / "wan-desktop.svg").is_file()
    for size in ICON_SIZES:
        assert (
            share / "icons" / "hicolor" / f"{size}x{size}" / "apps" / "wan-desktop.png"
        ).is_file()
    entry = desktop_entry(desktop.read_text(encoding="utf-8"))
    program, field_code = entry["Exec"].rsplit(" ", 1)
    assert field_code == "%f"
    assert program == entry["TryExec"]
    assert program in (
        str(ROOT / "dist" / "wan-desktop" / "wan-desktop"),
        str(ROOT / ".venv" / "bin" / "wan-desktop"),
    )
    assert os.access(program, os.X_OK)
    tool = require_tool("desktop-file-validate", "desktop-file-utils")
    valid = subprocess.run([tool, str(desktop)], capture_output=True, text=True, timeout=60)
    assert valid.returncode == 0, valid.stdout
    if shutil.which("update-desktop-database"):
        # "Open with" finds the app for each image type through this cache.
        cache = (share / "applications" / "mimeinfo.cache").read_text(encoding="utf-8")
        assert f"image/webp={APP_ID}.desktop;" in cache


def test_exec_with_spaces_and_quotes_is_escaped(home):
    program = '/opt/my apps/wan "x"/wan-desktop'
    done = _run(home, "sh", "packaging/linux/install-desktop.sh", WAN_DESKTOP_EXEC=program)
    assert done.returncode == 0, done.stdout + done.stderr
    desktop = home / ".local" / "share" / "applications" / f"{APP_ID}.desktop"
    entry = desktop_entry(desktop.read_text(encoding="utf-8"))
    # Desktop-entry quoting: inside double quotes \" — written \\" because of the string escapes.
    assert entry["Exec"] == '"/opt/my apps/wan \\\\"x\\\\"/wan-desktop" %f'
    assert entry["TryExec"] == program
    tool = require_tool("desktop-file-validate", "desktop-file-utils")
    valid = subprocess.run([tool, str(desktop)], capture_output=True, text=True, timeout=60)
    assert valid.returncode == 0, valid.stdout


def test_xdg_data_home_and_uninstall(home, tmp_path):
    data = tmp_path / "xdg"
    done = _run(home, "sh", "packaging/linux/install-desktop.sh", XDG_DATA_HOME=str(data))
    assert done.returncode == 0, done.stdout + done.stderr
    assert (data / "applications" / f"{APP_ID}.desktop").is_file()
    assert not (home / ".local").exists()
    done = _run(
        home, "sh", "packaging/linux/install-desktop.sh", "--uninstall", XDG_DATA_HOME=str(data)
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert not (data / "applications" / f"{APP_ID}.desktop").exists()
    assert not (data / "metainfo" / f"{APP_ID}.metainfo.xml").exists()
    assert not list((data / "icons" / "hicolor").rglob("wan-desktop.*"))


def test_system_deps_script_knows_the_test_tools():
    script = (ROOT / "packaging" / "linux" / "install-system-deps.sh").read_text(encoding="utf-8")
    assert 'TEST_PKGS="desktop-file-utils appstream"' in script
    done = subprocess.run(
        ["sh", str(ROOT / "packaging" / "linux" / "install-system-deps.sh"), "--nonsense"],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert done.returncode == 2
    assert "--test-tools" in done.stderr
