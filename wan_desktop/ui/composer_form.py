"""The composer's form: its prompt boxes capped by the resolved table, its section headings, and
the scroll area that holds the fields (GUI thread)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QLabel, QScrollArea, QVBoxLayout, QWidget

from ..core import limits
from ..core.model_schema import ModelSchema
from .prompt_editor import PromptEditor
from .theme import set_role

__all__ = ["prompt_editor_for", "prompt_limit", "scrolling_form", "section"]

# The most characters each prompt takes when the schema does not say.
_MAX_CHARS = {
    "prompt": limits.PROMPT_MAX_CHARS,
    "negative_prompt": limits.NEGATIVE_PROMPT_MAX_CHARS,
}


def section(title: str) -> QLabel:
    """A heading over a group of fields."""
    label = QLabel(title)
    set_role(label, "heading")
    return label


def prompt_limit(schema: ModelSchema, name: str) -> int:
    """The maximum length of prompt ``name`` in ``schema`` (the bundled cap when it has none)."""
    found = schema.max_chars(name)
    return _MAX_CHARS[name] if found is None else found


def prompt_editor_for(
    schema: ModelSchema,
    field: str,
    title: str,
    name: str,
    placeholder: str,
    *,
    with_tools: bool = False,
) -> PromptEditor:
    """The box for prompt ``field``, capped by ``schema``; its edit and counter are named
    ``{name}Edit`` and ``{name}Counter`` (the object names they are looked up by)."""
    return PromptEditor(
        title,
        prompt_limit(schema, field),
        edit_name=f"{name}Edit",
        counter_name=f"{name}Counter",
        placeholder=placeholder,
        with_tools=with_tools,
    )


class _FormLayout(QVBoxLayout):
    """Word-wrapped labels give a layout height-for-width, and then ``QScrollArea`` sizes the
    form to its *preferred* height and scrolls; without it, the form fits its *minimum* into
    the pane and only scrolls when it truly does not fit."""

    def hasHeightForWidth(self) -> bool:  # Qt override
        return False


class _Form(QWidget):
    """Asks only for its minimum, so the scroll area fits it to the pane (stretch shares the
    rest) and scrolls only when the pane is really too short."""

    def sizeHint(self):  # Qt override
        return self.minimumSizeHint()


def scrolling_form(fields: list[tuple[QWidget, int]]) -> QScrollArea:
    """``fields`` (each with its stretch) top to bottom in a form (``composerForm``) that
    scrolls up and down when the pane is short (``composerScroll``), never sideways."""
    form = _Form()
    form.setObjectName("composerForm")
    layout = _FormLayout(form)
    layout.setContentsMargins(10, 10, 10, 6)
    layout.setSpacing(8)
    for widget, stretch in fields:
        layout.addWidget(widget, stretch)
    scroll = QScrollArea()
    scroll.setObjectName("composerScroll")
    scroll.setWidgetResizable(True)
    scroll.setFrameShape(QFrame.Shape.NoFrame)
    scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    scroll.setWidget(form)
    return scroll
