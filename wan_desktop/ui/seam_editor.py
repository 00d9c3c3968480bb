"""The seam editor (``seamEditor``): how one clip of a sequence hands over to the next.

For the join of clip A and clip B it sets where B starts (a continued clip drops its first
frame by default, because that frame repeats A's last: the editor says so), an earlier
out-point for A with the app's suggestion (``media.seams.score_out_points`` in the executor:
the frame of A that best matches the frame B starts on, its score, one click to apply), and a
crossfade of 0-12 frames. Beside them a preview (:class:`~.seam_preview.SeamPreview`) loops
the two seconds around the join with its sound, rendered by the exporter itself
(:func:`~.sequence_render.render_seam`: the proxies' pictures, the clips' sound), so it shows
and sounds exactly as the settings make it. The sound plays through a
:class:`~.sheet_audio.SheetAudio` kept on the loop's clock; *Sound* (``seamSoundCheck``)
turns it off.

Every change is reported at once (``seamChanged(index, a_item, b_item)``); the pane saves
it. The preview and the suggestion follow a moment later, in workers; a newer change stops
the older work. GUI thread.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
import threading
from pathlib import Path
from typing import Any

import msgspec
from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from ..media.sequence_export import ExportCancelled
from .async_bridge import TaskKeeper, run_blocking
from .naming import named
from .seam_preview import PREVIEW_SIZE, SeamPreview, frame_image
from .sequence_clips import OUT_FPS, StripClip
from .sequence_render import SeamWindow, read_frames, render_seam
from .theme import set_role

__all__ = ["PREVIEW_SIZE", "SeamEditor", "SeamPreview", "frame_image"]

#: How long the editor waits after a change before rendering the preview again, ms.
_SETTLE_MS = 250
_MAX_FADE = 12


def _spin(name: str, accessible: str, maximum: int, suffix: str = "") -> QSpinBox:
    spin = named(QSpinBox(), name, accessible)
    spin.setRange(0, maximum)
    spin.setSuffix(suffix)
    spin.setKeyboardTracking(False)  # typing "12" is one change, not "1" then "12"
    spin.setMinimumWidth(150)
    spin.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
    return spin


class SeamEditor(QWidget):
    """``seamEditor``: edits the seam before clip ``index`` of a sequence (see the module)."""

    seamChanged = Signal(int, object, object)  # index of B, A's item, B's item

    def __init__(self, tasks: TaskKeeper, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        named(self, "seamEditor", "Seam editor")
        self._tasks = tasks
        self._index = 0
        self._a: Any = None
        self._b: Any = None
        self._a_clip: StripClip | None = None
        self._b_clip: StripClip | None = None
        self._filling = False
        self._suggested: tuple[int, float] | None = None
        self._preview_cancel: threading.Event | None = None
        self._suggest_cancel: threading.Event | None = None
        self._preview_token = 0
        self._suggest_token = 0
        self.preview_task = None
        self.suggest_task = None
        self.last_window: SeamWindow | None = None
        self._sound_file: Path | None = None  # the rendered preview the sound plays from
        self._build()
        self._settle = QTimer(self)
        self._settle.setSingleShot(True)
        self._settle.setInterval(_SETTLE_MS)
        self._settle.timeout.connect(self._on_settle_timeout)
        self.destroyed.connect(lambda *_: self.stop_work())

    def _build(self) -> None:
        self._build_controls()
        self._lay_out()
        self._connect()

    def _build_controls(self) -> None:
        self.title = named(QLabel(), "seamTitle", "Seam")
        set_role(self.title, "heading")
        self.start_spin = _spin("seamStartSpin", "Second clip starts on frame", 0)
        self.start_spin.setPrefix("frame ")
        self.start_note = named(QLabel(), "seamStartNote", "About the first frame")
        self.start_note.setWordWrap(True)
        self.start_note.setTextFormat(Qt.TextFormat.PlainText)
        self.end_spin = _spin("seamEndSpin", "First clip's last frame", 0)
        self.end_spin.setPrefix("frame ")
        self.end_note = named(QLabel(), "seamEndNote", "About the out-point")
        self.end_note.setTextFormat(Qt.TextFormat.PlainText)
        self.suggestion = named(QLabel(), "seamSuggestion", "Suggested out-point")
        self.suggestion.setTextFormat(Qt.TextFormat.PlainText)
        self.suggestion.setWordWrap(True)
        self.apply_button = named(QPushButton("Apply"), "seamApplySuggestion",
                                  "Apply the suggested out-point")  # fmt: skip
        self.apply_button.setEnabled(False)
        self.fade_spin = _spin("seamCrossfadeSpin", "Crossfade", _MAX_FADE, " frames")
        self.fade_spin.setSpecialValueText("none (cut)")
        self.fade_note = named(QLabel(), "seamCrossfadeNote", "Crossfade length")
        self.fade_note.setTextFormat(Qt.TextFormat.PlainText)
        self.preview = SeamPreview()
        self.sound_check = named(QCheckBox("Sound"), "seamSoundCheck",
                                 "Play the seam preview's sound")  # fmt: skip
        self.sound_check.setChecked(True)
        self.sound_check.setToolTip("Play the clips' sound with the preview, crossfaded as in "
                                    "the export")  # fmt: skip
        for label in (self.start_note, self.end_note, self.fade_note):
            set_role(label, "muted")
        for label in (self.start_note, self.end_note, self.fade_note, self.suggestion):
            # The notes take the form's width: wrapped at their own hint they read as a column.
            label.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)

    def _lay_out(self) -> None:
        suggest_row = QHBoxLayout()
        suggest_row.setContentsMargins(0, 0, 0, 0)
        suggest_row.addWidget(self.suggestion, 1)
        suggest_row.addWidget(self.apply_button)
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        form.addRow("Second clip starts on", self.start_spin)
        form.addRow("", self.start_note)
        form.addRow("First clip ends after", self.end_spin)
        form.addRow("", self.end_note)
        form.addRow("Suggestion", suggest_row)
        form.addRow("Crossfade", self.fade_spin)
        form.addRow("", self.fade_note)
        controls = QVBoxLayout()
        controls.setContentsMargins(0, 0, 0, 0)
        controls.addWidget(self.title)
        controls.addLayout(form)
        controls.addStretch(1)
        preview_column = QVBoxLayout()
        preview_column.setContentsMargins(0, 0, 0, 0)
        preview_column.setSpacing(2)
        preview_column.addWidget(self.preview)
        preview_column.addWidget(self.sound_check, 0, Qt.AlignmentFlag.AlignRight)
        preview_column.addStretch(1)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 0)
        layout.addLayout(controls, 1)
        layout.addLayout(preview_column, 0)

    def _connect(self) -> None:
        self.sound_check.toggled.connect(self._on_sound_check_toggled)
        self.start_spin.valueChanged.connect(self._on_start_spin_value_changed)
        self.end_spin.valueChanged.connect(self._on_end_spin_value_changed)
        self.fade_spin.valueChanged.connect(self._on_fade_spin_value_changed)
        self.apply_button.clicked.connect(self._on_apply_button_clicked)

    # ---- what the pane asks -------------------------------------------------------------------

    def set_seam(self, index: int, a_item: Any, a_clip: StripClip, b_item: Any,
                 b_clip: StripClip) -> None:  # fmt: skip
        """Edit the seam before clip ``index`` (1-based position of B is ``index + 1``)."""
        same = (index, a_item.entry_id, b_item.entry_id) == (
            self._index,
            getattr(self._a, "entry_id", None),
            getattr(self._b, "entry_id", None),
        )
        self._index, self._a, self._b = index, a_item, b_item
        self._a_clip, self._b_clip = a_clip, b_clip
        self.title.setText(f"Seam {index}: clip {index} → clip {index + 1}")
        self._fill()
        if not same:
            self._suggested = None
            self._suggest()
        self._settle.start()

    def items(self) -> tuple[Any, Any]:
        """A's item and B's item as edited."""
        return self._a, self._b

    def suggested(self) -> tuple[int, float] | None:
        """The suggested last frame of A and its score (0..1), once found."""
        return self._suggested

    def _fill(self) -> None:
        a, b, a_clip, b_clip = self._a, self._b, self._a_clip, self._b_clip
        self._filling = True
        try:
            b_count = max(1, b_clip.frame_count)
            self.start_spin.setRange(0, b_count - 1)
            self.start_spin.setValue(b.start_frame)
            self.start_spin.setSuffix(f"   (0–{b_count - 1})")
            a_count = max(1, a_clip.frame_count)
            self.end_spin.setRange(min(a.start_frame, a_count - 1), a_count - 1)
            self.end_spin.setValue((a.end_frame if a.end_frame is not None else a_count) - 1)
            self.end_spin.setSuffix(f"   (0–{a_count - 1})")
            self.fade_spin.setValue(b.crossfade_frames)
        finally:
            self._filling = False
        self._notes()

    def _notes(self) -> None:
        a, b, a_clip, b_clip = self._a, self._b, self._a_clip, self._b_clip
        continued = b_clip.parent_id == a.entry_id
        if continued and b.start_frame == 1:
            start = ("Frame 0 repeats the first clip's last frame, so it is dropped: "
                     "the second clip starts on frame 1.")  # fmt: skip
        elif continued and b.start_frame == 0:
            start = "Frame 0 repeats the first clip's last frame: it shows twice."
        elif b.start_frame:
            start = f"The second clip's first {b.start_frame} frames are left out."
        else:
            start = "The second clip plays from its first frame."
        self.start_note.setText(start)
        a_count = a_clip.frame_count
        end = a.end_frame if a.end_frame is not None else a_count
        cut = a_count - end
        self.end_note.setText(
            f"The first clip's last {cut} frames ({cut / a_clip.fps:.2f} s) are left out."
            if cut > 0 and a_clip.fps
            else "The first clip plays to its end."
        )
        fade = b.crossfade_frames
        self.fade_note.setText(
            f"{fade / OUT_FPS:.2f} s: the clips blend over {fade} frames at {OUT_FPS} fps."
            if fade
            else "A straight cut."
        )
        self._show_suggestion()

    # ---- changes ------------------------------------------------------------------------------

    def _changed(self, *, a: Any = None, b: Any = None) -> None:
        if a is not None:
            self._a = a
        if b is not None:
            self._b = b
        self._notes()
        self.seamChanged.emit(self._index, self._a, self._b)
        self._settle.start()

    def _on_start_spin_value_changed(self, value: int) -> None:
        if self._filling or self._b is None:
            return
        self._changed(b=msgspec.structs.replace(self._b, start_frame=value))
        self._suggested = None
        self._suggest()  # the frame B starts on is what A's frames are matched against

    def _on_end_spin_value_changed(self, value: int) -> None:
        if self._filling or self._a is None:
            return
        end = None if value + 1 >= self._a_clip.frame_count else value + 1
        self._changed(a=msgspec.structs.replace(self._a, end_frame=end))

    def _on_fade_spin_value_changed(self, value: int) -> None:
        if self._filling or self._b is None:
            return
        self._changed(b=msgspec.structs.replace(self._b, crossfade_frames=value))

    def _on_apply_button_clicked(self) -> None:
        if self._suggested is not None:
            self.end_spin.setValue(self._suggested[0])

    # ---- the suggestion -----------------------------------------------------------------------

    def _suggest(self) -> None:
        if self._suggest_cancel is not None:
            self._suggest_cancel.set()
        a_clip, b_clip = self._a_clip, self._b_clip
        if a_clip is None or b_clip is None or a_clip.missing or b_clip.missing:
            self.suggestion.setText("No suggestion: a clip is missing.")
            self.apply_button.setEnabled(False)
            return
        self._suggest_token += 1
        cancel = self._suggest_cancel = threading.Event()
        self.suggestion.setText("Finding where the first clip best meets the second …")
        self.apply_button.setEnabled(False)
        self.suggest_task = self._tasks.spawn(
            self._find_suggestion(self._suggest_token, a_clip, b_clip, self._b.start_frame,
                                  cancel),
            "Suggest an out-point", self,
        )  # fmt: skip

    async def _find_suggestion(self, token: int, a_clip: StripClip, b_clip: StripClip,
                               b_start: int, cancel: threading.Event) -> None:  # fmt: skip
        from ..media.seams import SeamScoringCancelled, score_out_points
        from ..media.video import VideoError

        try:
            scored = await run_blocking(score_out_points, a_clip.video_path, b_clip.video_path,
                                        b_start_frame=b_start, cancel=cancel)  # fmt: skip
        except SeamScoringCancelled:
            return
        except (VideoError, ValueError, OSError) as exc:
            if token == self._suggest_token:
                self.suggestion.setText(f"No suggestion: {exc}")
            return
        if token != self._suggest_token or not scored:
            return
        self._suggested = scored[0]
        self._show_suggestion()

    def _show_suggestion(self) -> None:
        if self._suggested is None:
            return
        frame, score = self._suggested
        current = (self._a.end_frame or self._a_clip.frame_count) - 1
        applied = " (in use)" if current == frame else ""
        self.suggestion.setText(
            f"End the first clip after frame {frame}: match {score:.2f}{applied}"
        )
        self.apply_button.setEnabled(current != frame)

    # ---- the preview --------------------------------------------------------------------------

    def _on_settle_timeout(self) -> None:
        self.refresh_preview()

    def refresh_preview(self):
        """Render the preview of the seam as it is now (stopping any render before)."""
        if self._preview_cancel is not None:
            self._preview_cancel.set()
        if self._a is None or self._a_clip is None or self._b_clip is None:
            return None
        self._preview_token += 1
        cancel = self._preview_cancel = threading.Event()
        self.preview.set_message("Rendering the preview …")
        self.preview_task = self._tasks.spawn(
            self._render(self._preview_token, self._a, self._a_clip, self._b, self._b_clip,
                         cancel),
            "Render the seam preview", self,
        )  # fmt: skip
        return self.preview_task

    async def _render(self, token: int, a: Any, a_clip: StripClip, b: Any, b_clip: StripClip,
                      cancel: threading.Event) -> None:  # fmt: skip
        from ..media.sequence_plan import SequenceExportError
        from ..media.video import VideoError

        size = (PREVIEW_SIZE.width(), PREVIEW_SIZE.height())
        try:
            window, images, path = await run_blocking(_render_seam_images, a, a_clip, b,
                                                      b_clip, size, cancel)  # fmt: skip
        except ExportCancelled:
            return
        except (SequenceExportError, VideoError, OSError) as exc:
            if token == self._preview_token:
                self.preview.set_message(f"No preview: {exc}")
            return
        if token != self._preview_token:
            _remove(path)  # a newer render is on its way
            return
        self.last_window = window
        older, self._sound_file = self._sound_file, path
        self.preview.set_frames(images, window.seam_s, path if window.has_audio else None)
        self._show_sound_state(window.has_audio)
        if older is not None:
            _remove(older)  # after the sound moved to the new file

    def _show_sound_state(self, has_audio: bool) -> None:
        problem = self.preview.audio.problem
        self.sound_check.setEnabled(has_audio and problem is None)
        if problem is not None:
            self.sound_check.setToolTip(problem)
        elif not has_audio:
            self.sound_check.setToolTip("Neither clip has sound here.")
        else:
            self.sound_check.setToolTip("Play the clips' sound with the preview, crossfaded as "
                                        "in the export")  # fmt: skip

    def _on_sound_check_toggled(self, checked: bool) -> None:
        self.preview.set_sound_on(checked)

    def stop_work(self) -> None:
        """Stop the preview's render and the suggestion's scoring (at their next frame), and
        remove the rendered preview the sound played from (the window is closing)."""
        for event in (self._preview_cancel, self._suggest_cancel):
            if event is not None:
                event.set()
        if self._sound_file is not None:
            with contextlib.suppress(RuntimeError):  # the widgets may be gone already
                self.preview.audio.close()
            _remove(self._sound_file)
            self._sound_file = None


def _remove(path: Path) -> None:
    with contextlib.suppress(OSError):  # Windows: still open in the sound's player
        path.unlink()


def _render_seam_images(a: Any, a_clip: StripClip, b: Any, b_clip: StripClip,
                        size: tuple[int, int], cancel: threading.Event):  # fmt: skip
    """Worker: render the seam into a temporary file and decode its frames; returns the
    window, the frames and the file (kept: its sound plays with the frames; removed here
    when anything fails)."""
    handle, name = tempfile.mkstemp(prefix="wan-seam-", suffix=".mp4")
    os.close(handle)
    path = Path(name)
    try:
        window = render_seam(a, a_clip, b, b_clip, path, cancel=cancel)
        frames = read_frames(path, size, cancel=cancel)
        return window, [frame_image(f) for f in frames], path
    except BaseException:
        _remove(path)
        raise
