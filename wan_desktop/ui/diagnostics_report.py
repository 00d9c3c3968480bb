"""Help → Copy diagnostics: versions, the Qt multimedia backend and library figures, never
the key."""

from __future__ import annotations

import functools
import os
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import qVersion
from PySide6.QtGui import QGuiApplication

from ..core import diagnostics
from .async_bridge import run_blocking

if TYPE_CHECKING:
    from .player import VideoPlayer
    from .window_services import WindowServices

__all__ = ["diagnostics_text"]


def _qt_facts(player: VideoPlayer) -> dict[str, Any]:
    if player.engine is not None:
        playback = "available"
    else:
        playback = player.unavailable_reason or "unavailable"
    return {
        "version": qVersion(),
        "platform": QGuiApplication.platformName(),
        "multimedia_backend": os.environ.get("QT_MEDIA_BACKEND") or "ffmpeg (default)",
        "playback": playback,
    }


async def diagnostics_text(services: WindowServices, player: VideoPlayer) -> str:
    """The report as text for a bug report (the key redacted everywhere). Loop thread; the
    disk and keyring work runs in the executor."""
    extra: dict[str, Any] = {
        "qt": _qt_facts(player),
        "backend": "offline engine" if services.offline else "fal",
    }
    if services.library is not None:
        extra["library"] = await run_blocking(services.library.stats)
    source = await run_blocking(services.key_store.get)
    extra["key_source"] = source.origin if source is not None else "none"
    info = await run_blocking(functools.partial(diagnostics.collect, services.paths, extra=extra))
    return diagnostics.format_text(info)
