"""User preferences: what the settings dialog edits, in one JSON file.

Remembered window state (geometry, splitters, recent prompts, the first-run flag) is not a
preference: it lives in :mod:`core.window_state`, in its own file. Both files are written only
by :class:`core.settings_store.SettingsStore`.

Unknown keys in the file are kept out (a newer version's settings do not break an older one);
a value of the wrong type falls back to the default for that key rather than refusing to start.
Qt-free; any thread.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from . import limits
from .lenient import read_json_object, record_from_data
from .paths import AppPaths

if TYPE_CHECKING:
    from .budget import Caps

__all__ = [
    "CONCURRENCY_MAX",
    "DEFAULT_QUEUE_URL",
    "DEFAULT_UPLOAD_THRESHOLD_BYTES",
    "QUEUE_URL_ENV",
    "START_TIMEOUT_MAX_MIN",
    "UPLOAD_EXPIRY_MAX_H",
    "BackendChoice",
    "ColorScheme",
    "QueueUrlSource",
    "Settings",
    "VideoReady",
    "library_dir",
    "load_settings",
    "resolve_queue_url",
]

#: fal's queue, unless FAL_QUEUE_URL or the setting says otherwise.
DEFAULT_QUEUE_URL = "https://queue.fal.run"
#: The environment variable that names another queue (the offline engine, a test server).
QUEUE_URL_ENV = "FAL_QUEUE_URL"
#: fal's default for new accounts is 2 running requests; accounts with credit get more.
CONCURRENCY_MAX = 40
#: Files larger than this go through fal's CDN upload instead of a data URI (base64 adds a third).
DEFAULT_UPLOAD_THRESHOLD_BYTES = 8_000_000

#: The longest "give up if not started within N minutes" (a day): past it, 0 (never) is meant.
START_TIMEOUT_MAX_MIN = 24 * 60
#: The longest "keep my uploaded inputs on fal at most N hours" (a year).
UPLOAD_EXPIRY_MAX_H = 365 * 24

#: ``auto``: fal when a key is set, else the offline engine.
BackendChoice = Literal["auto", "fal", "offline"]
#: Where the queue URL in use came from.
QueueUrlSource = Literal["env", "setting", "default"]
#: The window's colours: the system's scheme, or always light or dark.
ColorScheme = Literal["system", "light", "dark"]
#: A finished video: ``play`` it at once, or ``offer`` it ("New video ready – Play") while
#: the player is busy with another clip (it still plays at once in an idle player).
VideoReady = Literal["play", "offer"]


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
    """Everything the user can set. Immutable: change with :meth:`replace`, then hand the
    result to the store.

    ``backend``: ``auto`` (fal when a key is set, else the offline engine), ``fal`` or
    ``offline``. ``library_dir`` ``None`` means the default under the data folder.
    ``upload_threshold_bytes``: larger inputs are uploaded to fal's CDN, in bytes.
    ``color_scheme``: see :data:`ColorScheme`; ``video_ready``: see :data:`VideoReady`.
    ``start_timeout_min``: give up on a job fal has not started within this many minutes
    (0: never). ``upload_expiry_h``: keep uploaded inputs on fal's CDN at most this many
    hours (0: the account's default). ``daily_cap_usd`` / ``monthly_cap_usd``: spending caps
    in US dollars (``None``: no cap), checked before anything is sent (:mod:`core.budget`).
    """

    concurrency: int = 2
    library_dir: str | None = None
    queue_url: str | None = None
    upload_threshold_bytes: int = DEFAULT_UPLOAD_THRESHOLD_BYTES
    defaults: dict[str, Any] = field(default_factory=_default_options)
    backend: BackendChoice = "auto"
    notify_sound: bool = False
    color_scheme: ColorScheme = "system"
    video_ready: VideoReady = "offer"
    start_timeout_min: int = 0
    upload_expiry_h: int = 0
    daily_cap_usd: float | None = None
    monthly_cap_usd: float | None = None

    def caps(self) -> Caps:
        """The spending caps, for the runner's budget check."""
        from .budget import Caps  # on use: the window's first paint reads settings without it

        return Caps(daily_usd=self.daily_cap_usd, monthly_usd=self.monthly_cap_usd)

    def start_timeout_s(self) -> float | None:
        """The start deadline for ``FalClient.submit``, in seconds (``None``: none)."""
        return self.start_timeout_min * 60.0 if self.start_timeout_min > 0 else None

    def upload_expiry_s(self) -> int | None:
        """The lifetime for ``FalClient.upload``, in seconds (``None``: fal's default)."""
        return self.upload_expiry_h * 3600 if self.upload_expiry_h > 0 else None

    def replace(self, **changes: Any) -> Settings:
        """A copy with ``changes`` applied."""
        return dataclasses.replace(self, **changes)

    def to_dict(self) -> dict[str, Any]:
        """Plain data for the settings file."""
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Settings:
        """Settings from a file's data; bad values fall back to defaults, with a log line.
        Keys of older files that are not preferences (window state) are ignored here."""
        return record_from_data(cls, data, "settings")._sanitised()

    def _sanitised(self) -> Settings:
        changes: dict[str, Any] = {}
        if not 1 <= self.concurrency <= CONCURRENCY_MAX:
            changes["concurrency"] = min(max(self.concurrency, 1), CONCURRENCY_MAX)
        for name, high in (
            ("start_timeout_min", START_TIMEOUT_MAX_MIN),
            ("upload_expiry_h", UPLOAD_EXPIRY_MAX_H),
        ):
            value = getattr(self, name)
            if not 0 <= value <= high:
                changes[name] = min(max(value, 0), high)
        from .budget import CAP_MAX_USD, cap_problem

        for name in ("daily_cap_usd", "monthly_cap_usd"):
            value = getattr(self, name)
            if cap_problem(name, value) is not None:
                # Zero or less is no cap at all; a huge one is pulled in to the largest.
                changes[name] = CAP_MAX_USD if value > CAP_MAX_USD else None
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
    """Read the preferences (for readers such as the command line; the window reads and
    writes through the store). A missing or unreadable file gives the defaults."""
    data = read_json_object(paths.settings_file, "settings")
    return Settings() if data is None else Settings.from_dict(data)
