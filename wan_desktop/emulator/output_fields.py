"""The result's optional ``video`` fields, read from the rendered file itself (a worker
thread; a few milliseconds).

fal may describe its output: ``width``, ``height``, ``fps``, ``duration``, ``num_frames``. The
engine sends them too, measured on the file it serves (``media.video.probe``, the same reader
the app checks a download with), so they always agree with what is downloaded; a file that
is not a video (a test's stand-in renderer) gets none.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from wan_desktop.media.video import VideoError, probe

__all__ = ["video_fields"]


def video_fields(path: Path) -> dict[str, Any] | None:
    """``{"width", "height", "fps", "duration", "num_frames"}`` of the video at ``path``
    (pixels, frames per second, seconds, frames), or None when it is not one."""
    try:
        info = probe(path)
    except VideoError:
        return None
    return {
        "width": info.width,
        "height": info.height,
        "fps": info.fps,
        "duration": info.duration_s,
        "num_frames": info.frame_count,
    }
