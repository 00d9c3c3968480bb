"""Frame-exact reading of a video (PyAV): any frame by its number or by a time.

Frame ``i`` is the ``i``-th picture a plain ``for frame in container.decode(video=0)`` yields:
presentation order, packets the demuxer marks as discarded (an MP4 edit list's pre-roll) not
counted. :class:`FrameReader` learns every frame's timestamp once, from a demux of the packets
(no decoding, a few ms), then reaches frame ``i`` by seeking to the keyframe at or before it
and decoding forward; the decoder stays where it stopped, so stepping forward costs one frame.

Pictures come out as packed RGB24 by default (Pillow's "RGB"), or as 32-bit BGRA
(:data:`PIXEL_FORMATS`): the bytes of Qt's ``Format_RGB32`` on a little-endian machine (every
one PySide6 is built for), which a ``QImage`` wraps as they are, with no conversion pass.
Scaling is FFmpeg's area average by default, or its fast bilinear filter (:data:`SCALINGS`).

Synchronous and CPU bound: use a reader from a worker thread, one reader per thread (a PyAV
container is not thread-safe). Decoding and scaling run in FFmpeg with the interpreter lock
released; the only copy made under it is one ``memcpy`` of the output picture. The reader
keeps one scaling context for its life, single-threaded: a context made per frame (PyAV's
``VideoFrame.reformat``) costs more than the scaling itself, and FFmpeg's automatic slice
threads would start a pool per context sized to the machine, while the app already runs one
reader per worker thread. Failures are
:class:`FrameReadError` (a :class:`~wan_desktop.media.video.VideoError`) with a sentence for
people; a frame number or size out of range is a :class:`ValueError` naming it and the limit.
"""

from __future__ import annotations

import bisect
from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from types import TracebackType
from typing import Any

import av
from av.video.reformatter import VideoReformatter

from wan_desktop.media.video import VideoError, quiet_ffmpeg

__all__ = ["PIXEL_FORMATS", "SCALINGS", "Frame", "FrameReadError", "FrameReader"]

#: The output pixel formats (FFmpeg's names) and their bytes per pixel: ``rgb24`` (R, G, B)
#: and ``bgra`` (B, G, R, 255: ``QImage.Format_RGB32`` in a little-endian machine's memory).
#: Both are exact: BGRA is the RGB24 picture, byte for byte, reordered.
PIXEL_FORMATS = {"rgb24": 3, "bgra": 4}
#: The output scalers, by name: ``area`` (FFmpeg's area average: the sharpest downscale
#: without aliasing) and ``fast_bilinear`` (cheaper, softer; for pictures played, not studied).
SCALINGS = {"area": "AREA", "fast_bilinear": "FAST_BILINEAR"}

# Stepping forward by up to this many frames decodes on from where the decoder is, even when
# a keyframe lies between: a seek and decode from the keyframe would cost about as much.
_DECODE_ON_MAX = 12
# The most recently decoded pictures kept before conversion (references to the decoder's
# buffers, about 3 MB each at 1080p): a step back among them, or a new output size, costs a
# conversion instead of a seek and a decode from the keyframe.
_KEEP_DECODED = 8
# A time that lands within this much of a frame's start shows that frame (float rounding of
# times computed from another clip's rate must not show the frame before).
_TIME_SLACK_S = 1e-6


class FrameReadError(VideoError):
    """A video whose frames cannot be read exactly; ``str()`` is a sentence for people."""


@dataclass(frozen=True, slots=True)
class Frame:
    """One decoded picture.

    ``index`` is its frame number (0-based, as the decoder enumerates them), ``time_s`` its
    presentation time in seconds from the first frame, ``width`` × ``height`` the output size
    in pixels, ``pixels`` the picture in ``pixel_format`` (one of :data:`PIXEL_FORMATS`), rows
    top to bottom, ``stride`` bytes apart. RGB24 rows are packed (``stride == 3 * width``);
    32-bit rows keep FFmpeg's alignment (a multiple of 4 bytes, as ``QImage`` takes them).
    """

    index: int
    time_s: float
    width: int
    height: int
    pixels: bytes
    pixel_format: str = "rgb24"
    stride: int = 0

    def __post_init__(self) -> None:
        if self.stride == 0:  # packed rows
            object.__setattr__(self, "stride", PIXEL_FORMATS[self.pixel_format] * self.width)

    @property
    def rgb(self) -> bytes:
        """The pixels as packed RGB24 (Pillow's "RGB"); a :class:`ValueError` for a frame read
        in another format."""
        if self.pixel_format != "rgb24":
            raise ValueError(
                f"frame {self.index} was read as {self.pixel_format}, not rgb24: use its "
                "pixels and stride."
            )
        return self.pixels


def _fit(width: int, height: int, max_size: tuple[int, int] | None) -> tuple[int, int]:
    """``width`` × ``height`` shrunk (never enlarged) to fit ``max_size``, aspect kept."""
    if max_size is None:
        return width, height
    max_w, max_h = max_size
    if max_w < 1 or max_h < 1:
        raise ValueError(f"max_size must be at least 1×1 pixels (got {max_w}×{max_h}).")
    scale = min(max_w / width, max_h / height, 1.0)
    if scale >= 1.0:
        return width, height
    return max(1, min(max_w, round(width * scale))), max(1, min(max_h, round(height * scale)))


@dataclass(frozen=True, slots=True)
class _Index:
    """What a demux of the video packets tells: each frame's pts in presentation order, the
    frame numbers of the keyframes (ascending), and the last frame's duration in pts units."""

    pts: list[int]
    keyframes: list[int]
    last_duration: int


def _scan(container: Any, stream: Any, name: str) -> _Index:
    """Demux (no decoding) the video packets; raise :class:`FrameReadError` when their
    timestamps cannot number the frames."""
    pts: list[int] = []
    key_pts: list[int] = []
    durations: dict[int, int] = {}
    try:
        for packet in container.demux(stream):
            if packet.size == 0 or packet.is_discard:
                continue  # the end-of-stream marker; pre-roll the decoder drops
            if packet.pts is None:
                raise FrameReadError(
                    f"{name} has video frames without timestamps; frames cannot be found "
                    "by number in it."
                )
            pts.append(packet.pts)
            durations[packet.pts] = int(packet.duration or 0)
            if packet.is_keyframe:
                key_pts.append(packet.pts)
    except av.FFmpegError as exc:
        raise FrameReadError(f"{name} is damaged: its packets cannot be read ({exc}).") from exc
    if not pts:
        raise FrameReadError(f"{name} has no video frames.")
    pts.sort()
    if len(set(pts)) != len(pts):
        raise FrameReadError(
            f"{name} has two video frames with the same timestamp; frames cannot be found "
            "by number in it."
        )
    if not key_pts:
        raise FrameReadError(f"{name} has no keyframe to start decoding from.")
    where = {p: i for i, p in enumerate(pts)}
    keyframes = sorted({where[p] for p in key_pts})
    return _Index(pts, keyframes, durations.get(pts[-1], 0))


class FrameReader:
    """One open video, read frame by frame (see the module docstring for the numbering).

    ``max_size`` (width, height) scales the output down to fit, keeping the aspect; None keeps
    the video's own size. ``pixel_format`` is one of :data:`PIXEL_FORMATS` and ``scaling`` one
    of :data:`SCALINGS` (what the frames are converted to and how they are resized).
    ``decode_threads`` is the decoder's thread count: 0 lets FFmpeg choose (a pool per reader
    sized to the machine), 1 decodes on the reading thread only, for many readers at once.
    Attributes: ``fps`` (average rate, frames per second), ``frame_count``, ``duration_s``
    (from the first frame's start to the last frame's end), ``width`` and ``height`` (the
    output size), ``seek_count`` (seeks made so far: stepping forward makes none). Not
    thread-safe: one reader per worker thread. A context manager; :meth:`close` releases the
    file. Raises :class:`FrameReadError` when the file is missing, not a video, or its frames
    cannot be numbered, and :class:`ValueError` for an unknown format or scaling.
    """

    def __init__(
        self,
        path: Path,
        *,
        max_size: tuple[int, int] | None = None,
        pixel_format: str = "rgb24",
        scaling: str = "area",
        decode_threads: int = 0,
    ) -> None:
        if pixel_format not in PIXEL_FORMATS:
            raise ValueError(
                f"pixel_format must be one of {', '.join(PIXEL_FORMATS)} (got {pixel_format!r})."
            )
        if scaling not in SCALINGS:
            raise ValueError(f"scaling must be one of {', '.join(SCALINGS)} (got {scaling!r}).")
        if not 0 <= decode_threads <= 64:
            raise ValueError(f"decode_threads must be from 0 to 64 (got {decode_threads}).")
        self._decode_threads = decode_threads
        self.pixel_format = pixel_format
        self._interpolation = SCALINGS[scaling]
        self._reformatter = VideoReformatter()
        quiet_ffmpeg()
        path = Path(path)
        self._name = path.name
        if not path.is_file():
            raise FrameReadError(f"{path.name}: no such video file.")
        try:
            self._container = av.open(str(path), "r")
        except (av.FFmpegError, OSError, ValueError) as exc:
            raise FrameReadError(
                f"{path.name} is not a video file FFmpeg can read ({exc})."
            ) from exc
        try:
            self._setup(max_size)
        except BaseException:
            self._container.close()
            raise

    def _setup(self, max_size: tuple[int, int] | None) -> None:
        container = self._container
        if not container.streams.video:
            raise FrameReadError(f"{self._name} has no video track.")
        stream = container.streams.video[0]
        self._stream = stream
        ctx = stream.codec_context
        if ctx is None:
            raise FrameReadError(f"{self._name}: its video is in a format FFmpeg cannot decode.")
        if self._decode_threads:
            ctx.thread_count = self._decode_threads  # before the first decode opens the codec
        if not ctx.width or not ctx.height:
            raise FrameReadError(f"{self._name} does not say how large its pictures are.")
        if stream.time_base is None:
            raise FrameReadError(f"{self._name} has no time base for its video timestamps.")
        self._time_base: Fraction = stream.time_base
        index = _scan(container, stream, self._name)
        self._pts = index.pts
        self._keyframes = index.keyframes
        self._number = {p: i for i, p in enumerate(index.pts)}
        first = index.pts[0]
        self._times = [float((p - first) * self._time_base) for p in index.pts]
        self.frame_count: int = len(index.pts)
        rate = stream.average_rate or stream.guessed_rate
        span = self._times[-1]
        if rate:
            self.fps: float = float(rate)
        else:
            self.fps = (self.frame_count - 1) / span if span > 0 else 0.0
        if index.last_duration > 0:
            last = float(index.last_duration * self._time_base)
        else:
            last = 1.0 / self.fps if self.fps > 0 else 0.0
        self.duration_s: float = span + last
        self._source = (int(ctx.width), int(ctx.height))
        self.width, self.height = _fit(*self._source, max_size)
        self._recent: OrderedDict[int, Any] = OrderedDict()  # number -> decoded picture
        self._decoded: Iterator[Any] | None = None
        self._position = -1  # the frame number the decoder last yielded
        self._last: Frame | None = None
        self._closed = False
        self.seek_count = 0

    # -- the public reading API -------------------------------------------------------------

    def frame_at(self, index: int) -> Frame:
        """Frame number ``index`` (0 ≤ index < :attr:`frame_count`), exact.

        Raises :class:`ValueError` when ``index`` is out of range and :class:`FrameReadError`
        when the frame cannot be decoded.
        """
        if not 0 <= index < self.frame_count:
            raise ValueError(
                f"frame index {index} is out of range: {self._name} has {self.frame_count} "
                f"frames (0 to {self.frame_count - 1})."
            )
        if self._closed:
            raise FrameReadError(f"{self._name} was closed; open a new reader to read it.")
        if self._last is not None and self._last.index == index:
            return self._last
        frame = self._recent.get(index)
        if frame is None:
            frame = self._decode_to(index)
        self._last = self._to_frame(frame, index)
        return self._last

    def set_max_size(self, max_size: tuple[int, int] | None) -> None:
        """Make the frames read from now on fit ``max_size`` (None: the video's own size),
        aspect kept, never enlarged; :attr:`width` and :attr:`height` follow. The decoder
        keeps its place and the last few decoded pictures are converted again, so reading
        one of them at the new size costs no seek."""
        self.width, self.height = _fit(*self._source, max_size)
        self._last = None

    def frame_at_time(self, seconds: float) -> Frame:
        """The frame on screen ``seconds`` after the first frame starts: the last frame that
        starts at or before that time. Times before the start show frame 0, times past the end
        the last frame (a shorter clip holds its last picture)."""
        return self.frame_at(self.index_at_time(seconds))

    def index_at_time(self, seconds: float) -> int:
        """The number of the frame :meth:`frame_at_time` returns, without decoding it."""
        return max(0, bisect.bisect_right(self._times, seconds + _TIME_SLACK_S) - 1)

    def time_of(self, index: int) -> float:
        """Frame ``index``'s presentation time, in seconds from the first frame's start."""
        return self._times[index]

    def close(self) -> None:
        """Release the file (further reads raise :class:`FrameReadError`)."""
        self._closed = True
        self._decoded = None
        self._last = None
        self._recent.clear()
        self._container.close()

    def __enter__(self) -> FrameReader:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # -- decoding ---------------------------------------------------------------------------

    def _key_before(self, index: int) -> int:
        """The position in ``_keyframes`` of the last keyframe at or before frame ``index``."""
        return max(0, bisect.bisect_right(self._keyframes, index) - 1)

    def _decode_to(self, index: int) -> Any:
        """The decoded PyAV frame number ``index``: decode on from the current position when
        that is cheap, else seek to the keyframe before it (an earlier one, then the start,
        when a seek lands past the target)."""
        key_at = self._key_before(index)
        if (
            self._decoded is not None
            and self._position < index
            and (
                self._keyframes[key_at] <= self._position
                or index - self._position <= _DECODE_ON_MAX
            )
        ):
            frame = self._decode_forward(index)
            if frame is not None:
                return frame
        while True:
            key = self._keyframes[key_at]
            frame = self._decode_forward(index, seek_to=key)
            if frame is not None:
                return frame
            if key_at == 0:
                raise FrameReadError(
                    f"Frame {index} of {self._name} could not be decoded (the file may be damaged)."
                )
            key_at -= 1  # the seek landed past the target: start from an earlier keyframe

    def _decode_forward(self, index: int, *, seek_to: int | None = None) -> Any:
        """Decode until frame ``index`` (after seeking to frame ``seek_to`` when given); None
        when the decoder passes the target without yielding it (a seek that overshot)."""
        target = self._pts[index]
        try:
            if seek_to is not None:
                self._decoded = None
                self._position = -1
                self.seek_count += 1
                self._container.seek(
                    self._pts[seek_to], stream=self._stream, backward=True, any_frame=False
                )
                self._decoded = self._container.decode(self._stream)
            assert self._decoded is not None
            for frame in self._decoded:
                number = self._number.get(frame.pts) if frame.pts is not None else None
                if number is None:
                    continue  # a leading picture of an open GOP that cannot be shown
                self._position = number
                self._recent[number] = frame
                self._recent.move_to_end(number)
                if len(self._recent) > _KEEP_DECODED:
                    self._recent.popitem(last=False)
                if frame.pts == target:
                    return frame
                if frame.pts > target:
                    return None
        except av.FFmpegError as exc:
            self._decoded = None
            raise FrameReadError(
                f"Frame {index} of {self._name} could not be decoded ({exc})."
            ) from exc
        self._decoded = None  # the end of the video: a new seek starts the next read
        return None

    def _to_frame(self, frame: Any, index: int) -> Frame:
        """``frame`` in :attr:`pixel_format` at the output size."""
        try:
            out = self._reformatter.reformat(
                frame,
                width=self.width,
                height=self.height,
                format=self.pixel_format,
                interpolation=self._interpolation,
                threads=1,
            )
        except av.FFmpegError as exc:
            raise FrameReadError(
                f"Frame {index} of {self._name} could not be converted to "
                f"{self.pixel_format} ({exc})."
            ) from exc
        plane = out.planes[0]
        row = PIXEL_FORMATS[self.pixel_format] * self.width
        stride = plane.line_size
        if stride == row or self.pixel_format != "rgb24":
            # One copy; 32-bit rows keep FFmpeg's padding (their stride says where rows start).
            data = bytes(plane)
        else:
            # FFmpeg pads each row to an alignment: RGB24 frames are packed, rows only.
            view = memoryview(plane)
            data = b"".join(view[y * stride : y * stride + row] for y in range(self.height))
            stride = row
        return Frame(
            index, self._times[index], self.width, self.height, data, self.pixel_format, stride
        )
