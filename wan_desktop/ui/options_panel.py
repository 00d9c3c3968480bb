"""The generation options: resolution, duration, seed, prompt expansion, multi-shot, safety,
generate audio, and "More options" (the live schema's inputs this version does not know).

Choices and defaults come from the resolved table (``core.model_schema.current_schema()``,
or the one given to :meth:`OptionsPanel.apply_schema`); nothing here spells out a number.
"""

from __future__ import annotations

import random
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSpinBox,
    QToolButton,
    QWidget,
)

from ..core import limits
from ..core.model_schema import ModelSchema, current_schema
from .icons import set_icon
from .more_options import MoreOptions
from .naming import named
from .theme import apply_style, set_role

__all__ = ["OptionsPanel"]

_MULTI_SHOT_OFF_REASON = (
    "Multi-shot only works with prompt expansion on (the service ignores it otherwise). "
    "Turn on prompt expansion to use it."
)
_GENERATE_AUDIO_TIP = (
    "Let the model make a soundtrack for the video. Off: a silent clip, at half the price."
)
_MULTI_SHOT_ON_TIP = (
    "Let the service split the video into several shots. Write 'Shot 1 [0–4s] …' lines in the "
    "prompt to direct each one."
)


def _boxed(layout: QHBoxLayout) -> QWidget:
    """``layout`` in a widget of its own (a form row)."""
    box = QWidget()
    box.setLayout(layout)
    return box


class OptionsPanel(QWidget):
    """Form of options. ``changed`` fires on any edit; :meth:`values` gives request fields."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._last_seed: int | None = None
        self._schema = current_schema()
        form = QFormLayout(self)
        form.setContentsMargins(0, 0, 0, 0)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.addRow("Resolution / length", self._build_length_row())
        form.addRow("Seed", self._build_seed_row())
        form.addRow("", self.use_last_seed)
        form.addRow("", self._build_checks_row())
        form.addRow("", self._build_audio_row())
        self.more = MoreOptions()
        self.more.set_schema(self._schema)
        form.addRow(self.more)
        self.apply_defaults({})
        self._connect()

    def _build_length_row(self) -> QWidget:
        """Resolution and duration side by side."""
        self.resolution = named(QComboBox(), "resolutionCombo", "Resolution")
        self.duration = named(QComboBox(), "durationCombo", "Duration")
        self._fill_choices()
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.resolution, 1)
        row.addSpacing(8)
        row.addWidget(self.duration, 1)
        return _boxed(row)

    def _build_seed_row(self) -> QWidget:
        """The seed, its dice and lock, "Random"; and the "Use seed N" link (shown later)."""
        self.seed = named(QSpinBox(), "seedSpin", "Seed")
        self.seed.setRange(limits.SEED_MIN, limits.SEED_MAX)
        self.seed.setMinimumWidth(110)
        self.seed.setToolTip("The same seed, image and prompt give the same video.")
        self.seed_random = named(QCheckBox("Random"), "seedRandomCheck", "Random seed")
        self.seed_random.setToolTip("Let the service pick a new seed for each video.")
        self.dice = named(QToolButton(), "seedDiceButton", "Roll a new seed")
        set_icon(self.dice, "dice")
        self.dice.setToolTip("Roll a new seed (and use it)")
        self.lock = named(QToolButton(), "seedLockButton", "Keep this seed")
        self.lock.setCheckable(True)
        set_icon(self.lock, "unlock")
        self.lock.setToolTip("Keep this seed for the next videos too (unlocked: back to random)")
        self.use_last_seed = named(QPushButton(), "useSeedButton", "Use the last seed")
        apply_style(self.use_last_seed, "linkButton")
        self.use_last_seed.setFlat(True)
        self.use_last_seed.hide()
        row = QHBoxLayout()
        row.setSpacing(4)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.seed, 1)
        for widget in (self.dice, self.lock, self.seed_random):
            row.addWidget(widget)
        return _boxed(row)

    def _build_checks_row(self) -> QWidget:
        """Prompt expansion, multi-shot and the safety checker."""
        self.expansion = named(
            QCheckBox("Prompt expansion"), "promptExpansionCheck", "Prompt expansion"
        )
        self.expansion.setToolTip("Let the service rewrite the prompt in more detail.")
        self.multi_shots = named(QCheckBox("Multi-shot"), "multiShotsCheck", "Multi-shot")
        self.safety = named(QCheckBox("Safety checker"), "safetyCheckerCheck", "Safety checker")
        self.safety.setToolTip("Let the service check the input and output for unsafe content.")
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        for widget in (self.expansion, self.multi_shots, self.safety):
            row.addWidget(widget)
        row.addStretch(1)
        return _boxed(row)

    def _build_audio_row(self) -> QWidget:
        """ "Generate audio", with what turning it off does."""
        self.generate_audio = named(
            QCheckBox("Generate audio"), "generateAudioCheck", "Generate audio", _GENERATE_AUDIO_TIP
        )
        note = QLabel("off: a silent clip at half the price")
        set_role(note, "muted")
        note.setBuddy(self.generate_audio)
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.generate_audio)
        row.addSpacing(6)
        row.addWidget(note)
        row.addStretch(1)
        return _boxed(row)

    def _connect(self) -> None:
        self.resolution.currentIndexChanged.connect(self._on_any_changed)
        self.duration.currentIndexChanged.connect(self._on_any_changed)
        self.seed.valueChanged.connect(self._on_seed_value_changed)
        self.seed_random.toggled.connect(self._on_seed_random_toggled)
        self.dice.clicked.connect(self._on_dice_clicked)
        self.lock.toggled.connect(self._on_lock_toggled)
        self.use_last_seed.clicked.connect(self._on_use_last_seed_clicked)
        self.expansion.toggled.connect(self._on_expansion_toggled)
        self.multi_shots.toggled.connect(self._on_any_changed)
        self.safety.toggled.connect(self._on_any_changed)
        self.generate_audio.toggled.connect(self._on_any_changed)
        self.more.changed.connect(self._on_any_changed)

    # ---- values ---------------------------------------------------------------------------

    def _fill_choices(self) -> None:
        """The resolutions and durations the table offers (signals blocked: the caller says
        when the options changed)."""
        for box in (self.resolution, self.duration):
            box.blockSignals(True)
            box.clear()
        for res in self._schema.choices("resolution"):
            self.resolution.addItem(str(res), str(res))
        for seconds in self._schema.durations_s():
            self.duration.addItem(f"{seconds} s", seconds)
        for box in (self.resolution, self.duration):
            box.blockSignals(False)

    def apply_schema(self, schema: ModelSchema) -> None:
        """Follow a new resolved table: its resolutions, durations and extra inputs. What the
        user chose stays where the new table still offers it."""
        kept = self.values()
        self._schema = schema
        self._fill_choices()
        self.more.set_schema(schema)
        self.blockSignals(True)
        self.set_values(kept)
        self.blockSignals(False)
        self.changed.emit()

    def apply_defaults(self, defaults: dict[str, Any]) -> None:
        """Set every option from ``defaults`` (settings), else the resolved table's default."""

        def pick(name: str) -> Any:
            found = defaults.get(name, self._schema.default(name))
            return limits.default_of(name) if found is None else found

        self.resolution.setCurrentIndex(max(0, self.resolution.findData(str(pick("resolution")))))
        self.duration.setCurrentIndex(max(0, self.duration.findData(int(str(pick("duration"))))))
        self.expansion.setChecked(bool(pick("enable_prompt_expansion")))
        self.multi_shots.setChecked(bool(pick("multi_shots")))
        self.safety.setChecked(bool(pick("enable_safety_checker")))
        self.generate_audio.setChecked(bool(pick("generate_audio")))
        self.more.set_values({})
        self.seed_random.setChecked(True)
        self.lock.setChecked(False)
        self._sync_enablement()

    def values(self) -> dict[str, Any]:
        """The option fields of a ``GenerationRequest``."""
        return {
            "resolution": self.resolution.currentData(),
            "duration": self.duration.currentData(),
            "seed": None if self.seed_random.isChecked() else self.seed.value(),
            "enable_prompt_expansion": self.expansion.isChecked(),
            "multi_shots": self.multi_shots.isChecked() and self.expansion.isChecked(),
            "enable_safety_checker": self.safety.isChecked(),
            "generate_audio": self.generate_audio.isChecked(),
            "extra_params": self.more.values(),
        }

    def set_values(self, values: dict[str, Any]) -> None:
        """Set the options from request fields (as :meth:`values` gives them); a missing key
        leaves its option as it is, a ``seed`` of ``None`` means random."""
        if "resolution" in values:
            found = self.resolution.findData(values["resolution"])
            self.resolution.setCurrentIndex(max(0, found))
        if "duration" in values:
            found = self.duration.findData(int(values["duration"]))
            self.duration.setCurrentIndex(max(0, found))
        for name, box in (
            ("enable_prompt_expansion", self.expansion),
            ("multi_shots", self.multi_shots),
            ("enable_safety_checker", self.safety),
            ("generate_audio", self.generate_audio),
        ):
            if name in values:
                box.setChecked(bool(values[name]))
        if "extra_params" in values:
            self.more.set_values(values["extra_params"] or {})
        if "seed" in values:
            if values["seed"] is None:
                self.seed_random.setChecked(True)
            else:
                self.set_seed(int(values["seed"]))

    def set_seed(self, seed: int) -> None:
        """Use the fixed ``seed`` (leaves random mode)."""
        self._fixed_seed = seed
        self.seed_random.setChecked(False)
        self.seed.setValue(seed)

    def offer_seed(self, seed: int | None) -> None:
        """After a result: show "Use seed N" one click away."""
        self._last_seed = seed
        if seed is None:
            self.use_last_seed.hide()
            return
        self.use_last_seed.setText(f"Use seed {seed} from the last video")
        self.use_last_seed.show()

    def after_enqueue(self) -> None:
        """A fixed seed is used once unless locked; then back to random."""
        if not self.seed_random.isChecked() and not self.lock.isChecked():
            self.seed_random.setChecked(True)

    # ---- slots ----------------------------------------------------------------------------

    def _sync_enablement(self) -> None:
        expansion = self.expansion.isChecked()
        self.multi_shots.setEnabled(expansion)
        self.multi_shots.setToolTip(_MULTI_SHOT_ON_TIP if expansion else _MULTI_SHOT_OFF_REASON)
        random_seed = self.seed_random.isChecked()
        self.lock.setEnabled(not random_seed)
        self.seed.setEnabled(not random_seed)
        # Random: the box reads "random" instead of a number that would not be used. The
        # special text shows at the minimum, a real seed, so only while random is on.
        if random_seed:
            if self.seed.specialValueText() == "":
                self._fixed_seed = self.seed.value()
            self.seed.setSpecialValueText("random")
            self.seed.blockSignals(True)
            self.seed.setValue(self.seed.minimum())
            self.seed.blockSignals(False)
        elif self.seed.specialValueText():
            self.seed.setSpecialValueText("")
            self.seed.blockSignals(True)
            self.seed.setValue(getattr(self, "_fixed_seed", self.seed.minimum()))
            self.seed.blockSignals(False)

    def _on_any_changed(self, *_args: object) -> None:
        self.changed.emit()

    def _on_expansion_toggled(self, _checked: bool) -> None:
        self._sync_enablement()
        self.changed.emit()

    def _on_seed_value_changed(self, _value: int) -> None:
        self.changed.emit()

    def _on_seed_random_toggled(self, checked: bool) -> None:
        if checked:
            self.lock.setChecked(False)
        self._sync_enablement()
        self.changed.emit()

    def _on_dice_clicked(self) -> None:
        self.set_seed(random.randint(limits.SEED_MIN, limits.SEED_MAX))

    def _on_lock_toggled(self, checked: bool) -> None:
        set_icon(self.lock, "lock" if checked else "unlock")
        self.changed.emit()

    def _on_use_last_seed_clicked(self) -> None:
        if self._last_seed is not None:
            self.set_seed(self._last_seed)
