"""Where to leave clip A so that clip B follows it smoothly: out-points scored against B's
first frame (PyAV through :class:`~.frame_reader.FrameReader`, Pillow; Qt-free).

Each of A's last frames is compared with the frame B starts on, both as small thumbnails
(:data:`~.cuts.THUMB_LONG_SIDE` pixels on the long side, so compression noise and tiny
misalignments average out). The score is 1 minus the mean of two distances, each 0..1: the
mean absolute difference of the colour thumbnails (a jump in the picture) and the earth
mover's distance of their colour histograms (a jump in colour or light). 1 is identical.

Reads each clip's proxy when a fresh one exists (the same frames, far cheaper to seek in).
Synchronous and CPU bound, a few dozen small decodes: call it from a worker thread.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

from PIL import Image, ImageChops, ImageStat

from .cuts import THUMB_LONG_SIDE, Thumb, colour_distance, thumb_of
from .frame_reader import Frame, FrameReader
from .proxy import is_fresh, proxy_for

__all__ = [
    "DEFAULT_SEARCH_FRAMES",
    "MAX_SEARCH_FRAMES",
    "SeamScoringCancelled",
    "score_out_points",
    "seam_score",
]

#: How many of A's last frames are scored by default (one second at 24 fps).
DEFAULT_SEARCH_FRAMES = 24
#: The most frames that can be scored in one call (five seconds at 24 fps).
MAX_SEARCH_FRAMES = 120


class SeamScoringCancelled(Exception):
    """:func:`score_out_points` was stopped by its ``cancel`` event."""


def seam_score(a: Thumb, b: Thumb) -> float:
    """How well frame ``b`` follows frame ``a``, 0..1 (1: identical). Thumbnails of other
    sizes are compared at ``a``'s size."""
    b_rgb = b.rgb if b.rgb.size == a.rgb.size else b.rgb.resize(a.rgb.size, Image.Resampling.BOX)
    picture = sum(ImageStat.Stat(ImageChops.difference(a.rgb, b_rgb)).mean) / (3 * 255.0)
    return max(0.0, min(1.0, 1.0 - (picture + colour_distance(a, b)) / 2.0))


def score_out_points(
    clip_a: Path | str,
    clip_b: Path | str,
    *,
    search_frames: int = DEFAULT_SEARCH_FRAMES,
    b_start_frame: int = 0,
    progress: Callable[[int, int], object] | None = None,
    cancel: threading.Event | None = None,
) -> list[tuple[int, float]]:
    """Candidate out-points in ``clip_a``, best first: ``(frame, score)`` where ``frame`` is
    the number of A's last frame to show (the sequence item's ``end_frame`` is ``frame + 1``)
    and ``score`` (0..1, higher is better) says how closely it matches frame
    ``b_start_frame`` of ``clip_b`` (1 when B's first frame repeats A's last: the frame B
    really starts on). The candidates are A's last ``search_frames`` frames (1 to
    :data:`MAX_SEARCH_FRAMES`; fewer when A is shorter); equal scores put the later frame
    first (it keeps more of A).

    ``progress(done, total)`` after each frame scored. Worker thread only. Raises
    :class:`ValueError` for a ``search_frames`` or ``b_start_frame`` out of range (the message
    names it and the limit), :class:`~.frame_reader.FrameReadError` when a clip cannot be
    read, and :class:`SeamScoringCancelled` once ``cancel`` is set.
    """
    if not 1 <= search_frames <= MAX_SEARCH_FRAMES:
        raise ValueError(f"search_frames must be 1 to {MAX_SEARCH_FRAMES} (got {search_frames}).")
    box = (THUMB_LONG_SIDE, THUMB_LONG_SIDE)
    with FrameReader(_readable(clip_b), max_size=box) as reader_b:
        if not 0 <= b_start_frame < reader_b.frame_count:
            raise ValueError(
                f"b_start_frame {b_start_frame} is out of range: {Path(clip_b).name} has "
                f"{reader_b.frame_count} frames (0 to {reader_b.frame_count - 1})."
            )
        target = _thumb(reader_b.frame_at(b_start_frame))
    scored: list[tuple[int, float]] = []
    with FrameReader(_readable(clip_a), max_size=box) as reader_a:
        first = max(0, reader_a.frame_count - search_frames)
        total = reader_a.frame_count - first
        # Forward from the first candidate: one seek, then each frame costs one decode.
        for index in range(first, reader_a.frame_count):
            if cancel is not None and cancel.is_set():
                raise SeamScoringCancelled("Scoring the seam's out-points was stopped.")
            scored.append((index, seam_score(_thumb(reader_a.frame_at(index)), target)))
            if progress is not None:
                progress(len(scored), total)
    scored.sort(key=lambda item: (-item[1], -item[0]))
    return scored


def _readable(path: Path | str) -> Path:
    """The clip's fresh proxy when it has one, else the clip."""
    path = Path(path)
    return proxy_for(path) if is_fresh(path) else path


def _thumb(frame: Frame) -> Thumb:
    return thumb_of(Image.frombytes("RGB", (frame.width, frame.height), frame.rgb))
