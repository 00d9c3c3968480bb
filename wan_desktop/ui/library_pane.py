"""The library pane: the find bar over ``libraryView``, the clip actions (toolbar, context
menu, shortcuts) and the details of the selected clip (GUI thread).

The pieces live in their own modules: :class:`LibraryFilterBar` (search, filters, count),
:class:`LibraryActionSet` (the actions and their menus), :class:`ExportDialog`, and the
trash and its undo (:class:`LibraryTrashMixin`). The pane
wires them to the model, the view and the details panel, and runs what they ask for as tasks.

Wiring (the composition root calls :func:`install_library`): the pane drives a
:class:`LibraryActions` service; the composer and the player are reached through that
service's ports, and the window asks it for the ``parent_id`` of a continuation.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Coroutine
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, QUrl, Signal
from PySide6.QtGui import QAction, QDesktopServices
from PySide6.QtWidgets import (
    QApplication,
    QFileDialog,
    QLabel,
    QMenu,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from ..library import DEFAULT_TEMPLATE
from .async_bridge import TaskKeeper
from .details_panel import DetailsPanel
from .export_dialog import ExportDialog
from .library_action_set import LibraryActionSet
from .library_actions import LibraryActions, ReuseMode, apply_fill
from .library_culling import LibraryCulling
from .library_empty import CLEAR_FILTERS, SHOW_LIBRARY, empty_state_for
from .library_filter_bar import SEARCH_DEBOUNCE_MS, LibraryFilterBar
from .library_model import LibraryModel, LibraryQuery, LibraryRole, summary_of_entry
from .library_trash import LibraryTrashMixin
from .library_view import MAX_THUMBNAIL, MIN_THUMBNAIL, LibraryView
from .mark_sync import MarkSync
from .theme import set_role

__all__ = ["SEARCH_DEBOUNCE_MS", "ExportDialog", "LibraryPane", "install_library"]


class _Forward:
    """``pane.<name>`` reads ``pane.<part>.<name>``: the controls keep the names they had on
    the pane (tests, the bench and scripts reach them there), with one owner each."""

    def __init__(self, part: str) -> None:
        self._part = part
        self._name = ""

    def __set_name__(self, _owner: type, name: str) -> None:
        self._name = name

    def __get__(self, pane: Any, _owner: type | None = None) -> Any:
        return self if pane is None else getattr(getattr(pane, self._part), self._name)


class LibraryPane(LibraryTrashMixin, QWidget):
    """``libraryPane``: find, browse and act on clips. ``actions`` is the service it drives;
    ``last_task`` the task it started last (tests wait on it).

    ``statusMessage(text)`` for the status line; ``trashed(ids)`` after clips were moved to the
    trash, so the window can offer to undo it with :meth:`restore_ids`;
    ``thumbnail_size_changed(px)`` when the user (or :attr:`thumbnail_size`) resized the cards,
    for the window to remember.
    """

    statusMessage = Signal(str)
    trashed = Signal(list)
    thumbnail_size_changed = Signal(int)

    search = _Forward("filter_bar")
    count_label = _Forward("filter_bar")
    favourites_filter = _Forward("filter_bar")
    audio_filter = _Forward("filter_bar")
    resolution_filter = _Forward("filter_bar")
    duration_filter = _Forward("filter_bar")
    date_filter = _Forward("filter_bar")
    date_from = _Forward("filter_bar")
    date_to = _Forward("filter_bar")
    sort_combo = _Forward("filter_bar")
    trash_toggle = _Forward("filter_bar")
    thumbnail_slider = _Forward("filter_bar")
    play_action = _Forward("action_set")
    reuse_action = _Forward("action_set")
    reuse_seed_action = _Forward("action_set")
    reuse_prompt_action = _Forward("action_set")
    continue_action = _Forward("action_set")
    favourite_action = _Forward("action_set")
    reveal_action = _Forward("action_set")
    open_external_action = _Forward("action_set")
    copy_path_action = _Forward("action_set")
    export_action = _Forward("action_set")
    trash_action = _Forward("action_set")
    restore_action = _Forward("action_set")
    empty_trash_action = _Forward("action_set")
    import_action = _Forward("action_set")
    find_action = _Forward("action_set")
    toolbar = _Forward("action_set")
    more_button = _Forward("action_set")

    def __init__(self, tasks: TaskKeeper, actions: LibraryActions, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("libraryPane")
        self.setAccessibleName("Library")
        self.tasks = tasks
        self.actions = actions
        self.model = LibraryModel(tasks, self)
        self.view = LibraryView(self.model)
        self.details = DetailsPanel()
        self.open_url = QDesktopServices.openUrl  # swapped in tests
        self.export_folder = str(Path.home())
        self.export_template = DEFAULT_TEMPLATE
        self.export_dialog: ExportDialog | None = None
        self._details_token = 0
        self.last_task: asyncio.Task | None = None
        self.last_import: tuple[Any, bool] | None = None
        self.filter_bar = LibraryFilterBar()
        self.action_set = LibraryActionSet(self, self.view)
        # Every saved mark (these keys, the details, the sheet, compare) goes through marks.
        self.marks = MarkSync(self.model, self.details, self)
        self.culling = LibraryCulling(self.view, self.model, self.actions, self._spawn)
        self.culling.saved.connect(self._on_culling_saved)  # stars and picks: keys 1–5, 0, P, X
        self.splitter = QSplitter(Qt.Orientation.Vertical)
        self._lay_out()
        self._connect_find()
        self._connect_actions()
        self._connect_details()
        self.actions.entry_added.append(self._on_actions_entry_added)
        self.actions.library_listeners.append(self.model.set_library)
        if self.actions.library is not None:
            self.model.set_library(self.actions.library)
        self._sync_actions()

    def _lay_out(self) -> None:
        top = QVBoxLayout()
        top.setContentsMargins(8, 8, 8, 0)
        top.setSpacing(5)
        heading = QLabel("Library")
        set_role(heading, "heading")
        top.addWidget(heading)
        top.addWidget(self.filter_bar)
        top.addWidget(self.action_set.toolbar)
        self.splitter.setObjectName("librarySplitter")
        self.splitter.addWidget(self.view)
        self.splitter.addWidget(self.details)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        self.splitter.setChildrenCollapsible(False)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 4, 6)
        outer.setSpacing(4)
        outer.addLayout(top)
        outer.addWidget(self.splitter, 1)

    def _connect_find(self) -> None:
        self.filter_bar.queryChanged.connect(self.apply_query)
        self.filter_bar.trashToggled.connect(self._sync_actions)
        self.model.countChanged.connect(self.filter_bar.show_count)
        self.model.countChanged.connect(self._sync_empty_state)
        self.view.empty_button.clicked.connect(self._on_view_empty_button_clicked)
        self.model.modelReset.connect(self._on_model_model_reset)
        self.view.selectionModel().currentChanged.connect(self._on_view_current_changed)
        self.view.activated.connect(self._on_view_activated)
        self.view.customContextMenuRequested.connect(self._on_view_custom_context_menu_requested)
        self.view.importRequested.connect(self._on_view_import_requested)
        slider = self.filter_bar.thumbnail_slider
        slider.setRange(MIN_THUMBNAIL, MAX_THUMBNAIL)
        slider.setSingleStep(10)
        slider.setPageStep(40)
        slider.setValue(self.view.thumbnail_width())
        slider.valueChanged.connect(self._on_thumbnail_slider_value_changed)

    def _connect_actions(self) -> None:
        a = self.action_set
        handlers: list[tuple[QAction, Callable[[], object]]] = [
            (a.play_action, self.preview_current),
            (a.reuse_action, lambda: self.reuse("all")),
            (a.reuse_seed_action, lambda: self.reuse("new_seed")),
            (a.reuse_prompt_action, lambda: self.reuse("prompt")),
            (a.continue_action, lambda: self.reuse("continue")),
            (a.favourite_action, self._on_favourite_triggered),
            (a.reveal_action, lambda: self._for_current(self._reveal, "Show in the file manager")),
            (a.open_external_action,
             lambda: self._for_current(self._open_external, "Open in the system player")),
            (a.copy_path_action, lambda: self._for_current(self._copy_path, "Copy the file path")),
            (a.export_action, self._on_export_triggered),
            (a.trash_action, lambda: self._move_selected(restore=False)),
            (a.restore_action, lambda: self._move_selected(restore=True)),
            (a.empty_trash_action, lambda: self.empty_trash(confirm=True)),
            (a.import_action, self._on_import_triggered),
            (a.find_action, self.focus_search),
        ]  # fmt: skip
        for action, handler in handlers:
            action.triggered.connect(lambda _checked=False, handler=handler: handler())

    def _connect_details(self) -> None:
        d = self.details
        d.favouriteToggled.connect(self._on_details_favourite_toggled)
        d.titleEdited.connect(self._on_details_title_edited)
        d.tagsEdited.connect(self._on_details_tags_edited)
        d.notesEdited.connect(self._on_details_notes_edited)
        d.usePromptRequested.connect(self._on_details_use_prompt_requested)
        d.parentRequested.connect(self._on_details_parent_requested)

    # ---- query --------------------------------------------------------------------------------

    def focus_search(self) -> None:
        """Put the cursor in the search box, its text selected (the window's Ctrl+F)."""
        self.filter_bar.focus_search()

    @property
    def thumbnail_size(self) -> int:
        """The least width of a card's picture, px (the slider; cards widen to fill a row).
        Set it to restore a remembered size: it is kept within the slider's range."""
        return self.view.thumbnail_width()

    @thumbnail_size.setter
    def thumbnail_size(self, px: int) -> None:
        self.filter_bar.thumbnail_slider.setValue(min(MAX_THUMBNAIL, max(MIN_THUMBNAIL, px)))

    def _on_thumbnail_slider_value_changed(self, px: int) -> None:
        self.view.set_thumbnail_width(px)
        self.thumbnail_size_changed.emit(self.view.thumbnail_width())

    def current_query(self) -> LibraryQuery:
        """The query the find bar describes."""
        return self.filter_bar.query()

    def apply_query(self) -> Any:
        """Run the find bar's query now (a debounced search calls this when it fires)."""
        self.filter_bar.cancel_pending()
        self.last_task = self.model.set_query(self.current_query())
        return self.last_task

    def _sync_empty_state(self, total: int) -> None:
        """What the grid says when the query found nothing (nothing before a library is open:
        "No clips yet" would flash at every start-up)."""
        if self.model.library is None:
            self.view.set_empty_state(None)
            return
        self.view.set_empty_state(empty_state_for(self.model.query, total))

    def _on_view_empty_button_clicked(self) -> None:
        state = self.view.empty_state
        if state is not None and state.action == CLEAR_FILTERS:
            self.filter_bar.clear_filters()
        elif state is not None and state.action == SHOW_LIBRARY:
            self.trash_toggle.setChecked(False)

    def _on_model_model_reset(self) -> None:
        self.view.scrollToTop()
        self.details.show_entry(None)
        self._sync_actions()

    # ---- selection and details ----------------------------------------------------------------

    def current_id(self) -> str | None:
        """The current clip's id (else the first selected one's), or None."""
        return self.view.current_id()

    def select(self, entry_id: str) -> bool:
        """Make ``entry_id`` current (when its row is loaded)."""
        return self.view.select_id(entry_id)

    def _on_view_current_changed(self, current, _previous) -> None:
        self._sync_actions()
        entry_id = current.data(LibraryRole.Id) if current.isValid() else None
        self._details_token += 1
        if entry_id is None:
            self.details.show_entry(None)
            return
        self._spawn(self._load_details(entry_id, self._details_token), "Show the clip's details")

    async def _load_details(self, entry_id: str, token: int) -> None:
        entry = await self._fetch(entry_id)
        if token == self._details_token:  # else another clip was picked meanwhile
            self.details.show_entry(entry)
            self.action_set.favourite_action.setChecked(bool(entry.favourite))

    async def _fetch(self, entry_id: str) -> Any:
        """The full entry; the model keeps its video path (scrubbing, dragging out)."""
        entry = await self.actions.entry(entry_id)
        self.model.remember_video(entry.id, entry.video_path)
        return entry

    def _sync_actions(self, *_args: object) -> None:
        self.action_set.sync(
            has_current=self.view.currentIndex().isValid(),
            trash_shown=self.filter_bar.trash_shown(),
            any_clips=self.model.rowCount() > 0,
        )

    # ---- actions ------------------------------------------------------------------------------

    def _spawn(self, coro: Coroutine[Any, Any, Any], what: str) -> asyncio.Task:
        self.last_task = self.tasks.spawn(coro, what, self)
        return self.last_task

    def _for_current(
        self, job: Callable[[str], Coroutine[Any, Any, Any]], what: str
    ) -> asyncio.Task | None:
        """Run ``job(current id)`` as a task, or say that a clip must be selected first."""
        entry_id = self._need_current()
        return None if entry_id is None else self._spawn(job(entry_id), what)

    def _need_current(self) -> str | None:
        entry_id = self.current_id()
        if entry_id is None:
            self.statusMessage.emit("Select a clip first.")
        return entry_id

    def preview_current(self) -> asyncio.Task | None:
        """Play the current clip in the player, as the Play action does (the window's Space
        calls this when the grid has focus); without one, say that a clip must be selected."""
        return self._for_current(self.actions.play, "Play the clip")

    def reuse(self, mode: ReuseMode) -> asyncio.Task | None:
        """Fill the composer from the current clip (see :meth:`LibraryActions.reuse`)."""
        return self._for_current(lambda entry_id: self.actions.reuse(entry_id, mode),
                                 "Reuse the clip")  # fmt: skip

    def _on_view_activated(self, index) -> None:
        if index.isValid():
            self._spawn(self.actions.play(index.data(LibraryRole.Id)), "Play the clip")

    def _on_favourite_triggered(self) -> None:
        self._for_current(self._toggle_favourite, "Save favourite")

    def _toggle_favourite(self, entry_id: str) -> Awaitable[None]:
        summary = self.model.summary(self.model.row_of(entry_id))
        favourite = not (summary.favourite if summary is not None else False)
        return self._edit(self.actions.set_favourite(entry_id, favourite))

    async def _reveal(self, entry_id: str) -> None:
        path = (await self._fetch(entry_id)).video_path
        self.open_url(QUrl.fromLocalFile(str(path.parent)))

    async def _open_external(self, entry_id: str) -> None:
        path = (await self._fetch(entry_id)).video_path
        if not self.open_url(QUrl.fromLocalFile(str(path))):
            self.statusMessage.emit("No application is set up to play MP4 files.")

    async def _copy_path(self, entry_id: str) -> None:
        path = (await self._fetch(entry_id)).video_path
        QApplication.clipboard().setText(str(path))
        self.statusMessage.emit(f"Copied {path}")

    def _on_export_triggered(self) -> None:
        entry_id = self._need_current()
        if entry_id is None:
            return
        dialog = ExportDialog(self.export_folder, self.export_template, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(lambda: self._on_export_dialog_accepted(entry_id, dialog))
        dialog.destroyed.connect(self._on_export_dialog_destroyed)
        self.export_dialog = dialog
        dialog.open()

    def _on_export_dialog_destroyed(self) -> None:
        self.export_dialog = None

    def _on_export_dialog_accepted(self, entry_id: str, dialog: ExportDialog) -> None:
        self.export_folder = dialog.folder() or self.export_folder
        self.export_template = dialog.template() or DEFAULT_TEMPLATE
        export = self.actions.export(
            entry_id, self.export_folder, self.export_template, dialog.with_sidecar()
        )
        self._spawn(export, "Export the clip")

    def _on_import_triggered(self) -> None:
        paths, _ = QFileDialog.getOpenFileNames(
            self, "Import videos", "", "Videos (*.mp4 *.m4v *.mov)"
        )
        if paths:
            self._on_view_import_requested(paths)

    def _on_view_import_requested(self, paths: list[str]) -> None:
        self._spawn(self._import(paths), "Import the video")

    async def _import(self, paths: list[str]) -> None:
        for path in paths:
            self.last_import = await self.actions.import_video(path)

    def _on_view_custom_context_menu_requested(self, pos) -> None:
        index = self.view.indexAt(pos)
        if index.isValid() and not self.view.selectionModel().isSelected(index):
            self.view.setCurrentIndex(index)
        menu = self.context_menu()
        menu.popup(self.view.viewport().mapToGlobal(pos))

    def context_menu(self) -> QMenu:
        """The grid's context menu for the current clip; outside the trash, stars and flags
        (keys 1–5, 0, P, X) in a submenu beside Favourite."""
        trash_shown = self.filter_bar.trash_shown()
        menu = self.action_set.context_menu(trash_shown)
        if not trash_shown:
            judge = QMenu("Rate and flag", menu)
            judge.setObjectName("libraryCullingMenu")
            judge.addActions(self.culling.key_actions)
            menu.insertMenu(self.action_set.favourite_action, judge)
        return menu

    # ---- edits from the details panel ---------------------------------------------------------

    async def _edit(self, saving: Awaitable[Any]) -> None:
        """Await a save, then show the saved entry in the grid and the details (its marks
        only there: the title, tags or notes may be mid-edit)."""
        entry = await saving
        self.marks.saved(entry, self.details)
        if self.details.entry is not None and self.details.entry.id == entry.id:
            self.action_set.favourite_action.setChecked(entry.favourite)

    def _on_culling_saved(self, entry: Any) -> None:
        self.marks.saved(entry, self.culling)

    def _on_details_favourite_toggled(self, entry_id: str, favourite: bool) -> None:
        self._spawn(self._edit(self.actions.set_favourite(entry_id, favourite)), "Save favourite")

    def _on_details_title_edited(self, entry_id: str, title: str) -> None:
        self._spawn(self._edit(self.actions.set_title(entry_id, title)), "Save the title")

    def _on_details_tags_edited(self, entry_id: str, tags: list) -> None:
        self._spawn(self._edit(self.actions.set_tags(entry_id, tags)), "Save the tags")

    def _on_details_notes_edited(self, entry_id: str, notes: str) -> None:
        self._spawn(self._edit(self.actions.set_notes(entry_id, notes)), "Save the notes")

    def _on_details_use_prompt_requested(self, entry_id: str) -> None:
        self._spawn(self.actions.reuse(entry_id, "actual_prompt"), "Use the prompt")

    def _on_details_parent_requested(self, entry_id: str) -> None:
        self._spawn(self._go_to(entry_id), "Show the parent clip")

    async def _go_to(self, entry_id: str) -> None:
        """Select ``entry_id`` when its row is loaded under the current query (the query is
        left as it is); otherwise show its details without selecting it."""
        if self.select(entry_id):
            return
        self.details.show_entry(await self.actions.entry(entry_id))

    # ---- live results -------------------------------------------------------------------------

    def _on_actions_entry_added(self, entry_id: str) -> None:
        self._spawn(self._add_entry(entry_id), "Show the new clip")

    async def _add_entry(self, entry_id: str) -> None:
        entry = await self._fetch(entry_id)
        if not self.filter_bar.trash_shown():  # a new clip is never in the trash
            self.model.add_summary(summary_of_entry(entry))


def install_library(window: Any, tasks: TaskKeeper) -> LibraryPane:
    """Build the pane and its service, dock it in ``window`` (``add_library_pane``) and connect
    the ports: the composer is filled through :func:`apply_fill`, clips play in the window's
    player, messages go to the status bar. The library itself arrives later
    (``pane.actions.set_library``)."""
    actions = LibraryActions()
    actions.fill_composer = lambda fill: apply_fill(window.composer, fill)
    actions.play_port = lambda path, title: window.player.load(path, title=title)
    actions.status = lambda text: window.statusBar().showMessage(text, 10000)
    pane = LibraryPane(tasks, actions)
    pane.statusMessage.connect(actions.status)
    window.add_library_pane(pane, actions=actions)
    return pane
