"""The prompt and the prompt the service used, as two HTML columns with the changes marked
(the diff itself is Qt-free: ``library.prompt_diff``)."""

from __future__ import annotations

import html

from ..library.prompt_diff import Segment, side_by_side
from .theme import is_dark

__all__ = ["diff_html"]


def _colors() -> dict[str, str]:
    if is_dark():
        return {"added_bg": "#1f4d2c", "added_fg": "#b9f3c7", "removed_bg": "#5a2424",
                "removed_fg": "#ffc9c9"}  # fmt: skip
    return {"added_bg": "#cdf3d6", "added_fg": "#0b5d1e", "removed_bg": "#fde0de",
            "removed_fg": "#8a1c1c"}  # fmt: skip


def _render(segments: list[Segment]) -> str:
    c = _colors()
    parts = []
    for seg in segments:
        text = html.escape(seg.text)
        if seg.kind == "added":
            parts.append(
                f'<span style="background-color:{c["added_bg"]}; color:{c["added_fg"]};">'
                f"{text}</span>"
            )
        elif seg.kind == "removed":
            parts.append(
                f'<span style="background-color:{c["removed_bg"]}; color:{c["removed_fg"]}; '
                f'text-decoration:line-through;">{text}</span>'
            )
        else:
            parts.append(text)
    return " ".join(parts)


def diff_html(prompt: str, actual: str) -> tuple[str, str]:
    """``(left, right)`` HTML: the prompt with removed words struck out, and the actual prompt
    with added words highlighted. An empty ``actual`` shows a note instead."""
    if not actual.strip():
        note = "<i>The service reported no rewritten prompt (expansion off, or not recorded).</i>"
        return html.escape(prompt), note
    left, right = side_by_side(prompt, actual)
    return _render(left), _render(right)
