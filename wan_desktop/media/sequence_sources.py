"""Reading one part of a sequence frame by frame, for the exporter: its pictures fitted to the
canvas (:class:`PartVideo`) and its sound as 48 kHz stereo float samples (:class:`PartAudio`).

Both read forward only and hold one decoded frame (or under a second of sound) at a time, so
an export's memory does not grow with the clips. Each opens its own container: a file whose
sound and pictures are far apart would otherwise make one of them queue up. Not thread-safe:
one reader per worker thread.
"""

from __future__ import annotations

import array
from fractions import Fraction
from typing import Any

import av

from . import yuv_frames
from .sequence_plan import PartPlan, fit_inside
from .video import VideoError, open_video, quiet_ffmpeg

__all__ = [
    "AUDIO_LAYOUT",
    "AUDIO_RATE",
    "PartAudio",
    "PartVideo",
    "blend_frames",
    "mix_crossfade",
    "silence",
]

AUDIO_RATE = 48_000
AUDIO_LAYOUT = "stereo"
_CHANNELS = 2
_SAMPLE_BYTES = 4  # float32

quiet_ffmpeg()


class PartVideo:
    """The pictures of one part, in output order: :meth:`next_frame` returns output frame
    0, 1, 2… of the part as a yuv420p frame of the canvas size. A clip that ends early (fewer
    frames than its header says) holds its last picture, so the timeline never shifts."""

    def __init__(self, part: PartPlan, canvas: tuple[int, int]):
        self._part = part
        self._canvas = canvas
        self._fit = fit_inside((part.width, part.height), canvas)
        self._letterbox = yuv_frames.Letterbox(canvas, self._fit)
        self._container = open_video(part.path)
        stream = self._container.streams.video[0]
        stream.thread_type = "AUTO"  # frame threads: decoding keeps pace with the encoder
        self._stream = stream
        self._time_base = stream.time_base or Fraction(1, 90_000)
        self._first_pts = stream.start_time or 0
        self._decoded = self._decode_from(part.start_frame)
        self._current: Any = None  # the latest decoded frame and its index in the clip
        self._current_index = -1
        self._lookahead: tuple[Any, int] | None = None  # decoded, not yet on screen
        self._emitted = 0

    def _decode_from(self, start: int) -> Any:
        """Decoded frames from the keyframe at or before ``start`` (the start of the clip when
        a seek is not needed or fails)."""
        if start > 0:
            target = self._first_pts + int(start / self._part.source_fps / self._time_base)
            try:
                self._container.seek(target, stream=self._stream, backward=True)
            except av.FFmpegError:
                self._container.seek(0)
        return self._container.decode(self._stream)

    def _index_of(self, frame: Any, fallback: int) -> int:
        if frame.pts is None:
            return fallback
        seconds = (frame.pts - self._first_pts) * self._time_base
        return round(float(seconds) * self._part.source_fps)

    def _decode_next(self) -> tuple[Any, int] | None:
        try:
            frame = next(self._decoded, None)
        except av.FFmpegError as exc:
            raise VideoError(f"{self._part.path.name}: a frame failed to decode ({exc}).") from exc
        if frame is None:
            return None
        return frame, self._index_of(frame, self._current_index + 1)

    def _frame_at(self, wanted: int) -> Any:
        """The decoded frame on screen at clip frame ``wanted``: the last one whose index is
        at most ``wanted`` (the first decoded one if a seek landed past it; the last one when
        the clip ended early)."""
        while True:
            if self._lookahead is None:
                self._lookahead = self._decode_next()
                if self._lookahead is None:
                    break
            frame, index = self._lookahead
            if self._current is not None and index > wanted:
                break  # a gap in the timestamps: this frame belongs to a later call
            self._current, self._current_index = frame, index
            self._lookahead = None
            if index >= wanted:
                break
        if self._current is None:
            raise VideoError(f"{self._part.path.name} has no video frames.")
        return self._current

    def next_frame(self) -> Any:
        """The part's next output frame as a canvas-sized yuv420p ``av.VideoFrame``."""
        wanted = self._part.source_index(self._emitted)
        self._emitted += 1
        return self._to_canvas(self._frame_at(wanted))

    def _to_canvas(self, frame: Any) -> Any:
        if self._fit == (frame.width, frame.height) == self._canvas:
            return frame.reformat(format="yuv420p")  # the frame itself when already yuv420p
        if self._fit == self._canvas:
            width, height = self._canvas
            return frame.reformat(width=width, height=height, format="yuv420p",
                                  interpolation="BICUBIC")  # fmt: skip
        return self._letterbox(frame)

    def close(self) -> None:
        """Close the clip (idempotent)."""
        self._container.close()


def blend_frames(a: Any, b: Any, weight_b: float) -> Any:
    """``a`` and ``b`` (canvas-sized yuv420p frames) mixed linearly, ``weight_b`` of ``b``."""
    return yuv_frames.blend(a, b, weight_b)


def silence(samples: int) -> tuple[bytes, bytes]:
    """``samples`` of silence, one float32 plane per channel."""
    plane = bytes(samples * _SAMPLE_BYTES)
    return plane, plane


class PartAudio:
    """The sound of one part from its in-point: :meth:`read` returns the next ``n`` samples
    (48 kHz, left and right float32 planes), read from the part's
    :attr:`~.sequence_plan.PartPlan.sound_path` (the clip, or the file named to give its
    sound). A part without sound, or past the end of its sound, gives silence, so every
    part's sound lasts exactly as long as its pictures."""

    def __init__(self, part: PartPlan):
        self._container = open_video(part.sound_path) if part.has_audio else None
        self._fifo = av.AudioFifo()
        self._resampler = av.AudioResampler(format="fltp", layout=AUDIO_LAYOUT, rate=AUDIO_RATE)
        self._frames: Any = None
        self._skip = 0  # samples before the in-point still to drop
        if self._container is not None and self._container.streams.audio:
            stream = self._container.streams.audio[0]
            if part.start_s > 0:
                try:
                    self._container.seek(int(part.start_s * av.time_base), backward=True)
                except av.FFmpegError:
                    self._container.seek(0)
            self._frames = self._container.decode(stream)
            self._start_s = part.start_s
            self._first = True

    def _pull(self) -> bool:
        """Decode one more frame into the FIFO; False at the end of the sound."""
        try:
            frame = next(self._frames, None)
        except av.FFmpegError:
            frame = None  # a damaged tail: the rest is silence rather than a failed export
        if frame is None:
            self._frames = None
            for flushed in self._resampler.resample(None):
                self._write(flushed)
            return False
        if self._first:
            self._first = False
            begins = frame.time if frame.time is not None else 0.0
            self._skip = max(0, round((self._start_s - begins) * AUDIO_RATE))
        for resampled in self._resampler.resample(frame):
            self._write(resampled)
        return True

    def _write(self, frame: Any) -> None:
        frame.pts = None  # the FIFO counts samples itself; seek-skewed stamps would upset it
        self._fifo.write(frame)
        if self._skip:
            dropped = min(self._skip, self._fifo.samples)
            if dropped:
                self._fifo.read(dropped)
                self._skip -= dropped

    def read(self, n: int) -> tuple[bytes, bytes]:
        """The next ``n`` samples as (left, right) float32 planes, silence-padded."""
        while self._frames is not None and self._fifo.samples < n:
            self._pull()
        have = min(n, self._fifo.samples)
        if have == 0:
            return silence(n)
        frame = self._fifo.read(have)
        size = have * _SAMPLE_BYTES
        pad = bytes((n - have) * _SAMPLE_BYTES)
        left, right = (bytes(plane)[:size] + pad for plane in frame.planes[:_CHANNELS])
        return left, right

    def close(self) -> None:
        """Close the clip (idempotent)."""
        if self._container is not None:
            self._container.close()


def mix_crossfade(
    out_going: tuple[bytes, bytes], in_coming: tuple[bytes, bytes], first: int, total: int
) -> tuple[bytes, bytes]:
    """A linear crossfade of two equal-length chunks: sample ``i`` of the chunk is sample
    ``first + i`` of a fade ``total`` samples long (the incoming side's weight rises from
    near 0 to near 1 across the whole fade, not per chunk)."""
    mixed = []
    for a_bytes, b_bytes in zip(out_going, in_coming, strict=True):
        a = array.array("f", a_bytes)
        b = array.array("f", b_bytes)
        out = array.array("f", bytes(len(a_bytes)))
        for i in range(len(a)):
            weight = (first + i + 0.5) / total
            out[i] = a[i] + (b[i] - a[i]) * weight
        mixed.append(out.tobytes())
    return mixed[0], mixed[1]
