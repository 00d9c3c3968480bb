"""What the details panel says about a clip, as text: its heading, the key facts shown first
(seed, resolution, duration, cost, request id, how it was judged, its take group) and the table
of everything else.

Every value comes from data (a sidecar may be crafted), so each is escaped into the markup.
Pure functions; GUI thread. ``label_color`` (``#rrggbb``) is the colour of the row labels: the
scheme's muted colour, given by the panel each time it fills the tables.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from typing import Any

from ..core.text import excerpt
from .formats import format_duration, local_time

__all__ = [
    "KEY_FACT_NAMES",
    "OTHER_FACT_NAMES",
    "heading_text",
    "human_size",
    "key_facts_html",
    "other_facts_html",
    "rating_text",
]

#: The row names of the two tables (the panel sizes the value column by the widest).
KEY_FACT_NAMES = ("Seed", "Resolution", "Duration", "Cost", "Request id", "Rating", "Flag", "Take")
OTHER_FACT_NAMES = (
    "Created", "Requested", "Negative prompt", "Prompt expansion", "Multi-shot", "Safety checker",
    "Audio", "File size", "Endpoint", "File", "Timings",
)  # fmt: skip

_HEADING_CHARS = 80
_FLAG_TEXT = {"picked": "picked", "rejected": "rejected", "": "none"}

#: Shortens a long id or path to the room its cell has (the panel elides in the middle).
Elide = Callable[[str], str]


def _whole(text: str) -> str:
    return text


def human_size(n: int) -> str:
    """``12.3 MB``."""
    value = float(n)
    for unit in ("bytes", "KB", "MB", "GB"):
        if value < 1000 or unit == "GB":
            return f"{value:.0f} {unit}" if unit == "bytes" else f"{value:.1f} {unit}"
        value /= 1000
    return f"{n} bytes"


def heading_text(entry: Any, title: str | None = None) -> str:
    """The clip's title (``title`` overrides the stored one, while it is being edited), else
    an excerpt of its prompt, else when it was made; `` · in the trash`` when it is."""
    title = entry.title if title is None else title
    text = " ".join(title.split()) or excerpt(entry.prompt or entry.actual_prompt, _HEADING_CHARS)
    if not text:
        text = f"Clip made {local_time(entry.created_at)}"
    return text + (" · in the trash" if entry.trashed_at else "")


def key_facts_html(entry: Any, label_color: str, elide: Elide = _whole) -> str:
    """Seed, resolution, duration, cost and request id: what a user looks for first; then its
    rating and pick or reject, and its take group with its label in it (when in one).
    ``elide`` shortens the request id and the group id to their cell (unbroken, they would
    widen the table past the panel)."""
    rows = [
        ("Seed", str(entry.seed) if entry.seed is not None else "—"),
        ("Resolution", f"{entry.resolution} · {entry.width}×{entry.height}"),
        ("Duration", f"{format_duration(entry.duration_s)} ({entry.duration_s:.2f} s)"),
        ("Cost", f"${entry.cost_usd:.2f}" if entry.cost_usd is not None else "—"),
        ("Request id", elide(entry.request_id) if entry.request_id else "—"),
        ("Rating", rating_text(getattr(entry, "rating", 0))),
        ("Flag", _FLAG_TEXT.get(getattr(entry, "flag", ""), "—")),
    ]
    group = getattr(entry, "group_id", None)
    if group:
        variant = getattr(entry, "variant", "")
        group = f"group {elide(group)}"
        rows.append(("Take", f"{variant} · {group}" if variant else group))
    return _table(rows, label_color)


def rating_text(stars: int) -> str:
    """``★★★☆☆ 3 of 5``, or ``not rated`` for 0."""
    if not stars:
        return "not rated"
    return f"{'★' * stars}{'☆' * (5 - stars)} {stars} of 5"


def other_facts_html(entry: Any, label_color: str, elide: Elide = _whole) -> str:
    """Everything else: when, what was asked, the file (its path shortened by ``elide``),
    the timings."""
    request = entry.request
    rows: list[tuple[str, str]] = [("Created", local_time(entry.created_at))]
    if request is not None:
        rows += [
            ("Requested", f"{request.resolution} · {request.duration} s"),
            ("Negative prompt", request.negative_prompt or "—"),
            ("Prompt expansion", _on_off(request.enable_prompt_expansion)),
            ("Multi-shot", _on_off(request.multi_shots)),
            ("Safety checker", _on_off(request.enable_safety_checker)),
        ]
    rows += [
        ("Audio", "yes" if entry.has_audio else "no"),
        ("File size", human_size(entry.size_bytes)),
        ("Endpoint", entry.endpoint or "—"),
        ("File", elide(str(entry.video_path))),
    ]
    if entry.timings:
        parts = [f"{k.removesuffix('_s')} {v:.1f} s" for k, v in entry.timings.items()
                 if isinstance(v, int | float)]  # fmt: skip
        if parts:
            rows.append(("Timings", " · ".join(parts)))
    return _table(rows, label_color)


def _on_off(value: Any) -> str:
    return "on" if value else "off"


def _table(rows: list[tuple[str, str]], label_color: str) -> str:
    cells = "".join(
        f'<tr><td style="padding-right:10px; white-space:nowrap; '
        f'color:{html.escape(label_color)};">'
        f"<b>{html.escape(k)}</b></td>"
        f"<td>{html.escape(v)}</td></tr>"
        for k, v in rows
    )
    return f'<table cellspacing="0" cellpadding="1">{cells}</table>'
