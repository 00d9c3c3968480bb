"""The library pane: search and filters over ``libraryView``, the actions (toolbar, context
menu, shortcuts) and the details of the selected clip.

Wiring (the composition root calls :func:`install_library`): the pane drives a
:class:`LibraryActions` service; the composer and the player are reached through that
service's ports, and the window asks it for the ``parent_id`` of a continuation.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from PySide6.QtCore import QDate, QSize, Qt, QTimer, QUrl, Signal
from PySide6.QtGui import QAction, QDesktopServices, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMenu,
    QMessageBox,
    QSplitter,
    QStyle,
    QToolBar,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ..library import DEFAULT_TEMPLATE, Filters
from .async_bridge import TaskKeeper
from .details_panel import DetailsPanel
from .icons import standard_icon
from .library_actions import LibraryActions, ReuseMode, apply_fill
from .library_model import (
    LibraryModel,
    LibraryQuery,
    LibraryRole,
    format_count,
    summary_of_entry,
)
from .library_view import LibraryView
from .theme import set_role

__all__ = ["SEARCH_DEBOUNCE_MS", "ExportDialog", "LibraryPane", "install_library"]

SEARCH_DEBOUNCE_MS = 150
_DURATIONS = [
    ("Any length", None, None),
    ("5 s", 0, 7.5),
    ("10 s", 7.5, 12.5),
    ("15 s", 12.5, None),
]
_DATES = [("Any time", None), ("Today", 0), ("Past 7 days", 7), ("Past 30 days", 30),
          ("Past year", 365), ("Custom range…", -1)]  # fmt: skip
_SORTS = [("Newest first", "newest"), ("Oldest first", "oldest"), ("Longest first", "longest"),
          ("Shortest first", "shortest")]  # fmt: skip


def _named(widget: Any, name: str, accessible: str, tip: str = "") -> Any:
    widget.setObjectName(name)
    widget.setAccessibleName(accessible)
    if tip:
        widget.setToolTip(tip)
    return widget


class ExportDialog(QDialog):
    """``libraryExportDialog``: a folder, a filename template and "with sidecar"."""

    def __init__(self, folder: str, template: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("libraryExportDialog")
        self.setWindowTitle("Export clip")
        self.folder_edit = _named(QLineEdit(folder), "libraryExportFolder", "Folder")
        browse = _named(QToolButton(), "libraryExportBrowse", "Choose folder")
        browse.setText("…")
        self.template_edit = _named(QLineEdit(template), "libraryExportTemplate", "File name")
        self.template_edit.setToolTip(
            "Fields: {date} {time} {id} {seed} {prompt:40} {resolution} {duration} {title}"
        )
        self.sidecar_check = _named(
            QCheckBox("Also write the settings (JSON sidecar)"), "libraryExportSidecar", "Sidecar"
        )
        hint = QLabel(
            "Fields: {date} {time} {id} {seed} {prompt:40} {resolution} {duration} {title}"
        )
        set_role(hint, "muted")
        hint.setWordWrap(True)
        row = QHBoxLayout()
        row.addWidget(self.folder_edit, 1)
        row.addWidget(browse)
        form = QFormLayout()
        form.addRow("Folder", row)
        form.addRow("File name", self.template_edit)
        form.addRow("", hint)
        form.addRow("", self.sidecar_check)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Export")
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(buttons)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        browse.clicked.connect(self._on_browse_clicked)
        self.resize(520, self.sizeHint().height())

    def _on_browse_clicked(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Export to", self.folder_edit.text())
        if folder:
            self.folder_edit.setText(folder)


class LibraryPane(QWidget):
    """``libraryPane``: find, browse and act on clips. ``actions`` is the service it drives."""

    statusMessage = Signal(str)

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

        # ---- find ----
        self.search = _named(QLineEdit(), "librarySearch", "Search the library")
        self.search.setPlaceholderText("Search prompts, titles, tags, notes…  (Ctrl+F)")
        self.search.setClearButtonEnabled(True)
        self.count_label = _named(QLabel(""), "libraryCount", "Number of clips")
        set_role(self.count_label, "muted")
        self.favourites_filter = _named(
            QToolButton(), "libraryFavouritesFilter", "Favourites only", "Show favourites only"
        )
        self.favourites_filter.setText("★ Favourites")
        self.favourites_filter.setCheckable(True)
        self.audio_filter = _named(
            QToolButton(), "libraryAudioFilter", "With audio only", "Show clips with audio only"
        )
        self.audio_filter.setText("♪ Audio")
        self.audio_filter.setCheckable(True)
        self.resolution_filter = _named(QComboBox(), "libraryResolutionFilter", "Resolution")
        for label, value in (("Any resolution", None), ("720p", "720p"), ("1080p", "1080p")):
            self.resolution_filter.addItem(label, value)
        self.duration_filter = _named(QComboBox(), "libraryDurationFilter", "Duration")
        for label, lo, hi in _DURATIONS:
            self.duration_filter.addItem(label, (lo, hi))
        self.date_filter = _named(QComboBox(), "libraryDateFilter", "Date")
        for label, days in _DATES:
            self.date_filter.addItem(label, days)
        self.date_from = _named(QDateEdit(), "libraryDateFrom", "From date")
        self.date_to = _named(QDateEdit(), "libraryDateTo", "To date")
        for edit in (self.date_from, self.date_to):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy-MM-dd")
        self.date_from.setDate(QDate.currentDate().addDays(-30))
        self.date_to.setDate(QDate.currentDate())
        self.sort_combo = _named(QComboBox(), "librarySortCombo", "Sort")
        for label, value in _SORTS:
            self.sort_combo.addItem(label, value)
        self.trash_toggle = _named(
            QToolButton(),
            "libraryTrashToggle",
            "Show the trash",
            "Show the trash (restore or delete for good)",
        )
        self.trash_toggle.setText("Trash")
        self.trash_toggle.setIcon(standard_icon(QStyle.StandardPixmap.SP_TrashIcon))
        self.trash_toggle.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.trash_toggle.setCheckable(True)

        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(SEARCH_DEBOUNCE_MS)

        # ---- actions ----
        st = QStyle.StandardPixmap
        self.play_action = self._act(
            "Play",
            "libraryPlayAction",
            self._on_play_triggered,
            "Ctrl+P",
            st.SP_MediaPlay,
            "Play in the player (or double-click)",
        )
        self.reuse_action = self._act(
            "Reuse all settings",
            "libraryReuseAction",
            lambda: self.reuse("all"),
            "Ctrl+R",
            st.SP_BrowserReload,
            "Exact re-run: the same image, prompt, options and seed",
        )
        self.reuse_seed_action = self._act(
            "Reuse with a new seed",
            "libraryReuseNewSeedAction",
            lambda: self.reuse("new_seed"),
            "Ctrl+Shift+R",
        )
        self.reuse_prompt_action = self._act(
            "Reuse the prompt only",
            "libraryReusePromptAction",
            lambda: self.reuse("prompt"),
            "Ctrl+Alt+R",
        )
        self.continue_action = self._act(
            "Continue from the last frame",
            "libraryContinueAction",
            lambda: self.reuse("continue"),
            "Ctrl+Shift+N",
            st.SP_MediaSkipForward,
            "The clip's exact last frame becomes the new image; "
            "the next video is linked to this one",
        )
        self.favourite_action = self._act(
            "Favourite", "libraryFavouriteAction", self._on_favourite_triggered, "Ctrl+D"
        )
        self.reveal_action = self._act(
            "Show in file manager",
            "libraryRevealAction",
            self._on_reveal_triggered,
            "Ctrl+Shift+O",
            st.SP_DirOpenIcon,
        )
        self.open_external_action = self._act(
            "Open in system player",
            "libraryOpenExternalAction",
            self._on_open_external_triggered,
            "Ctrl+Shift+P",
        )
        self.copy_path_action = self._act(
            "Copy file path", "libraryCopyPathAction", self._on_copy_path_triggered, "Ctrl+Shift+C"
        )
        self.export_action = self._act(
            "Export…",
            "libraryExportAction",
            self._on_export_triggered,
            "Ctrl+E",
            st.SP_DialogSaveButton,
            "Copy the clip out, named by a template",
        )
        self.trash_action = self._act(
            "Move to trash", "libraryTrashAction", self._on_trash_triggered, "Del", st.SP_TrashIcon
        )
        self.restore_action = self._act(
            "Restore",
            "libraryRestoreAction",
            self._on_restore_triggered,
            "Ctrl+Shift+Z",
            st.SP_DialogResetButton,
        )
        self.empty_trash_action = self._act(
            "Empty trash…", "libraryEmptyTrashAction", self._on_empty_trash_triggered
        )
        self.import_action = self._act(
            "Import video…",
            "libraryImportAction",
            self._on_import_triggered,
            "",
            st.SP_ArrowDown,
            "Copy an MP4 into the library (or drop it on the grid)",
        )
        self.find_action = self._act("Find", "libraryFindAction", self._on_find_triggered, "Ctrl+F")
        self.find_action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        self.favourite_action.setCheckable(True)
        # Delete only on the grid: in the search box it deletes text.
        self.removeAction(self.trash_action)
        self.view.addAction(self.trash_action)
        self.trash_action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)

        self.toolbar = _named(QToolBar(), "libraryToolbar", "Clip actions")
        self.toolbar.setIconSize(QSize(16, 16))
        self.toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        for a in (self.play_action, self.reuse_action, self.continue_action):
            self.toolbar.addAction(a)
        more = QMenu(self)
        for a in (self.reuse_seed_action, self.reuse_prompt_action, None, self.favourite_action,
                  self.export_action, self.reveal_action, self.open_external_action,
                  self.copy_path_action, None, self.import_action):  # fmt: skip
            more.addSeparator() if a is None else more.addAction(a)
        self.more_button = _named(QToolButton(), "libraryMoreButton", "More actions")
        self.more_button.setText("More")
        self.more_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.more_button.setMenu(more)
        self.toolbar.addWidget(self.more_button)
        self.toolbar.addSeparator()
        self.toolbar.addAction(self.trash_action)
        self.toolbar.addAction(self.restore_action)
        self.toolbar.addAction(self.empty_trash_action)

        # ---- layout ----
        find_row = QHBoxLayout()
        find_row.setSpacing(6)
        find_row.addWidget(self.search, 1)
        find_row.addWidget(self.count_label)
        filter_row = QHBoxLayout()
        filter_row.setSpacing(4)
        for w in (self.favourites_filter, self.audio_filter, self.resolution_filter,
                  self.duration_filter):  # fmt: skip
            filter_row.addWidget(w)
        filter_row.addStretch(1)
        filter_row2 = QHBoxLayout()
        filter_row2.setSpacing(4)
        for w in (self.date_filter, self.date_from, self.date_to, self.sort_combo):
            filter_row2.addWidget(w)
        filter_row2.addStretch(1)
        filter_row2.addWidget(self.trash_toggle)
        top = QVBoxLayout()
        top.setContentsMargins(8, 8, 8, 0)
        top.setSpacing(5)
        heading = QLabel("Library")
        set_role(heading, "heading")
        top.addWidget(heading)
        top.addLayout(find_row)
        top.addLayout(filter_row)
        top.addLayout(filter_row2)
        top.addWidget(self.toolbar)
        self.splitter = QSplitter(Qt.Orientation.Vertical)
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

        # ---- signals ----
        self.search.textChanged.connect(self._on_search_text_changed)
        self._debounce.timeout.connect(self._on_debounce_timeout)
        for box in (self.resolution_filter, self.duration_filter, self.sort_combo):
            box.currentIndexChanged.connect(self._on_filter_changed)
        self.date_filter.currentIndexChanged.connect(self._on_date_filter_changed)
        self.date_from.dateChanged.connect(self._on_filter_changed)
        self.date_to.dateChanged.connect(self._on_filter_changed)
        self.favourites_filter.toggled.connect(self._on_filter_changed)
        self.audio_filter.toggled.connect(self._on_filter_changed)
        self.trash_toggle.toggled.connect(self._on_filter_changed)
        self.model.countChanged.connect(self._on_model_count_changed)
        self.model.modelReset.connect(self._on_model_model_reset)
        self.view.selectionModel().currentChanged.connect(self._on_view_current_changed)
        self.view.activated.connect(self._on_view_activated)
        self.view.customContextMenuRequested.connect(self._on_view_custom_context_menu_requested)
        self.view.importRequested.connect(self._on_view_import_requested)
        self.details.favouriteToggled.connect(self._on_details_favourite_toggled)
        self.details.titleEdited.connect(self._on_details_title_edited)
        self.details.tagsEdited.connect(self._on_details_tags_edited)
        self.details.notesEdited.connect(self._on_details_notes_edited)
        self.details.usePromptRequested.connect(self._on_details_use_prompt_requested)
        self.details.parentRequested.connect(self._on_details_parent_requested)
        self.actions.entry_added.append(self._on_actions_entry_added)
        self.actions.library_listeners.append(self.model.set_library)
        if self.actions.library is not None:
            self.model.set_library(self.actions.library)
        self._sync_dates_visible()
        self._sync_actions()

    def _act(self, text, name, slot, shortcut="", icon_=None, tip="") -> QAction:
        action = QAction(text, self)
        action.setObjectName(name)
        if shortcut:
            action.setShortcut(QKeySequence(shortcut))
            action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            keys = QKeySequence(shortcut).toString(QKeySequence.SequenceFormat.NativeText)
            tip = f"{tip or text} ({keys})"
        if icon_ is not None:
            action.setIcon(standard_icon(icon_))
        action.setToolTip(tip or text)
        action.setStatusTip(tip or text)
        action.triggered.connect(lambda _checked=False: slot())
        self.addAction(action)
        return action

    # ---- query --------------------------------------------------------------------------------

    def current_query(self) -> LibraryQuery:
        """The query the controls describe."""
        lo, hi = self.duration_filter.currentData() or (None, None)
        days = self.date_filter.currentData()
        created_from = created_to = None
        if days == -1:
            created_from = datetime.combine(self.date_from.date().toPython(), datetime.min.time())
            created_to = datetime.combine(
                self.date_to.date().toPython(), datetime.min.time()
            ) + timedelta(days=1)
            created_from = created_from.astimezone(UTC)
            created_to = created_to.astimezone(UTC)
        elif days is not None:
            start = datetime.now().astimezone().replace(hour=0, minute=0, second=0, microsecond=0)
            created_from = (start - timedelta(days=days)).astimezone(UTC)
        filters = Filters(
            favourite=True if self.favourites_filter.isChecked() else None,
            resolution=self.resolution_filter.currentData(),
            min_duration_s=lo,
            max_duration_s=hi,
            has_audio=True if self.audio_filter.isChecked() else None,
            created_from=created_from,
            created_to=created_to,
            trashed=self.trash_toggle.isChecked(),
        )
        return LibraryQuery(self.search.text(), filters, self.sort_combo.currentData())

    def apply_query(self) -> Any:
        """Run the controls' query now (the debounce calls this)."""
        self._debounce.stop()
        self.last_task = self.model.set_query(self.current_query())
        return self.last_task

    def _on_search_text_changed(self, _text: str) -> None:
        self._debounce.start()

    def _on_debounce_timeout(self) -> None:
        self.apply_query()

    def _on_filter_changed(self, *_args: object) -> None:
        self._sync_actions()
        self.apply_query()

    def _on_date_filter_changed(self, _index: int) -> None:
        self._sync_dates_visible()
        self.apply_query()

    def _sync_dates_visible(self) -> None:
        custom = self.date_filter.currentData() == -1
        self.date_from.setVisible(custom)
        self.date_to.setVisible(custom)

    def _on_model_count_changed(self, total: int) -> None:
        self.count_label.setText(format_count(total, self.trash_toggle.isChecked()))

    def _on_model_model_reset(self) -> None:
        self.view.scrollToTop()
        self.details.show_entry(None)
        self._sync_actions()

    # ---- selection and details ----------------------------------------------------------------

    def current_id(self) -> str | None:
        return self.view.current_id()

    def _on_view_current_changed(self, current, _previous) -> None:
        self._sync_actions()
        entry_id = current.data(LibraryRole.Id) if current.isValid() else None
        self._details_token += 1
        if entry_id is None:
            self.details.show_entry(None)
            return
        self.last_task = self.tasks.spawn(self._load_details(entry_id, self._details_token),
                                          "Show the clip's details", self)  # fmt: skip

    async def _load_details(self, entry_id: str, token: int) -> None:
        entry = await self.actions.entry(entry_id)
        self.model.remember_video(entry.id, entry.video_path)
        if token == self._details_token:
            self.details.show_entry(entry)
            self.favourite_action.setChecked(bool(entry.favourite))

    def _sync_actions(self) -> None:
        has = self.view.currentIndex().isValid()
        trash = self.trash_toggle.isChecked()
        for a in (self.play_action, self.reuse_action, self.reuse_seed_action,
                  self.reuse_prompt_action, self.continue_action, self.reveal_action,
                  self.open_external_action, self.copy_path_action, self.export_action,
                  self.favourite_action):  # fmt: skip
            a.setEnabled(has)
        self.trash_action.setEnabled(has and not trash)
        self.trash_action.setVisible(not trash)
        self.restore_action.setEnabled(has and trash)
        self.restore_action.setVisible(trash)
        self.empty_trash_action.setVisible(trash)
        self.empty_trash_action.setEnabled(trash and self.model.rowCount() > 0)

    def select(self, entry_id: str) -> bool:
        """Make ``entry_id`` current (when its row is loaded)."""
        return self.view.select_id(entry_id)

    # ---- actions ------------------------------------------------------------------------------

    def _spawn(self, coro, what: str) -> asyncio.Task:
        self.last_task = self.tasks.spawn(coro, what, self)
        return self.last_task

    def _need_current(self) -> str | None:
        entry_id = self.current_id()
        if entry_id is None:
            self.statusMessage.emit("Select a clip first.")
        return entry_id

    def reuse(self, mode: ReuseMode) -> asyncio.Task | None:
        """Fill the composer from the current clip (see :meth:`LibraryActions.reuse`)."""
        entry_id = self._need_current()
        if entry_id is None:
            return None
        return self._spawn(self.actions.reuse(entry_id, mode), "Reuse the clip")

    def _on_play_triggered(self) -> None:
        entry_id = self._need_current()
        if entry_id is not None:
            self._spawn(self.actions.play(entry_id), "Play the clip")

    def _on_view_activated(self, index) -> None:
        if index.isValid():
            self._spawn(self.actions.play(index.data(LibraryRole.Id)), "Play the clip")

    def _on_favourite_triggered(self) -> None:
        entry_id = self._need_current()
        if entry_id is not None:
            summary = self.model.summary(self.model.row_of(entry_id))
            favourite = not (summary.favourite if summary is not None else False)
            self._spawn(self._set_favourite(entry_id, favourite), "Save favourite")

    async def _path_of(self, entry_id: str) -> Path:
        entry = await self.actions.entry(entry_id)
        self.model.remember_video(entry.id, entry.video_path)
        return entry.video_path

    def _on_reveal_triggered(self) -> None:
        entry_id = self._need_current()
        if entry_id is not None:
            self._spawn(self._reveal(entry_id), "Show in the file manager")

    async def _reveal(self, entry_id: str) -> None:
        path = await self._path_of(entry_id)
        self.open_url(QUrl.fromLocalFile(str(path.parent)))

    def _on_open_external_triggered(self) -> None:
        entry_id = self._need_current()
        if entry_id is not None:
            self._spawn(self._open_external(entry_id), "Open in the system player")

    async def _open_external(self, entry_id: str) -> None:
        path = await self._path_of(entry_id)
        if not self.open_url(QUrl.fromLocalFile(str(path))):
            self.statusMessage.emit("No application is set up to play MP4 files.")

    def _on_copy_path_triggered(self) -> None:
        entry_id = self._need_current()
        if entry_id is not None:
            self._spawn(self._copy_path(entry_id), "Copy the file path")

    async def _copy_path(self, entry_id: str) -> None:
        path = await self._path_of(entry_id)
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
        self.export_folder = dialog.folder_edit.text().strip() or self.export_folder
        self.export_template = dialog.template_edit.text().strip() or DEFAULT_TEMPLATE
        self._spawn(
            self.actions.export(entry_id, self.export_folder, self.export_template,
                                dialog.sidecar_check.isChecked()),
            "Export the clip",
        )  # fmt: skip

    def _on_trash_triggered(self) -> None:
        ids = self.view.selected_ids() or ([self.current_id()] if self.current_id() else [])
        if ids:
            self._spawn(self._trash(ids), "Move to the trash")

    async def _trash(self, ids: list[str]) -> None:
        for entry_id in ids:
            await self.actions.trash(entry_id)
            self.model.remove_id(entry_id)

    def _on_restore_triggered(self) -> None:
        ids = self.view.selected_ids() or ([self.current_id()] if self.current_id() else [])
        if ids:
            self._spawn(self._restore(ids), "Restore from the trash")

    async def _restore(self, ids: list[str]) -> None:
        for entry_id in ids:
            await self.actions.restore(entry_id)
            self.model.remove_id(entry_id)

    def _on_empty_trash_triggered(self) -> None:
        self.empty_trash(confirm=True)

    def empty_trash(self, confirm: bool = True) -> asyncio.Task | None:
        """Delete the trash for good (asks first unless ``confirm`` is False)."""
        if not confirm:
            return self._spawn(self._empty_trash(), "Empty the trash")
        buttons = QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel
        text = f"Delete {self.model.total():,} clips for good? This cannot be undone."
        box = QMessageBox(QMessageBox.Icon.Warning, "Empty trash", text, buttons, self)
        box.setObjectName("libraryEmptyTrashBox")
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.accepted.connect(lambda: self._spawn(self._empty_trash(), "Empty the trash"))
        box.open()
        return None

    async def _empty_trash(self) -> None:
        await self.actions.empty_trash()
        self.model.refresh()

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

    def _on_find_triggered(self) -> None:
        self.search.setFocus()
        self.search.selectAll()

    def _on_view_custom_context_menu_requested(self, pos) -> None:
        index = self.view.indexAt(pos)
        if index.isValid() and not self.view.selectionModel().isSelected(index):
            self.view.setCurrentIndex(index)
        menu = self.context_menu()
        menu.popup(self.view.viewport().mapToGlobal(pos))

    def context_menu(self) -> QMenu:
        """The grid's context menu for the current clip."""
        menu = QMenu(self)
        menu.setObjectName("libraryContextMenu")
        trash = self.trash_toggle.isChecked()
        groups = [
            [self.play_action],
            [self.reuse_action, self.reuse_seed_action, self.reuse_prompt_action,
             self.continue_action],
            [self.favourite_action, self.export_action, self.reveal_action,
             self.open_external_action, self.copy_path_action],
            [self.restore_action] if trash else [self.trash_action],
        ]  # fmt: skip
        for i, group in enumerate(groups):
            if i:
                menu.addSeparator()
            for a in group:
                menu.addAction(a)
        menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        return menu

    # ---- edits from the details panel ---------------------------------------------------------

    async def _set_favourite(self, entry_id: str, favourite: bool) -> None:
        entry = await self.actions.set_favourite(entry_id, favourite)
        self._after_edit(entry)

    def _after_edit(self, entry: Any) -> None:
        self.model.update_summary(summary_of_entry(entry))
        if self.details.entry is not None and self.details.entry.id == entry.id:
            self.details.entry = entry
            self.details._loading = True
            try:
                self.details.favourite_check.setChecked(entry.favourite)
            finally:
                self.details._loading = False
            self.favourite_action.setChecked(entry.favourite)

    def _on_details_favourite_toggled(self, entry_id: str, favourite: bool) -> None:
        self._spawn(self._set_favourite(entry_id, favourite), "Save favourite")

    def _on_details_title_edited(self, entry_id: str, title: str) -> None:
        self._spawn(self._edit(self.actions.set_title(entry_id, title)), "Save the title")

    def _on_details_tags_edited(self, entry_id: str, tags: list) -> None:
        self._spawn(self._edit(self.actions.set_tags(entry_id, tags)), "Save the tags")

    def _on_details_notes_edited(self, entry_id: str, notes: str) -> None:
        self._spawn(self._edit(self.actions.set_notes(entry_id, notes)), "Save the notes")

    async def _edit(self, coro) -> None:
        self._after_edit(await coro)

    def _on_details_use_prompt_requested(self, entry_id: str) -> None:
        self._spawn(self.actions.reuse(entry_id, "actual_prompt"), "Use the prompt")

    def _on_details_parent_requested(self, entry_id: str) -> None:
        self._spawn(self._go_to(entry_id), "Show the parent clip")

    async def _go_to(self, entry_id: str) -> None:
        """Select ``entry_id``; when its row is not loaded, search for it by clearing the
        query first and, failing that, show its details anyway."""
        if self.select(entry_id):
            return
        entry = await self.actions.entry(entry_id)
        self.details.show_entry(entry)

    # ---- live results -------------------------------------------------------------------------

    def _on_actions_entry_added(self, entry_id: str) -> None:
        self._spawn(self._add_entry(entry_id), "Show the new clip")

    async def _add_entry(self, entry_id: str) -> None:
        entry = await self.actions.entry(entry_id)
        self.model.remember_video(entry.id, entry.video_path)
        if self.trash_toggle.isChecked():
            return
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
