"""What a sequence export will make, worked out before a frame is decoded: each part's frames
on the output timeline, the crossfades, the canvas size, the duration.

A part is a clip and its in/out points in the clip's own frames, plus the crossfade (in
output frames) with the part before it, and optionally another file its sound comes from (a
silent proxy's pictures with the original clip's sound, over the same in/out times). Clips
are resampled by time to the output rate: a part of ``end - start`` frames at ``f`` fps lasts
``round((end - start) * fps / f)`` output frames. Crossfades overlap the tail of one part
with the head of the next, so the output lasts the sum of the parts minus the overlaps.

:func:`plan_export` probes each clip (a few ms each, disk bound): call it in a worker thread.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import NamedTuple

import av

from .video import VideoError, probe

__all__ = [
    "CROSSFADE_MAX_FRAMES",
    "FPS_RANGE",
    "ExportPart",
    "ExportPlan",
    "PartPlan",
    "SequenceExportError",
    "fit_inside",
    "plan_export",
]

#: The longest crossfade between two parts, in output frames (half a second at 24 fps).
CROSSFADE_MAX_FRAMES = 12
#: The output frame rates accepted (inclusive).
FPS_RANGE = (1, 60)


class SequenceExportError(ValueError):
    """A sequence that cannot be exported as asked; ``str()`` names the clip, the field and
    the limit (``clip 2: start_frame is 130; it must be 0–119 (the clip has 120 frames)``)."""


class ExportPart(NamedTuple):
    """One clip of a sequence as the exporter takes it (a plain 4- or 5-tuple works too).

    ``start_frame``/``end_frame`` are in the clip's own frames, ``end_frame`` exclusive (None:
    to the clip's end). ``crossfade_frames`` (output frames, 0–12) blends this part's head
    with the previous part's tail; ignored on the first part. ``audio_path`` (None: ``path``
    itself) is the file the part's sound is taken from, over the same times as the pictures
    (``start_frame / fps`` to ``end_frame / fps`` of ``path``): a proxy keeps its clip's frames
    one for one, so the proxy's pictures and the original's sound stay in step.
    """

    path: Path
    start_frame: int = 0
    end_frame: int | None = None
    crossfade_frames: int = 0
    audio_path: Path | None = None


@dataclass(frozen=True, slots=True)
class PartPlan:
    """One part, checked and placed: ``source_fps``/``width``/``height`` are the clip's,
    ``frames`` its length in output frames (at ``out_fps``), ``out_start`` the output frame it
    starts on, ``crossfade`` the output frames it shares with the part before (0 on the
    first). ``has_audio`` is about :attr:`sound_path`, the file the sound comes from."""

    path: Path
    start_frame: int
    end_frame: int
    crossfade: int
    source_fps: float
    width: int
    height: int
    has_audio: bool
    frames: int
    out_fps: int
    out_start: int = 0
    audio_path: Path | None = None

    @property
    def sound_path(self) -> Path:
        """The file the part's sound is read from: ``audio_path``, else the clip itself."""
        return self.audio_path if self.audio_path is not None else self.path

    @property
    def start_s(self) -> float:
        """Where the part starts in its clip, in seconds."""
        return self.start_frame / self.source_fps

    def source_index(self, k: int) -> int:
        """The clip's frame shown at the part's output frame ``k`` (resampling by time: the
        frame on screen at that moment, never past the out-point)."""
        step = int(k * self.source_fps / self.out_fps + 1e-6)
        return min(self.end_frame - 1, self.start_frame + step)


@dataclass(frozen=True, slots=True)
class ExportPlan:
    """The whole export: the parts in order, the canvas (the largest clip's size), the output
    rate, the number of output frames and whether any part has sound."""

    parts: tuple[PartPlan, ...]
    width: int
    height: int
    fps: int
    total_frames: int
    has_audio: bool

    @property
    def duration_s(self) -> float:
        """The output's length in seconds."""
        return self.total_frames / self.fps


def fit_inside(size: tuple[int, int], canvas: tuple[int, int]) -> tuple[int, int]:
    """``size`` scaled to fit ``canvas`` with its aspect kept, both sides even (H.264 4:2:0
    needs even sides) and at least 2 pixels."""
    width, height = size
    scale = min(canvas[0] / width, canvas[1] / height)
    fit_w = min(canvas[0], max(2, round(width * scale / 2) * 2))
    fit_h = min(canvas[1], max(2, round(height * scale / 2) * 2))
    return fit_w, fit_h


def _check_fps(fps: object) -> int:
    low, high = FPS_RANGE
    if isinstance(fps, bool) or not isinstance(fps, int) or not low <= fps <= high:
        raise SequenceExportError(f"fps is {fps!r}; it must be a whole number from {low} to {high}")
    return fps


def _frame_field(n: int, name: str, value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise SequenceExportError(f"clip {n}: {name} is {value!r}; it must be a whole number")
    return value


def _checked_part(n: int, raw: ExportPart | tuple, fps: int) -> PartPlan:
    """Part ``n`` (1-based, for messages) probed and checked; ``out_start`` is filled later."""
    try:
        part = ExportPart(*raw)
    except TypeError as exc:
        raise SequenceExportError(
            f"clip {n}: a part is (path, start_frame, end_frame, crossfade_frames"
            f"[, audio_path]) ({exc})"
        ) from exc
    path = Path(part.path)
    try:
        info = probe(path)
    except VideoError as exc:
        raise SequenceExportError(f"clip {n}: {exc}") from exc
    count = info.frame_count
    if count <= 0 or info.fps <= 0:
        raise SequenceExportError(f"clip {n}: {path.name} has no video frames")
    start = _frame_field(n, "start_frame", part.start_frame)
    end = count if part.end_frame is None else _frame_field(n, "end_frame", part.end_frame)
    crossfade = 0 if n == 1 else _frame_field(n, "crossfade_frames", part.crossfade_frames)
    if not 0 <= start < count:
        raise SequenceExportError(
            f"clip {n}: start_frame is {start}; it must be 0–{count - 1} "
            f"(the clip has {count} frames)"
        )
    if not start < end <= count:
        raise SequenceExportError(
            f"clip {n}: end_frame is {end}; it must be {start + 1}–{count} "
            f"(after start_frame {start}, within the clip's {count} frames)"
        )
    if not 0 <= crossfade <= CROSSFADE_MAX_FRAMES:
        raise SequenceExportError(
            f"clip {n}: crossfade_frames is {crossfade}; it must be 0–{CROSSFADE_MAX_FRAMES}"
        )
    frames = max(1, round((end - start) * fps / info.fps))
    audio_path = None if part.audio_path is None else Path(part.audio_path)
    has_audio = info.has_audio if audio_path is None else _has_sound(n, audio_path)
    return PartPlan(
        path=path, start_frame=start, end_frame=end, crossfade=crossfade,
        source_fps=info.fps, width=info.width, height=info.height, has_audio=has_audio,
        frames=frames, out_fps=fps, audio_path=audio_path,
    )  # fmt: skip


def _has_sound(n: int, path: Path) -> bool:
    """Whether ``path`` (part ``n``'s ``audio_path``: a video or a sound file) has sound."""
    try:
        with av.open(str(path), "r") as container:
            return bool(container.streams.audio)
    except (av.FFmpegError, OSError, ValueError) as exc:
        raise SequenceExportError(
            f"clip {n}: audio_path {path.name} is not a file FFmpeg can read ({exc})"
        ) from exc


def _check_overlaps(parts: list[PartPlan]) -> None:
    """Each crossfade must fit in both parts it joins, and a part's two crossfades must not
    overlap each other (at most two parts ever show at once)."""
    for i, part in enumerate(parts[1:], start=1):
        before = parts[i - 1]
        room = before.frames - before.crossfade  # what the previous part keeps after its own
        if part.crossfade > room:
            raise SequenceExportError(
                f"clip {i + 1}: crossfade_frames is {part.crossfade}; it must be at most "
                f"{room} (what clip {i} has left after its own crossfade)"
            )
        if part.crossfade > part.frames:
            raise SequenceExportError(
                f"clip {i + 1}: crossfade_frames is {part.crossfade}; it must be at most "
                f"{part.frames} (the clip's length in output frames)"
            )


def plan_export(parts: list[ExportPart] | list[tuple], *, fps: int = 24) -> ExportPlan:
    """Probe and check ``parts`` and lay them out at ``fps`` (1–60).

    Raises :class:`SequenceExportError` naming the clip (1-based), the field and the limit:
    no parts, a missing or unreadable clip or ``audio_path``, in/out points outside the clip,
    a crossfade outside 0–12 or longer than a part it joins.
    """
    fps = _check_fps(fps)
    if not parts:
        raise SequenceExportError("the sequence has no clips; it needs at least 1 to export")
    checked = [_checked_part(n, raw, fps) for n, raw in enumerate(parts, start=1)]
    _check_overlaps(checked)
    placed: list[PartPlan] = []
    cursor = 0
    for part in checked:
        start = cursor - part.crossfade
        placed.append(replace(part, out_start=start))
        cursor = start + part.frames
    # The canvas is the largest clip (by pixels): the others are scaled to fit and letterboxed.
    largest = max(placed, key=lambda p: (p.width * p.height, p.width))
    width, height = largest.width // 2 * 2, largest.height // 2 * 2
    return ExportPlan(
        parts=tuple(placed), width=width, height=height, fps=fps, total_frames=cursor,
        has_audio=any(p.has_audio for p in placed),
    )  # fmt: skip
