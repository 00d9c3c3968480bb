"""What the window remembers between runs, apart from the user's preferences: its layout
(geometry and splitter states, as opaque base64 strings Qt made), the recent prompts and whether
the welcome was shown. Written only by :class:`core.settings_store.SettingsStore`.
Qt-free; any thread.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .lenient import record_from_data
from .paths import AppPaths

__all__ = ["LEGACY_KEYS", "RECENT_PROMPTS_MAX", "WindowState", "window_state_file"]

RECENT_PROMPTS_MAX = 30
#: Where older versions kept this state: in the settings file, under these keys.
LEGACY_KEYS = {
    "window": "layout",
    "recent_prompts": "recent_prompts",
    "first_run_done": "first_run_done",
}


def window_state_file(paths: AppPaths) -> Path:
    """The window state's file, beside the settings file."""
    return paths.window_state_file


@dataclass(frozen=True, slots=True)
class WindowState:
    """The window's memory. ``layout``: ``geometry``, ``main_splitter``, ``work_splitter``
    (Qt's saved states, base64), ``library_visible`` and ``sequences_visible`` (the
    Sequences dock; ``"1"``/``"0"``).
    ``recent_prompts``: newest first, no repeats, at most :data:`RECENT_PROMPTS_MAX`.
    ``first_run_done``: the welcome has been shown."""

    layout: dict[str, str] = field(default_factory=dict)
    recent_prompts: tuple[str, ...] = ()
    first_run_done: bool = False

    def replace(self, **changes: Any) -> WindowState:
        """A copy with ``changes`` applied."""
        return dataclasses.replace(self, **changes)

    def with_recent_prompt(self, prompt: str) -> WindowState:
        """A copy with ``prompt`` first in the recent list (no repeats, bounded)."""
        text = prompt.strip()
        if not text:
            return self
        recent = (text, *(p for p in self.recent_prompts if p != text))
        return self.replace(recent_prompts=recent[:RECENT_PROMPTS_MAX])

    def to_dict(self) -> dict[str, Any]:
        """Plain data for the file."""
        return {
            "layout": dict(self.layout),
            "recent_prompts": list(self.recent_prompts),
            "first_run_done": self.first_run_done,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> WindowState:
        """The state from its file's data; a bad value falls back to its default alone."""
        return record_from_data(cls, data, "window state")

    @classmethod
    def from_legacy_settings(cls, data: dict[str, Any]) -> WindowState | None:
        """The state an older settings file held (``window``, ``recent_prompts``,
        ``first_run_done``), or ``None`` when it held none of it."""
        found = {new: data[old] for old, new in LEGACY_KEYS.items() if old in data}
        return cls.from_dict(found) if found else None
