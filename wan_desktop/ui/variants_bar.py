"""Variants next to Generate: how many takes, of what (seeds, or prompt alternatives), and the
prompt alternatives B–D the composer shows in Prompts mode (GUI thread).

What the widgets say becomes a ``core.variants.VariantPlan``. The rules are ``core.variants``'s
(at most ``MAX_TAKES`` jobs, ``MIN_PROMPTS``–``MAX_PROMPTS`` prompts) and the widgets keep to
them: the count's maximum follows the number of prompts, and a prompt can be added only while
the takes stay within the limit. Each alternative is checked like the prompt, against the
live limit.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QSpinBox,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ..core.request import GenerationRequest
from ..core.variants import MAX_PROMPTS, MAX_TAKES, MIN_PROMPTS, VariantPlan, plan_problems
from .icons import set_icon
from .naming import named
from .prompt_editor import PromptEditor
from .text_buttons import LinkButton

__all__ = ["PromptAlternatives", "VariantsBar"]

_MODES = (("Seeds", "seeds"), ("Prompts", "prompts"))
_LETTERS = "ABCDEFGH"
_ALTERNATIVE_PLACEHOLDER = "Another take on the motion: a different action, camera move or mood…"
_RANDOM_TIP = (
    "Draw every take's seed at random. Off: consecutive seeds from the chosen seed (from a "
    "random one when the seed is Random), so a take can be made again."
)


class PromptAlternatives(QWidget):
    """Prompts B, C and D: the alternatives to the composer's prompt (prompt A) in Prompts
    mode. ``changed`` fires when one is edited, added or removed."""

    changed = Signal()

    def __init__(self, max_chars: int, parent: QWidget | None = None):
        super().__init__(parent)
        named(self, "promptAlternatives", "Prompt alternatives")
        self._max = max_chars
        self._room = True
        self.editors: list[PromptEditor] = []
        self._removers: list[QToolButton] = []
        self.add_button = named(LinkButton(), "addPromptButton", "Add a prompt alternative")
        self.add_button.clicked.connect(self._on_add_button_clicked)
        self._box = QVBoxLayout()
        self._box.setContentsMargins(0, 0, 0, 0)
        self._box.setSpacing(8)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addLayout(self._box)
        layout.addWidget(self.add_button)
        self.hide()  # prompt B is made when Prompts mode first shows it (not before first paint)

    def ensure_started(self) -> None:
        """Make prompt B when there is no alternative yet."""
        if not self.editors:
            self.add_prompt()

    def texts(self) -> list[str]:
        """The alternatives' texts, B first."""
        return [editor.text() for editor in self.editors]

    def add_prompt(self, text: str = "") -> PromptEditor | None:
        """One more alternative (``None`` when there are already ``MAX_PROMPTS`` prompts)."""
        if len(self.editors) + 1 >= MAX_PROMPTS:
            return None
        editor = PromptEditor(
            "",
            self._max,
            edit_name="promptAlternativeEdit",
            counter_name="promptAlternativeCounter",
            placeholder=_ALTERNATIVE_PLACEHOLDER,
        )
        editor.edit.setMinimumHeight(64)
        editor.edit.setMaximumHeight(96)
        remover = QToolButton()
        remover.setAutoRaise(True)
        set_icon(remover, "close")
        editor.add_header_widget(remover)
        remover.clicked.connect(lambda _=False, e=editor: self.remove_prompt(self.editors.index(e)))
        editor.textChanged.connect(self.changed.emit)
        editor.set_text(text)
        self.editors.append(editor)
        self._removers.append(remover)
        self._box.addWidget(editor)
        self._sync()
        self.changed.emit()
        return editor

    def remove_prompt(self, index: int) -> None:
        """Remove alternative ``index`` (0 is prompt B); the last one left stays."""
        if len(self.editors) <= MIN_PROMPTS - 1:
            return
        editor = self.editors.pop(index)
        self._removers.pop(index)
        editor.hide()
        editor.deleteLater()
        self._sync()
        self.changed.emit()

    def set_max_chars(self, max_chars: int) -> None:
        """The live prompt limit, for every alternative's counter and check."""
        self._max = max_chars
        for editor in self.editors:
            editor.set_max_chars(max_chars)

    def set_room(self, room: bool, why: str = "") -> None:
        """Whether one more prompt keeps the takes within the limit (``why`` when not)."""
        self._room = room
        self.add_button.setToolTip(why)
        self._sync()

    def problems(self) -> list[str]:
        """Each alternative checked as the prompt is (required, the live limit), the
        message naming it: ``Prompt B is required…``."""
        found: list[str] = []
        for editor, letter in zip(self.editors, _LETTERS[1:], strict=False):
            request = GenerationRequest(prompt=editor.text(), image="-")
            for problem in request.validate():
                if problem.field == "prompt":
                    found.append(_renamed(problem.message, f"Prompt {letter}"))
        return found

    def _sync(self) -> None:
        """Letters, names and buttons after a prompt came or went."""
        for index, (editor, remover) in enumerate(zip(self.editors, self._removers, strict=True)):
            letter = _LETTERS[index + 1]
            editor.set_title(f"Prompt {letter}")
            editor.edit.setObjectName(f"prompt{letter}Edit")
            editor.counter.setObjectName(f"prompt{letter}Counter")
            editor.counter.setAccessibleName(f"Prompt {letter} length")
            named(remover, f"prompt{letter}Remove", f"Remove prompt {letter}")
            remover.setToolTip(f"Remove prompt {letter}")
            remover.setVisible(len(self.editors) > MIN_PROMPTS - 1)
        count = len(self.editors) + 1
        self.add_button.setText(f"Add prompt {_LETTERS[count]}" if count < MAX_PROMPTS else "")
        self.add_button.setVisible(count < MAX_PROMPTS)
        self.add_button.setEnabled(self._room)

    def _on_add_button_clicked(self) -> None:
        editor = self.add_prompt()
        if editor is not None:
            editor.edit.setFocus()


def _renamed(message: str, name: str) -> str:
    """``message`` about "Prompt" made about ``name`` ("Prompt B")."""
    return name + message[len("Prompt") :] if message.startswith("Prompt") else message


class VariantsBar(QWidget):
    """The count (``variantCount``), the mode (``variantMode``: Seeds or Prompts) and
    "Random seeds", for the prompt alternatives in ``alternatives`` (shown in Prompts mode
    only). ``changed`` fires on any edit, the alternatives' included."""

    changed = Signal()

    def __init__(self, alternatives: PromptAlternatives, parent: QWidget | None = None):
        super().__init__(parent)
        named(self, "variantsBar", "Variants")
        self.alternatives = alternatives
        self.count_label = QLabel("Takes")
        self.count = named(QSpinBox(), "variantCount", "Number of takes")
        self.count.setRange(1, MAX_TAKES)
        self.count.setMinimumWidth(56)  # the digit stays readable beside its arrows
        self.count_label.setBuddy(self.count)
        self.mode = named(QComboBox(), "variantMode", "Variant mode")
        for text, data in _MODES:
            self.mode.addItem(text, data)
        self.mode.setToolTip(
            "Seeds: the same settings with several seeds. Prompts: 2–4 prompts, each with the "
            "same seeds, to compare the wording."
        )
        self.random_seeds = named(
            QCheckBox("Random seeds"), "variantRandomSeeds", "Random seeds", _RANDOM_TIP
        )
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(6)
        row.addWidget(self.mode)
        row.addSpacing(8)
        row.addWidget(self.count_label)
        row.addWidget(self.count)
        row.addSpacing(8)
        row.addWidget(self.random_seeds)
        row.addStretch(1)
        self.count.valueChanged.connect(self._on_edited)
        self.mode.currentIndexChanged.connect(self._on_edited)
        self.random_seeds.toggled.connect(self._on_edited)
        alternatives.changed.connect(self._on_edited)
        self._sync()

    def mode_name(self) -> str:
        """``seeds`` or ``prompts``."""
        return str(self.mode.currentData())

    def set_mode(self, mode: str) -> None:
        """Switch to ``seeds`` or ``prompts``."""
        self.mode.setCurrentIndex(max(0, self.mode.findData(mode)))

    def plan(self, prompt: str) -> VariantPlan:
        """The plan the bar describes, ``prompt`` (the composer's) as prompt A."""
        prompts = (prompt, *self.alternatives.texts()) if self.mode_name() == "prompts" else ()
        return VariantPlan(
            mode=self.mode_name(),
            count=self.count.value(),
            prompts=prompts,
            random_seeds=self.random_seeds.isChecked(),
        )

    def takes(self) -> int:
        """How many jobs a click queues."""
        prompts = len(self.alternatives.editors) + 1 if self.mode_name() == "prompts" else 1
        return self.count.value() * prompts

    def problems(self, prompt: str) -> list[str]:
        """Why the plan cannot be queued: each alternative checked like the prompt, then the
        plan's own rules (prompt A is the prompt, checked by the composer)."""
        if self.mode_name() != "prompts":
            return plan_problems(self.plan(prompt))
        found = self.alternatives.problems()
        # An empty prompt is said once, by the prompt's or the alternative's own check.
        found += [p for p in plan_problems(self.plan(prompt)) if not p.endswith("is empty.")]
        return found

    def _sync(self) -> None:
        """The count's label, maximum and tooltip, and whether another prompt fits."""
        prompts = self.mode_name() == "prompts"
        if prompts:
            self.alternatives.ensure_started()
        self.alternatives.setVisible(prompts)
        n = len(self.alternatives.editors) + 1
        self.count.setMaximum(MAX_TAKES // n if prompts else MAX_TAKES)
        seeds = self.count.value()
        self.count_label.setText("Seeds each" if prompts else "Takes")
        self.count.setAccessibleName("Seeds per prompt" if prompts else "Number of takes")
        if prompts:
            self.count.setToolTip(
                f"Seeds per prompt: {n} prompts × {seeds} seeds = {n * seeds} takes "
                f"(at most {MAX_TAKES})"
            )
        else:
            self.count.setToolTip(f"How many takes, each with its own seed (at most {MAX_TAKES})")
        room = (n + 1) * seeds <= MAX_TAKES
        why = (
            ""
            if room
            else f"{n + 1} prompts × {seeds} seeds would be {(n + 1) * seeds} takes; at most "
            f"{MAX_TAKES}. Lower the seeds first."
        )
        self.alternatives.set_room(room, why)
        self.random_seeds.setEnabled(prompts or seeds > 1)

    def _on_edited(self, *_args) -> None:
        self._sync()
        self.changed.emit()
