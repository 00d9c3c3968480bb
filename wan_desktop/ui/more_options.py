"""'More options': the inputs of fal's live schema this version has no option for.

fal may add inputs to the model after this version shipped. Each one the resolved table
offers as an *extra* input (``ModelSchema.extras``) gets a field here, built from the schema:
a check box for a boolean, a list for an enum, a spin box within the schema's limits for an
integer or a number, a line with the schema's maximum length for text. The schema's title is
the label, its description the tooltip (shown as plain text: a schema must not paint its own
markup into the window), its default preselected.

Only values that differ from the schema's default are sent (``values()``): an untouched field
leaves fal's own default in force. A field without a default starts "not set". The section
is hidden while the table has no extra inputs. GUI thread only.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QSpinBox,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ..core.input_values import check_value
from ..core.limits import InputSpec
from ..core.model_schema import ModelSchema
from .naming import named
from .plain_text import plain_label, tooltip_text

__all__ = ["MoreOptions"]

#: What a field without a value says (the schema's default applies, or the field is left out).
_NOT_SET = "not set"
# Qt's spin boxes hold 32-bit ints; a schema without bounds gets the widest range they take.
_INT_LIMIT = 2_147_483_647
_NUMBER_LIMIT = 1e12
_DECIMALS = 3


@dataclass(eq=False)
class _Field:
    """One extra input's widget, how to read it (``None``: not set) and how to set it."""

    spec: InputSpec
    widget: QWidget
    read: Callable[[], object]
    write: Callable[[object], None]
    changed: Any  # the widget's signal that says the value changed


def _boolean(spec: InputSpec) -> _Field:
    box = QCheckBox(spec.label)
    return _Field(
        spec,
        box,
        box.isChecked,
        lambda v: box.setChecked(bool(v)),
        box.toggled,
    )


def _enum(spec: InputSpec) -> _Field:
    box = QComboBox()
    if spec.default is None:
        box.addItem(_NOT_SET, None)
    for choice in spec.choices:
        box.addItem(str(choice), choice)

    def write(value: object) -> None:
        found = [i for i in range(box.count()) if _same(box.itemData(i), value)]
        box.setCurrentIndex(found[0] if found else 0)

    return _Field(spec, box, box.currentData, write, box.currentIndexChanged)


def _same(a: object, b: object) -> bool:
    """Equal and of one type: the enum ``1`` is not ``True``."""
    return type(a) is type(b) and a == b


def _is_default(spec: InputSpec, value: object) -> bool:
    """Whether ``value`` is the schema's default (a number's default of ``1`` is ``1.0``)."""
    default = spec.default
    if spec.kind == "number" and isinstance(default, int | float) and not isinstance(default, bool):
        return value == float(default)
    return _same(value, default)


def _number(spec: InputSpec) -> _Field:
    integer = spec.kind == "integer"
    box: QSpinBox | QDoubleSpinBox = QSpinBox() if integer else QDoubleSpinBox()
    limit = _INT_LIMIT if integer else _NUMBER_LIMIT
    low = spec.minimum if spec.minimum is not None else -limit
    high = spec.maximum if spec.maximum is not None else limit
    step = 1 if integer else 10**-_DECIMALS
    if isinstance(box, QDoubleSpinBox):
        box.setDecimals(_DECIMALS)
    unset_value = None
    if spec.default is None:
        # One step below the range reads "not set": the field is left out of the request.
        unset_value = max(low - step, -limit) if low > -limit else low
        box.setSpecialValueText(_NOT_SET)
    box.setRange(unset_value if unset_value is not None else low, high)

    def read() -> object:
        value = box.value()
        if unset_value is not None and value == unset_value:
            return None
        return int(value) if integer else float(value)

    def write(value: object) -> None:
        box.setValue(unset_value if value is None else value)  # type: ignore[arg-type]

    return _Field(spec, box, read, write, box.valueChanged)


def _text(spec: InputSpec) -> _Field:
    line = QLineEdit()
    if spec.max_chars is not None:
        line.setMaxLength(min(spec.max_chars, 32767))
    line.setPlaceholderText(_NOT_SET if spec.default is None else str(spec.default))
    return _Field(
        spec,
        line,
        lambda: line.text() or None,
        lambda v: line.setText("" if v is None else str(v)),
        line.textChanged,
    )


_BUILDERS: dict[str, Callable[[InputSpec], _Field]] = {
    "boolean": _boolean,
    "enum": _enum,
    "integer": _number,
    "number": _number,
    "string": _text,
}


class MoreOptions(QWidget):
    """The collapsible "More options" section (``moreOptions``). ``changed`` fires on any
    edit; :meth:`values` gives ``GenerationRequest.extra_params``."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        named(self, "moreOptions", "More options")
        self._fields: dict[str, _Field] = {}
        self._labels: dict[str, str] = {}
        self._expanded = False
        self.toggle = named(QToolButton(), "moreOptionsToggle", "Show more options")
        self.toggle.setText("More options")
        self.toggle.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.toggle.setArrowType(Qt.ArrowType.RightArrow)
        self.toggle.setAutoRaise(True)
        self.toggle.setToolTip(
            "Inputs fal offers for this model that this version of the app has no control for"
        )
        self.body = QWidget()
        self._form = QFormLayout(self.body)
        self._form.setContentsMargins(16, 0, 0, 0)
        self._form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addWidget(self.toggle, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(self.body)
        self.toggle.clicked.connect(self._on_toggle_clicked)
        self.set_expanded(False)
        self.set_schema(ModelSchema.bundled())

    # ---- the schema -----------------------------------------------------------------------

    def set_schema(self, schema: ModelSchema) -> None:
        """Build the fields for ``schema``'s extra inputs; a value set before stays where its
        input is still there and still valid. Hidden when there is none."""
        kept = self.values()
        while self._form.rowCount():
            self._form.removeRow(0)
        self._fields.clear()
        self._labels.clear()
        for spec in schema.extras.values():
            builder = _BUILDERS.get(spec.kind)
            if builder is not None:
                self._add(builder(spec))
        self.set_values({k: v for k, v in kept.items() if self._valid(k, v)})
        self.setHidden(not self._fields)
        # An input fal requires that has no value yet must be seen, not found by a problem.
        if any(f.spec.required and f.spec.default is None for f in self._fields.values()):
            self.set_expanded(True)

    def _add(self, field: _Field) -> None:
        spec = field.spec
        field.widget.setObjectName(f"extra_{spec.name}")
        field.widget.setAccessibleName(spec.label)
        if spec.description:
            field.widget.setToolTip(tooltip_text(spec.description))
        self._fields[spec.name] = field
        self._labels[spec.name] = spec.label
        if spec.kind == "boolean":
            self._form.addRow("", field.widget)
        else:
            label = plain_label(QLabel(spec.label))
            label.setBuddy(field.widget)
            if spec.description:
                label.setToolTip(tooltip_text(spec.description))
            self._form.addRow(label, field.widget)
        field.changed.connect(self._on_field_changed)

    def _valid(self, name: str, value: object) -> bool:
        field = self._fields.get(name)
        return field is not None and check_value(field.spec, value) is None

    # ---- values ---------------------------------------------------------------------------

    def values(self) -> dict[str, Any]:
        """The extra inputs to send: those set to something other than the schema's default."""
        found: dict[str, Any] = {}
        for name, field in self._fields.items():
            value = field.read()
            if value is not None and not _is_default(field.spec, value):
                found[name] = value
        return found

    def set_values(self, values: Mapping[str, Any]) -> None:
        """Set each field from ``values`` (``extra_params`` of a request); a field not in it
        goes back to its default. Names this schema does not offer are ignored."""
        for name, field in self._fields.items():
            field.widget.blockSignals(True)
            field.write(values.get(name, field.spec.default))
            field.widget.blockSignals(False)
        self.changed.emit()

    def field(self, name: str) -> QWidget | None:
        """The widget of extra input ``name`` (``None`` when the schema has none)."""
        field = self._fields.get(name)
        return field.widget if field is not None else None

    def label_of(self, name: str) -> str:
        """The label shown for extra input ``name`` (the schema's title)."""
        return self._labels[name]

    def names(self) -> list[str]:
        """The extra inputs shown, in the schema's order."""
        return list(self._fields)

    # ---- expanding ------------------------------------------------------------------------

    def set_expanded(self, expanded: bool) -> None:
        """Open or close the section."""
        self._expanded = expanded
        self._sync_expanded()

    def is_expanded(self) -> bool:
        """Whether the section is open."""
        return self._expanded

    def _sync_expanded(self) -> None:
        # Not a checkable button: a checked one is drawn pressed, like a stuck switch.
        expanded = self._expanded
        self.body.setVisible(expanded)
        self.toggle.setArrowType(Qt.ArrowType.DownArrow if expanded else Qt.ArrowType.RightArrow)
        self.toggle.setAccessibleName("Hide more options" if expanded else "Show more options")

    def _on_toggle_clicked(self) -> None:
        self.set_expanded(not self._expanded)

    def _on_field_changed(self, *_args: object) -> None:
        self.changed.emit()
