"""Detected cuts kept beside the clip: ``cuts.json`` in its folder, keyed by the clip's
pictures (its :class:`~.stream_stamp.StreamStamp`) and the detector's version (Qt-free).

Why the stamp and not the file's hash: the library rewrites a clip's MP4 comment (a rating, a
pick) by a stream copy, a new file with the very same packets, hence the very same cuts. A
cache keyed by the file's SHA-256 was stale after every judgement and the clip was decoded
again; a cache keyed by the stamp survives it, and still goes stale when a single packet
changes. Looking it up costs two ``stat`` calls when the clip is the very file it was last
checked against (same size and modification time, recorded in the cache); otherwise one demux
of the clip (:func:`~.stream_stamp.stamp_of`, tens of ms), after which the cache records the
new file's size and time so the next look is quick again.

The file is a cache, never named in the sidecar: deleting it costs one detection, a new
version of the pictures or of the detector makes it stale, and the library's rebuild, import
and export pass it by (they look at the files the sidecar names). It is written atomically and
read as untrusted data: anything that is not exactly the expected shape counts as missing (a
cache written by an older version, keyed by the file's hash, too: one detection).

Blocking (a demux, decoding): call :func:`cuts_for` and :func:`read_cached` from a worker
thread.
"""

from __future__ import annotations

import math
import os
import threading
from collections.abc import Callable
from pathlib import Path

import msgspec

from ..core.atomic import atomic_write_bytes
from .cuts import DETECTOR_VERSION, detect_cuts
from .stream_stamp import StreamStamp, stamp_of
from .video import VideoError

__all__ = ["CACHE_NAME", "cache_path", "cuts_for", "read_cached"]

#: The cache's file name, in the clip's own folder.
CACHE_NAME = "cuts.json"
# 1 was keyed by the file's SHA-256; 2 by the stream stamp.
_SCHEMA = 2
#: A cache larger than this is not ours (a 15 s clip has at most a few dozen cuts).
_MAX_BYTES = 64 * 1024
_MAX_CUTS = 2000


class _FileSeen(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """The clip file the cache was last checked against: equal size and time mean the very
    same file (a stream copy gets a new time)."""

    size_bytes: int
    mtime_ns: int

    @classmethod
    def of(cls, path: Path) -> _FileSeen | None:
        try:
            st = os.stat(path)
        except OSError:
            return None
        return cls(size_bytes=st.st_size, mtime_ns=st.st_mtime_ns)


class _Cached(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    schema: int
    detector: int
    stream: StreamStamp
    file: _FileSeen
    cuts_s: list[float]


def cache_path(video_path: Path | str) -> Path:
    """Where the cuts of ``video_path`` are kept (the file may not exist)."""
    return Path(video_path).parent / CACHE_NAME


def _load(video_path: Path) -> _Cached | None:
    """The cache beside ``video_path`` when it is exactly one of ours, made by this detector."""
    path = cache_path(video_path)
    try:
        if path.stat().st_size > _MAX_BYTES:
            return None
        cached = msgspec.json.decode(path.read_bytes(), type=_Cached)
    except (OSError, msgspec.DecodeError):
        return None
    if (
        cached.schema != _SCHEMA
        or cached.detector != DETECTOR_VERSION
        or len(cached.cuts_s) > _MAX_CUTS
        or not all(math.isfinite(t) and t >= 0 for t in cached.cuts_s)
    ):
        return None
    return cached


def _save(video_path: Path, stamp: StreamStamp, seen: _FileSeen, cuts: list[float]) -> None:
    record = _Cached(
        schema=_SCHEMA, detector=DETECTOR_VERSION, stream=stamp, file=seen, cuts_s=cuts
    )
    try:
        atomic_write_bytes(cache_path(video_path), msgspec.json.encode(record))
    except OSError:
        pass  # a cache, not a record: the next look checks the stamp or detects again


def _lookup(video_path: Path) -> tuple[list[float] | None, StreamStamp | None, _FileSeen | None]:
    """``(cuts, stamp, seen)``: the cached cuts when they were made from the pictures the clip
    holds now (else ``None``), the clip's stamp when it had to be read (``None`` after the
    quick check, or when the clip cannot be read), and the file as seen before the stamp."""
    seen = _FileSeen.of(video_path)
    if seen is None:
        return None, None, None
    cached = _load(video_path)
    if cached is not None and cached.file == seen:
        return sorted(cached.cuts_s), None, seen
    try:
        stamp = stamp_of(video_path)
    except VideoError:
        return None, None, seen  # detect_cuts says plainly what is wrong with the file
    if cached is None or cached.stream != stamp:
        return None, stamp, seen
    # Same pictures in another file (a comment rewrite): remember this file, so the next look
    # is two stat calls. The time read before the stamp: if the clip changed meanwhile, the
    # next look checks the stamp again.
    _save(video_path, stamp, seen, cached.cuts_s)
    return sorted(cached.cuts_s), stamp, seen


def read_cached(video_path: Path | str) -> list[float] | None:
    """The cached cut times (seconds, sorted) of ``video_path`` when the cache was made by this
    detector from the pictures the clip holds now; else ``None``. Two ``stat`` calls when the
    clip is the file last checked; else a demux (worker thread)."""
    return _lookup(Path(video_path))[0]


def cuts_for(
    video_path: Path | str,
    *,
    progress: Callable[[int, int], object] | None = None,
    cancel: threading.Event | None = None,
) -> list[float]:
    """The cut times of ``video_path`` (see :func:`~.cuts.detect_cuts`): from the cache when
    it was made from the pictures the clip holds now, else detected and cached. A cache that
    cannot be written (a read-only folder) is no failure: the cuts are returned all the same.
    Worker thread only; raises what :func:`~.cuts.detect_cuts` raises."""
    video_path = Path(video_path)
    cached, stamp, seen = _lookup(video_path)
    if cached is not None:
        return cached
    cuts = detect_cuts(video_path, progress=progress, cancel=cancel)
    if stamp is not None and seen is not None:
        _save(video_path, stamp, seen, cuts)
    return cuts
