"""The composer: image, prompts, options, audio, cost and the Generate button with its reason.

It builds a ``GenerationRequest`` from the form and checks it with ``validate()`` plus the
problems the media checks found; Generate is enabled only when nothing is wrong, and the
first reason is shown under it (all of them in its tooltip). The variants bar beside Generate
makes one click several takes (:meth:`Composer.variant_plan`), priced in full before the click;
with multi-shot on, the storyboard shows the prompt's shots as cards and checks them; a
spending cap that would be passed disables Generate with the reason (:meth:`set_budget_state`).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QSize, Signal
from PySide6.QtWidgets import (
    QFrame,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from ..core.model_schema import ModelSchema, current_schema
from ..core.request import GenerationRequest
from ..core.variants import VariantPlan
from .async_bridge import TaskKeeper
from .audio_picker import AudioPicker
from .composer_checks import form_problems
from .composer_draft import DraftKeeper, apply_draft, capture_draft
from .composer_form import prompt_editor_for, prompt_limit, scrolling_form, section
from .cost_label import CostLabel
from .drop_zone import ImageDropZone
from .options_panel import OptionsPanel
from .problem_list import ProblemList
from .refusal_text import field_message, field_messages
from .storyboard import Storyboard
from .theme import apply_style
from .variants_bar import PromptAlternatives, VariantsBar

if TYPE_CHECKING:
    from ..core.budget import BudgetRefusal

__all__ = ["Composer"]


class Composer(QWidget):
    """The left pane. ``generateRequested(request)`` when Generate is pressed and valid (the
    takes to make of it: :meth:`variant_plan`); ``draft_replaced`` when a fill from the library
    replaced a typed draft; ``priceChanged(usd)`` when what a click would be billed changes
    (the window checks it against the spending caps and answers with
    :meth:`set_budget_state`)."""

    generateRequested = Signal(object)
    #: A fill from the library replaced a typed draft; :meth:`restore_draft` brings it back.
    draft_replaced = Signal()
    #: What a click would be billed now, in US dollars (every take; 0 on the offline engine).
    priceChanged = Signal(float)

    def __init__(self, tasks: TaskKeeper, cache_dir: Path, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("composer")
        self.setAccessibleName("Compose a video")
        self._ready_reason: str | None = "Starting the engine …"
        self._budget_reason: str | None = None
        self._charge_usd: float | None = None
        self._drafts = DraftKeeper()

        self._build_fields(tasks, cache_dir)
        self._build_footer()
        line = QFrame()
        line.setFrameShape(QFrame.Shape.HLine)
        line.setFrameShadow(QFrame.Shadow.Sunken)
        footer = QVBoxLayout()
        footer.setContentsMargins(10, 4, 10, 10)
        footer.setSpacing(6)
        for widget in (self.cost, self.variants, self.generate_button, self.problem_list):
            footer.addWidget(widget)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(0)
        outer.addWidget(self._build_scroll(), 1)  # the form scrolls; price and Generate never do
        outer.addWidget(line)
        outer.addLayout(footer)
        self._connect()
        self._on_options_changed()

    def _build_fields(self, tasks: TaskKeeper, cache_dir: Path) -> None:
        """The image, the two prompts, the options, the audio and the price."""
        self.drop_zone = ImageDropZone(tasks, cache_dir)
        schema = current_schema()
        motion = "Describe the motion: what moves, how the camera moves, the mood…"
        self.prompt = prompt_editor_for(
            schema, "prompt", "Prompt", "prompt", motion, with_tools=True
        )
        self.prompt.edit.setMinimumHeight(110)
        avoid = "What to avoid (optional): blur, distortion, text…"
        self.negative = prompt_editor_for(
            schema, "negative_prompt", "Negative prompt", "negativePrompt", avoid
        )
        self.negative.edit.setMinimumHeight(48)
        self.negative.edit.setMaximumHeight(72)
        self.storyboard = Storyboard(self.prompt.text, self._set_prompt_from_storyboard)
        self.storyboard.set_prompt_limit(self.prompt.max_chars())
        self.alternatives = PromptAlternatives(self.prompt.max_chars())
        self.options = OptionsPanel()
        self.audio = AudioPicker(tasks)
        self.cost = CostLabel()
        self.variants = VariantsBar(self.alternatives)

    def _build_footer(self) -> None:
        """Generate, and the reason it is unavailable."""
        self.generate_button = QPushButton("Generate")
        self.generate_button.setObjectName("generateButton")
        apply_style(self.generate_button, "primaryButton")
        self.generate_button.setAccessibleName("Generate")
        self.generate_button.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.generate_button.setMinimumHeight(38)
        self.problem_list = ProblemList()
        self.reason = self.problem_list.first

    def _build_scroll(self) -> QScrollArea:
        """The fields in a form that scrolls up and down when the window is short."""
        self.scroll = scrolling_form(
            [
                (self.drop_zone, 3),
                (self.prompt, 3),
                (self.storyboard, 0),
                (self.alternatives, 0),
                (self.negative, 0),
                (section("Options"), 0),
                (self.options, 0),
                (self.audio, 0),
            ]
        )
        return self.scroll

    def _connect(self) -> None:
        self.drop_zone.imageChanged.connect(self._on_drop_zone_image_changed)
        self.prompt.textChanged.connect(self._on_prompt_text_changed)
        self.prompt.shotsInserted.connect(self._on_prompt_shots_inserted)
        if self.prompt.shots_warning is not None:
            self.prompt.shots_warning.changed.connect(self._on_shots_warning_changed)
        self.negative.textChanged.connect(self._on_negative_text_changed)
        self.options.changed.connect(self._on_options_changed)
        self.audio.changed.connect(self._on_audio_changed)
        self.storyboard.changed.connect(self._on_storyboard_changed)
        self.variants.changed.connect(self._on_variants_changed)
        self.generate_button.clicked.connect(self._on_generate_button_clicked)

    def minimumSizeHint(self) -> QSize:  # Qt override
        """Never narrower than the form's controls plus a vertical scroll bar: the form only
        scrolls up and down, so a narrower pane would cut its right edge off."""
        hint = super().minimumSizeHint()
        form = self.scroll.widget().minimumSizeHint().width()
        bar = self.scroll.verticalScrollBar().sizeHint().width()
        return QSize(max(hint.width(), form + bar), hint.height())

    # ---- request --------------------------------------------------------------------------

    def request(self) -> GenerationRequest:
        """The request the form describes (may be invalid: see :meth:`problems`)."""
        return GenerationRequest(
            prompt=self.prompt.text(),
            image=self.drop_zone.source() or "",
            audio=self.audio.path(),
            negative_prompt=self.negative.text(),
            **self.options.values(),
        )

    def load_request(
        self,
        request: GenerationRequest,
        *,
        image: str | None = None,
        audio: str | None = None,
        prompt_only: bool = False,
        expansion: bool | None = None,
    ) -> None:
        """Fill the form from ``request`` (reuse from the library). ``prompt_only``: the two
        prompts only. Otherwise every option too (``seed`` None: random), ``image`` loaded when
        given (else the current image stays) and ``audio`` loaded (``None``: cleared).
        ``expansion`` (not None) sets prompt expansion in either case.

        The prompt changes as one undoable edit, and a typed draft this replaces is kept:
        ``draft_replaced`` fires and :meth:`restore_draft` brings it back."""
        before = capture_draft(self)
        self.prompt.set_text(request.prompt)
        self.negative.set_text(request.negative_prompt)
        if not prompt_only:
            self.options.set_values(
                {name: getattr(request, name) for name in self.options.values()}
            )
            if image:
                self.drop_zone.load(image)
            if audio:
                self.audio.load(audio)
            else:
                self.audio.clear()
        if expansion is not None:
            self.options.expansion.setChecked(expansion)
        after = capture_draft(self)
        if not prompt_only:
            after = after.with_media(image or before.image, audio)
        if self._drafts.replaced(before, after):
            self.draft_replaced.emit()

    def restore_draft(self) -> bool:
        """Bring back the draft the last fill replaced (prompts, options, image, audio);
        ``False`` when there is none."""
        draft = self._drafts.take()
        if draft is None:
            return False
        apply_draft(self, draft)
        return True

    def has_saved_draft(self) -> bool:
        """Whether :meth:`restore_draft` has a draft to bring back."""
        return self._drafts.saved() is not None

    def problems(self) -> list[str]:
        """Every reason Generate is unavailable, most useful first."""
        reasons = form_problems(self.request(), self.drop_zone, self.audio)
        if self._multi_shot():
            reasons += self.storyboard.problems(with_limit=False)  # the prompt says its length
        reasons += self.variants.problems(self.prompt.text())
        if self._ready_reason:
            reasons.append(self._ready_reason)
        if self._budget_reason:
            reasons.append(self._budget_reason)
        return reasons

    def variant_plan(self) -> VariantPlan:
        """The takes one click makes: the count, seeds or prompts (this prompt is prompt A),
        random or consecutive seeds."""
        return self.variants.plan(self.prompt.text())

    def set_budget_state(self, refusal: BudgetRefusal | None) -> None:
        """A spending cap the next click would pass (``core.budget.check``'s refusal: Generate
        is disabled and says the spend so far, the cap and this price), or ``None``."""
        self._budget_reason = refusal.message if refusal is not None else None
        self.refresh()

    def charge_usd(self) -> float:
        """What a click would be billed now, in US dollars: every take at the current price;
        nothing on the offline engine."""
        return self.cost.charge_usd()

    def set_ready(self, reason: str | None) -> None:
        """``None`` when jobs can be queued, else why not (engine starting...)."""
        self._ready_reason = reason
        self.refresh()

    def warnings(self) -> list[str]:
        """What is worth a look before generating but does not stop it (shot times that no
        longer fit the duration)."""
        shots = self.prompt.shots_problem()
        return [shots] if shots else []

    def refresh(self) -> None:
        """Enable Generate when nothing blocks it; show the reasons and warnings under it."""
        problems = self.problems()
        warnings = self.warnings()
        ok = not problems
        takes = self.variants.takes()
        self.generate_button.setText("Generate" if takes == 1 else f"Generate {takes} takes")
        self.generate_button.setEnabled(ok)
        if ok:
            tip = "\n".join(["Generate (Ctrl+Enter)", *warnings])
        else:
            tip = "Generate is unavailable:\n• " + "\n• ".join(problems)
        self.generate_button.setToolTip(tip)
        self.problem_list.set_problems(problems, warnings)
        self.reason.setToolTip(tip)

    def reason_text(self) -> str:
        """The first reason Generate is unavailable (``""`` when it is available)."""
        if self.generate_button.isEnabled():
            return ""
        problems = self.problems()
        return problems[0] if problems else ""

    def mark_refusal(self, field: str | None, message: str) -> None:
        """Show a refusal from the service at the field it names, in the field's own words
        (and at every other field the refusal lists)."""
        said = field_messages(message)
        if field:
            said[field] = field_message(field, message)
        for name, words in said.items():
            if name == "prompt":
                self.prompt.set_error(words)
            elif name == "negative_prompt":
                self.negative.set_error(words)
            elif name == "image_url":
                self.drop_zone.problem_label.setText(words)
                self.drop_zone.problem_label.show()

    def clear_refusals(self) -> None:
        self.prompt.set_error(None)
        self.negative.set_error(None)

    def trigger_generate(self) -> bool:
        """Press Generate when it is enabled; ``False`` otherwise."""
        self.refresh()
        if not self.generate_button.isEnabled():
            return False
        self.generateRequested.emit(self.request())
        return True

    # ---- what the window asks of it -------------------------------------------------------

    def apply_defaults(self, defaults: dict[str, Any]) -> None:
        """The options and the negative prompt from the settings' ``defaults``."""
        self.options.apply_defaults(defaults)
        self.negative.set_text(str(defaults.get("negative_prompt", "")))

    def apply_schema(self, schema: ModelSchema) -> None:
        """Follow a new resolved table (the live refresher applied one): the counters' limits,
        the choices, defaults of new fields and "More options"; Generate re-checked. What
        the user chose stays where the table still allows it."""
        self.prompt.set_max_chars(prompt_limit(schema, "prompt"))
        self.storyboard.set_prompt_limit(self.prompt.max_chars())
        self.alternatives.set_max_chars(self.prompt.max_chars())
        self.negative.set_max_chars(prompt_limit(schema, "negative_prompt"))
        self.options.apply_schema(schema)  # emits changed: the price and Generate follow

    def apply_price(self) -> None:
        """Show the estimate at the process's current price (the live refresher resolved
        fal's price for the account, or fell back to the bundled table)."""
        self._on_options_changed()

    def set_recent_prompts(self, prompts: list[str]) -> None:
        """The prompt's recent list, newest first."""
        self.prompt.set_recent(prompts)

    def insert_shots(self) -> None:
        """Insert shot lines into the prompt and turn multi-shot on (with prompt expansion)."""
        self.prompt.insert_shots()
        self._on_prompt_shots_inserted()

    def browse_image(self) -> None:
        """Ask for an input image with a file dialog."""
        self.drop_zone.browse()

    def paste_image(self) -> bool:
        """Use the clipboard's image, image file or image link; ``False`` when it has none."""
        return self.drop_zone.paste()

    def clear_image(self) -> None:
        """Drop the input image."""
        self.drop_zone.clear()

    def set_offline(self, offline: bool) -> None:
        """Whether jobs run on the offline engine (the price line says so)."""
        self.cost.set_offline(offline)
        self._price_followed()

    def set_today_total(self, usd: float) -> None:
        """Today's spend on fal, in US dollars."""
        self.cost.set_today_total(usd)

    def offer_seed(self, seed: int | None) -> None:
        """Offer a finished video's seed for the next one."""
        self.options.offer_seed(seed)

    def after_enqueue(self) -> None:
        """A job was queued from the form: a fixed seed is used once unless locked."""
        self.options.after_enqueue()

    # ---- slots ----------------------------------------------------------------------------

    def _on_drop_zone_image_changed(self) -> None:
        self.refresh()

    def _on_prompt_text_changed(self) -> None:
        self.storyboard.update_from_text()
        self.refresh()

    def _set_prompt_from_storyboard(self, text: str) -> None:
        self.prompt.set_text(text, keep_cursor=True)

    def _multi_shot(self) -> bool:
        return self.options.multi_shots.isChecked()

    def _on_storyboard_changed(self) -> None:
        self.refresh()

    def _on_variants_changed(self) -> None:
        self.prompt.set_title("Prompt A" if self.variants.mode_name() == "prompts" else "Prompt")
        self.cost.set_takes(self.variants.takes())
        self._price_followed()
        self.refresh()

    def _price_followed(self) -> None:
        """Say when what a click would be billed changed (the budget is checked against it)."""
        charge = self.cost.charge_usd()
        if charge != self._charge_usd:
            self._charge_usd = charge
            self.priceChanged.emit(charge)

    def _on_shots_warning_changed(self) -> None:
        self.refresh()

    def _on_negative_text_changed(self) -> None:
        self.refresh()

    def _on_prompt_shots_inserted(self) -> None:
        if not self.options.expansion.isChecked():
            self.options.expansion.setChecked(True)
        self.options.multi_shots.setChecked(True)

    def _on_options_changed(self) -> None:
        values = self.options.values()
        self.cost.update_estimate(
            values["resolution"], values["duration"], generate_audio=values["generate_audio"]
        )
        self.prompt.set_duration(values["duration"])
        self.storyboard.set_duration(values["duration"])
        multi = bool(values["multi_shots"])
        self.storyboard.setVisible(multi)
        if self.prompt.shots_warning is not None:
            self.prompt.shots_warning.set_active(not multi)  # the storyboard says it then
        self.audio.set_duration(values["duration"])
        self._price_followed()
        self.refresh()

    def _on_audio_changed(self) -> None:
        self.refresh()

    def _on_generate_button_clicked(self) -> None:
        self.trigger_generate()
