"""Text from data shown as text: a crafted sidecar or MP4 comment must not paint its own
message or link into the window, so markup in it is never rendered.

Labels that show data are set to ``Qt.PlainText``; where a label mixes our own markup with data
(a link), the data is escaped. Tooltips have no text-format switch (Qt renders them as rich
text when they look like markup), so :func:`tooltip_text` escapes such text.
"""

from __future__ import annotations

import html

from PySide6.QtGui import Qt
from PySide6.QtWidgets import QLabel

__all__ = ["plain_label", "tooltip_text"]


def plain_label(label: QLabel) -> QLabel:
    """``label`` set to show its text literally (returned, for chaining). GUI thread."""
    label.setTextFormat(Qt.TextFormat.PlainText)
    return label


def tooltip_text(text: str) -> str:
    """``text`` as a tooltip that shows it literally: unchanged unless Qt would take it for
    rich text, else escaped (line breaks kept)."""
    if not Qt.mightBeRichText(text):
        return text
    return f'<p style="white-space:pre-wrap">{html.escape(text, quote=False)}</p>'
