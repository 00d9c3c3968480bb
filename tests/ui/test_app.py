"""The composition root as the CLI runs it: ``wan-desktop IMAGE --screenshot`` in a fresh
process (one qasync loop per process), and ``--smoke``."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from PySide6.QtGui import QImage

pytestmark = pytest.mark.timeout(60)


def _run(args, home):
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", WAN_DESKTOP_HOME=str(home))
    env.pop("FAL_KEY", None)
    return subprocess.run(
        [sys.executable, "-m", "wan_desktop", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=50,
    )


def test_screenshot_with_an_image(tmp_path, wan_home, good_image):
    out = tmp_path / "window.png"
    result = _run([str(good_image), "--screenshot", str(out)], wan_home)
    assert result.returncode == 0, result.stderr
    image = QImage(str(out))
    assert (image.width(), image.height()) == (1280, 800)
    # FFmpeg's stream dump and Qt Multimedia's library probing stay off stderr.
    assert "Input #0" not in result.stderr and "symbolsresolver" not in result.stderr


def test_smoke(wan_home):
    result = _run(["--smoke"], wan_home)
    assert result.returncode == 0, result.stderr
    assert "smoke test passed" in result.stdout


def test_the_window_logs_to_a_private_rotating_file_without_the_key(wan_home):
    env_key = "sk-window-log-0123456789abcdef"
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", WAN_DESKTOP_HOME=str(wan_home))
    env["FAL_KEY"] = env_key
    env["FAL_QUEUE_URL"] = "http://127.0.0.1:9"  # nothing listens there: the key is never sent
    result = subprocess.run(
        [sys.executable, "-m", "wan_desktop", "--smoke"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    log_file = wan_home / "logs" / "wan-desktop.log"
    assert log_file.exists()
    assert (log_file.stat().st_mode & 0o777) == 0o600
    assert env_key not in log_file.read_text() + result.stderr + result.stdout
