"""``jobEditDialog``: change a job that waits in the local queue, with the composer's own
fields and checks: the image (drop zone), the two prompts with their counters and limits,
the options, the audio, the price, and every reason Save is unavailable.

The dialog only edits and asks: ``saveRequested(request)`` carries the edited request, the
window hands it to the runner (which checks it again, exactly as a new job) and answers with
:meth:`JobEditDialog.saved` or :meth:`JobEditDialog.refused`. While it is open the job may
get a slot and be sent; :meth:`JobEditDialog.set_locked` then disables Save with the reason.
GUI thread.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from ..core.model_schema import current_schema
from ..core.pricing import Estimate, estimate
from ..core.request import GenerationRequest
from ..jobs.model import JobSnapshot
from .async_bridge import TaskKeeper
from .audio_picker import AudioPicker
from .composer_checks import form_problems
from .composer_form import prompt_editor_for, scrolling_form, section
from .drop_zone import ImageDropZone
from .naming import named
from .options_panel import OptionsPanel
from .plain_text import plain_label
from .problem_list import ProblemList
from .theme import set_role

__all__ = ["JobEditDialog"]

_INTRO = "Nothing of it has been sent or billed yet: the changes apply before it is sent."


class JobEditDialog(QDialog):
    """Edit waiting job ``job``. ``place`` says where it stands (``2nd in line``).
    ``saveRequested(request)`` when Save is pressed with nothing wrong."""

    saveRequested = Signal(object)

    def __init__(
        self,
        job: JobSnapshot,
        tasks: TaskKeeper,
        cache_dir: Path,
        *,
        place: str = "",
        parent: QWidget | None = None,
    ):
        super().__init__(parent)
        self.setObjectName("jobEditDialog")
        self.setWindowTitle("Edit job")
        self.setAccessibleName("Edit job")
        self.job = job
        self._locked: str | None = None
        self._refusals: list[str] = []
        self._warnings: list[str] = []
        self._saving = False
        # The job's own copy of its image is shown (the user's file may have moved); keeping
        # it keeps the request's image as it was, so the runner keeps its prepared inputs.
        self._shown_image = job.input_image_path or job.request.image
        self._build(tasks, cache_dir, place)
        self._fill(job)
        self._connect()
        self.refresh()
        self.prompt.edit.setFocus()  # what is most often changed

    # ---- building -------------------------------------------------------------------------

    def _build(self, tasks: TaskKeeper, cache_dir: Path, place: str) -> None:
        self._build_form(tasks, cache_dir)
        title = self._build_head(place)
        self._build_foot()
        self._lay_out(title)
        self.resize(600, 760)

    def _build_form(self, tasks: TaskKeeper, cache_dir: Path) -> None:
        """The scrolling form: the image, the two prompts, the options and the audio."""
        schema = current_schema()
        self.drop_zone = ImageDropZone(tasks, cache_dir)
        self.drop_zone.setMinimumHeight(150)
        self.prompt = prompt_editor_for(
            schema, "prompt", "Prompt", "jobEditPrompt", "Describe the motion…"
        )
        self.prompt.edit.setMinimumHeight(90)
        self.negative = prompt_editor_for(
            schema, "negative_prompt", "Negative prompt", "jobEditNegative", "What to avoid…"
        )
        self.negative.edit.setMinimumHeight(44)
        self.negative.edit.setMaximumHeight(64)
        self.options = OptionsPanel()
        self.options.lock.hide()  # "keep this seed for the next videos" means nothing here
        self.audio = AudioPicker(tasks)
        self.scroll = scrolling_form(
            [
                (self.drop_zone, 2),
                (self.prompt, 2),
                (self.negative, 0),
                (section("Options"), 0),
                (self.options, 0),
                (self.audio, 0),
            ]
        )
        self.scroll.setObjectName("jobEditScroll")
        self.scroll.widget().setObjectName("jobEditForm")

    def _build_head(self, place: str) -> QLabel:
        """The intro (where the job stands); returns the title."""
        title = QLabel("Edit job")
        set_role(title, "heading")
        where = f"{place}. " if place else ""
        self.intro = named(plain_label(QLabel(where + _INTRO)), "jobEditIntro", "About this edit")
        set_role(self.intro, "muted")
        self.intro.setWordWrap(True)
        return title

    def _build_foot(self) -> None:
        """The price, the reasons Save is unavailable, and the buttons."""
        self.cost = named(plain_label(QLabel()), "jobEditCost", "Estimated cost")
        self.cost.setWordWrap(True)
        self._was = self._estimate(self.job.request)
        self.problem_list = ProblemList()
        self.problem_list.first.setObjectName("jobEditReason")
        self.problem_list.first.setAccessibleName("Why the edit cannot be saved")
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self.save_button = named(
            self.buttons.button(QDialogButtonBox.StandardButton.Save),
            "jobEditSaveButton",
            "Save the changes",
        )

    def _lay_out(self, title: QLabel) -> None:
        """The head, the scrolling form and the foot, top to bottom."""
        head = QVBoxLayout()
        head.setContentsMargins(10, 12, 10, 4)
        head.setSpacing(4)
        head.addWidget(title)
        head.addWidget(self.intro)
        foot = QVBoxLayout()
        foot.setContentsMargins(10, 4, 10, 12)
        foot.setSpacing(6)
        foot.addWidget(self.cost)
        foot.addWidget(self.problem_list)
        foot.addWidget(self.buttons)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addLayout(head)
        layout.addWidget(self.scroll, 1)
        layout.addLayout(foot)

    def _fill(self, job: JobSnapshot) -> None:
        request = job.request
        self.prompt.set_text(request.prompt)
        self.negative.set_text(request.negative_prompt)
        self.options.set_values({name: getattr(request, name) for name in self.options.values()})
        if self._shown_image:
            self.drop_zone.load(self._shown_image)
        if request.audio:
            self.audio.load(request.audio)

    def _connect(self) -> None:
        self.drop_zone.imageChanged.connect(self._on_any_changed)
        self.prompt.textChanged.connect(self._on_any_changed)
        self.negative.textChanged.connect(self._on_any_changed)
        self.options.changed.connect(self._on_any_changed)
        self.audio.changed.connect(self._on_any_changed)
        self.buttons.accepted.connect(self._on_buttons_accepted)
        self.buttons.rejected.connect(self.reject)

    # ---- what it holds --------------------------------------------------------------------

    def request(self) -> GenerationRequest:
        """The job's request with the form's changes (may be invalid: see :meth:`problems`).
        The image shown at first stands for the job's own image."""
        source = self.drop_zone.source()
        image = self.job.request.image if source == self._shown_image else (source or "")
        options = self.options.values()
        return self.job.request.replace(
            prompt=self.prompt.text(),
            negative_prompt=self.negative.text(),
            image=image,
            audio=self.audio.path(),
            **options,
        )

    def problems(self) -> list[str]:
        """Every reason Save is unavailable, most useful first (the composer's checks, the
        runner's refusal of the last save, and the job having left the queue)."""
        reasons = form_problems(self.request(), self.drop_zone, self.audio)
        reasons += self._refusals
        if self._locked:
            reasons.insert(0, self._locked)
        return reasons

    def refresh(self) -> None:
        """Price, problems and Save follow the form."""
        values = self.options.values()
        self.cost.setText(self._price_text())
        self.prompt.set_duration(values["duration"])
        self.audio.set_duration(values["duration"])
        problems = self.problems()
        self.problem_list.set_problems(problems, self._warnings)
        self.save_button.setEnabled(not problems and not self._saving)
        self.save_button.setText("Saving…" if self._saving else "Save")
        tip = (
            "Save the changes"
            if not problems
            else "Save is unavailable:\n• " + "\n• ".join(problems)
        )
        self.save_button.setToolTip(tip)

    @staticmethod
    def _estimate(request: GenerationRequest) -> Estimate:
        return estimate(request.resolution, request.duration, generate_audio=request.generate_audio)

    def _price_text(self) -> str:
        """``Estimate: $0.75 · 10 s · 720p (was $0.38 · 5 s · 720p)``: the price of the job as
        edited beside its price as queued (free on the offline engine)."""
        if self.job.backend == "offline":
            return "Offline engine: nothing is billed."
        values = self.options.values()
        now = estimate(
            values["resolution"], values["duration"], generate_audio=values["generate_audio"]
        )
        if now.text() == self._was.text():
            return f"Estimate: {now.text()} (as queued)"
        return f"Estimate: {now.text()} (was {self._was.text()})"

    # ---- the window's answers -------------------------------------------------------------

    def saved(self) -> None:
        """The runner took the edit: close."""
        self._saving = False
        self.accept()

    def refused(self, messages: list[str]) -> None:
        """The runner refused the edit (the same checks, a spending cap, or the job was sent
        meanwhile): say why under Save; the next change to the form clears it."""
        self._saving = False
        self._refusals = list(messages)
        self.refresh()

    def is_saving(self) -> bool:
        """A save was asked for and the runner has not answered yet."""
        return self._saving

    def changed_elsewhere(self) -> None:
        """The job was edited by someone else meanwhile (``jobs edit`` from a shell): Save
        would replace that edit with this form, so say so (it does not stop Save)."""
        self._warnings = [
            "This job was changed elsewhere while this was open: Save replaces that change."
        ]
        self.refresh()

    def set_locked(self, reason: str | None) -> None:
        """The job can no longer be edited (``reason``: why), or can again (``None``)."""
        self._locked = reason
        self.refresh()

    # ---- slots ----------------------------------------------------------------------------

    def _on_any_changed(self, *_args: object) -> None:
        self._refusals = []
        self.refresh()

    def _on_buttons_accepted(self) -> None:
        self.refresh()
        if not self.save_button.isEnabled():
            return
        self._saving = True
        self.refresh()
        self.saveRequested.emit(self.request())

    def keyPressEvent(self, event) -> None:  # Qt override
        # Enter belongs to the prompt boxes (new lines); Ctrl+Enter saves, as it generates.
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and (
            event.modifiers() & Qt.KeyboardModifier.ControlModifier
        ):
            self._on_buttons_accepted()
            return
        super().keyPressEvent(event)
