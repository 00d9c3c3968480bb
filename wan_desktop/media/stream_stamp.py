"""What a video's picture is, apart from its container: a stamp of its first video stream
(codec, size, frame count, duration, and a SHA-256 over every video packet), PyAV, Qt-free.

Why not the file's hash or modification time: the library rewrites a clip's MP4 comment (its
rating, its pick) by a stream copy, which gives a new file with the very same packets. Anything
made from the picture (a playback proxy; the cuts found in it, :mod:`.cut_cache`; a check that
two files hold the same clip) should survive that, and should not survive a change to a
single packet. Remuxing keeps the packets' bytes, timestamps and the codec's extradata, so the
stamp keeps still; re-encoding, trimming or another clip changes it.

:func:`stamp_of` demuxes every packet and decodes none: tens of ms for a few seconds of 1080p,
next to the second a proxy takes to make. Hashing releases the interpreter lock for each
packet, and packets are small (a frame each). Blocking: worker thread.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import av
import msgspec

from .video import VideoError, open_video, quiet_ffmpeg, video_stream

__all__ = ["StreamStamp", "decode_stamp", "encode_stamp", "stamp_of"]

# Longer than any stamp we write; a bigger tag is not ours and is not parsed.
_MAX_STAMP_CHARS = 1024


class StreamStamp(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """The identity of a video stream's content. Two files with equal stamps show the same
    frames at the same times."""

    codec: str
    width: int
    height: int
    frames: int
    #: From the first packet's time to the end of the last, in ``time_base`` units.
    duration: int
    time_base: str
    #: SHA-256 over the codec's extradata, then each packet's pts, dts, key flag and bytes.
    packets_sha256: str


class _StampBuilder:
    """Builds the stamp of ``stream`` from its packets, fed in demux order with :meth:`add`."""

    def __init__(self, stream: av.video.stream.VideoStream):
        context = stream.codec_context
        self._stream = stream
        self._codec = context.name or ""
        self._size = (int(context.width), int(context.height))
        self._hash = hashlib.sha256(bytes(context.extradata or b""))
        self._frames = 0
        self._first: int | None = None
        self._end: int | None = None

    def add(self, packet: av.Packet) -> None:
        """Count ``packet`` in (the demuxer's empty flush packets are passed by)."""
        if packet.size == 0 or (packet.dts is None and packet.pts is None):
            return
        pts = packet.pts if packet.pts is not None else packet.dts
        self._hash.update(
            f"{packet.pts},{packet.dts},{int(packet.is_keyframe)},{packet.size};".encode()
        )
        self._hash.update(memoryview(packet))
        self._frames += 1
        self._first = pts if self._first is None else min(self._first, pts)
        end = pts + int(packet.duration or 0)
        self._end = end if self._end is None else max(self._end, end)

    def finish(self) -> StreamStamp:
        """The stamp of the packets added so far."""
        time_base = self._stream.time_base
        return StreamStamp(
            codec=self._codec,
            width=self._size[0],
            height=self._size[1],
            frames=self._frames,
            duration=(self._end or 0) - (self._first or 0),
            time_base=f"{time_base.numerator}/{time_base.denominator}" if time_base else "",
            packets_sha256=self._hash.hexdigest(),
        )


def stamp_of(path: Path | str) -> StreamStamp:
    """The stamp of the first video stream of ``path`` (demuxes every packet, decodes none).
    Raises :class:`~.video.VideoError` when the file cannot be read or has no video."""
    path = Path(path)
    quiet_ffmpeg()
    with open_video(path) as container:
        builder = _StampBuilder(video_stream(container, path))
        try:
            for packet in container.demux(container.streams.video[0]):
                builder.add(packet)
        except av.FFmpegError as exc:
            raise VideoError(f"{path.name}: the video could not be read ({exc}).") from exc
        return builder.finish()


def encode_stamp(stamp: StreamStamp) -> str:
    """``stamp`` as compact JSON text (for a container tag)."""
    return msgspec.json.encode(stamp).decode()


def decode_stamp(text: str | None) -> StreamStamp | None:
    """The stamp in ``text``, or ``None`` when there is none or it is not exactly a stamp."""
    if not text or len(text) > _MAX_STAMP_CHARS:
        return None
    try:
        return msgspec.json.decode(text, type=StreamStamp)
    except msgspec.DecodeError:
        return None
