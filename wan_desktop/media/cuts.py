"""Hard cuts in a video: where one shot ends and the next begins (PyAV and Pillow, Qt-free).

Every frame is decoded once, in order, and shrunk by FFmpeg to a thumbnail of
:data:`THUMB_LONG_SIDE` pixels on its long side (the clip's proxy is read instead when a fresh
one exists: the same frames, a sixth of the pixels to decode). Two thumbnails differ by
:func:`frame_difference`, 0..1: a weighted mean of a grey-level difference (what moved,
two parts in three) and a colour histogram difference (what changed colour; steady under camera
motion).

A frame starts a new shot when its difference from the frame before is:

- at least a floor (``threshold``, default :data:`DEFAULT_THRESHOLD`);
- far above its neighbours' (:data:`NEIGHBOUR_RATIO` × their median plus a margin): an
  adaptive threshold, so steady motion, even fast motion, is never a cut;
- the largest within :data:`MIN_SHOT_FRAMES` either side (one cut per change);
- most of the change across a few frames around it (:data:`SPAN_FRAMES` either side): a fade
  or a dissolve spreads its change over many small steps, a cut makes it in one;
- not undone by the next frame (a one-frame flash differs from both neighbours, which are
  alike).

:func:`detect_cuts` is synchronous and CPU bound: call it from a worker thread. FFmpeg decodes
and scales with the interpreter lock released; the Python work per frame is a few
microsecond-sized Pillow calls on thumbnails. ``cancel`` (a :class:`threading.Event`) is
honoured between frames.
"""

from __future__ import annotations

import statistics
import threading
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import av
from PIL import Image, ImageChops, ImageStat

from .proxy import is_fresh, proxy_for
from .video import VideoError, open_video, quiet_ffmpeg, video_stream

__all__ = [
    "DEFAULT_THRESHOLD",
    "DETECTOR_VERSION",
    "MIN_SHOT_FRAMES",
    "NEIGHBOUR_RATIO",
    "SPAN_FRAMES",
    "THUMB_LONG_SIDE",
    "CutDetectionCancelled",
    "CutScores",
    "Thumb",
    "colour_distance",
    "detect_cuts",
    "frame_difference",
    "pick_cuts",
    "score_frames",
    "thumb_of",
]

#: Bumped whenever the scores or the decision change, so cached results are made again.
DETECTOR_VERSION = 2
#: Thumbnails are this many pixels on their long side: enough to see a shot change, small
#: enough that comparing two costs microseconds and compression noise averages out.
THUMB_LONG_SIDE = 64
#: The least difference (0..1) that can be a cut when no ``threshold`` is given.
DEFAULT_THRESHOLD = 0.03
#: A cut's difference is at least this many times its neighbours' median (plus
#: :data:`_NEIGHBOUR_MARGIN`).
NEIGHBOUR_RATIO = 3.0
_NEIGHBOUR_MARGIN = 0.02
#: Frames either side whose differences make the neighbourhood of a frame.
_NEIGHBOUR_FRAMES = 8
#: Two cuts are at least this many frames apart (a quarter second at 24 fps).
MIN_SHOT_FRAMES = 6
#: A cut makes at least :data:`_SPAN_SHARE` of the change between the frames this far before
#: and after it; a fade spreads the same change over many frames.
SPAN_FRAMES = 3
_SPAN_SHARE = 0.5
#: A frame that differs from its predecessor but whose successor is back to (within this share
#: of) the predecessor is a flash, not a cut.
_FLASH_SHARE = 0.5
_HIST_BINS = 32  # per colour channel
_PROGRESS_EVERY = 12  # frames between progress calls


class CutDetectionCancelled(Exception):
    """:func:`detect_cuts` was stopped by its ``cancel`` event."""


@dataclass(frozen=True, slots=True)
class Thumb:
    """One frame as compared: its colour and grey thumbnails and, per colour channel (R, G,
    B), the cumulative histogram of its levels in :data:`_HIST_BINS` bins, as fractions of the
    pixels."""

    rgb: Image.Image
    grey: Image.Image
    cumulative: tuple[float, ...]


def thumb_of(image: Image.Image) -> Thumb:
    """The :class:`Thumb` of an RGB thumbnail ``image`` (any thread)."""
    rgb = image if image.mode == "RGB" else image.convert("RGB")
    counts = rgb.histogram()  # 256 bins per channel
    pixels = rgb.width * rgb.height
    step = 256 // _HIST_BINS
    cumulative: list[float] = []
    for channel in range(3):
        total = 0
        for start in range(channel * 256, channel * 256 + 256, step):
            total += sum(counts[start : start + step])
            cumulative.append(total / pixels)
    return Thumb(rgb, rgb.convert("L"), tuple(cumulative))


def frame_difference(a: Thumb, b: Thumb) -> float:
    """How different two frames look, 0 (identical) to 1: two thirds the grey-level mean
    absolute difference (the picture's layout: what a cut to a closer view of the same scene
    changes) and one third the colour distributions' distance (the earth mover's distance
    between the histograms, from their cumulative forms: a slight shift of every colour, as
    in a fade or a change of light, moves it a little, never by a whole bin at once)."""
    grey = ImageStat.Stat(ImageChops.difference(a.grey, b.grey)).mean[0] / 255.0
    return (2.0 * grey + colour_distance(a, b)) / 3.0


def colour_distance(a: Thumb, b: Thumb) -> float:
    """The earth mover's distance between two frames' colour histograms, 0..1 (1: every pixel
    went from black to white), averaged over the three channels."""
    moved = sum(abs(x - y) for x, y in zip(a.cumulative, b.cumulative, strict=True))
    return moved / (3 * (_HIST_BINS - 1))


@dataclass(frozen=True, slots=True)
class CutScores:
    """The differences :func:`pick_cuts` decides on, one per frame (index 0 is 0.0):

    ``step[i]`` frame ``i`` against frame ``i - 1``; ``skip[i]`` frame ``i + 1`` against frame
    ``i - 1`` (how far the picture stays changed; ``None`` for the last frame); ``span[i]``
    frame ``i + SPAN_FRAMES`` against frame ``i - 1 - SPAN_FRAMES``, clipped to the clip (the
    whole change around ``i``). ``times_s[i]`` is frame ``i``'s time from the first frame."""

    step: list[float]
    skip: list[float | None]
    span: list[float]
    times_s: list[float]


def score_frames(thumbs: Sequence[Thumb], times_s: Sequence[float] | None = None) -> CutScores:
    """The :class:`CutScores` of a list of thumbnails (one per frame, in order) and their
    times in seconds (default: 24 frames a second). Pure; for tests and tools that already
    have the frames: :func:`detect_cuts` scores as it decodes, keeping a few frames only."""
    scorer = _Scorer()
    for i, thumb in enumerate(thumbs):
        scorer.add(thumb, times_s[i] if times_s is not None else i / 24)
    return scorer.finish()


class _Scorer:
    """Scores frames as they come, holding only the last ``2 * SPAN_FRAMES + 2`` thumbnails
    (what the span of the frame ``SPAN_FRAMES`` back needs)."""

    def __init__(self) -> None:
        self._recent: deque[Thumb] = deque(maxlen=2 * SPAN_FRAMES + 2)
        self.count = 0
        self.scores = CutScores([], [], [], [])

    def _thumb(self, index: int) -> Thumb:
        """The thumbnail of frame ``index`` (one of the recent ones)."""
        return self._recent[index - (self.count - len(self._recent))]

    def add(self, thumb: Thumb, time_s: float) -> None:
        """Score the next frame, ``time_s`` seconds from the first."""
        s = self.scores
        i = self.count
        s.times_s.append(time_s)
        s.step.append(frame_difference(self._thumb(i - 1), thumb) if i else 0.0)
        s.skip.append(None)
        s.span.append(0.0)
        if i >= 2:  # frame i - 1 now has a successor
            s.skip[i - 1] = frame_difference(self._thumb(i - 2), thumb)
        j = i - SPAN_FRAMES  # frame j now has SPAN_FRAMES frames after it
        if j >= 1:
            s.span[j] = frame_difference(self._thumb(max(0, j - 1 - SPAN_FRAMES)), thumb)
        self._recent.append(thumb)
        self.count += 1

    def finish(self) -> CutScores:
        """The scores; the spans of the last frames end at the last frame."""
        s = self.scores
        n = self.count
        for j in range(max(1, n - SPAN_FRAMES), n):
            s.span[j] = frame_difference(
                self._thumb(max(0, j - 1 - SPAN_FRAMES)), self._thumb(n - 1)
            )
        return s


def pick_cuts(scores: CutScores, *, threshold: float | None = None) -> list[int]:
    """The frame numbers that start a new shot (see the module docstring for the rules);
    ``threshold`` is the least step difference (0..1) that can be a cut, default
    :data:`DEFAULT_THRESHOLD`. Pure."""
    floor = DEFAULT_THRESHOLD if threshold is None else threshold
    if not 0.0 < floor <= 1.0:
        raise ValueError(f"threshold must be above 0 and at most 1 (got {floor}).")
    step = scores.step
    n = len(step)
    candidates: list[int] = []
    for i in range(1, n):
        d = step[i]
        if d < floor:
            continue
        lo, hi = max(1, i - _NEIGHBOUR_FRAMES), min(n, i + _NEIGHBOUR_FRAMES + 1)
        neighbours = [step[j] for j in range(lo, hi) if j != i]
        baseline = statistics.median(neighbours) if neighbours else 0.0
        if d < NEIGHBOUR_RATIO * baseline + _NEIGHBOUR_MARGIN:
            continue  # steady motion: every frame changes about as much
        span = scores.span[i]
        if d < _SPAN_SHARE * span:
            continue  # a fade or a dissolve: the change is spread over several frames
        if span < _FLASH_SHARE * d:
            continue  # the picture is back a few frames later: a flash (or its end)
        skip = scores.skip[i]
        if skip is not None and skip < _FLASH_SHARE * d:
            continue  # a flash: the next frame is back to the one before
        candidates.append(i)
    # One cut per change: the strongest first, none within MIN_SHOT_FRAMES of a kept one.
    kept: list[int] = []
    for i in sorted(candidates, key=lambda k: step[k], reverse=True):
        if all(abs(i - k) >= MIN_SHOT_FRAMES for k in kept):
            kept.append(i)
    return sorted(kept)


def _thumb_size(width: int, height: int) -> tuple[int, int]:
    scale = THUMB_LONG_SIDE / max(width, height)
    return max(8, round(width * scale)), max(8, round(height * scale))


def detect_cuts(
    path: Path | str,
    *,
    threshold: float | None = None,
    progress: Callable[[int, int], object] | None = None,
    cancel: threading.Event | None = None,
) -> list[float]:
    """The times (seconds from the first frame) at which a new shot starts in the video at
    ``path``: the first frame of each shot after the first, ascending; ``[]`` for one shot.

    Reads the clip's proxy instead when a fresh one exists (same frames and times).
    ``threshold``: see :func:`pick_cuts`. ``progress(done, total)`` every few frames
    (``total`` is an estimate for files that do not say their frame count). Worker thread
    only. Raises :class:`VideoError` when the file cannot be decoded, and
    :class:`CutDetectionCancelled` once ``cancel`` is set.
    """
    if threshold is not None and not 0.0 < threshold <= 1.0:
        raise ValueError(f"threshold must be above 0 and at most 1 (got {threshold}).")
    path = Path(path)
    source = proxy_for(path) if is_fresh(path) else path
    scores = _score_file(source, progress, cancel)
    return [round(scores.times_s[i], 3) for i in pick_cuts(scores, threshold=threshold)]


def _score_file(
    path: Path,
    progress: Callable[[int, int], object] | None,
    cancel: threading.Event | None,
) -> CutScores:
    quiet_ffmpeg()
    if not path.is_file():
        raise VideoError(f"{path.name}: no such video file.")
    with open_video(path) as container:
        stream = video_stream(container, path)
        # Frame threads: the decoder keeps both cores busy while Python compares thumbnails.
        stream.thread_type = "AUTO"
        ctx = stream.codec_context
        if not ctx.width or not ctx.height:
            raise VideoError(f"{path.name} does not say how large its pictures are.")
        width, height = _thumb_size(ctx.width, ctx.height)
        total = stream.frames or _estimated_frames(stream)
        scorer = _Scorer()
        first: float | None = None
        try:
            for frame in container.decode(stream):
                if cancel is not None and cancel.is_set():
                    raise CutDetectionCancelled(f"Cut detection in {path.name} was stopped.")
                small = frame.reformat(
                    width=width, height=height, format="rgb24", interpolation="AREA"
                )
                time_s = float(frame.time) if frame.time is not None else scorer.count / 24
                first = time_s if first is None else first
                scorer.add(thumb_of(small.to_image()), time_s - first)
                done = scorer.count
                if progress is not None and done % _PROGRESS_EVERY == 0:
                    progress(done, max(total, done))
        except av.FFmpegError as exc:
            raise VideoError(f"{path.name} could not be decoded ({exc}).") from exc
    if scorer.count == 0:
        raise VideoError(f"{path.name} has no video frames.")
    if progress is not None:
        progress(scorer.count, scorer.count)
    return scorer.finish()


def _estimated_frames(stream: av.video.stream.VideoStream) -> int:
    rate = stream.average_rate or stream.guessed_rate
    if stream.duration is None or stream.time_base is None or not rate:
        return 0
    return max(0, round(float(stream.duration * stream.time_base * rate)))
