"""Small playback proxies: a 360-pixel-high H.264 copy of a library clip (PyAV, Qt-free).

Grids that play or scrub several clips at once decode these instead of the 720p/1080p
originals. A proxy lives beside its clip as :data:`PROXY_NAME` and is never named in the
sidecar: it can be deleted at any time and is made again when missing or stale.

"Stale" means "made from other pictures", not "older than the file": the library rewrites a
clip's MP4 comment (a rating, a pick) by a stream copy, which makes a new file with the same
packets, and that must not cost a new proxy. So a proxy carries, in its :data:`STAMP_TAG` tag,
the :class:`~.stream_stamp.StreamStamp` of the clip it was made from (codec, size, frame count,
duration, a hash of every video packet). It also takes the clip's modification time as its own
once it is made or checked against the clip: equal times are the quick "checked against this
very file" answer (two ``stat`` calls); different ones (the clip was rewritten, copied, or the
clock moved) send :func:`is_fresh` to compare the stamps.
Library rebuild, import and export look only at the files the sidecar names (or at MP4s that
carry our comment, which a proxy does not), so they pass it by.

The proxy keeps the clip's frames one for one (same count, same rate, frame ``i`` stamped at
``i / fps``) so a frame index means the same picture in both files. It has a keyframe every
:data:`KEYFRAME_INTERVAL` frames, so reaching any frame decodes at most that many small
frames: the seeks of hover-scrub and frame stepping stay cheap.

Everything here is blocking and CPU-bound (about a second for 5 s of 1080p): call it from a
worker thread, never from the GUI thread. The work goes one frame at a time, so PyAV never
holds the interpreter lock for long and a ``cancel`` event is honoured between frames.
"""

from __future__ import annotations

import contextlib
import os
import threading
import time
from collections.abc import Callable
from fractions import Fraction
from pathlib import Path

import av

from ..core.atomic import atomic_path
from .stream_stamp import StreamStamp, decode_stamp, encode_stamp, stamp_of
from .video import VideoError, open_video, quiet_ffmpeg, video_stream

__all__ = [
    "KEYFRAME_INTERVAL",
    "PROXY_HEIGHT_PX",
    "PROXY_NAME",
    "STAMP_TAG",
    "ProxyCancelled",
    "carry_over",
    "ensure_proxy",
    "is_fresh",
    "proxy_for",
    "proxy_size",
    "read_stamp",
]

#: The proxy's file name, in the clip's own folder.
PROXY_NAME = "proxy.mp4"
#: The proxy's container tag holding the stamp of the clip it was made from. Not ``comment``:
#: the library reads comments for entries, and a proxy must never look like one.
STAMP_TAG = "description"
#: The proxy's height in pixels; a clip that is already this small keeps its own size.
PROXY_HEIGHT_PX = 360
#: Frames between keyframes: the most a seek to any frame has to decode.
KEYFRAME_INTERVAL = 12
# x264 settings: fast to make (the proxy is made on the user's machine, in the background)
# and fast to decode (no B-frames, so frames come out in the order they go in).
_X264_OPTIONS = {
    "preset": "veryfast",
    "tune": "fastdecode",
    "crf": "23",
    "bf": "0",
    "g": str(KEYFRAME_INTERVAL),
    "keyint_min": str(KEYFRAME_INTERVAL),
    "sc_threshold": "0",
}
_DEFAULT_FPS = Fraction(24)
# A half-written proxy left by a process that was killed is removed when this old (a younger one
# may be another process's work in progress).
_LEFTOVER_AGE_S = 600

# One lock per proxy path: two workers asking for the same proxy make it once (the second
# waits, then finds it fresh). Locks are kept for the life of the process; a library holds a
# few thousand entries at most, a few hundred bytes each.
_locks_guard = threading.Lock()
_locks: dict[Path, threading.Lock] = {}


class ProxyCancelled(Exception):
    """:func:`ensure_proxy` was stopped by its ``cancel`` event; nothing was written."""


def proxy_for(video_path: Path | str) -> Path:
    """Where the proxy of ``video_path`` lives (the file may not exist yet)."""
    return Path(video_path).parent / PROXY_NAME


def is_fresh(video_path: Path | str) -> bool:
    """True when the proxy of ``video_path`` exists and was made from the pictures the clip
    holds now.

    Usually two ``stat`` calls: the proxy has the clip's modification time when it was made
    from, or last checked against, this very file. When the times differ, the clip's stream
    stamp is compared with the one the proxy carries (a demux of the clip, tens of ms for a
    few seconds of 1080p); when they match, the proxy takes the clip's time again, so the next
    call is quick. A proxy without a stamp (made by an older version) is then stale. Call from
    a worker thread.
    """
    video_path = Path(video_path)
    proxy = proxy_for(video_path)
    try:
        made = proxy.stat().st_mtime_ns
        clip = video_path.stat().st_mtime_ns
    except OSError:
        return False
    if made == clip:
        return True
    carried = read_stamp(proxy)
    if carried is None:
        return False
    try:
        same = stamp_of(video_path) == carried
    except VideoError:
        return False
    if same:
        # The time read before the stamp: if the clip changed meanwhile, the times differ
        # again and the next call checks again.
        with contextlib.suppress(OSError):
            os.utime(proxy, ns=(clip, clip))
    return same


def carry_over(video_path: Path | str, copied_mtime_ns: int) -> bool:
    """The clip ``video_path`` was just replaced by a stream copy of the file whose time was
    ``copied_mtime_ns`` (same packets, e.g. a new comment): a proxy made from, or checked
    against, that file takes the new file's time, so it stays fresh without a demux. Returns
    whether it did (``False``: no proxy, or one of another version, left to :func:`is_fresh`).
    Two ``stat`` calls; any thread."""
    video_path = Path(video_path)
    proxy = proxy_for(video_path)
    try:
        if proxy.stat().st_mtime_ns != copied_mtime_ns:
            return False
        clip = video_path.stat().st_mtime_ns
        os.utime(proxy, ns=(clip, clip))
    except OSError:
        return False
    return True


def read_stamp(proxy_path: Path | str) -> StreamStamp | None:
    """The stamp of the clip the proxy ``proxy_path`` was made from, or ``None`` (no proxy,
    not readable, made by an older version, or a tag that is not exactly a stamp)."""
    try:
        with av.open(str(proxy_path), "r") as container:
            return decode_stamp(container.metadata.get(STAMP_TAG))
    except (av.FFmpegError, OSError, ValueError, UnicodeDecodeError):
        return None


def proxy_size(width: int, height: int) -> tuple[int, int]:
    """The proxy's ``(width, height)`` for a ``width`` x ``height`` clip: :data:`PROXY_HEIGHT_PX`
    high (or the clip's own height when smaller), the width by aspect; both even, as yuv420p
    needs."""
    if width <= 0 or height <= 0:
        raise VideoError(f"the clip reports a frame size of {width}x{height} pixels.")
    out_h = min(height, PROXY_HEIGHT_PX)
    out_w = width * out_h / height
    return max(2, round(out_w / 2) * 2), max(2, out_h // 2 * 2)


def _lock_for(path: Path) -> threading.Lock:
    with _locks_guard:
        return _locks.setdefault(path, threading.Lock())


def ensure_proxy(
    video_path: Path | str,
    *,
    cancel: threading.Event | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> Path:
    """The proxy of ``video_path``, made first when it is missing or stale (see
    :func:`is_fresh`).

    ``progress(done, total)`` is called from this (the worker's) thread as frames are written
    (``total`` is the header's frame count, 0 when unknown). Setting ``cancel`` stops between
    two frames with :class:`ProxyCancelled`. The file appears atomically: a reader sees no
    proxy or the whole one. Raises :class:`~wan_desktop.media.video.VideoError` when the clip
    cannot be read (and ``OSError`` when the folder cannot be written, e.g. it was moved to the
    trash meanwhile). Blocking: call from a worker thread.
    """
    video_path = Path(video_path)
    target = proxy_for(video_path)
    with _lock_for(target):
        if is_fresh(video_path):
            return target
        if not video_path.is_file():
            raise VideoError(f"{video_path.name}: no such video file.")
        clip_time = video_path.stat().st_mtime_ns
        # Stamped before decoding: the stamp goes into the header, written with the first frame.
        stamp = stamp_of(video_path)
        _remove_leftovers(target)
        with atomic_path(target, suffix=".mp4", unnamed=True) as tmp:
            _transcode(video_path, tmp, stamp, cancel, progress)
            os.utime(tmp, ns=(clip_time, clip_time))
    return target


def _remove_leftovers(target: Path) -> None:
    """Delete half-written proxies (``.proxy.mp4.*``) that a killed process left beside
    ``target`` more than :data:`_LEFTOVER_AGE_S` ago."""
    cutoff = time.time() - _LEFTOVER_AGE_S
    for leftover in target.parent.glob(f".{target.name}.*"):
        with contextlib.suppress(OSError):
            if leftover.lstat().st_mtime < cutoff:
                leftover.unlink()


def _transcode(
    source: Path,
    dest: Path,
    stamp: StreamStamp,
    cancel: threading.Event | None,
    progress: Callable[[int, int], None] | None,
) -> None:
    quiet_ffmpeg()
    with open_video(source) as container:
        stream = video_stream(container, source)
        stream.thread_type = "AUTO"
        rate = stream.average_rate or stream.guessed_rate or stream.base_rate or _DEFAULT_FPS
        width, height = proxy_size(stream.codec_context.width, stream.codec_context.height)
        total = int(stream.frames or 0)
        written = 0
        with av.open(str(dest), "w", format="mp4", options={"movflags": "+faststart"}) as out:
            out.metadata[STAMP_TAG] = encode_stamp(stamp)
            encoder = out.add_stream("libx264", rate=Fraction(rate))
            encoder.width, encoder.height, encoder.pix_fmt = width, height, "yuv420p"
            encoder.options = dict(_X264_OPTIONS)
            time_base = 1 / Fraction(rate)
            try:
                for frame in container.decode(stream):
                    if cancel is not None and cancel.is_set():
                        raise ProxyCancelled(source.name)
                    small = frame.reformat(width, height, "yuv420p")
                    # Stamped by position, not by the source's timestamps: frame i of the proxy
                    # is frame i of the clip, whatever the source's time base or edit list.
                    small.pts, small.time_base = written, time_base
                    out.mux(encoder.encode(small))
                    written += 1
                    if progress is not None:
                        progress(written, total)
            except av.FFmpegError as exc:
                if not written:
                    raise VideoError(
                        f"{source.name}: the video could not be decoded ({exc})."
                    ) from exc
                # A damaged tail: the proxy keeps the frames that decoded, as the player would.
            if not written:
                raise VideoError(f"{source.name} has no video frames.")
            out.mux(encoder.encode(None))
