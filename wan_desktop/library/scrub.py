"""Hover-scrub frames: the frame of a clip under the pointer, decoded on demand (Qt-free).

Moving the pointer across a library card asks for the frame at that fraction of the clip.
:class:`HoverFrames` decodes it in its own worker thread from the clip's proxy (360p, a
keyframe every 12 frames: any frame is at most a dozen small decodes away), through one
:class:`~wan_desktop.media.frame_reader.FrameReader` kept open while the pointer stays on the
card. The latest request wins: when the pointer outruns the decoder, the positions it passed
are skipped, never queued, so the frame shown catches up with the pointer at once.

A clip without a fresh proxy is not decoded here: ``on_missing_proxy(key, video_path)`` says
so (once), and the caller has the proxy made (``media.proxy_queue``), calls
:meth:`HoverFrames.retry` and asks again.

Callbacks run on the worker thread. The thread starts with the first request and ends after
:data:`IDLE_EXIT_S` with nothing to do; :meth:`HoverFrames.close` ends it at once, and so does
the interpreter's exit (``atexit``) for those still open.
"""

from __future__ import annotations

import atexit
import logging
import threading
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ..media.frame_reader import PIXEL_FORMATS, Frame, FrameReader
from ..media.proxy import is_fresh, proxy_for
from ..media.video import VideoError

__all__ = ["IDLE_EXIT_S", "HoverFrame", "HoverFrames", "frame_index"]

log = logging.getLogger(__name__)

#: Seconds the worker waits for another request before its thread ends (the reader closes).
IDLE_EXIT_S = 3.0
_RELEASE = "release"
_OPEN: weakref.WeakSet[HoverFrames] = weakref.WeakSet()


def frame_index(fraction: float, frame_count: int) -> int:
    """The frame under the pointer at ``fraction`` (0 = the card's left edge, 1 = its right
    edge) of a clip of ``frame_count`` frames: equal slices of the card per frame."""
    if frame_count <= 0:
        return 0
    fraction = min(1.0, max(0.0, float(fraction)))
    return min(frame_count - 1, int(fraction * frame_count))


@dataclass(frozen=True, slots=True)
class HoverFrame:
    """A decoded hover frame: for the request ``key`` (the caller's name for the clip), frame
    ``frame.index`` of ``frame_count``, scaled to fit the requested size."""

    key: str
    frame_count: int
    frame: Frame


@dataclass(frozen=True, slots=True)
class _Request:
    key: str
    video_path: Path
    fraction: float | None
    index: int | None
    max_size: tuple[int, int]


class HoverFrames:
    """Decodes the hovered frame in a worker thread (see the module docstring).

    ``on_frame(HoverFrame)`` for each frame decoded; ``on_missing_proxy(key, video_path)``
    when the clip has no fresh proxy; ``on_error(key, message)`` when the proxy cannot be read
    (that clip is not tried again until :meth:`retry`). All three run on the worker thread.
    ``pixel_format`` is the frames' (see :data:`~wan_desktop.media.frame_reader.PIXEL_FORMATS`:
    "bgra" is what a Qt caller paints without converting). Methods are safe from any thread.
    """

    def __init__(
        self,
        *,
        on_frame: Callable[[HoverFrame], None],
        on_missing_proxy: Callable[[str, Path], None] | None = None,
        on_error: Callable[[str, str], None] | None = None,
        pixel_format: str = "rgb24",
    ) -> None:
        if pixel_format not in PIXEL_FORMATS:
            raise ValueError(
                f"pixel_format must be one of {', '.join(PIXEL_FORMATS)} (got {pixel_format!r})."
            )
        self.pixel_format = pixel_format
        self.on_frame = on_frame
        self.on_missing_proxy = on_missing_proxy
        self.on_error = on_error
        self._lock = threading.Condition()
        self._wanted: _Request | None = None
        self._release = False
        self._closed = False
        self._failed: set[Path] = set()
        self._awaiting_proxy: set[Path] = set()
        self._thread: threading.Thread | None = None
        # The latest thread started, kept after it decides to end idle (``_thread`` is then
        # None but it may still be closing its reader): close() waits for it too.
        self._last_thread: threading.Thread | None = None
        self.decoded = 0  # frames handed to on_frame (tests, bench)
        self.skipped = 0  # requests overtaken by a newer one before they were decoded
        _OPEN.add(self)

    def show(
        self,
        key: str,
        video_path: Path | str,
        *,
        fraction: float | None = None,
        index: int | None = None,
        max_size: tuple[int, int],
    ) -> None:
        """Decode the frame at ``fraction`` (0..1) or frame number ``index`` of ``video_path``'s
        proxy, scaled to fit ``max_size`` (width, height px). Replaces a request not yet
        started. Does not touch files on the caller's thread."""
        if (fraction is None) == (index is None):
            raise ValueError("show() takes exactly one of fraction and index")
        request = _Request(key, Path(video_path), fraction, index, max_size)
        with self._lock:
            if self._closed:
                return
            if self._wanted is not None:
                self.skipped += 1
            self._wanted = request
            self._release = False
            if self._thread is None:
                self._thread = threading.Thread(target=self._work, name="hover-frames", daemon=True)
                self._last_thread = self._thread
                self._thread.start()
            self._lock.notify()

    def release(self) -> None:
        """The pointer left the card: forget a request not yet started and close the open
        reader (so the clip's folder is not held open, e.g. while it moves to the trash)."""
        with self._lock:
            self._wanted = None
            self._release = True
            self._lock.notify()

    def retry(self, video_path: Path | str) -> None:
        """Try ``video_path`` again: its proxy was made (after ``on_missing_proxy``) or made
        again (after ``on_error``)."""
        with self._lock:
            self._failed.discard(Path(video_path))
            self._awaiting_proxy.discard(Path(video_path))

    def close(self, timeout_s: float = 5.0) -> None:
        """End the worker (after the frame it is decoding) and refuse further requests."""
        with self._lock:
            self._closed = True
            self._wanted = None
            thread = self._last_thread
            self._lock.notify_all()
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout_s)

    # ---- the worker ---------------------------------------------------------------------------

    def _next(self) -> _Request | str | None:
        """The latest request, :data:`_RELEASE` to close the reader, or None to end (closed,
        or idle for :data:`IDLE_EXIT_S`)."""
        with self._lock:
            while not self._closed:
                if self._wanted is not None:
                    request, self._wanted = self._wanted, None
                    return request
                if self._release:
                    self._release = False
                    return _RELEASE
                if not self._lock.wait(IDLE_EXIT_S) and self._wanted is None:
                    break
            self._thread = None  # decided under the lock: a later show() starts a new one
            return None

    def _work(self) -> None:
        reader: FrameReader | None = None
        source: tuple[Path, tuple[int, int]] | None = None
        try:
            while (request := self._next()) is not None:
                if isinstance(request, str):  # released
                    if reader is not None:
                        reader.close()
                    reader, source = None, None
                    continue
                wanted = (request.video_path, request.max_size)
                if source != wanted or reader is None:
                    if reader is not None:
                        reader.close()
                    reader = self._open(request)
                    source = wanted if reader is not None else None
                    if reader is None:
                        continue
                if not self._decode(reader, request):
                    reader.close()
                    reader, source = None, None
        finally:
            if reader is not None:
                reader.close()

    def _open(self, request: _Request) -> FrameReader | None:
        path = request.video_path
        if path in self._failed:
            return None
        if not is_fresh(path):
            with self._lock:
                told = path in self._awaiting_proxy
                self._awaiting_proxy.add(path)
            if not told and self.on_missing_proxy is not None:  # once, until retry()
                self._call(self.on_missing_proxy, request.key, path)
            return None
        try:
            return FrameReader(
                proxy_for(path), max_size=request.max_size, pixel_format=self.pixel_format
            )
        except (VideoError, ValueError, OSError) as exc:
            self._fail(request, str(exc))
            return None

    def _decode(self, reader: FrameReader, request: _Request) -> bool:
        """Decode and hand over the requested frame; False when the reader failed."""
        if request.index is not None:
            index = min(max(0, request.index), reader.frame_count - 1)
        else:
            index = frame_index(request.fraction or 0.0, reader.frame_count)
        try:
            frame = reader.frame_at(index)
        except (VideoError, ValueError, OSError) as exc:
            self._fail(request, str(exc))
            return False
        self.decoded += 1
        self._call(self.on_frame, HoverFrame(request.key, reader.frame_count, frame))
        return True

    def _fail(self, request: _Request, message: str) -> None:
        with self._lock:
            self._failed.add(request.video_path)
        log.debug("no hover frames for %s: %s", request.video_path, message)
        if self.on_error is not None:
            self._call(self.on_error, request.key, message)

    @staticmethod
    def _call(callback: Callable[..., None], *args: object) -> None:
        try:
            callback(*args)
        except Exception:  # a listener's bug must not end the worker
            log.exception("a hover-frame listener failed")


@atexit.register
def _close_open_workers() -> None:
    """At exit: end every decoder still running, before the interpreter goes away."""
    for frames in list(_OPEN):
        frames.close(timeout_s=2.0)
