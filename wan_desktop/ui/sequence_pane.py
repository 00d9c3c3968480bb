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
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import msgspec
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QSplitter,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ..core.text import excerpt
from .async_bridge import TaskKeeper, run_blocking
from .formats import format_duration
from .naming import named
from .seam_editor import SeamEditor
from .seek_marks import Mark
from .sequence_clips import (
    OUT_FPS,
    StripClip,
    content_key,
    reseat_defaults,
    seam_seconds,
    sequence_seconds,
    used_frames,
)
from .sequence_render import preview_path, quiet_progress, render_preview
from .sequence_service import OpenSequence, SequenceRow, SequenceService
from .sequence_strip import SequenceStrip, StripCell
from .theme import set_role

__all__ = ["PlayFile", "SequencePane", "cells_for", "describe"]

#: ``play_file(path, title, marks)``: show a rendered sequence in the window's player.
PlayFile = Callable[[Path, str, list[Mark]], object]
_ID_ROLE = Qt.ItemDataRole.UserRole + 1


def cells_for(items: list[Any], clips: dict[str, StripClip]) -> list[StripCell]:
    """The strip's cells for ``items``: each item's used length, and its seam's edits."""
    cells = []
    for n, item in enumerate(items):
        clip = clips[item.entry_id]
        seconds = used_frames(item, clip) / clip.fps if clip.fps > 0 else 0.0
        tail = 0
        if n:
            before, before_clip = items[n - 1], clips[items[n - 1].entry_id]
            end = before.end_frame if before.end_frame is not None else before_clip.frame_count
            tail = max(0, before_clip.frame_count - end)
        cells.append(StripCell(item.entry_id, seconds, clip.title, clip.poster,
                               item.start_frame if n else 0, tail,
                               item.crossfade_frames if n else 0, clip.missing))  # fmt: skip
    return cells


def describe(items: list[Any], clips: dict[str, StripClip]) -> str:
    """ "6 clips · 0:28" (the length with crossfades taken off)."""
    count = len(items)
    seconds = sequence_seconds(items, clips)
    return f"{count} clip{'s' if count != 1 else ''} · {format_duration(seconds)}"


class SequencePane(QWidget):
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
        self._sync_buttons()

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

    # ---- the list -----------------------------------------------------------------------------

    async def refresh(self) -> list[SequenceRow]:
        """Read the list of sequences again (the open one stays selected)."""
        try:
            rows = await self.service.rows()
        except RuntimeError as exc:  # the library is still opening
            self.statusMessage.emit(str(exc))
            return []
        keep = self.current.sequence.id if self.current else None
        self._filling = True
        try:
            self.list.clear()
            for row in rows:
                item = QTreeWidgetItem([row.name, str(row.clips), format_duration(row.seconds)])
                item.setData(0, _ID_ROLE, row.id)
                item.setFlags(item.flags() | Qt.ItemFlag.ItemIsEditable)
                item.setTextAlignment(
                    1, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
                )
                item.setTextAlignment(
                    2, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
                )
                self.list.addTopLevelItem(item)
                if row.id == keep:
                    self.list.setCurrentItem(item)
        finally:
            self._filling = False
        self._sync_buttons()
        return rows

    def _item_of(self, sequence_id: str) -> QTreeWidgetItem | None:
        for n in range(self.list.topLevelItemCount()):
            item = self.list.topLevelItem(n)
            if item.data(0, _ID_ROLE) == sequence_id:
                return item
        return None

    def _update_row(self) -> None:
        if self.current is None:
            return
        sequence, clips = self.current.sequence, self.current.clips
        item = self._item_of(sequence.id)
        if item is None:
            return
        self._filling = True
        try:
            item.setText(0, sequence.name)
            item.setText(1, str(len(sequence.items)))
            item.setText(2, format_duration(sequence_seconds(sequence.items, clips)))
        finally:
            self._filling = False

    def _on_list_current_item_changed(self, item: QTreeWidgetItem | None, _old) -> None:
        if self._filling or item is None:
            return
        sequence_id = item.data(0, _ID_ROLE)
        if self.current is None or self.current.sequence.id != sequence_id:
            self._spawn(self.open_sequence(sequence_id), "Open the sequence")

    def _on_list_item_changed(self, item: QTreeWidgetItem, column: int) -> None:
        if self._filling or column != 0:
            return
        self._spawn(self.rename(item.data(0, _ID_ROLE), item.text(0)), "Rename the sequence")

    def _on_rename_button_clicked(self) -> None:
        item = self.list.currentItem()
        if item is not None:
            self.list.editItem(item, 0)

    def _on_delete_button_clicked(self) -> None:
        item = self.list.currentItem()
        if item is None:
            return
        box = QMessageBox(QMessageBox.Icon.Question, "Delete sequence",
                          f"Delete the sequence “{item.text(0)}”? Its clips stay in the library.",
                          QMessageBox.StandardButton.Cancel, self)  # fmt: skip
        box.setObjectName("sequenceDeleteQuestion")
        box.setTextFormat(Qt.TextFormat.PlainText)
        delete = box.addButton("Delete", QMessageBox.ButtonRole.DestructiveRole)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        sequence_id = item.data(0, _ID_ROLE)
        box.buttonClicked.connect(
            lambda button: (
                button is delete and self._spawn(self.delete(sequence_id), "Delete the sequence")
            )
        )
        box.open()

    async def rename(self, sequence_id: str, name: str) -> None:
        """Rename sequence ``sequence_id``; a refused name is said and the old one shown."""
        from ..library.errors import LibraryError

        try:
            opened = (self.current if self.current and self.current.sequence.id == sequence_id
                      else await self.service.open(sequence_id))  # fmt: skip
            stored = await self.service.save(msgspec.structs.replace(opened.sequence, name=name))
        except (LibraryError, RuntimeError) as exc:
            self.statusMessage.emit(f"Could not rename the sequence: {exc}")
            await self.refresh()
            return
        if self.current is not None and self.current.sequence.id == sequence_id:
            self.current = OpenSequence(stored, self.current.clips)
            self._show_header()
        self._update_row_of(stored)

    def _update_row_of(self, sequence: Any) -> None:
        item = self._item_of(sequence.id)
        if item is not None and item.text(0) != sequence.name:
            self._filling = True
            item.setText(0, sequence.name)
            self._filling = False

    async def delete(self, sequence_id: str) -> None:
        """Delete sequence ``sequence_id`` (its clips stay)."""
        from ..library.errors import LibraryError

        try:
            await self.service.delete(sequence_id)
        except (LibraryError, RuntimeError) as exc:
            self.statusMessage.emit(f"Could not delete the sequence: {exc}")
            return
        if self.current is not None and self.current.sequence.id == sequence_id:
            self.show_sequence(None)
        await self.refresh()
        self.statusMessage.emit("Sequence deleted; its clips stay in the library.")

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

    # ---- edits --------------------------------------------------------------------------------

    def apply_items(self, items: list[Any], clips: dict[str, StripClip] | None = None):
        """Show the open sequence with ``items`` now and save it in the background; returns
        the save's task."""
        if self.current is None:
            return None
        merged = {**self.current.clips, **(clips or {})}
        sequence = msgspec.structs.replace(self.current.sequence, items=items)
        self.current = OpenSequence(sequence, merged)
        self.strip.set_cells(cells_for(items, merged))
        self._follow_seam()
        self._show_header()
        self._update_row()
        self._sync_buttons()
        self.last_save = self._spawn(self._save(sequence), "Save the sequence")
        return self.last_save

    async def _save(self, sequence: Any) -> None:
        from ..library.errors import LibraryError

        try:
            stored = await self.service.save(sequence)
        except (LibraryError, RuntimeError) as exc:
            self.statusMessage.emit(f"The sequence was not saved: {exc}")
            await self.open_sequence(sequence.id)  # what is stored, again
            return
        if self.current is not None and self.current.sequence.id == stored.id:
            # Keep the edits made meanwhile; take the stored times.
            self.current = OpenSequence(
                msgspec.structs.replace(self.current.sequence, updated_at=stored.updated_at),
                self.current.clips,
            )

    def _edit(self, change: Callable[[list[Any]], list[Any]]):
        if self.current is None:
            return None
        before = list(self.current.sequence.items)
        after = reseat_defaults(before, change(list(before)), self.current.clips)
        return self.apply_items(after)

    def move(self, source: int, target: int):
        """Move clip ``source`` to position ``target``."""

        def change(items: list[Any]) -> list[Any]:
            items.insert(target, items.pop(source))
            return items

        task = self._edit(change)
        self.strip.select_clip(target)
        return task

    def remove(self, index: int):
        """Take clip ``index`` out of the sequence (the clip stays in the library)."""

        def change(items: list[Any]) -> list[Any]:
            del items[index]
            return items

        task = self._edit(change)
        if self.current and self.current.sequence.items:
            self.strip.select_clip(min(index, len(self.current.sequence.items) - 1))
        self.statusMessage.emit("Removed from the sequence; the clip stays in the library.")
        return task

    async def add_clips(self, entry_ids: list[str], at: int | None = None,
                        new_name: str | None = None) -> None:  # fmt: skip
        """Add ``entry_ids`` at ``at`` (default: the end) of the open sequence; with none open,
        make a new one (``new_name``, else named after the first clip)."""
        from ..library.sequences import SequenceItem

        if not entry_ids:
            return
        if self.current is None:
            clips = await self.service.clips(entry_ids[:1])
            title = excerpt(clips[entry_ids[0]].title, 60)
            await self.create(new_name or f"Sequence: {title}", entry_ids)
            return
        clips = await self.service.clips(entry_ids)
        missing = [e for e in entry_ids if clips[e].missing]
        if missing:
            self.statusMessage.emit(f"Not added: {missing[0]} is not in the library.")
            return
        self.current = OpenSequence(self.current.sequence, {**self.current.clips, **clips})
        position = len(self.current.sequence.items) if at is None else at

        def change(items: list[Any]) -> list[Any]:
            items[position:position] = [SequenceItem(entry_id=e) for e in entry_ids]
            return items

        self._edit(change)
        count = len(entry_ids)
        self.statusMessage.emit(f"Added {count} clip{'s' if count != 1 else ''} to "
                                f"“{self.current.sequence.name}”.")  # fmt: skip

    def _on_strip_move_requested(self, source: int, target: int) -> None:
        self.move(source, target)

    def _on_strip_remove_requested(self, index: int) -> None:
        self.remove(index)

    def _on_strip_ids_dropped(self, ids: list[str], at: int) -> None:
        self._spawn(self.add_clips(ids, at), "Add clips to the sequence")

    # ---- seams --------------------------------------------------------------------------------

    def _on_strip_seam_selected(self, index: int) -> None:
        self.edit_seam(index)

    def _on_strip_clip_selected(self, _index: int = -1) -> None:
        self.seam_editor.hide()
        self._sync_buttons()

    def edit_seam(self, index: int) -> None:
        """Open the seam editor on the join before clip ``index`` (1..)."""
        if self.current is None or not 1 <= index < len(self.current.sequence.items):
            return
        items, clips = self.current.sequence.items, self.current.clips
        a, b = items[index - 1], items[index]
        if self.strip.selection() != ("seam", index):
            self.strip.select_seam(index)
        self.seam_editor.set_seam(index, a, clips[a.entry_id], b, clips[b.entry_id])
        self.seam_editor.show()
        self._sync_buttons()

    def _follow_seam(self) -> None:
        """After an edit elsewhere (a drop, a move), the seam editor shows the seam now at its
        place, or closes when there is none."""
        if self.seam_editor.isHidden() or self.current is None:
            return
        selection = self.strip.selection()
        items = self.current.sequence.items
        if selection is None or selection[0] != "seam" or not 1 <= selection[1] < len(items):
            self.seam_editor.hide()
            self._sync_buttons()
            return
        a, b = self.seam_editor.items()
        index = selection[1]
        if (a.entry_id, b.entry_id) != (items[index - 1].entry_id, items[index].entry_id):
            self.edit_seam(index)

    def _on_seam_editor_seam_changed(self, index: int, a_item: Any, b_item: Any) -> None:
        if self.current is None or not 1 <= index < len(self.current.sequence.items):
            return
        items = list(self.current.sequence.items)
        items[index - 1], items[index] = a_item, b_item
        self.apply_items(items)

    # ---- playing ------------------------------------------------------------------------------

    def _on_play_button_clicked(self) -> None:
        self._spawn(self.play_sequence(), "Play the sequence")

    def _on_stop_button_clicked(self) -> None:
        if self._preview_cancel is not None:
            self._preview_cancel.set()

    def _on_preview_progressed(self, done: int, total: int) -> None:
        if total > 0:
            self.progress.setValue(round(1000 * done / total))

    async def play_sequence(self) -> Path | None:
        """Render the open sequence's preview (unless cached) and play it with its seams
        marked; returns the preview's path (``None`` when stopped or refused)."""
        from ..media.sequence_export import ExportCancelled
        from ..media.sequence_plan import SequenceExportError
        from ..media.video import VideoError

        if self.current is None or self._preview_cancel is not None:
            return None
        sequence, clips = self.current.sequence, self.current.clips
        items = list(sequence.items)
        if not items:
            return None
        dest = preview_path(self.cache_dir, await run_blocking(content_key, items, clips))
        cancel = self._preview_cancel = threading.Event()
        self.progress.setValue(0)
        self.progress.show()
        self.stop_button.show()
        self._sync_buttons()
        try:
            path = await run_blocking(
                render_preview, items, clips, dest,
                progress=quiet_progress(self.previewProgressed.emit), cancel=cancel,
            )  # fmt: skip
        except ExportCancelled:
            self.statusMessage.emit("The preview was stopped.")
            return None
        except (SequenceExportError, VideoError, OSError) as exc:
            self.statusMessage.emit(f"The sequence cannot be played: {exc}")
            return None
        finally:
            self._preview_cancel = None
            self.progress.hide()
            self.stop_button.hide()
            self._sync_buttons()
        marks = [
            Mark(seconds, "seam", f"Seam {n}: clip {n} → clip {n + 1}")
            for n, seconds in enumerate(seam_seconds(items, clips, OUT_FPS), start=1)
        ]
        if self.play_file is not None:
            self.play_file(path, sequence.name, marks)
        return path

    def stop_work(self) -> None:
        """Stop every render and export under way (the window is closing): the workers end
        at their next frame, nothing half-made is left."""
        if self._preview_cancel is not None:
            self._preview_cancel.set()
        self.seam_editor.stop_work()
        dialog = self.export_dialog
        if dialog is not None:
            with contextlib.suppress(RuntimeError):  # already deleted with its window
                dialog.cancel()

    # ---- export -------------------------------------------------------------------------------

    def _on_export_button_clicked(self) -> None:
        self.open_export_dialog()

    def open_export_dialog(self, folder: Path | None = None):
        """Open the export dialog for the open sequence (``folder``: where it offers to
        save; default the home folder's Videos, else home)."""
        from .sequence_export_dialog import SequenceExportDialog, default_export_path

        if self.current is None:
            return None
        if folder is None:
            videos = Path.home() / "Videos"
            folder = videos if videos.is_dir() else Path.home()
        opened = self.current
        dialog = SequenceExportDialog(
            self.service.library, opened.sequence, self.tasks,
            default_export_path(folder, opened.sequence.name),
            describe(opened.sequence.items, opened.clips), self,
        )  # fmt: skip
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.finished_export.connect(lambda path: self.statusMessage.emit(f"Exported {path}"))
        self.export_dialog = dialog
        dialog.open()
        return dialog
