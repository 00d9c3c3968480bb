"""Every library action, through the real window: play, reuse (all, new seed, prompt only,
the service's prompt), continue from the last frame (pixel-exact, parent recorded and shown),
reveal, open externally, copy path, export, trash/restore/empty, edits, drag out, import by
a real drop, and new results appearing live."""

from __future__ import annotations

import shutil

import av
import pytest
import shiboken6
from library_ui_helpers import add_entry
from library_window import close_player, open_window, wait_task
from PIL import Image, ImageChops
from PySide6.QtCore import Qt, QUrl
from PySide6.QtWidgets import QApplication
from ui_fakes import FakeServices
from ui_helpers import drop_urls

from wan_desktop.jobs.model import JobState
from wan_desktop.library import Filters, Library
from wan_desktop.ui.library_model import LibraryRole

pytestmark = pytest.mark.timeout(90)


@pytest.fixture
def win(qtbot, tasks, paths, lib, tmp_path):
    add_entry(lib, tmp_path / "in", hue=0.1, seed=11, prompt="an old lighthouse in a storm")
    add_entry(
        lib,
        tmp_path / "in",
        hue=0.6,
        seed=1234,
        resolution="1080p",
        duration=10,
        negative_prompt="blurry, text",
        prompt="a red fox running through snow",
        actual_prompt="A red fox sprints across a snowy field at dawn, breath steaming.",
    )
    window, pane = open_window(qtbot, tasks, FakeServices(paths), lib)
    window.pane = pane
    yield window
    if shiboken6.isValid(window):
        close_player(window)
    window.close()


def _select(qtbot, pane, row: int = 0):
    pane.view.setCurrentIndex(pane.model.index(row))
    entry_id = pane.model.index(row).data(LibraryRole.Id)
    qtbot.waitUntil(
        lambda: pane.details.entry is not None and pane.details.entry.id == entry_id, timeout=5000
    )
    return pane.details.entry


def _image_loaded(qtbot, composer):
    qtbot.waitUntil(lambda: not composer.drop_zone.is_loading(), timeout=10000)


def test_play_in_the_app_player(qtbot, win):
    entry = _select(qtbot, win.pane)
    win.pane.play_action.trigger()
    wait_task(qtbot, win.pane)
    assert win.player.path() == str(entry.video_path)


def test_double_click_plays(qtbot, win):
    entry = _select(qtbot, win.pane, 1)
    win.pane.view.activated.emit(win.pane.model.index(1))
    wait_task(qtbot, win.pane)
    assert win.player.path() == str(entry.video_path)


def test_reuse_all_settings_is_an_exact_rerun(qtbot, win):
    composer = win.composer
    entry = _select(qtbot, win.pane)  # the fox: newest first
    win.pane.reuse_action.trigger()
    wait_task(qtbot, win.pane)
    _image_loaded(qtbot, composer)
    request = composer.request()
    assert request.prompt == "a red fox running through snow"
    assert request.negative_prompt == "blurry, text"
    assert (request.resolution, request.duration, request.seed) == ("1080p", 10, 1234)
    assert request.image == str(entry.image_path)
    assert request.enable_prompt_expansion == entry.request.enable_prompt_expansion


def test_reuse_with_a_new_seed(qtbot, win):
    _select(qtbot, win.pane)
    win.pane.reuse_seed_action.trigger()
    wait_task(qtbot, win.pane)
    request = win.composer.request()
    assert request.seed is not None and request.seed != 1234
    assert request.resolution == "1080p"
    _image_loaded(qtbot, win.composer)  # no image load may outlive the window


def test_reuse_the_prompt_only(qtbot, win):
    composer = win.composer
    composer.options.resolution.setCurrentIndex(composer.options.resolution.findData("720p"))
    _select(qtbot, win.pane)
    win.pane.reuse_prompt_action.trigger()
    wait_task(qtbot, win.pane)
    request = composer.request()
    assert request.prompt == "a red fox running through snow"
    assert request.resolution == "720p" and request.seed is None
    assert composer.drop_zone.source() is None


def test_use_the_prompt_the_service_used(qtbot, win):
    entry = _select(qtbot, win.pane)
    html = win.pane.details.actual_view.toHtml()
    assert "sprints" in html and "background-color" in html  # added words highlighted
    qtbot.mouseClick(win.pane.details.use_prompt_button, Qt.MouseButton.LeftButton)
    wait_task(qtbot, win.pane)
    assert win.composer.prompt.text() == entry.actual_prompt
    assert not win.composer.options.expansion.isChecked()


def _last_frame_with_pyav(path) -> Image.Image:
    with av.open(str(path)) as container:
        last = None
        for frame in container.decode(video=0):
            last = frame
    return last.to_image().convert("RGB")


def test_continue_from_the_last_frame(qtbot, win, lib, tmp_path):
    pane, composer, runner = win.pane, win.composer, win.runner
    parent = _select(qtbot, pane)
    pane.continue_action.trigger()
    wait_task(qtbot, pane)
    _image_loaded(qtbot, composer)
    assert composer.drop_zone.problem() is None
    assert composer.generate_button.isEnabled(), composer.reason_text()
    assert composer.trigger_generate()
    qtbot.waitUntil(lambda: len(runner.enqueued) == 1, timeout=5000)
    request = runner.enqueued[0]
    job = runner.jobs()[0]
    assert job.parent_id == parent.id
    # The new job's input is the clip's last decoded frame, pixel for pixel.
    sent = Image.open(request.image).convert("RGB")
    expected = _last_frame_with_pyav(parent.video_path)
    assert sent.size == expected.size
    assert ImageChops.difference(sent, expected).getbbox() is None
    # Replacing the image breaks the link.
    from wan_desktop.core.request import GenerationRequest

    assert pane.actions.parent_for(GenerationRequest(prompt="x", image="/elsewhere.png")) is None

    # The job finishes: the child shows at the top, live, and links to its parent.
    child = add_entry(lib, tmp_path / "in2", hue=0.9, parent_id=parent.id, prompt="the fox stops")
    runner.update(job.id, state=JobState.DONE, entry_id=child.id)
    runner.update(job.id, kind="finished")
    qtbot.waitUntil(lambda: pane.model.row_of(child.id) == 0, timeout=5000)
    assert pane.count_label.text() == "3 clips"
    _select(qtbot, pane, 0)
    link = pane.details.parent_link
    assert link.isVisibleTo(pane) and parent.id in link.text()
    link.linkActivated.emit(f"entry:{parent.id}")
    qtbot.waitUntil(lambda: pane.current_id() == parent.id, timeout=5000)


def test_reveal_open_and_copy_path(qtbot, win):
    pane = win.pane
    entry = _select(qtbot, pane)
    pane.reveal_action.trigger()
    wait_task(qtbot, pane)
    pane.open_external_action.trigger()
    wait_task(qtbot, pane)
    assert pane.open_url.urls == [
        QUrl.fromLocalFile(str(entry.folder)),
        QUrl.fromLocalFile(str(entry.video_path)),
    ]
    pane.copy_path_action.trigger()
    wait_task(qtbot, pane)
    assert QApplication.clipboard().text() == str(entry.video_path)


def test_export_with_the_template_and_sidecar(qtbot, win, tmp_path):
    pane = win.pane
    entry = _select(qtbot, pane)
    pane.export_action.trigger()
    dialog = pane.export_dialog
    assert dialog is not None and dialog.objectName() == "libraryExportDialog"
    out = tmp_path / "exported"
    out.mkdir()
    dialog.folder_edit.setText(str(out))
    dialog.template_edit.setText("{seed}-{resolution}")
    dialog.sidecar_check.setChecked(True)
    dialog.accept()
    path = wait_task(qtbot, pane)
    assert path == out / "1234-1080p.mp4"
    assert path.read_bytes() == entry.video_path.read_bytes()
    assert (out / "1234-1080p.json").is_file()


def test_trash_restore_and_empty(qtbot, win, lib):
    pane = win.pane
    entry = _select(qtbot, pane)
    pane.view.setFocus()
    qtbot.keyClick(pane.view, Qt.Key.Key_Delete)  # the shortcut on the grid
    qtbot.waitUntil(lambda: pane.model.row_of(entry.id) < 0, timeout=5000)
    assert pane.count_label.text() == "1 clip"
    assert lib.get(entry.id).trashed_at is not None
    with qtbot.waitSignal(pane.model.queryApplied, timeout=5000):
        pane.trash_toggle.setChecked(True)
    assert pane.model.ids() == [entry.id] and pane.count_label.text() == "1 in the trash"
    assert pane.restore_action.isVisible() and not pane.trash_action.isVisible()
    assert pane.restore_action in pane.context_menu().actions()
    _select(qtbot, pane)
    pane.restore_action.trigger()
    wait_task(qtbot, pane)
    assert pane.model.rowCount() == 0 and lib.get(entry.id).trashed_at is None
    lib.trash(entry.id)
    with qtbot.waitSignal(pane.model.queryApplied, timeout=5000):
        pane.model.refresh()
    pane.empty_trash(confirm=False)
    wait_task(qtbot, pane)
    assert lib.count(filters=Filters(trashed=True)) == 0
    qtbot.waitUntil(lambda: pane.model.rowCount() == 0, timeout=5000)


def test_edits_are_saved(qtbot, win, lib):
    pane = win.pane
    entry = _select(qtbot, pane)
    details = pane.details
    details.favourite_check.setChecked(True)
    wait_task(qtbot, pane)
    assert lib.get(entry.id).favourite
    assert pane.model.index(0).data(LibraryRole.Favourite) is True
    details.title_edit.setText("Fox, take 2")
    details.title_edit.editingFinished.emit()
    wait_task(qtbot, pane)
    details.tags_edit.setText("Fox, winter")
    details.tags_edit.editingFinished.emit()
    wait_task(qtbot, pane)
    details.notes_edit.setPlainText("try a longer shot")
    details.flush()
    wait_task(qtbot, pane)
    saved = lib.get(entry.id)
    assert (saved.title, saved.tags, saved.notes) == (
        "Fox, take 2",
        ("fox", "winter"),
        "try a longer shot",
    )
    assert pane.model.index(0).data(LibraryRole.Title) == "Fox, take 2"
    pane.favourite_action.trigger()  # Ctrl+D toggles it back
    wait_task(qtbot, pane)
    assert not lib.get(entry.id).favourite


def test_a_favourite_saved_shows_in_the_details_without_saving_again(qtbot, win, lib):
    pane = win.pane
    entry = _select(qtbot, pane)
    saves = []
    set_favourite = pane.actions.set_favourite

    async def counted(entry_id, favourite):
        saves.append(favourite)
        return await set_favourite(entry_id, favourite)

    pane.actions.set_favourite = counted
    pane.favourite_action.trigger()
    wait_task(qtbot, pane)
    qtbot.wait(200)  # an echo from the details panel would have started another save by now
    assert saves == [True] and lib.get(entry.id).favourite
    assert pane.details.favourite_check.isChecked() and pane.favourite_action.isChecked()


def test_the_action_set_enables_what_applies(qtbot):
    from PySide6.QtWidgets import QWidget

    from wan_desktop.ui.library_action_set import LibraryActionSet

    host = QWidget()
    qtbot.addWidget(host)
    grid = QWidget(host)
    actions = LibraryActionSet(host, grid)
    assert actions.trash_action in grid.actions() and actions.trash_action not in host.actions()
    actions.sync(has_current=False, trash_shown=False, any_clips=True)
    assert not actions.play_action.isEnabled() and not actions.trash_action.isEnabled()
    assert actions.trash_action.isVisible() and not actions.restore_action.isVisible()
    assert not actions.empty_trash_action.isVisible()
    actions.sync(has_current=True, trash_shown=False, any_clips=True)
    assert all(a.isEnabled() for a in actions.clip_actions()) and actions.trash_action.isEnabled()
    actions.sync(has_current=True, trash_shown=True, any_clips=False)
    assert not actions.trash_action.isVisible() and actions.restore_action.isEnabled()
    assert actions.empty_trash_action.isVisible() and not actions.empty_trash_action.isEnabled()
    actions.sync(has_current=False, trash_shown=True, any_clips=True)
    assert actions.empty_trash_action.isEnabled() and not actions.restore_action.isEnabled()
    menu = actions.context_menu(trash_shown=True)
    assert menu.objectName() == "libraryContextMenu"
    assert actions.restore_action in menu.actions() and actions.trash_action not in menu.actions()
    menu.close()


def test_shortcut_reuses(qtbot, win):
    pane = win.pane
    _select(qtbot, pane)
    win.activateWindow()
    pane.view.setFocus()
    qtbot.keyClick(pane.view, Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: win.composer.prompt.text() != "", timeout=5000)
    assert win.composer.request().seed == 1234
    _image_loaded(qtbot, win.composer)


def test_context_menu_and_toolbar(qtbot, win):
    pane = win.pane
    _select(qtbot, pane)
    names = {a.objectName() for a in pane.context_menu().actions()}
    assert {
        "libraryPlayAction", "libraryReuseAction", "libraryReuseNewSeedAction",
        "libraryReusePromptAction", "libraryContinueAction", "libraryRevealAction",
        "libraryOpenExternalAction", "libraryCopyPathAction", "libraryExportAction",
        "libraryTrashAction", "libraryFavouriteAction",
    } <= names  # fmt: skip
    toolbar = {a.objectName() for a in pane.toolbar.actions()}
    assert {"libraryPlayAction", "libraryReuseAction", "libraryContinueAction"} <= toolbar


def test_drag_out_carries_the_file_url(qtbot, win):
    pane = win.pane
    entry = _select(qtbot, pane)
    mime = pane.model.mimeData([pane.model.index(0)])
    assert mime.urls() == [QUrl.fromLocalFile(str(entry.video_path))]
    assert pane.model.flags(pane.model.index(0)) & Qt.ItemFlag.ItemIsDragEnabled


def test_import_by_dropping_an_mp4(qtbot, win, tmp_path):
    pane = win.pane
    other = Library.open(tmp_path / "other")
    made = add_entry(other, tmp_path / "in3", hue=0.33, prompt="a paper boat on a pond", seed=77)
    dropped = tmp_path / "from elsewhere.mp4"
    shutil.copy(made.video_path, dropped)
    other.close()
    drop = drop_urls(pane.view.viewport(), [dropped])
    assert drop.isAccepted()
    wait_task(qtbot, pane)
    entry, restored = pane.last_import
    assert restored and entry.request.prompt == "a paper boat on a pond" and entry.seed == 77
    qtbot.waitUntil(lambda: pane.model.row_of(entry.id) == 0, timeout=5000)
    assert "settings restored" in win.statusBar().currentMessage()
    assert pane.count_label.text() == "3 clips"


def test_dropping_something_else_is_refused(qtbot, win, tmp_path):
    from PySide6.QtCore import QMimeData, QPoint
    from PySide6.QtGui import QDragEnterEvent

    text = tmp_path / "notes.txt"
    text.write_text("hi")
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(text))])
    event = QDragEnterEvent(
        QPoint(10, 10), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )  # fmt: skip
    QApplication.sendEvent(win.pane.view.viewport(), event)
    assert not event.isAccepted()
