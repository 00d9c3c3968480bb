"""A handful of frames spread over a clip, for scrubbing a thumbnail with the mouse (Qt-free).

The clips are short and usually have one keyframe (x264's default interval is longer than
the clip), so seeking would decode from the start for every frame; one sequential decode that
keeps ``count`` evenly spaced frames is cheaper. Frames are scaled while converting, so only
small images are ever made.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from PIL import Image

__all__ = ["DEFAULT_SCRUB_FRAMES", "sample_frames"]

DEFAULT_SCRUB_FRAMES = 8


def _fit(width: int, height: int, max_side: int) -> tuple[int, int]:
    scale = min(1.0, max_side / max(width, height, 1))
    return max(2, round(width * scale) // 2 * 2), max(2, round(height * scale) // 2 * 2)


def sample_frames(
    path: Path | str, count: int = DEFAULT_SCRUB_FRAMES, max_side: int = 320
) -> list[Image.Image]:
    """``count`` RGB frames evenly spaced from the first to the last, longest side at most
    ``max_side`` px. Fewer when the clip has fewer frames. CPU-bound (one decode of the clip,
    50–300 ms for 5–15 s): call from a worker thread. Raises :class:`VideoError`."""
    # Imported here: the window imports this module at start-up, PyAV is needed only later.
    import av

    from ..media.video import VideoError

    path = Path(path)
    count = max(1, int(count))
    try:
        container = av.open(str(path))
    except (av.FFmpegError, OSError) as exc:
        raise VideoError(f"{path.name}: cannot be opened ({exc}).") from exc
    with container:
        if not container.streams.video:
            raise VideoError(f"{path.name} has no video stream.")
        stream = container.streams.video[0]
        stream.thread_type = "AUTO"
        total = int(stream.frames or 0)
        if total <= 0 and stream.duration and stream.average_rate:
            total = int(float(stream.duration * stream.time_base) * float(stream.average_rate))
        width, height = _fit(stream.codec_context.width, stream.codec_context.height, max_side)
        targets: list[int] = []
        if total > 0:
            n = min(count, total)
            targets = sorted({round(i * (total - 1) / max(1, n - 1)) for i in range(n)})
        frames: list[Image.Image] = []
        last = None
        try:
            for index, frame in enumerate(container.decode(stream)):
                last = frame
                if targets and index == targets[len(frames)]:
                    frames.append(frame.reformat(width, height, "rgb24").to_image())
                    if len(frames) == len(targets):
                        break
        except av.FFmpegError as exc:
            if not frames:
                raise VideoError(f"{path.name}: the video could not be decoded ({exc}).") from exc
        if len(frames) < len(targets) and last is not None:
            # The container over-counted its frames: the last one decoded stands in.
            frames.append(last.reformat(width, height, "rgb24").to_image())
        if not frames and last is not None:
            frames.append(last.reformat(width, height, "rgb24").to_image())
        if not frames:
            raise VideoError(f"{path.name} has no video frames.")
        return frames
