"""Provenance inside the video: the MP4 ``comment`` tag, read and written with PyAV.

Writing remuxes (stream copy: packets are copied, nothing is re-encoded) into a temporary file
next to the destination, keeps ``movflags=+faststart`` (the index first, so players start
before the whole file is read) and renames it into place. Any FFmpeg-based tool reads the tag
back (``ffprobe -show_entries format_tags=comment``); Qt reports it as ``Comment``.

Both functions are synchronous (tens of ms for a short clip): call them from a worker thread.
"""

from __future__ import annotations

from pathlib import Path

import av

from ..core.atomic import atomic_path
from .video import VideoError, open_video, quiet_ffmpeg

__all__ = ["COMMENT_KEY", "read_comment", "write_comment"]

COMMENT_KEY = "comment"

quiet_ffmpeg()


def read_comment(path: Path | str) -> str | None:
    """The file's ``comment`` tag, or ``None`` when it has none.

    Raises :class:`~wan_desktop.media.video.VideoError` when the file cannot be opened.
    """
    path = Path(path)
    try:
        with av.open(str(path), "r") as container:
            value = container.metadata.get(COMMENT_KEY)
    except (av.FFmpegError, OSError, ValueError, UnicodeDecodeError) as exc:
        raise VideoError(f"{path.name} is not a video file FFmpeg can read ({exc}).") from exc
    return value if value else None


def write_comment(src: Path | str, dst: Path | str, text: str) -> None:
    """Copy the MP4 ``src`` to ``dst`` with ``text`` as its ``comment`` tag.

    Stream copy only (no re-encode); other container tags and stream tags are kept; the
    index is moved to the front (faststart). ``dst`` appears atomically (temporary file,
    fsync, rename) with mode 0644; ``src`` may equal ``dst``.
    Raises :class:`~wan_desktop.media.video.VideoError` when ``src`` cannot be read.
    """
    src, dst = Path(src), Path(dst)
    with atomic_path(dst, suffix=".part.mp4", unnamed=True) as tmp:
        _remux(src, tmp, text)


def _remux(src: Path, dst: Path, text: str) -> None:
    source = open_video(src)
    with source, av.open(str(dst), "w", format="mp4", options={"movflags": "+faststart"}) as target:
        for key, value in source.metadata.items():
            # The muxer writes its own brand and encoder tags.
            if key not in {"major_brand", "minor_version", "compatible_brands", "encoder"}:
                target.metadata[key] = value
        target.metadata[COMMENT_KEY] = text
        mapping = {}
        for stream in source.streams:
            if stream.type not in ("video", "audio"):
                continue  # data/timecode tracks cannot be copied into mp4 reliably
            out = target.add_stream_from_template(stream)
            for key, value in stream.metadata.items():
                out.metadata[key] = value
            mapping[stream.index] = out
        try:
            for packet in source.demux(*[source.streams[i] for i in mapping]):
                if packet.dts is None:  # the demuxer's flush marker
                    continue
                packet.stream = mapping[packet.stream.index]
                target.mux(packet)
        except av.FFmpegError as exc:
            raise VideoError(f"{src.name} could not be copied ({exc}).") from exc
