"""What the window's first paint waits for: not PySide's ``Qt`` namespace (its 93 enums are
built on first use, 15–30 ms), not the command-line parser when there are no arguments, not
platformdirs when ``WAN_DESKTOP_HOME`` names the folder, not the typed settings, the key store
or the Generate service (their modules and dataclasses). And the theme's start-up guess of the
system's scheme, confirmed after that paint."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication

from wan_desktop.ui.theme import ThemeManager, colors

pytestmark = pytest.mark.timeout(60)

_PROBE = """
import sys
import PySide6.QtCore as QtCore
from PySide6.QtCore import QEvent, QObject
import wan_desktop.cli as cli
import wan_desktop.ui.main_window as main_window

def no_parser(*args, **kwargs):
    raise AssertionError("a parser was built for no arguments")
cli.build_parser = cli._window_parser = no_parser

class Probe(QObject):
    def eventFilter(self, obj, event):
        if event.type() == QEvent.Type.Paint:
            built = [name for name, done in (
                ("Qt namespace", "Qt" in QtCore.__dict__),
                ("platformdirs", "platformdirs" in sys.modules),
                ("msgspec", "msgspec" in sys.modules),
                ("typed settings", "wan_desktop.core.settings" in sys.modules),
                ("window state", "wan_desktop.core.window_state" in sys.modules),
                ("key store", "wan_desktop.core.secrets" in sys.modules),
                ("generate flow", "wan_desktop.ui.generate_flow" in sys.modules),
            ) if done]
            print("first paint; built:", ",".join(built) or "-", flush=True)
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


def test_the_first_paint_builds_neither_the_qt_namespace_nor_a_parser(wan_home):
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", WAN_DESKTOP_HOME=str(wan_home))
    env.pop("FAL_KEY", None)
    result = subprocess.run(
        [sys.executable, "-c", _PROBE], env=env, capture_output=True, text=True, timeout=50
    )
    assert "first paint; built: -" in result.stdout, result.stdout + result.stderr


_PANE_PROBE = """
import PySide6.QtCore as QtCore
from PySide6.QtWidgets import QApplication, QLabel
app = QApplication([])
from wan_desktop.ui.pane_box import PaneBox
box = PaneBox((10, 10, 10, 10), placeholder="#16161a")
box.resize(200, 100)
shot = box.grab().toImage()
built = "Qt" in QtCore.__dict__
box.add_panel(QLabel("panel"))
app.processEvents()
print(built, shot.pixelColor(100, 50).name(), shot.pixelColor(3, 3).name() != "#16161a")
"""


def test_a_pane_s_placeholder_paints_without_the_qt_namespace():
    """The player's pane shows its dark placeholder in the first paint; filling it must not
    build the ``Qt`` namespace (``QPainter.fillRect`` did, in the middle of that paint)."""
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    result = subprocess.run(
        [sys.executable, "-c", _PANE_PROBE], env=env, capture_output=True, text=True, timeout=50
    )
    assert result.stdout.split() == ["False", "#16161a", "True"], result.stdout + result.stderr


def test_a_pane_s_placeholder_gives_way_to_its_panel(qtbot):
    from PySide6.QtWidgets import QLabel

    from wan_desktop.ui.pane_box import PaneBox

    box = PaneBox((10, 10, 10, 10), placeholder="#16161a")
    qtbot.addWidget(box)
    box.resize(200, 100)
    panel = QLabel("panel")
    box.add_panel(panel)
    assert box.layout().count() == 1 and box.layout().itemAt(0).widget() is panel


@pytest.fixture
def platform_palette(qapp):
    """The application's palette put back after the test (the theme replaces it)."""
    saved = QPalette(qapp.palette())
    yield qapp
    qapp.setPalette(saved)
    ThemeManager(qapp, set_style=False).force(None)


def _with_window_colour(app: QApplication, colour: str) -> None:
    palette = QPalette(app.palette())
    palette.setColor(QPalette.ColorRole.Window, QColor(colour))
    app.setPalette(palette)


def test_at_start_up_a_dark_platform_palette_gives_the_dark_scheme(platform_palette):
    _with_window_colour(platform_palette, "#202020")
    theme = ThemeManager(platform_palette, set_style=False, guess_system=True)
    assert theme.scheme() == "dark" and colors().canvas_bg == "#0c0c0f"
    # Offscreen, the system says nothing (Unknown: light): once asked, it wins.
    theme.confirm_system_scheme()
    assert theme.scheme() == "light"
    assert platform_palette.palette().color(QPalette.ColorRole.Window).name() == "#f3f3f6"


def test_a_light_platform_palette_gives_the_light_scheme(platform_palette):
    _with_window_colour(platform_palette, "#efefef")
    theme = ThemeManager(platform_palette, set_style=False, guess_system=True)
    assert theme.scheme() == "light"
    changes = []
    theme.changed.connect(lambda: changes.append(1))
    theme.confirm_system_scheme()  # the guess was right: nothing is re-coloured
    assert changes == []


def test_the_store_answers_the_first_paint_without_msgspec(tmp_path):
    """``first_paint`` reads the files' plain data; the typed records come on first use."""
    import json

    from wan_desktop.core.paths import AppPaths
    from wan_desktop.core.settings_store import SettingsStore

    paths = AppPaths(data=tmp_path, config=tmp_path, cache=tmp_path / "cache")
    (tmp_path / "settings.json").write_text(json.dumps({"color_scheme": "dark", "concurrency": 3}))
    layout = {"geometry": "AAAA", "main_splitter": "AAAB"}
    (tmp_path / "window-state.json").write_text(json.dumps({"layout": layout}))
    probe = (
        "import sys; from wan_desktop.core.settings_store import SettingsStore;"
        "from wan_desktop.core.paths import AppPaths; from pathlib import Path;"
        f"p = Path({str(tmp_path)!r}); s = SettingsStore.load(AppPaths(p, p, p / 'cache'));"
        "print(s.first_paint(), 'msgspec' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert out.stdout.strip() == f"('dark', {layout!r}) False", out.stderr
    store = SettingsStore.load(paths)
    assert store.settings.concurrency == 3 and store.window.layout == layout
    assert store.first_paint() == ("dark", layout)
    # A value of the wrong type costs the whole layout, in both readings.
    layout["main_splitter"] = 7
    (tmp_path / "window-state.json").write_text(json.dumps({"layout": layout}))
    store = SettingsStore.load(paths)
    assert store.first_paint() == ("dark", {}) and store.window.layout == {}


def test_an_older_settings_file_s_layout_reaches_the_first_paint(tmp_path):
    import json

    from wan_desktop.core.paths import AppPaths
    from wan_desktop.core.settings_store import SettingsStore

    paths = AppPaths(data=tmp_path, config=tmp_path, cache=tmp_path / "cache")
    (tmp_path / "settings.json").write_text(json.dumps({"window": {"geometry": "AAAA"}}))
    assert SettingsStore.load(paths).first_paint() == ("system", {"geometry": "AAAA"})


_FIRST_INPUT_PROBE = """
import sys
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
import wan_desktop.ui.main_window as main_window

def report(win):
    shown = win.library_action.isChecked()
    print("library", shown, "prompt", repr(win.composer.prompt.text()), flush=True)
    QApplication.quit()

def act(win, shown_before):
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest
    win.activateWindow()
    QTest.keyClick(win, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    print("toggled", win.library_action.isChecked() != shown_before, flush=True)
    win.composer.prompt.edit.setFocus()
    QTest.keyClicks(win.composer.prompt.edit, "a fox")
    QTimer.singleShot(0, lambda: report(win))

original = main_window.MainWindow.add_library_pane
def add_library_pane(self, *args, **kwargs):
    action = original(self, *args, **kwargs)
    # One event-loop turn after the last pane is built: Ctrl+L and typing act at once.
    QTimer.singleShot(0, lambda: act(self, action.isChecked()))
    return action
main_window.MainWindow.add_library_pane = add_library_pane
from wan_desktop.__main__ import main
sys.exit(main([]))
"""


def test_ctrl_l_and_typing_act_one_turn_after_the_panes_are_built(wan_home):
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", WAN_DESKTOP_HOME=str(wan_home))
    env.pop("FAL_KEY", None)
    result = subprocess.run(
        [sys.executable, "-c", _FIRST_INPUT_PROBE],
        env=env,
        capture_output=True,
        text=True,
        timeout=50,
    )
    assert "toggled True" in result.stdout, result.stdout + result.stderr
    assert "prompt 'a fox'" in result.stdout, result.stdout + result.stderr
