"""The composition root as the CLI runs it: ``wan-desktop IMAGE --screenshot`` in a fresh
process (one qasync loop per process), and ``--smoke``."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from child_output import ChildOutput
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


def test_the_colour_scheme_preference_applies_from_the_first_paint(tmp_path, wan_home):
    import json

    (wan_home / "settings.json").write_text(json.dumps({"color_scheme": "dark"}))
    out = tmp_path / "dark.png"
    result = _run(["--screenshot", str(out)], wan_home)
    assert result.returncode == 0, result.stderr
    image = QImage(str(out))
    margin = image.pixelColor(2, image.height() // 2)  # the window's own background
    assert margin.name() == "#1f1f24"


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


_FIRST_PAINT_PROBE = """
import sys
from PySide6.QtCore import QEvent, QObject
import wan_desktop.ui.main_window as main_window

class Probe(QObject):
    def eventFilter(self, obj, event):
        if event.type() == QEvent.Type.Paint:
            loaded = sorted(m for m in ("asyncio", "qasync", "wan_desktop.ui.composer",
                                        "wan_desktop.ui.player", "wan_desktop.ui.jobs_panel",
                                        "PySide6.QtMultimedia", "wan_desktop.library")
                            if m in sys.modules)
            print("first paint; loaded:", ",".join(loaded) or "-", flush=True)
            import os
            os._exit(0)
        return False

original = main_window.MainWindow.__init__
def init(self, *args, **kwargs):
    original(self, *args, **kwargs)
    self._probe = Probe()
    self.installEventFilter(self._probe)
main_window.MainWindow.__init__ = init
from wan_desktop.__main__ import main
main([])
"""


def test_the_window_paints_before_the_loop_and_the_panes_are_loaded(wan_home):
    """The start-up order (app.py): the window's frame is painted before asyncio, qasync,
    the panes' modules, Qt Multimedia or the library are even imported."""
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", WAN_DESKTOP_HOME=str(wan_home))
    env.pop("FAL_KEY", None)
    result = subprocess.run(
        [sys.executable, "-c", _FIRST_PAINT_PROBE],
        env=env,
        capture_output=True,
        text=True,
        timeout=50,
    )
    assert "first paint; loaded: -" in result.stdout, result.stdout + result.stderr


_QUIT_PROBE = """
import sys
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
import wan_desktop.ui.main_window as main_window

original = main_window.MainWindow.attach_runner
def attach_runner(self, *args, **kwargs):
    original(self, *args, **kwargs)
    print("services up", flush=True)
    QTimer.singleShot(200, QApplication.quit)  # the platform's Quit, a session logout
main_window.MainWindow.attach_runner = attach_runner
from wan_desktop.__main__ import main
sys.exit(main([]))
"""


@pytest.mark.parametrize("how", ["QApplication.quit", "self.close"])
def test_application_quit_closes_the_services_on_the_loop(wan_home, how):
    """``QApplication.quit()`` (or closing the window) with the services up: the HTTP client
    and the engine are closed while the loop still runs, so the exit is clean (code 0, no
    traceback)."""
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", WAN_DESKTOP_HOME=str(wan_home))
    env.pop("FAL_KEY", None)
    probe = _QUIT_PROBE.replace(
        "QTimer.singleShot(200, QApplication.quit)", f"QTimer.singleShot(200, {how})"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe],
        env=env,
        capture_output=True,
        text=True,
        timeout=50,
    )
    assert "services up" in result.stdout, result.stdout + result.stderr
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr, result.stderr
    assert "NoEventLoopError" not in result.stderr, result.stderr


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
@pytest.mark.parametrize("signal_name", ["SIGTERM", "SIGINT"])
@pytest.mark.timeout(300)  # above the two waits below: a loaded machine fails them, with detail
def test_a_quit_signal_closes_the_services_on_the_loop(wan_home, signal_name):
    """A service manager's SIGTERM or Ctrl+C: the same clean shutdown as Quit (code 0)."""
    import signal

    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", WAN_DESKTOP_HOME=str(wan_home))
    env.pop("FAL_KEY", None)
    probe = _QUIT_PROBE.replace("QTimer.singleShot(200, QApplication.quit)", "pass")
    process = subprocess.Popen(
        [sys.executable, "-c", probe],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    # Deadlines well above a normal start (about 2 s): at a load of 15 the window took over
    # a minute to come up. A child that never gets there fails with what it wrote.
    with ChildOutput(process) as child:
        assert child.next_line(timeout_s=120) == "services up", child.tail()
        process.send_signal(getattr(signal, signal_name))
        code = child.wait(timeout_s=120)
    assert code == 0, child.tail()
    assert "Traceback" not in child.stderr, child.stderr


_CRASH_AT_FIRST_PAINT = """
import os, signal
import wan_desktop.app as app

def crash(widget, timeout_ms=1000):
    os.kill(os.getpid(), signal.SIGSEGV)

app._paint_now = crash
app.run_window()
"""


def test_a_crash_at_start_up_leaves_its_stack_in_the_logs_folder(wan_home):
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", WAN_DESKTOP_HOME=str(wan_home))
    result = subprocess.run(
        [sys.executable, "-c", _CRASH_AT_FIRST_PAINT],
        env=env,
        capture_output=True,
        text=True,
        timeout=50,
    )
    assert result.returncode != 0
    crash_log = wan_home / "logs" / "crash.log"
    text = crash_log.read_text()
    assert "--- started" in text and "Segmentation fault" in text
    assert "in crash" in text and "_start_window" in text  # the Python stack of the crash
    assert (crash_log.stat().st_mode & 0o777) == 0o600


def test_the_crash_log_is_open_for_the_process_life(tmp_path):
    script = (
        "import faulthandler, sys\n"
        "from pathlib import Path\n"
        "from wan_desktop import app\n"
        "path = app.enable_crash_log(Path(sys.argv[1]))\n"
        "assert app.enable_crash_log(Path(sys.argv[1])) == path\n"
        "print(faulthandler.is_enabled(), path, app._crash_log.closed)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script, str(tmp_path / "logs")],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", str(tmp_path / "logs" / "crash.log"), "False"]


def test_a_crash_log_that_cannot_be_opened_does_not_stop_the_window(tmp_path, wan_home):
    (wan_home / "logs" / "crash.log").mkdir(parents=True)  # a folder where the file should be
    result = _run(["--screenshot", str(tmp_path / "w.png")], wan_home)
    assert result.returncode == 0, result.stderr
    assert "no crash log" in result.stderr
