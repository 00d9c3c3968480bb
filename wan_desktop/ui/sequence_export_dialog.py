"""``sequenceExportDialog``: export a sequence as one MP4 (and, when asked, an ``.otio``
timeline beside it for an editor), with progress and Cancel.

The export runs in the executor (``library.sequence_parts.export_files``: the full-size clips,
crossfades, sound, provenance in the MP4's comment). The MP4 appears only when whole and the
``.otio`` only after it, so Cancel or a failure leaves neither; a failure is said in the
dialog in a sentence naming the clip and the limit. When done, the dialog shows the file in
the file manager (``open_url``, swapped in tests). GUI thread.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, QUrl, Signal
from PySide6.QtGui import QCloseEvent, QDesktopServices
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from .async_bridge import TaskKeeper, run_blocking
from .naming import named
from .sequence_render import quiet_progress
from .theme import set_role

__all__ = ["SequenceExportDialog", "default_export_path"]


def default_export_path(folder: Path, name: str) -> Path:
    """``folder/<name>.mp4`` with the characters file systems refuse replaced ("Chain: dawn"
    becomes "Chain - dawn")."""
    name = name.replace(": ", " - ")
    safe = "".join("_" if c in '<>:"/\\|?*' or ord(c) < 32 else c for c in name).strip(" .")
    return folder / f"{safe or 'sequence'}.mp4"


class SequenceExportDialog(QDialog):
    """Exports ``sequence`` of ``library`` (see the module). ``summary`` is a line about what
    will be exported ("6 clips · 0:28"); ``dest`` the path offered first."""

    progressed = Signal(int, int)  # emitted from the worker; delivered on the GUI thread
    finished_export = Signal(str)  # the MP4's path, after a successful export

    def __init__(self, library: Any, sequence: Any, tasks: TaskKeeper, dest: Path,
                 summary: str = "", parent: QWidget | None = None) -> None:  # fmt: skip
        super().__init__(parent)
        self.setObjectName("sequenceExportDialog")
        self.setWindowTitle(f"Export “{sequence.name}”")
        self._library = library
        self._sequence = sequence
        self._tasks = tasks
        self._cancel: threading.Event | None = None
        self._close_when_stopped = False
        self.task = None
        self.exported: Path | None = None
        self.open_url = QDesktopServices.openUrl  # swapped in tests
        self._build(dest, summary)
        self.progressed.connect(self._on_progressed)

    def _build(self, dest: Path, summary: str) -> None:
        self.path_edit = named(QLineEdit(str(dest)), "sequenceExportPath", "Save the MP4 as")
        browse = named(QToolButton(), "sequenceExportBrowse", "Choose where to save")
        browse.setText("…")
        self.otio_check = named(QCheckBox("Also write an .otio timeline for an editor"),
                                "sequenceExportOtio", "Also write an OTIO timeline")  # fmt: skip
        self.otio_check.setToolTip(
            "OpenTimelineIO: the original clips with their in and out points and crossfades, "
            "for DaVinci Resolve, Premiere, Kdenlive…"
        )
        about = QLabel(summary)
        about.setTextFormat(Qt.TextFormat.PlainText)
        set_role(about, "muted")
        self.progress = named(QProgressBar(), "sequenceExportProgress", "Export progress")
        self.progress.setRange(0, 1000)
        self.progress.setTextVisible(True)
        self.progress.hide()
        self.message = named(QLabel(), "sequenceExportMessage", "Export status")
        self.message.setTextFormat(Qt.TextFormat.PlainText)
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        row = QHBoxLayout()
        row.addWidget(self.path_edit, 1)
        row.addWidget(browse)
        form = QFormLayout()
        form.addRow("Save as", row)
        form.addRow("", self.otio_check)
        self.buttons = QDialogButtonBox()
        self.export_button = named(QPushButton("Export"), "sequenceExportButton", "Export")
        self.export_button.setDefault(True)
        self.cancel_button = named(QPushButton("Cancel"), "sequenceExportCancel", "Cancel")
        self.reveal_button = named(QPushButton("Show in folder"), "sequenceExportReveal",
                                   "Show the exported file")  # fmt: skip
        self.buttons.addButton(self.export_button, QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.addButton(self.reveal_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.buttons.addButton(self.cancel_button, QDialogButtonBox.ButtonRole.RejectRole)
        self.reveal_button.hide()  # after addButton, which shows it: only once exported
        layout = QVBoxLayout(self)
        if summary:
            layout.addWidget(about)
        layout.addLayout(form)
        layout.addWidget(self.progress)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)
        browse.clicked.connect(self._on_browse_clicked)
        self.export_button.clicked.connect(self.start)
        self.cancel_button.clicked.connect(self.reject)
        self.reveal_button.clicked.connect(self._on_reveal_button_clicked)
        self.resize(560, self.sizeHint().height())

    # ---- running ------------------------------------------------------------------------------

    def is_running(self) -> bool:
        """Whether an export is under way."""
        return self._cancel is not None

    def destination(self) -> Path | None:
        """The MP4 path typed (``.mp4`` added when it has no extension), or ``None`` with the
        reason shown in the dialog."""
        text = self.path_edit.text().strip()
        if not text:
            self._say("Choose where to save the MP4 (Save as is empty).", error=True)
            return None
        path = Path(text).expanduser()
        if not path.suffix:
            path = path.with_suffix(".mp4")
        if not path.parent.is_dir():
            self._say(f"Save as: the folder {path.parent} does not exist.", error=True)
            return None
        return path

    def start(self):
        """Start the export (the Export button); returns its task, or ``None`` when the
        destination is not usable (the reason is shown)."""
        if self.is_running():
            return None
        dest = self.destination()
        if dest is None:
            return None
        self._cancel = threading.Event()
        self.destroyed.connect(self._cancel.set)  # a dialog deleted with its window stops it
        self.exported = None
        self.progress.setValue(0)
        self.progress.show()
        self.export_button.setEnabled(False)
        self.reveal_button.hide()
        self.path_edit.setEnabled(False)
        self.otio_check.setEnabled(False)
        self._say(f"Exporting to {dest.name} …")
        self.task = self._tasks.spawn(self._export(dest, self.otio_check.isChecked()),
                                      "Export the sequence", self)  # fmt: skip
        return self.task

    def cancel(self) -> None:
        """Stop a running export (nothing is left on disk)."""
        if self._cancel is not None:
            self._cancel.set()
            self._say("Stopping …")

    async def _export(self, dest: Path, otio: bool) -> None:
        from ..library.errors import LibraryError
        from ..library.sequence_parts import export_files
        from ..media.sequence_export import ExportCancelled
        from ..media.sequence_plan import SequenceExportError
        from ..media.video import VideoError

        cancel = self._cancel
        try:
            plan, timeline = await run_blocking(
                export_files, self._library, self._sequence, dest, otio=otio,
                progress=quiet_progress(self.progressed.emit), cancel=cancel,
            )  # fmt: skip
        except ExportCancelled:
            self._stopped("Export cancelled; nothing was written.")
            return
        except (SequenceExportError, LibraryError, VideoError, OSError) as exc:
            self._stopped(f"The export failed: {exc}", error=True)
            return
        self.exported = dest
        self._stopped("")
        also = f" and {timeline.name}" if timeline is not None else ""
        seconds = plan.duration_s
        self._say(f"Exported {dest.name}{also}: {plan.width}×{plan.height}, {seconds:.1f} s.")
        self.progress.setValue(self.progress.maximum())
        self.reveal_button.show()
        self.cancel_button.setText("Close")
        self.finished_export.emit(str(dest))
        self.reveal()

    def _stopped(self, message: str, *, error: bool = False) -> None:
        self._cancel = None
        self.export_button.setEnabled(True)
        self.path_edit.setEnabled(True)
        self.otio_check.setEnabled(True)
        if message:
            self.progress.hide()
            self._say(message, error=error)
        if self._close_when_stopped:
            super().reject()

    def reveal(self) -> None:
        """Show the exported file's folder in the file manager."""
        if self.exported is not None:
            self.open_url(QUrl.fromLocalFile(str(self.exported.parent)))

    def _say(self, text: str, *, error: bool = False) -> None:
        self.message.setText(text)
        set_role(self.message, "error" if error else "")

    def _on_progressed(self, done: int, total: int) -> None:
        if total > 0 and self._cancel is not None:
            self.progress.setValue(round(1000 * done / total))
            self.progress.setFormat(f"{100 * done // total}%  ·  frame {done} of {total}")

    def _on_reveal_button_clicked(self) -> None:
        self.reveal()

    def _on_browse_clicked(self) -> None:
        path, _filter = QFileDialog.getSaveFileName(
            self, "Export the sequence", self.path_edit.text(), "MP4 video (*.mp4)"
        )
        if path:
            self.path_edit.setText(path)

    # ---- closing ------------------------------------------------------------------------------

    def reject(self) -> None:  # Qt override
        """Cancel stops a running export first (the dialog closes when it has stopped)."""
        if self.is_running():
            self._close_when_stopped = True
            self.cancel()
            return
        super().reject()

    def closeEvent(self, event: QCloseEvent) -> None:  # Qt override
        if self.is_running():
            self._close_when_stopped = True
            self.cancel()
            event.ignore()
            return
        super().closeEvent(event)
