"""User settings: one JSON file, read at start, written atomically on change.

Unknown keys in the file are kept out (a newer version's settings do not break an older one);
wrong types fall back to the default for that key rather than refusing to start.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from . import limits
from .atomic import atomic_write_json
from .paths import AppPaths

__all__ = [
    "CONCURRENCY_MAX",
    "DEFAULT_QUEUE_URL",
    "DEFAULT_UPLOAD_THRESHOLD_BYTES",
    "QUEUE_URL_ENV",
    "QueueUrlSource",
    "Settings",
    "library_dir",
    "load_settings",
    "resolve_queue_url",
    "save_settings",
]

log = logging.getLogger(__name__)

#: fal's queue, unless FAL_QUEUE_URL or the setting says otherwise.
DEFAULT_QUEUE_URL = "https://queue.fal.run"
#: The environment variable that names another queue (the offline engine, a test server).
QUEUE_URL_ENV = "FAL_QUEUE_URL"
#: Where the queue URL in use came from.
QueueUrlSource = Literal["env", "setting", "default"]
#: fal's default for new accounts is 2 running requests; accounts with credit get more.
CONCURRENCY_MAX = 40
#: Files larger than this go through fal's CDN upload instead of a data URI (base64 adds a third).
DEFAULT_UPLOAD_THRESHOLD_BYTES = 8_000_000
RECENT_PROMPTS_MAX = 30


def _default_options() -> dict[str, Any]:
    return {
        "resolution": limits.default_of("resolution"),
        "duration": int(str(limits.default_of("duration"))),
        "negative_prompt": limits.default_of("negative_prompt"),
        "enable_prompt_expansion": limits.default_of("enable_prompt_expansion"),
        "multi_shots": limits.default_of("multi_shots"),
        "enable_safety_checker": limits.default_of("enable_safety_checker"),
    }


@dataclass(frozen=True, slots=True)
class Settings:
    """Everything the user can set. Immutable: change with :meth:`replace`, then save.

    ``backend``: ``auto`` (fal when a key is set, else the offline engine), ``fal`` or
    ``offline``. ``library_dir`` ``None`` means the default under the data folder.
    """

    concurrency: int = 2
    library_dir: str | None = None
    queue_url: str | None = None
    upload_threshold_bytes: int = DEFAULT_UPLOAD_THRESHOLD_BYTES
    defaults: dict[str, Any] = field(default_factory=_default_options)
    backend: str = "auto"
    notify_sound: bool = False
    recent_prompts: list[str] = field(default_factory=list)
    first_run_done: bool = False
    window: dict[str, str] = field(default_factory=dict)

    def replace(self, **changes: Any) -> Settings:
        """A copy with ``changes`` applied."""
        return dataclasses.replace(self, **changes)

    def with_recent_prompt(self, prompt: str) -> Settings:
        """A copy with ``prompt`` first in the recent list (no repeats, bounded)."""
        text = prompt.strip()
        if not text:
            return self
        recent = [text, *(p for p in self.recent_prompts if p != text)][:RECENT_PROMPTS_MAX]
        return self.replace(recent_prompts=recent)

    def to_dict(self) -> dict[str, Any]:
        """Plain data for the settings file."""
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Settings:
        """Settings from a file's data; bad values fall back to defaults, with a log line."""
        base = cls()
        values: dict[str, Any] = {}
        for f in dataclasses.fields(cls):
            if f.name not in data:
                continue
            value = data[f.name]
            default = getattr(base, f.name)
            if default is not None and not isinstance(value, type(default)):
                log.warning("settings: ignoring %s of the wrong type", f.name)
                continue
            values[f.name] = value
        settings = cls(**values)
        return settings._sanitised()

    def _sanitised(self) -> Settings:
        changes: dict[str, Any] = {}
        if not 1 <= self.concurrency <= CONCURRENCY_MAX:
            changes["concurrency"] = min(max(self.concurrency, 1), CONCURRENCY_MAX)
        if self.backend not in ("auto", "fal", "offline"):
            changes["backend"] = "auto"
        defaults = _default_options()
        defaults.update({k: v for k, v in self.defaults.items() if k in defaults})
        if defaults["resolution"] not in limits.RESOLUTIONS:
            defaults["resolution"] = limits.default_of("resolution")
        if defaults["duration"] not in limits.DURATIONS_S:
            defaults["duration"] = int(str(limits.default_of("duration")))
        if defaults != self.defaults:
            changes["defaults"] = defaults
        return self.replace(**changes) if changes else self


def resolve_queue_url(
    settings: Settings, environ: Mapping[str, str] | None = None
) -> tuple[str, QueueUrlSource]:
    """The queue base URL in use (no trailing slash) and where it came from: ``FAL_QUEUE_URL``
    in the environment wins, then the setting, then fal's queue. ``environ``: ``os.environ``
    unless given (tests)."""
    env = os.environ if environ is None else environ
    from_env = (env.get(QUEUE_URL_ENV) or "").strip()
    if from_env:
        return from_env.rstrip("/"), "env"
    from_setting = (settings.queue_url or "").strip()
    if from_setting:
        return from_setting.rstrip("/"), "setting"
    return DEFAULT_QUEUE_URL, "default"


def library_dir(paths: AppPaths, settings: Settings) -> Path:
    """The library folder in use: the setting when the user moved it, else the default."""
    return Path(settings.library_dir).expanduser() if settings.library_dir else paths.library


def load_settings(paths: AppPaths) -> Settings:
    """Read the settings file; a missing or unreadable one gives the defaults."""
    try:
        data = json.loads(paths.settings_file.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return Settings()
    except (OSError, ValueError) as exc:
        log.warning("settings: %s is unreadable (%s); using defaults", paths.settings_file, exc)
        return Settings()
    if not isinstance(data, dict):
        return Settings()
    return Settings.from_dict(data)


def save_settings(paths: AppPaths, settings: Settings) -> None:
    """Write the settings file atomically (private to the user)."""
    paths.ensure()
    atomic_write_json(paths.settings_file, settings.to_dict(), mode=0o600)
