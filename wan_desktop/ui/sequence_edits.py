"""Editing the open sequence in the Sequences pane (GUI thread): a move, a removal, clips
added or a seam changed shows at once and is saved in the background, in order
(``SequenceService.save``); a refused save says why and puts the stored sequence back.
The seam editor follows the join selected in the strip."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import msgspec

from ..core.text import excerpt
from .sequence_cells import cells_for
from .sequence_clips import StripClip, reseat_defaults
from .sequence_service import OpenSequence

if TYPE_CHECKING:
    from .sequence_pane import SequencePane

    _PaneBase = SequencePane
else:
    _PaneBase = object  # a plain class, placed before QWidget in the pane's bases

__all__ = ["SequenceEditsMixin"]


class SequenceEditsMixin(_PaneBase):
    """The open sequence's edits, their save queue and the seam editor's part."""

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
