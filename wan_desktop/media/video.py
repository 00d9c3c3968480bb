"""Video files: probe, poster frame, the exact last frame, and a playability check (PyAV).

Every function here is synchronous and CPU/disk bound (a few to a few hundred ms): call it from
a worker thread or an executor, never from the GUI thread. Only plain data and Pillow images
come back; no PyAV object escapes this module.

FFmpeg's own log output is silenced through ``av.logging`` (PyAV's "ignore" level, made explicit
here so a stray ``restore_default_callback`` elsewhere does not bring the stream dumps back);
failures surface as :class:`VideoError` with a sentence for people instead.
"""

from __future__ import annotations

import hashlib
import os
import threading
from dataclasses import asdict, dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

import av
import av.logging
from PIL import Image

__all__ = [
    "POSTER_MAX_SIDE_PX",
    "Stills",
    "VideoError",
    "VideoInfo",
    "check_playable",
    "last_frame",
    "open_video",
    "poster",
    "probe",
    "quiet_ffmpeg",
    "stills",
    "video_stream",
]

POSTER_MAX_SIDE_PX = 480
#: Where the poster frame is taken, as a fraction of the duration: past any fade-in.
_POSTER_AT = 0.10
#: Codecs we accept as "plays everywhere" (the service and the offline engine make H.264).
_PLAYABLE_CODECS = frozenset({"h264"})


def quiet_ffmpeg() -> None:
    """Keep FFmpeg's log lines off stderr (PyAV's ``None`` level: logs ignored)."""
    av.logging.set_level(None)


quiet_ffmpeg()


class VideoError(Exception):
    """A video file that cannot be read or played; ``str()`` is a sentence for people."""


@dataclass(frozen=True, slots=True)
class VideoInfo:
    """What :func:`probe` learns about a video file.

    ``fps`` in frames per second (average rate), ``duration_s`` in seconds, ``size_bytes`` the
    file size. ``frame_count`` is counted from the container's packets when the header has no
    count. ``video_codec`` is FFmpeg's codec name (``h264``), ``pix_fmt`` e.g. ``yuv420p``.
    """

    width: int
    height: int
    fps: float
    duration_s: float
    frame_count: int
    has_audio: bool
    video_codec: str
    pix_fmt: str
    size_bytes: int

    def to_dict(self) -> dict[str, Any]:
        """Plain data for JSON."""
        return asdict(self)


def open_video(path: Path | str) -> av.container.InputContainer:
    """``path`` opened for reading by PyAV; :class:`VideoError` naming the file when FFmpeg
    cannot read it (the caller closes the container)."""
    path = Path(path)
    try:
        return av.open(str(path), "r")
    except (av.FFmpegError, OSError, ValueError) as exc:
        raise VideoError(f"{path.name} is not a video file FFmpeg can read ({exc}).") from exc


def _open(path: Path | str) -> av.container.InputContainer:
    path = Path(path)
    if not path.is_file():
        raise VideoError(f"{path.name}: no such video file.")
    return open_video(path)


def video_stream(container: av.container.InputContainer, path: Path | str) -> Any:
    """The first video stream of ``container`` (opened from ``path``); :class:`VideoError`
    naming the file when it has none."""
    if not container.streams.video:
        raise VideoError(f"{Path(path).name} has no video track.")
    return container.streams.video[0]


def _seconds(value: int | None, time_base: Fraction | None) -> float | None:
    if value is None or time_base is None:
        return None
    return float(value * time_base)


def probe(path: Path | str) -> VideoInfo:
    """Read a video's dimensions, rate, duration, frame count and tracks (a few ms).

    Raises :class:`VideoError` when the file is missing or not a video.
    """
    path = Path(path)
    with _open(path) as container:
        stream = video_stream(container, path)
        ctx = stream.codec_context
        rate = stream.average_rate or stream.guessed_rate or stream.base_rate
        fps = float(rate) if rate else 0.0
        frame_count = int(stream.frames or 0)
        if frame_count <= 0:
            # Some muxers leave the count out: count packets (demux only, no decoding).
            frame_count = sum(1 for p in container.demux(stream) if p.size)
        duration = _seconds(stream.duration, stream.time_base)
        if duration is None and container.duration is not None:
            duration = container.duration / av.time_base
        if duration is None:
            duration = frame_count / fps if fps else 0.0
        return VideoInfo(
            width=int(ctx.width),
            height=int(ctx.height),
            fps=round(fps, 3),
            duration_s=round(duration, 3),
            frame_count=frame_count,
            has_audio=bool(container.streams.audio),
            video_codec=str(ctx.name),
            pix_fmt=str(ctx.pix_fmt or ""),
            size_bytes=path.stat().st_size,
        )


_CONVERT_LOCK = threading.Lock()


def _rgb_image(frame: Any) -> Image.Image:
    """The decoded ``frame`` as an RGB Pillow image, the same pixels as ``to_image()``.

    FFmpeg converts it to packed RGB, then Pillow copies those rows once. ``to_image()``
    copies a 1080p frame three times more while holding the interpreter lock, which stalls
    the GUI thread for tens of milliseconds.
    """
    # One conversion at a time: a remembered last frame (see _last_of) is shared between
    # threads, and PyAV keeps one scaler per frame, which two threads must not drive at once
    # (seen: a worker hung for ever in reformat while another filed the same clip).
    with _CONVERT_LOCK:
        plane = frame.reformat(format="rgb24").planes[0]
        if plane.line_size <= 0:
            return frame.to_image()  # a bottom-up picture: PyAV knows the row order
        size = (plane.width, plane.height)
        return Image.frombuffer("RGB", size, plane, "raw", "RGB", plane.line_size, 1)


def _thumbnail(image: Image.Image, max_side: int) -> Image.Image:
    if image.mode != "RGB":
        image = image.convert("RGB")
    if max(image.size) > max_side:
        image.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
    return image


def poster(path: Path | str, max_side: int = POSTER_MAX_SIDE_PX) -> Image.Image:
    """A still for lists: the frame about 10% into the video (or the first), RGB, longest side
    at most ``max_side`` pixels. Raises :class:`VideoError`."""
    path = Path(path)
    with _open(path) as container:
        return _poster_of(container, video_stream(container, path), path, max_side)


@dataclass(frozen=True, slots=True)
class Stills:
    """What :func:`stills` takes from a video: the :func:`poster` and the :func:`last_frame`."""

    poster: Image.Image
    last_frame: Image.Image


def stills(path: Path | str, max_side: int = POSTER_MAX_SIDE_PX) -> Stills:
    """The poster and the exact last frame together (the same pictures as :func:`poster` and
    :func:`last_frame`), from one opening of the file: each frame is decoded from its own
    keyframe and turned into a picture once. Raises :class:`VideoError`."""
    path = Path(path)
    with _open(path) as container:
        stream = video_stream(container, path)
        still = _poster_of(container, stream, path, max_side)
        container.seek(0)
        scan = _keyframe_scan(container, stream)
        return Stills(still, _rgb_image(_last_of(container, stream, scan, path)))


def _poster_of(container: Any, stream: Any, path: Path, max_side: int) -> Image.Image:
    duration = _seconds(stream.duration, stream.time_base) or 0.0
    target_pts = None
    if duration > 0 and stream.time_base:
        target_pts = int((duration * _POSTER_AT) / stream.time_base) + (stream.start_time or 0)
        # Backward seek lands on the keyframe at or before the target; decode forward.
        try:
            container.seek(target_pts, stream=stream, backward=True, any_frame=False)
        except av.FFmpegError:
            container.seek(0)
            target_pts = None
    chosen = None
    try:
        for frame in container.decode(stream):
            chosen = frame
            if target_pts is None or frame.pts is None or frame.pts >= target_pts:
                break
    except av.FFmpegError as exc:
        if chosen is None:
            raise VideoError(f"{path.name}: no frame could be decoded ({exc}).") from exc
    if chosen is None:
        raise VideoError(f"{path.name} has no video frames.")
    return _thumbnail(_rgb_image(chosen), max_side)


@dataclass(frozen=True, slots=True)
class _Scan:
    """What a demux of the video packets learns: the pts of the last keyframe, how many
    packets there are, and a hash of the decoder's setup and the packets' payloads (equal for
    a remux of the same video)."""

    last_key: int | None
    count: int
    signature: str


def _keyframe_scan(container: Any, stream: Any) -> _Scan:
    """Demux (no decoding) the video packets; hashing them costs about a millisecond per MB."""
    last_key = None
    count = 0
    ctx = stream.codec_context
    # The decoder's setup (SPS/PPS, the picture size and cropping) lives outside the packets.
    digest = hashlib.sha256(f"{ctx.name}:{ctx.width}x{ctx.height}:".encode())
    digest.update(ctx.extradata or b"")
    for packet in container.demux(stream):
        if packet.size == 0:  # the demuxer's end-of-stream marker
            continue
        count += 1
        digest.update(packet)
        if packet.is_keyframe and packet.pts is not None:
            last_key = packet.pts if last_key is None else max(last_key, packet.pts)
    return _Scan(last_key, count, f"{count}:{digest.hexdigest()}")


# The last decoded frame of the most recent video, by its packets' signature: a job checks
# the download, then files a remux of it (the same packets), and the last frame can take
# decoding the whole clip (one group of pictures is common for short clips).
_LAST_DECODED: dict[str, Any] = {}
_LAST_DECODED_LOCK = threading.Lock()


def _last_of(container: Any, stream: Any, scan: _Scan, path: Path) -> Any:
    """The decoded last frame, remembered for a video with the same packets."""
    with _LAST_DECODED_LOCK:
        known = _LAST_DECODED.get(scan.signature)
    if known is not None:
        return known
    frame = _decode_last(container, stream, scan.last_key, path)
    with _LAST_DECODED_LOCK:
        _LAST_DECODED.clear()
        _LAST_DECODED[scan.signature] = frame
    return frame


def _decode_latest(container: Any, stream: Any) -> Any:
    """Decode forward from the current position; the frame with the greatest pts."""
    best = None
    for frame in container.decode(stream):
        if best is None or (frame.pts is not None and (best.pts is None or frame.pts >= best.pts)):
            best = frame
    return best


def last_frame(path: Path | str) -> Image.Image:
    """The exact last frame of the video as an RGB Pillow image (full size, lossless).

    Seeking straight to the end is unreliable (the keyframe before it can be far back, and
    some seeks land after it), so: demux the packets without decoding to find the last
    keyframe, seek there and decode forward to the end. Should the seek misbehave (it lands
    past that keyframe, or yields nothing), decode the whole video from the start instead.
    Raises :class:`VideoError`.
    """
    path = Path(path)
    with _open(path) as container:
        stream = video_stream(container, path)
        scan = _keyframe_scan(container, stream)
        return _rgb_image(_last_of(container, stream, scan, path))


def _decode_last(container: Any, stream: Any, last_key: int | None, path: Path) -> Any:
    """The decoded last frame (a PyAV frame, never converted): from the last keyframe
    ``last_key``, or from the start when that seek misbehaves. Raises :class:`VideoError`."""
    frame = None
    if last_key is not None:
        try:
            container.seek(last_key, stream=stream, backward=True, any_frame=False)
            first = None
            best = None
            for decoded in container.decode(stream):
                if first is None:
                    first = decoded
                if best is None or (decoded.pts is not None and decoded.pts >= (best.pts or 0)):
                    best = decoded
            # A seek that overshot the keyframe would make us miss frames before it, which
            # is harmless for the last frame, but a seek that yields nothing is not.
            frame = best if first is not None else None
        except av.FFmpegError:
            frame = None
    if frame is None:
        container.seek(0)
        try:
            frame = _decode_latest(container, stream)
        except av.FFmpegError as exc:
            raise VideoError(f"{path.name}: the video could not be decoded ({exc}).") from exc
    if frame is None:
        raise VideoError(f"{path.name} has no video frames.")
    return frame


def check_playable(path: Path | str) -> VideoInfo:
    """Make sure ``path`` is a complete MP4 with H.264 video that decodes; return its probe.

    Raises :class:`VideoError` naming what is wrong: not an MP4, not H.264, no frames, or
    truncated (fewer packets than the header promises, or the last frames do not decode).
    """
    path = Path(path)
    if not path.is_file():
        raise VideoError(f"{path.name}: no such video file.")
    if path.stat().st_size == 0:
        raise VideoError(f"{path.name} is empty.")
    with _open(path) as container:
        if "mp4" not in (container.format.name or "").split(","):
            raise VideoError(
                f"{path.name} is not an MP4 file (it is {container.format.long_name})."
            )
    info = probe(path)
    if info.video_codec not in _PLAYABLE_CODECS:
        raise VideoError(
            f"{path.name} uses the {info.video_codec} codec; only H.264 videos are supported."
        )
    if info.frame_count <= 0 or info.width <= 0 or info.height <= 0:
        raise VideoError(f"{path.name} has no video frames.")
    with _open(path) as container:
        stream = video_stream(container, path)
        promised = int(stream.frames or 0)
        try:
            scan = _keyframe_scan(container, stream)
            present = scan.count
        except av.FFmpegError as exc:
            raise VideoError(f"{path.name} is truncated or damaged ({exc}).") from exc
        if promised and present < promised:
            raise VideoError(
                f"{path.name} is truncated: {present} of {promised} frames are in the file."
            )
    if _truncated_data(path):
        raise VideoError(f"{path.name} is truncated: its media data ends early.")
    try:
        # Decoding the last frames proves them whole; no picture is made of them.
        with _open(path) as container:
            _last_of(container, video_stream(container, path), scan, path)
    except VideoError as exc:
        raise VideoError(f"{path.name} is truncated or damaged: {exc}") from exc
    return info


def _truncated_data(path: Path) -> bool:
    """True when the sample table points past the end of the file (a cut download).

    FFmpeg happily returns short or empty packets for such files, so compare the end of the
    last packet's data (``packet.pos + size``) with the file size instead.
    """
    size = os.path.getsize(path)
    with av.open(str(path)) as container:
        for packet in container.demux():
            pos = packet.pos if packet.pos is not None else -1
            if packet.size and pos >= 0 and pos + packet.size > size:
                return True
    return False
