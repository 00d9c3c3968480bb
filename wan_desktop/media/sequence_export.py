"""One MP4 from a sequence of clips: H.264 + AAC, crossfades, provenance in the comment.

``export_sequence(parts, dest)`` lays the parts out (:func:`.sequence_plan.plan_export`), then
streams them frame by frame into one file:

- pictures at the largest clip's size (smaller or other-shaped clips scaled to fit, centred
  on black), at ``fps`` (clips at another rate are resampled by time); a crossfade of N frames
  blends the tail of one part with the head of the next linearly, and shortens the whole by N;
- sound as 48 kHz stereo AAC, each part's sound cut to its pictures' in/out points (from
  the clip, or from the file a part names as its ``audio_path``: a preview takes pictures
  from a silent proxy and sound from the original), the same crossfades applied over the same
  time, silence for a part without sound (no sound track at all when no part has one);
- at a join without crossfade the frames are exactly the chosen ones (re-encoded once).

Memory stays flat: at most two clips are open at once and one decoded frame of each is held.
The file is written unnamed beside ``dest`` (Linux: ``O_TMPFILE``, see
:func:`~wan_desktop.core.atomic.atomic_path`) and named when whole, so a cancel, an error or a
killed process leaves nothing at all. Elsewhere it is a temporary name renamed into place;
leftovers of killed exports there (hidden ``.NAME.*.PID.part.mp4`` files whose process is
gone) are removed by the next export to the same name.

Synchronous and CPU bound (for 720p, about half a second of CPU time per second of video,
spread over x264's threads; see ``bench/bench_sequence_export.py``): run it in a worker thread,
never on the GUI thread; ``cancel`` and ``progress`` are how the GUI talks to it.
"""

from __future__ import annotations

import contextlib
import glob
import os
import threading
from collections.abc import Callable, Sequence
from fractions import Fraction
from pathlib import Path
from typing import Any

import av

from ..core.atomic import atomic_path
from .sequence_plan import (
    CROSSFADE_MAX_FRAMES,
    ExportPart,
    ExportPlan,
    PartPlan,
    SequenceExportError,
    plan_export,
)
from .sequence_sources import (
    AUDIO_LAYOUT,
    AUDIO_RATE,
    PartAudio,
    PartVideo,
    blend_frames,
    mix_crossfade,
)
from .video import VideoError, quiet_ffmpeg

__all__ = [
    "CROSSFADE_MAX_FRAMES",
    "ExportCancelled",
    "ExportPart",
    "ExportPlan",
    "SequenceExportError",
    "export_sequence",
    "plan_export",
]

#: x264 settings: CRF 18 looks like the source for generated footage; "superfast" encodes 720p
#: about twice as fast as "veryfast" (63 against 38 frames a second on two busy cores) for
#: files about twice as large, which keeps a long export well under real time. A keyframe
#: every two seconds keeps the result seekable.
_X264_OPTIONS = {"preset": "superfast", "crf": "18"}
_KEYFRAME_SECONDS = 2
_AUDIO_BIT_RATE = 192_000
#: FFmpeg's AAC encoder with its fast coder: four times faster than the default "twoloop",
#: inaudibly different at 192 kb/s.
_AAC_OPTIONS = {"aac_coder": "fast"}
#: A killed export's temporary file ends with ``.<pid>.part.mp4``; see :func:`_sweep_leftovers`.
_PART_SUFFIX = ".part.mp4"

quiet_ffmpeg()

Progress = Callable[[int, int], None]


class ExportCancelled(Exception):
    """The export was cancelled through its ``cancel`` event; nothing was written."""


def _pid_alive(pid: int) -> bool:
    if os.name == "nt":
        return True  # os.kill(pid, 0) would terminate the process there: never sweep
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # another user's process: alive
    return True


def _sweep_leftovers(dest: Path) -> None:
    """Remove temporary files that killed exports to ``dest`` left behind (their process is
    gone; a live one may still be writing, so its file is left alone)."""
    with contextlib.suppress(OSError):
        for leftover in dest.parent.glob(f".{glob.escape(dest.name)}.*{_PART_SUFFIX}"):
            pid_text = leftover.name.removesuffix(_PART_SUFFIX).rsplit(".", 1)[-1]
            if pid_text.isdigit() and not _pid_alive(int(pid_text)):
                with contextlib.suppress(OSError):
                    leftover.unlink()


class _Writer:
    """The output container and its two encoders; frames go in, packets are muxed."""

    def __init__(self, out: Any, plan: ExportPlan, comment: str):
        self._out = out
        if comment:
            out.metadata["comment"] = comment
        video = out.add_stream("libx264", rate=plan.fps)
        video.width, video.height, video.pix_fmt = plan.width, plan.height, "yuv420p"
        video.options = dict(_X264_OPTIONS, g=str(plan.fps * _KEYFRAME_SECONDS))
        # Kept apart: the muxer changes the stream's time base when it writes the header.
        self._frame_time_base = Fraction(1, plan.fps)
        video.time_base = self._frame_time_base
        self._video = video
        self._audio = None
        if plan.has_audio:
            self._audio = out.add_stream("aac", rate=AUDIO_RATE, layout=AUDIO_LAYOUT)
            self._audio.bit_rate = _AUDIO_BIT_RATE
            self._audio.options = dict(_AAC_OPTIONS)
        self._frame_index = 0
        self._sample_index = 0

    def picture(self, frame: Any) -> None:
        """Encode the next output picture (a canvas-sized yuv420p frame)."""
        frame.pts = self._frame_index
        frame.time_base = self._frame_time_base
        # A decoded frame keeps its I/P/B type, which x264 would obey; let x264 choose.
        frame.pict_type = av.video.frame.PictureType.NONE
        self._frame_index += 1
        self._out.mux(self._video.encode(frame))

    def sound(self, planes: tuple[bytes, bytes]) -> None:
        """Encode the next chunk of sound (left and right float32 planes)."""
        if self._audio is None:
            return
        samples = len(planes[0]) // 4
        if samples == 0:
            return
        frame = av.AudioFrame(format="fltp", layout=AUDIO_LAYOUT, samples=samples)
        for plane, data in zip(frame.planes, planes, strict=True):
            plane.update(data)
        frame.sample_rate = AUDIO_RATE
        frame.time_base = Fraction(1, AUDIO_RATE)
        frame.pts = self._sample_index
        self._sample_index += samples
        self._out.mux(self._audio.encode(frame))

    def finish(self) -> None:
        """Drain both encoders."""
        self._out.mux(self._video.encode(None))
        if self._audio is not None:
            self._out.mux(self._audio.encode(None))


class _Clock:
    """Output frame ``g`` → how many samples of sound it covers (sample boundaries are
    rounded from the frame times, so the sound never drifts from the pictures)."""

    def __init__(self, fps: int):
        self._fps = fps

    def sample_at(self, frame: int) -> int:
        return round(frame * AUDIO_RATE / self._fps)

    def samples(self, frame: int) -> int:
        return self.sample_at(frame + 1) - self.sample_at(frame)


class _Run:
    """One export in progress: the writer, the clock, the counters, progress and cancel."""

    def __init__(self, plan: ExportPlan, writer: _Writer, progress, cancel):
        self.plan = plan
        self.writer = writer
        self.clock = _Clock(plan.fps)
        self.done = 0
        self._progress = progress
        self._cancel = cancel
        self._reported = -1

    def check(self) -> None:
        if self._cancel is not None and self._cancel.is_set():
            raise ExportCancelled("the export was cancelled")

    def emitted(self) -> None:
        """Count one output frame; report progress when the whole percent changes."""
        self.done += 1
        total = self.plan.total_frames
        percent = self.done * 100 // total
        if self._progress is not None and (percent != self._reported or self.done == total):
            self._reported = percent
            self._progress(self.done, total)


def _solo(run: _Run, video: PartVideo, audio: PartAudio, count: int) -> None:
    """``count`` output frames of one part alone."""
    for _ in range(count):
        run.check()
        n = run.clock.samples(run.done)
        run.writer.picture(video.next_frame())
        run.writer.sound(audio.read(n))
        run.emitted()


_Readers = tuple[PartVideo, PartAudio]


def _crossfade(run: _Run, previous: _Readers, part: PartPlan, current: _Readers) -> None:
    """The ``part.crossfade`` frames where ``previous`` fades into ``current``: pictures
    weighted (k + 1) / (N + 1), so neither end repeats a pure frame; sound over the same
    samples."""
    frames = part.crossfade
    fade_start = run.clock.sample_at(run.done)
    fade_samples = run.clock.sample_at(run.done + frames) - fade_start
    for k in range(frames):
        run.check()
        first = run.clock.sample_at(run.done) - fade_start
        n = run.clock.samples(run.done)
        picture = blend_frames(
            previous[0].next_frame(), current[0].next_frame(), (k + 1) / (frames + 1)
        )
        run.writer.picture(picture)
        run.writer.sound(
            mix_crossfade(previous[1].read(n), current[1].read(n), first, fade_samples)
        )
        run.emitted()


def _open_readers(part: PartPlan, canvas: tuple[int, int]) -> _Readers:
    video = PartVideo(part, canvas)
    try:
        return video, PartAudio(part)
    except BaseException:
        video.close()
        raise


def _stream_parts(run: _Run) -> None:
    parts = run.plan.parts
    canvas = (run.plan.width, run.plan.height)
    previous: _Readers | None = None
    try:
        for i, part in enumerate(parts):
            current = _open_readers(part, canvas)
            try:
                if previous is not None and part.crossfade:
                    _crossfade(run, previous, part, current)
            finally:
                if previous is not None:
                    for reader in previous:
                        reader.close()
                    previous = None
            previous = current
            following = parts[i + 1].crossfade if i + 1 < len(parts) else 0
            _solo(run, *current, part.frames - part.crossfade - following)
    finally:
        if previous is not None:
            for reader in previous:
                reader.close()


def export_sequence(
    parts: Sequence[ExportPart | tuple],
    dest: Path | str,
    *,
    fps: int = 24,
    progress: Progress | None = None,
    cancel: threading.Event | None = None,
    comment: str = "",
) -> ExportPlan:
    """Write the sequence ``parts`` — each ``(video path, start_frame, end_frame,
    crossfade_frames[, audio_path])``, see :class:`ExportPart` — to the MP4 ``dest``; returns
    its plan (size, frame count, duration).

    ``progress(done, total)`` is called from this thread, in output frames, about every
    percent. ``cancel`` (a ``threading.Event``) stops the export at the next frame with
    :class:`ExportCancelled`. ``comment`` goes into the MP4 ``comment`` tag (the sequence's
    provenance, as JSON). ``dest`` appears only when complete and is replaced if it exists.

    Raises :class:`SequenceExportError` for parts that cannot be exported as asked (naming the
    clip, field and limit), :class:`~wan_desktop.media.video.VideoError` for a clip that fails
    to decode, ``OSError`` when ``dest`` cannot be written.
    """
    plan = plan_export(list(parts), fps=fps)
    dest = Path(dest)
    _sweep_leftovers(dest)
    if progress is not None:
        progress(0, plan.total_frames)
    with atomic_path(dest, suffix=f".{os.getpid()}{_PART_SUFFIX}", unnamed=True) as tmp:
        try:
            with av.open(str(tmp), "w", format="mp4", options={"movflags": "+faststart"}) as out:
                run = _Run(plan, _Writer(out, plan, comment), progress, cancel)
                _stream_parts(run)
                run.writer.finish()
        except av.FFmpegError as exc:
            raise VideoError(f"the sequence could not be encoded ({exc}).") from exc
    return plan
