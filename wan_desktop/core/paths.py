"""Where the app keeps its files.

``WAN_DESKTOP_HOME`` puts everything (library, settings, caches, logs) in one folder; without
it the platform's user data and config folders are used.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from .atomic import ensure_dir

__all__ = ["AppPaths", "app_paths"]

APP_NAME = "wan-desktop"


@dataclass(frozen=True, slots=True)
class AppPaths:
    """The app's folders. Nothing is created until a caller asks for it (``ensure``)."""

    data: Path
    config: Path
    cache: Path

    @property
    def library(self) -> Path:
        """Default library folder (a setting may move it)."""
        return self.data / "library"

    @property
    def settings_file(self) -> Path:
        return self.config / "settings.json"

    @property
    def window_state_file(self) -> Path:
        """The window's remembered state, beside the settings file."""
        return self.config / "window-state.json"

    @property
    def logs(self) -> Path:
        return self.data / "logs"

    @property
    def engine(self) -> Path:
        """State of the offline engine (its requests and rendered files)."""
        return self.cache / "engine"

    def ensure(self) -> AppPaths:
        """Create the folders (private to the user) and return ``self``."""
        for folder in (self.data, self.config, self.cache):
            ensure_dir(folder, 0o700)
        return self


def app_paths(environ: os._Environ[str] | dict[str, str] | None = None) -> AppPaths:
    """The folders for this process, honouring ``WAN_DESKTOP_HOME``."""
    env = os.environ if environ is None else environ
    home = env.get("WAN_DESKTOP_HOME")
    if home:
        root = Path(home).expanduser().resolve()
        return AppPaths(data=root, config=root, cache=root / "cache")
    import platformdirs  # only here: its import costs the window's first paint 3–5 ms

    return AppPaths(
        data=Path(platformdirs.user_data_dir(APP_NAME, appauthor=False)),
        config=Path(platformdirs.user_config_dir(APP_NAME, appauthor=False)),
        cache=Path(platformdirs.user_cache_dir(APP_NAME, appauthor=False)),
    )
