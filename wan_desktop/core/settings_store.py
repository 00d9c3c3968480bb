"""The one writer of the settings file and the window-state file.

The window, the settings dialog and the welcome all change preferences or remembered state
through one :class:`SettingsStore`; nothing else writes those files. Older versions kept the
window state inside the settings file: the store reads it from there once and, at its next
save, moves it into its own file and leaves the settings file with preferences only.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from .atomic import atomic_write_json
from .lenient import read_json_object
from .paths import AppPaths

if TYPE_CHECKING:
    # Imported when first typed: their modules (limits, dataclasses) cost the window's first
    # paint ~5 ms, and first_paint() answers from the files' plain data.
    from .settings import Settings
    from .window_state import WindowState

__all__ = ["SettingsStore"]

_Part = Literal["settings", "window"]


class SettingsStore:
    """Preferences (:class:`Settings`) and window state (:class:`WindowState`) in memory, and
    their files on disk.

    Change them with :meth:`set_settings` / :meth:`set_window` (or :meth:`remember_prompt`) on
    the thread that owns the store (the GUI thread in the window); :meth:`save` writes what
    changed and may run in a worker thread. Saves are serialised, each file written atomically
    and readable only by the user.
    """

    def __init__(
        self,
        paths: AppPaths,
        settings: Settings | None = None,
        window: WindowState | None = None,
    ) -> None:
        self.paths = paths
        # ``None``: the default record, made when first typed (see _typed).
        self._settings: Settings | None = settings
        self._window: WindowState | None = window
        self._dirty: set[_Part] = set()
        self._lock = threading.Lock()  # the state and what is due
        self._write_lock = threading.Lock()  # one save at a time, in order
        # The files' data from load(), until first typed (``None``: typed, or never read).
        self._raw: tuple[dict[str, Any], dict[str, Any] | None] | None = None

    @classmethod
    def load(cls, paths: AppPaths) -> SettingsStore:
        """Both files read (missing or unreadable ones give defaults); an older settings
        file's window state is taken over, to be moved out at the next :meth:`save`.

        The files are read now but typed (with msgspec) on the first use of :attr:`settings`
        or :attr:`window`: :meth:`first_paint` answers from the plain JSON, so the window's
        first paint does not wait for msgspec's import."""
        store = cls(paths)
        store._raw = (
            read_json_object(paths.settings_file, "settings") or {},
            read_json_object(paths.window_state_file, "window state"),
        )
        return store

    def _typed(self) -> None:
        """Turn the files' data read by :meth:`load` into the typed records (once), or make
        the default records for what was not given."""
        if self._raw is None and self._settings is not None and self._window is not None:
            return
        from .settings import Settings
        from .window_state import WindowState

        with self._lock:
            if self._raw is not None:
                data, window_data = self._raw
                legacy = WindowState.from_legacy_settings(data)
                if window_data is not None:
                    self._window = WindowState.from_dict(window_data)
                else:
                    self._window = legacy or WindowState()
                self._settings = Settings.from_dict(data)
                if legacy is not None:
                    self._dirty.update(("window", "settings"))  # the state moves to its file
            if self._settings is None:
                self._settings = Settings()
            if self._window is None:
                self._window = WindowState()
            self._raw = None

    def first_paint(self) -> tuple[str, dict[str, str]]:
        """The colour-scheme preference (any string; unknown ones mean ``system``) and the
        window's layout, for the window's first paint: from the files'
        plain data when the records are not typed yet. Cheap; any thread."""
        raw = self._raw
        if raw is None:
            return self.settings.color_scheme, dict(self.window.layout)
        data, window_data = raw
        if window_data is None:  # an older settings file kept the layout under "window"
            window_data = {"layout": data.get("window")}
        layout = window_data.get("layout")
        texts = isinstance(layout, dict) and all(isinstance(v, str) for v in layout.values())
        scheme = data.get("color_scheme")
        # A layout with a value of the wrong type is dropped whole, as the typed record does.
        return scheme if isinstance(scheme, str) else "system", dict(layout) if texts else {}

    @property
    def settings(self) -> Settings:
        """The preferences in use."""
        self._typed()
        assert self._settings is not None
        return self._settings

    @property
    def window(self) -> WindowState:
        """The window's remembered state."""
        self._typed()
        assert self._window is not None
        return self._window

    def set_settings(self, settings: Settings) -> None:
        """Use ``settings`` from now on; written at the next :meth:`save`."""
        self._typed()
        with self._lock:
            if settings != self._settings:
                self._settings = settings
                self._dirty.add("settings")

    def set_window(self, window: WindowState) -> None:
        """Remember ``window``; written at the next :meth:`save`."""
        self._typed()
        with self._lock:
            if window != self._window:
                self._window = window
                self._dirty.add("window")

    def remember_prompt(self, prompt: str) -> WindowState:
        """Put ``prompt`` first in the recent prompts; returns the new state (not yet saved)."""
        self.set_window(self.window.with_recent_prompt(prompt))
        return self.window

    def save(self) -> None:
        """Write the files whose contents changed (the window state first: an older settings
        file still holds it until the settings file is rewritten). Raises ``OSError``; what
        was not written stays due for the next save. Any thread; the owner's changes never
        wait for the disk."""
        self._typed()
        with self._write_lock:
            with self._lock:
                dirty, self._dirty = self._dirty, set()
                settings, window = self._settings, self._window
            try:
                if "window" in dirty:
                    self._write(self.paths.window_state_file, window.to_dict())
                    dirty.discard("window")
                if "settings" in dirty:
                    self._write(self.paths.settings_file, settings.to_dict())
                    dirty.discard("settings")
            finally:
                with self._lock:
                    self._dirty |= dirty

    def _write(self, path: Path, data: dict[str, Any]) -> None:
        self.paths.ensure()
        atomic_write_json(path, data, mode=0o600)
