"""The main window with fake services: layout at 1280×800, menus and shortcuts, refusals shown
at their field, the offline banner, the first-run welcome, remembered splitters."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QPushButton, QWidget
from ui_fakes import FakeServices
from ui_helpers import load_picture

from wan_desktop.core.request import GenerationRequest
from wan_desktop.jobs.model import JobState
from wan_desktop.ui.main_window import MainWindow

OBJECT_NAMES = (
    "imageDropZone",
    "promptEdit",
    "promptCounter",
    "negativePromptEdit",
    "negativePromptCounter",
    "resolutionCombo",
    "durationCombo",
    "seedSpin",
    "promptExpansionCheck",
    "multiShotsCheck",
    "safetyCheckerCheck",
    "audioPicker",
    "generateButton",
    "jobsView",
    "videoPlayer",
)


@pytest.fixture
def window(qtbot, tasks, paths):
    services = FakeServices(paths)
    win = MainWindow(services, tasks)
    qtbot.addWidget(win)
    win.resize(QSize(1280, 800))
    win.show()
    qtbot.waitExposed(win)
    yield win
    win.close()


def test_every_control_is_named_and_labelled(window):
    for name in OBJECT_NAMES:
        widget = window.findChild(QWidget, name)
        assert widget is not None, name
        assert widget.accessibleName(), name
        assert widget.isVisible(), name


def test_fits_at_1280x800(window):
    generate = window.findChild(QPushButton, "generateButton")
    bottom = generate.mapTo(window, generate.rect().bottomLeft()).y()
    assert bottom < window.height() - window.statusBar().height()
    player = window.findChild(QWidget, "videoPlayer")
    assert player.width() >= 560 and player.height() >= 300


def test_menu_shortcuts(window):
    shortcuts = {a.objectName(): a.shortcuts() for a in window.actions()}
    assert QKeySequence("Ctrl+O") in shortcuts["openImageAction"]
    assert QKeySequence("Ctrl+V") in shortcuts["pasteImageAction"]
    assert QKeySequence("Ctrl+,") in shortcuts["settingsAction"]
    assert QKeySequence("Ctrl+Q") in shortcuts["quitAction"]
    assert QKeySequence("Ctrl+Return") in shortcuts["generateAction"]
    assert QKeySequence("Ctrl+Enter") in shortcuts["generateAction"]
    titles = [a.text().replace("&", "") for a in window.menuBar().actions()]
    assert titles == ["File", "Video", "View", "Help"]


def test_generate_enqueues_and_keeps_the_composer(qtbot, window, run, good_image):
    load_picture(qtbot, window.composer, good_image)
    window.composer.prompt.set_text("A lighthouse, waves crash")
    window.generate_action.trigger()
    qtbot.waitUntil(lambda: window.jobs_model.rowCount() == 1, timeout=5000)
    qtbot.waitUntil(lambda: window.last_enqueue_task.done(), timeout=5000)
    runner = window.runner
    assert runner.enqueued[0].prompt == "A lighthouse, waves crash"
    assert window.composer.prompt.text() == "A lighthouse, waves crash"
    assert window.services.store.window.recent_prompts[0] == "A lighthouse, waves crash"
    assert window.composer.prompt.recent_button.isEnabled()


def test_refusal_is_shown_at_the_prompt(qtbot, window, good_image):
    runner = window.runner
    job = runner.add(GenerationRequest(prompt="bad words", image=str(good_image)))
    runner.update(
        job.id,
        state=JobState.FAILED,
        error="The prompt was refused by the content checker.",
        error_field="prompt",
    )
    prompt = window.composer.prompt
    assert prompt.edit.property("invalid") is True
    assert "refused" in prompt.error.text()
    assert prompt.error.isVisible()


def test_done_job_plays_and_offers_the_seed(qtbot, window, clip, good_image):
    from ui_fakes import FakeEntry

    request = GenerationRequest(prompt="a drifting boat", image=str(good_image))
    runner = window.runner
    job = runner.add(request)
    window.services.library.entries["e1"] = FakeEntry("e1", str(clip), request, 777)
    runner.update(job.id, state=JobState.DONE, entry_id="e1")
    qtbot.waitUntil(lambda: window.player.path() == str(clip), timeout=5000)
    assert "777" in window.findChild(QPushButton, "useSeedButton").text()
    assert "ready" in window.statusBar().currentMessage()


def test_offline_banner_opens_settings(qtbot, window):
    assert window.banner.isVisible()
    qtbot.mouseClick(window.banner.button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(
        lambda: window.settings_dialog is not None and window.settings_dialog.isVisible()
    )
    window.settings_dialog.reject()


def test_welcome_once_then_from_help(qtbot, tasks, paths):
    from wan_desktop.core.settings_store import SettingsStore
    from wan_desktop.core.window_state import WindowState

    services = FakeServices(paths, window_state=WindowState())
    win = MainWindow(services, tasks)
    qtbot.addWidget(win)
    win.show()
    win.maybe_show_welcome()
    dialog = win.welcome_dialog
    assert dialog is not None and dialog.isVisible()
    assert str(paths.library) in dialog.findChild(QWidget, "welcomeText").text()
    qtbot.mouseClick(dialog.key_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: win.settings_dialog is not None and win.settings_dialog.isVisible())
    win.settings_dialog.reject()
    assert services.store.window.first_run_done
    qtbot.waitUntil(lambda: SettingsStore.load(paths).window.first_run_done, timeout=5000)
    win.maybe_show_welcome()
    assert win.welcome_dialog is None
    win.welcome_action.trigger()
    assert win.welcome_dialog is not None
    win.welcome_dialog.reject()
    win.close()


def test_splitters_are_remembered(qtbot, tasks, paths):
    from wan_desktop.core.settings_store import SettingsStore

    services = FakeServices(paths)
    win = MainWindow(services, tasks)
    qtbot.addWidget(win)
    win.resize(1280, 800)
    win.show()
    win.main_splitter.setSizes([500, 780])
    sizes = win.main_splitter.sizes()
    win.close()
    saved = SettingsStore.load(paths)
    assert saved.window.layout.get("main_splitter")
    services2 = FakeServices(paths, store=saved)
    win2 = MainWindow(services2, tasks)
    qtbot.addWidget(win2)
    win2.resize(1280, 800)
    win2.show()
    assert win2.main_splitter.sizes() == sizes
    win2.close()


def test_library_pane_slot(qtbot, window, tasks):
    from wan_desktop.ui.library_actions import LibraryActions
    from wan_desktop.ui.library_pane import LibraryPane

    pane = LibraryPane(tasks, LibraryActions())
    action = window.add_library_pane(pane, actions=pane.actions)
    assert action.shortcut() == QKeySequence("Ctrl+L")
    # At 1280 px wide three panes do not fit: the library starts hidden, and shows as a tab
    # beside the composer, which is never squeezed.
    assert window.width() < window.library_dock.beside_width()
    assert not pane.isVisible() and not action.isChecked()
    action.trigger()
    assert pane.isVisible()
    assert window.composer_box.width() >= window.composer_box.minimumWidth()
    assert window.layout_state()["library_visible"] == "1"
    action.trigger()
    assert not pane.isVisible()
    assert window.main_splitter.indexOf(pane) == 2
    assert window.layout_state()["library_visible"] == "0"


def test_ctrl_enter_in_the_prompt_generates(qtbot, window, good_image):
    load_picture(qtbot, window.composer, good_image)
    prompt = window.composer.prompt.edit
    prompt.setFocus()
    qtbot.keyClicks(prompt, "Ripples spread")
    qtbot.keyClick(prompt, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: window.jobs_model.rowCount() == 1, timeout=5000)
    assert prompt.toPlainText() == "Ripples spread"  # no newline typed


def test_ctrl_v_in_the_prompt_pastes_text(qtbot, window):
    from PySide6.QtWidgets import QApplication

    QApplication.clipboard().setText("pasted words")
    prompt = window.composer.prompt.edit
    prompt.setFocus()
    qtbot.keyClick(prompt, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    assert prompt.toPlainText() == "pasted words"
    assert window.composer.drop_zone.source() is None


def test_full_screen_shows_only_the_player(qtbot, window):
    window.player.set_full_screen(True)
    assert not window.composer.isVisible() and not window.menuBar().isVisible()
    assert window.player.isVisible()
    window.player.set_full_screen(False)
    assert window.composer.isVisible() and window.menuBar().isVisible()
    assert window.banner.isVisible()


def test_multimedia_logs_are_quiet(qapp):
    from PySide6.QtCore import QLoggingCategory

    from wan_desktop.ui.player import quiet_multimedia_logs

    quiet_multimedia_logs()
    assert not QLoggingCategory("qt.multimedia.ffmpeg").isInfoEnabled()
    assert not QLoggingCategory("qt.multimedia.symbolsresolver").isWarningEnabled()


def test_saving_a_key_switches_the_engine(qtbot, window):
    from PySide6.QtWidgets import QLineEdit

    dialog = window.open_settings()
    qtbot.waitUntil(lambda: dialog.load_task.done(), timeout=5000)
    dialog.findChild(QLineEdit, "falKeyEdit").setText("id:secret")
    dialog.concurrency.setValue(7)
    dialog.buttons.accepted.emit()
    qtbot.waitUntil(lambda: bool(window.services.reconfigured), timeout=5000)
    settings, key_changed = window.services.reconfigured[0]
    assert key_changed and settings.concurrency == 7
    assert window.runner.concurrency == 7
    qtbot.waitUntil(lambda: window.composer.generate_button.toolTip() != "", timeout=5000)
    assert "Switching" not in window.composer.reason.text()


def test_help_menu_copies_diagnostics_without_the_key(window, run, qtbot, monkeypatch):
    from PySide6.QtGui import QGuiApplication

    monkeypatch.setenv("FAL_KEY", "sk-diag-secret-0123456789")
    assert window.findChild(QAction, "openLogsAction") is not None
    text = run(window.copy_diagnostics(), timeout=30)
    assert "wan-desktop" in text.lower() and "PySide6" in text
    assert "sk-diag-secret-0123456789" not in text
    assert QGuiApplication.clipboard().text() == text


def test_deferred_window_paints_its_frame_then_fills_its_panes(qtbot, tasks, paths):
    from wan_desktop.core.settings_store import SettingsStore

    # Remembered splitter sizes first, so the frame is laid out as the user left it.
    first = MainWindow(FakeServices(paths), tasks)
    qtbot.addWidget(first)
    first.resize(1280, 800)
    first.show()
    first.main_splitter.setSizes([520, 760])
    first.close()

    win = MainWindow(FakeServices(paths, store=SettingsStore.load(paths)), tasks, deferred=True)
    qtbot.addWidget(win)
    win.resize(1280, 800)
    win.show()
    qtbot.waitExposed(win)
    assert not win.is_built()
    assert win.findChild(QWidget, "composer") is None
    assert win.findChild(QWidget, "videoPlayer") is None
    titles = [a.text() for a in win.menuBar().actions()]
    assert titles == ["&File", "&Video", "V&iew", "&Help"]  # the menu bar as it will be
    frame_sizes = win.main_splitter.sizes()
    assert frame_sizes[0] >= win.composer_box.minimumWidth()

    win.finish_building()
    assert win.is_built()
    composer, player = win.composer, win.player
    win.finish_building()  # once only
    assert win.composer is composer and win.player is player
    for name in OBJECT_NAMES:
        assert win.findChild(QWidget, name) is not None, name
    assert win.findChild(QAction, "generateAction") is not None
    assert [a.text() for a in win.menuBar().actions()] == titles
    assert composer.parentWidget() is win.composer_box
    assert player.parentWidget() is win.player_box
    assert win.jobs_panel.parentWidget() is win.jobs_box
    qtbot.wait(50)
    assert win.main_splitter.sizes() == frame_sizes  # nothing jumps when the panes arrive
    win.close()


def test_a_deferred_window_builds_its_panes_when_first_asked(qtbot, tasks, paths):
    win = MainWindow(FakeServices(paths), tasks, deferred=True)
    qtbot.addWidget(win)
    assert not win.is_built()
    assert win.player.engine is not None or win.player.unavailable_reason  # asked: built
    assert win.is_built()
    win.findChild(QAction, "clearImageAction").trigger()
    assert win.composer.drop_zone.source() is None
    win.close()


def test_an_older_settings_file_keeps_the_layout_and_recent_prompts(qtbot, tasks, paths):
    """Before preferences and window state were split, settings.json held both."""
    import json

    from wan_desktop.core.settings_store import SettingsStore
    from wan_desktop.core.window_state import window_state_file

    first = MainWindow(FakeServices(paths), tasks)
    qtbot.addWidget(first)
    first.resize(1280, 800)
    first.show()
    first.main_splitter.setSizes([530, 750])
    sizes = first.main_splitter.sizes()
    first.close()
    state = json.loads(window_state_file(paths).read_text())
    old = {"concurrency": 3, "window": state["layout"], "first_run_done": True}
    old["recent_prompts"] = ["The tide rolls in", "Leaves drift"]
    paths.settings_file.write_text(json.dumps(old))
    window_state_file(paths).unlink()

    store = SettingsStore.load(paths)
    win = MainWindow(FakeServices(paths, store=store), tasks)
    qtbot.addWidget(win)
    win.resize(1280, 800)
    win.show()
    assert win.main_splitter.sizes() == sizes
    assert win.services.settings.concurrency == 3
    assert win.composer.prompt.recent_button.isEnabled()
    win.maybe_show_welcome()
    assert win.welcome_dialog is None  # the welcome was shown under the old file
    win.close()
    assert not {"window", "recent_prompts"} & json.loads(paths.settings_file.read_text()).keys()
    assert SettingsStore.load(paths).window.recent_prompts == ("The tide rolls in", "Leaves drift")
