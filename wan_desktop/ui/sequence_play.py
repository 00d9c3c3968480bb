"""Playing and exporting the open sequence from the Sequences pane (GUI thread): Play sequence
renders a proxy-sized preview in the executor (cached by the sequence's content, stoppable)
and plays it with the seams marked; Export… opens ``sequenceExportDialog``; stopping all of
it when the window closes."""

from __future__ import annotations

import contextlib
import threading
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt

from .async_bridge import run_blocking
from .seek_marks import Mark
from .sequence_cells import describe
from .sequence_clips import OUT_FPS, content_key, seam_seconds
from .sequence_render import preview_path, quiet_progress, render_preview

if TYPE_CHECKING:
    from .sequence_pane import SequencePane

    _PaneBase = SequencePane
else:
    _PaneBase = object  # a plain class, placed before QWidget in the pane's bases

__all__ = ["SequencePlayMixin"]


class SequencePlayMixin(_PaneBase):
    """The preview's render and play, Stop, Export… and :meth:`stop_work`."""

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
