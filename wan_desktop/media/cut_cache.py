"""Detected cuts kept beside the clip: ``cuts.json`` in its folder, keyed by the video's
SHA-256 and the detector's version (Qt-free).

The file is a cache, never named in the sidecar: deleting it costs one detection, a new
version of the video or of the detector makes it stale, and the library's rebuild, import and
export pass it by (they look at the files the sidecar names). It is written atomically and
read as untrusted data: anything that is not exactly the expected shape counts as missing.

Blocking (hashing, decoding): call :func:`cuts_for` from a worker thread.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable
from pathlib import Path

import msgspec

from ..core.atomic import atomic_write_bytes
from ..core.hashing import sha256_file
from .cuts import DETECTOR_VERSION, detect_cuts

__all__ = ["CACHE_NAME", "cache_path", "cuts_for", "read_cached"]

#: The cache's file name, in the clip's own folder.
CACHE_NAME = "cuts.json"
_SCHEMA = 1
#: A cache larger than this is not ours (a 15 s clip has at most a few dozen cuts).
_MAX_BYTES = 64 * 1024
_MAX_CUTS = 2000


class _Cached(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    schema: int
    detector: int
    video_sha256: str
    cuts_s: list[float]


def cache_path(video_path: Path | str) -> Path:
    """Where the cuts of ``video_path`` are kept (the file may not exist)."""
    return Path(video_path).parent / CACHE_NAME


def read_cached(video_path: Path | str, sha256: str) -> list[float] | None:
    """The cached cut times (seconds) of ``video_path`` when the cache was made from the
    video whose SHA-256 is ``sha256`` by this detector; else ``None``."""
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
        or cached.video_sha256 != sha256
        or len(cached.cuts_s) > _MAX_CUTS
        or not all(math.isfinite(t) and t >= 0 for t in cached.cuts_s)
    ):
        return None
    return sorted(cached.cuts_s)


def cuts_for(
    video_path: Path | str,
    *,
    progress: Callable[[int, int], object] | None = None,
    cancel: threading.Event | None = None,
) -> list[float]:
    """The cut times of ``video_path`` (see :func:`~.cuts.detect_cuts`): from the cache when
    it matches the video as it is now, else detected and cached. A cache that cannot be
    written (a read-only folder) is no failure: the cuts are returned all the same. Worker
    thread only; raises what :func:`~.cuts.detect_cuts` raises."""
    video_path = Path(video_path)
    try:
        sha256 = sha256_file(video_path)
    except OSError:
        sha256 = ""  # detect_cuts says plainly that the file is missing or unreadable
    if sha256:
        cached = read_cached(video_path, sha256)
        if cached is not None:
            return cached
    cuts = detect_cuts(video_path, progress=progress, cancel=cancel)
    if sha256:
        record = _Cached(
            schema=_SCHEMA, detector=DETECTOR_VERSION, video_sha256=sha256, cuts_s=cuts
        )
        try:
            atomic_write_bytes(cache_path(video_path), msgspec.json.encode(record))
        except OSError:
            pass  # a cache, not a record: the next look detects again
    return cuts
