"""The Sequences pane (``sequencePane``): the library's sequences, and the one open in the
strip, its seams, playing it and exporting it.

Left, the list (``sequenceList``: name, clips, length; rename in place or with Rename,
Delete asks first). Right, the open sequence: the strip (``sequenceStrip``), Play sequence
(renders a proxy-sized preview with crossfades in the executor, cached by the sequence's
content, then plays it in the window's player with the seams marked on the seek bar),
Export… (``sequenceExportDialog``), and the seam editor (``seamEditor``) for the join
selected in the strip.

Every edit (move, remove, add, a seam) shows at once and is saved in the background
(``SequenceService.save``, in order); a refused save says why and puts the stored sequence
back. GUI thread; the library work is the service's.

The pane builds the widgets and opens sequences; its parts live beside it: the list, rename and
delete (:mod:`.sequence_list`), the edits and their save queue (:mod:`.sequence_edits`), playing
and exporting (:mod:`.sequence_play`), and what it shows of a sequence (:mod:`.sequence_cells`).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QProgressBar,
    QPushButton,
    QSplitter,
    QTreeWidget,
    QVBoxLayout,
    QWidget,
)

from .async_bridge import TaskKeeper
from .naming import named
from .seam_editor import SeamEditor
from .seek_marks import Mark
from .sequence_cells import cells_for, describe
from .sequence_edits import SequenceEditsMixin
from .sequence_list import SequenceListMixin
from .sequence_play import SequencePlayMixin
from .sequence_service import OpenSequence, SequenceService
from .sequence_strip import SequenceStrip
from .theme import set_role

__all__ = ["PlayFile", "SequencePane", "cells_for", "describe"]

#: ``play_file(path, title, marks)``: show a rendered sequence in the window's player.
PlayFile = Callable[[Path, str, list[Mark]], object]


class SequencePane(SequenceListMixin, SequenceEditsMixin, SequencePlayMixin, QWidget):
    """``sequencePane``: see the module. ``play_file`` plays a rendered preview (the window's
    player); ``cache_dir`` holds the previews."""

    statusMessage = Signal(str)
    playClipRequested = Signal(str)  # an entry id: play that clip alone
    previewProgressed = Signal(int, int)  # from the worker; delivered on the GUI thread

    def __init__(
        self,
        service: SequenceService,
        tasks: TaskKeeper,
        cache_dir: Path,
        play_file: PlayFile | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        named(self, "sequencePane", "Sequences")
        self.service = service
        self.tasks = tasks
        self.cache_dir = cache_dir
        self.play_file = play_file
        self.current: OpenSequence | None = None
        self.last_task = None
        self.last_save = None
        self.export_dialog = None
        self._filling = False
        self._preview_cancel: threading.Event | None = None
        self._build()
        self.previewProgressed.connect(self._on_preview_progressed)
        self.destroyed.connect(lambda *_: self.stop_work())

    def _build(self) -> None:
        left = self._build_list()
        right = self._build_sequence_view()
        self._lay_out(left, right)
        self._sync_buttons()
        self._connect()

    def _build_list(self) -> QWidget:
        self.list = named(QTreeWidget(), "sequenceList", "Sequences")
        self.list.setHeaderLabels(["Name", "Clips", "Length"])
        self.list.setRootIsDecorated(False)
        self.list.setUniformRowHeights(True)
        header = self.list.header()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for column in (1, 2):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        self.list.setEditTriggers(QTreeWidget.EditTrigger.EditKeyPressed
                                  | QTreeWidget.EditTrigger.DoubleClicked)  # fmt: skip
        self.rename_button = named(QPushButton("Rename"), "sequenceRenameButton", "Rename")
        self.delete_button = named(QPushButton("Delete…"), "sequenceDeleteButton", "Delete")
        list_buttons = QHBoxLayout()
        list_buttons.setContentsMargins(0, 0, 0, 0)
        list_buttons.addWidget(self.rename_button)
        list_buttons.addWidget(self.delete_button)
        list_buttons.addStretch(1)
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(self.list, 1)
        left_layout.addLayout(list_buttons)
        return left

    def _build_sequence_view(self) -> QWidget:
        self.title = named(QLabel("No sequence open"), "sequenceTitle", "Open sequence")
        self.title.setTextFormat(Qt.TextFormat.PlainText)
        set_role(self.title, "heading")
        self.summary = named(QLabel(), "sequenceSummary", "Sequence length")
        set_role(self.summary, "muted")
        self.strip = SequenceStrip()
        self.play_button = named(QPushButton("Play sequence"), "sequencePlayButton",
                                 "Play the sequence in the player")  # fmt: skip
        self.play_button.setToolTip(
            "Play a 360p preview with the crossfades and the clips' sound, seams marked on the "
            "seek bar (pictures from the clips' proxies; Export makes the full film)"
        )
        self.export_button = named(QPushButton("Export…"), "sequenceExportButton",
                                   "Export the sequence as one MP4")  # fmt: skip
        self.progress = named(QProgressBar(), "sequencePreviewProgress", "Preview progress")
        self.progress.setRange(0, 1000)
        self.progress.setMaximumWidth(220)
        self.progress.hide()
        self.stop_button = named(QPushButton("Stop"), "sequencePreviewStop", "Stop the preview")
        self.stop_button.hide()
        self.hint = named(QLabel("Select a seam (◆) between two clips to edit it."),
                          "sequenceHint", "Hint")  # fmt: skip
        set_role(self.hint, "muted")
        self.seam_editor = SeamEditor(self.tasks)
        self.seam_editor.hide()
        return self._lay_out_sequence_view()

    def _lay_out_sequence_view(self) -> QWidget:
        head = QHBoxLayout()
        head.setContentsMargins(0, 0, 0, 0)
        head.addWidget(self.title)
        head.addWidget(self.summary)
        head.addStretch(1)
        head.addWidget(self.progress)
        head.addWidget(self.stop_button)
        head.addWidget(self.play_button)
        head.addWidget(self.export_button)
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addLayout(head)
        right_layout.addWidget(self.strip)
        right_layout.addWidget(self.hint)
        right_layout.addWidget(self.seam_editor)
        right_layout.addStretch(1)
        return right

    def _lay_out(self, left: QWidget, right: QWidget) -> None:
        self.splitter = QSplitter()
        self.splitter.setObjectName("sequenceSplitter")
        self.splitter.addWidget(left)
        self.splitter.addWidget(right)
        self.splitter.setStretchFactor(0, 1)
        self.splitter.setStretchFactor(1, 4)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.setSizes([240, 900])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(self.splitter)

    def _connect(self) -> None:
        self.list.currentItemChanged.connect(self._on_list_current_item_changed)
        self.list.itemChanged.connect(self._on_list_item_changed)
        self.rename_button.clicked.connect(self._on_rename_button_clicked)
        self.delete_button.clicked.connect(self._on_delete_button_clicked)
        self.play_button.clicked.connect(self._on_play_button_clicked)
        self.stop_button.clicked.connect(self._on_stop_button_clicked)
        self.export_button.clicked.connect(self._on_export_button_clicked)
        self.strip.seamSelected.connect(self._on_strip_seam_selected)
        self.strip.clipSelected.connect(self._on_strip_clip_selected)
        self.strip.selectionCleared.connect(self._on_strip_clip_selected)
        self.strip.moveRequested.connect(self._on_strip_move_requested)
        self.strip.removeRequested.connect(self._on_strip_remove_requested)
        self.strip.idsDropped.connect(self._on_strip_ids_dropped)
        self.strip.playClipRequested.connect(self.playClipRequested)
        self.seam_editor.seamChanged.connect(self._on_seam_editor_seam_changed)

    def _spawn(self, coro, what: str):
        self.last_task = self.tasks.spawn(coro, what, self)
        return self.last_task

    # ---- opening and making -------------------------------------------------------------------

    async def open_sequence(self, sequence_id: str) -> OpenSequence | None:
        """Open sequence ``sequence_id`` in the strip."""
        from ..library.errors import LibraryError

        try:
            opened = await self.service.open(sequence_id)
        except (LibraryError, RuntimeError) as exc:
            self.statusMessage.emit(f"Could not open the sequence: {exc}")
            return None
        self.show_sequence(opened)
        return opened

    async def create(self, name: str, entry_ids: list[str]) -> OpenSequence | None:
        """Make a sequence of ``entry_ids``, list it and open it."""
        from ..library.errors import LibraryError

        try:
            opened = await self.service.create(name, entry_ids)
        except (LibraryError, RuntimeError) as exc:
            self.statusMessage.emit(f"Could not make the sequence: {exc}")
            return None
        self.show_sequence(opened)
        await self.refresh()
        count = len(entry_ids)
        self.statusMessage.emit(f"Made the sequence “{opened.sequence.name}” of {count} "
                                f"clip{'s' if count != 1 else ''}.")  # fmt: skip
        return opened

    def show_sequence(self, opened: OpenSequence | None) -> None:
        """Show ``opened`` in the strip (``None``: nothing open)."""
        self.current = opened
        self.seam_editor.hide()
        self.strip.clear_selection()
        if opened is None:
            self.strip.set_cells([])
        else:
            self.strip.set_cells(cells_for(opened.sequence.items, opened.clips))
            item = self._item_of(opened.sequence.id)
            if item is not None and self.list.currentItem() is not item:
                self._filling = True
                self.list.setCurrentItem(item)
                self._filling = False
        self._show_header()
        self._sync_buttons()

    def _show_header(self) -> None:
        opened = self.current
        if opened is None:
            self.title.setText("No sequence open")
            self.summary.setText("")
            return
        self.title.setText(opened.sequence.name)
        self.summary.setText(describe(opened.sequence.items, opened.clips))

    def _sync_buttons(self) -> None:
        has = self.current is not None and bool(self.current.sequence.items)
        self.play_button.setEnabled(has and self._preview_cancel is None)
        self.export_button.setEnabled(has)
        selected = self.list.currentItem() is not None
        self.rename_button.setEnabled(selected)
        self.delete_button.setEnabled(selected)
        self.hint.setVisible(self.current is not None and len(self.current.sequence.items) > 1
                             and self.seam_editor.isHidden())  # fmt: skip
