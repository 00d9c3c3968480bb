"""The compare view's pictures: worker threads read both clips frame-exactly and hand the GUI
thread pairs made for the same position, so the two sides can never drift apart.

Each clip has a thread of its own, owning its :class:`~..media.frame_reader.FrameReader`, which
reads at the size the pictures are painted (half the canvas side by side, all of it in the
other views; device pixels), so A and B decode at once on two cores and painting copies
instead of scaling. A coordinating thread answers one request at a time from a single-slot
mailbox: a newer request replaces one not yet started, so a fast scrub or a late worker skips
positions instead of queueing them. For a position it has A's frame read by number and B's at
the same time (:meth:`FrameReader.frame_at_time`), each side making its ``QImage``, adds the
amplified difference in the difference view (Pillow), then posts one :class:`ComparePicture`.

The readers read BGRA, the bytes of ``QImage.Format_RGB32``, so a side's picture wraps the
decoded bytes with no conversion; only the difference view turns them into RGB (Pillow).
Frames made ready stay in a small cache per side, bounded by bytes, and the coordinator
prepares the positions the view expects next whenever it is idle (ahead while playing; the
next frames, or the ones before after a step back, while paused): a step usually finds its
pictures made. A change of view changes the size: the readers convert their latest decoded
pictures again rather than seek.
"""

from __future__ import annotations

import bisect
import logging
import threading
from collections import OrderedDict
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QSize, Signal
from PySide6.QtGui import QImage

from ..media.video import VideoError, probe

__all__ = [
    "CACHE_BYTES",
    "ClipInfo",
    "CompareFeed",
    "ComparePicture",
    "Want",
    "difference_rgb",
]

log = logging.getLogger(__name__)

# A time that lands within this much of a frame's start shows that frame (as the reader).
_TIME_SLACK_S = 1e-6
#: Decoded frames kept per side (4 bytes a pixel). 64 MB holds about 30 frames at 960×540 and
#: a whole 5 s clip at the 480×270 of a small window: a looped range replays without decoding.
CACHE_BYTES = 64 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class ClipInfo:
    """One clip as the worker opened it: ``fps``, ``frame_count``, ``duration_s`` (seconds),
    the source size ``width`` × ``height``, each frame's start ``times`` (seconds), and
    whether it has a soundtrack (``has_audio``)."""

    path: Path
    fps: float
    frame_count: int
    duration_s: float
    width: int
    height: int
    times: tuple[float, ...]
    has_audio: bool


@dataclass(frozen=True, slots=True)
class Want:
    """A request: the picture for timeline ``position``, which shows A's frame ``a_index``
    and B's frame at ``time_s`` seconds."""

    position: int
    a_index: int
    time_s: float


@dataclass(frozen=True, slots=True)
class ComparePicture:
    """What one position shows: A's frame ``a_index`` and B's frame ``b_index`` (both at
    ``time_s``), as ``a`` and ``b``, and ``difference`` (|A − B| × ``gain``, at A's size) when
    the difference view asked for it."""

    position: int
    time_s: float
    a_index: int
    b_index: int
    a: QImage
    b: QImage
    difference: QImage | None
    gain: int


def difference_rgb(a: bytes, b: bytes, size: tuple[int, int], gain: int) -> bytes:
    """|a − b| per channel, times ``gain`` (capped at 255), for two RGB24 pictures of ``size``
    (width, height). Pillow does it in C; any thread."""
    from PIL import Image, ImageChops

    first = Image.frombuffer("RGB", size, a, "raw", "RGB", 0, 1)
    second = Image.frombuffer("RGB", size, b, "raw", "RGB", 0, 1)
    table = [min(255, v * gain) for v in range(256)] * 3
    return ImageChops.difference(first, second).point(table).tobytes()


def _resized(rgb: bytes, size: tuple[int, int], to: tuple[int, int]) -> bytes:
    """An RGB24 picture of ``size`` resampled to ``to`` (B in A's frame for the difference;
    Pillow lets go of the interpreter lock while it resamples)."""
    from PIL import Image

    image = Image.frombuffer("RGB", size, rgb, "raw", "RGB", 0, 1)
    return image.resize(to, Image.Resampling.BILINEAR).tobytes()


def _image(rgb: bytes, width: int, height: int) -> QImage:
    """A ``QImage`` that owns its pixels, in the format painting copies without converting."""
    image = QImage(rgb, width, height, 3 * width, QImage.Format.Format_RGB888)
    return image.convertToFormat(QImage.Format.Format_RGB32)


def _stop_worker(cond: threading.Condition, stop: threading.Event) -> None:
    """Ask the worker to end (it finishes the frame in hand first)."""
    with cond:
        stop.set()
        cond.notify_all()


@dataclass(frozen=True, slots=True)
class _Ready:
    """A frame made ready to paint: its number, its BGRA ``pixels`` at ``size`` (rows
    ``stride`` bytes apart) and the ``QImage`` that wraps them."""

    index: int
    pixels: bytes
    stride: int
    size: tuple[int, int]
    image: QImage

    def rgb(self) -> bytes:
        """The picture as packed RGB24 (Pillow reorders it, in C; any thread)."""
        from PIL import Image

        return Image.frombuffer(
            "RGB", self.size, self.pixels, "raw", "BGRX", self.stride, 1
        ).tobytes()


class _Side:
    """One clip's reader, reading at the size its pictures are painted, and a cache of the
    frames it made ready. The reader is used from one thread of its own (every call goes
    through :meth:`call`); the cache may also be looked into from the coordinator
    (:meth:`cached`), so a step to a frame made ahead never waits for the decoding in hand."""

    def __init__(self, path: Path, name: str) -> None:
        self.path = path
        self.reader: Any = None
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"compare-{name}")
        self._lock = threading.Lock()  # the cache: this side's thread and the coordinator
        self._cache: OrderedDict[int, _Ready] = OrderedDict()
        self._bytes = 0
        self._times: tuple[float, ...] = ()

    def call(self, fn: Any, *args: Any) -> Future:
        """Run ``fn(*args)`` in this side's thread."""
        return self._pool.submit(fn, *args)

    def open(self, max_size: tuple[int, int] | None) -> ClipInfo:
        from ..media.frame_reader import FrameReader

        self.reader = FrameReader(self.path, pixel_format="bgra")
        reader = self.reader
        times = tuple(reader.time_of(i) for i in range(reader.frame_count))
        info = ClipInfo(self.path, reader.fps, reader.frame_count, reader.duration_s,
                        reader.width, reader.height, times, probe(self.path).has_audio)  # fmt: skip
        reader.set_max_size(max_size)
        self._times = times
        return info

    def index_at_time(self, time_s: float) -> int:
        """The frame on screen at ``time_s`` (any thread: the times never change)."""
        return max(0, bisect.bisect_right(self._times, time_s + _TIME_SLACK_S) - 1)

    def cached(self, index: int) -> _Ready | None:
        """Frame ``index`` if it is made already (any thread)."""
        with self._lock:
            ready = self._cache.get(index)
            if ready is not None:
                self._cache.move_to_end(index)
            return ready

    def resize(self, max_size: tuple[int, int] | None) -> None:
        """Read at ``max_size`` from now on (the reader converts its latest pictures again
        rather than decoding them anew)."""
        self.reader.set_max_size(max_size)
        with self._lock:
            self._cache.clear()
            self._bytes = 0

    def ready(self, index: int) -> _Ready:
        """Frame ``index``, from the cache when it is there (this side's thread)."""
        ready = self.cached(index)
        if ready is not None:
            return ready
        frame = self.reader.frame_at(index)
        size = (frame.width, frame.height)
        # The image shares the frame's bytes (PySide keeps them alive while it does).
        image = QImage(frame.pixels, *size, frame.stride, QImage.Format.Format_RGB32)
        ready = _Ready(index, frame.pixels, frame.stride, size, image)
        with self._lock:
            self._cache[index] = ready
            self._bytes += len(frame.pixels)
            while self._bytes > CACHE_BYTES and len(self._cache) > 1:
                _index, old = self._cache.popitem(last=False)
                self._bytes -= len(old.pixels)
        return ready

    def close(self) -> None:
        def release() -> None:
            if self.reader is not None:
                self.reader.close()
                self.reader = None
            with self._lock:
                self._cache.clear()

        self._pool.submit(release)
        self._pool.shutdown(wait=True)


class CompareFeed(QObject):
    """Reads ``path_a`` and ``path_b`` in worker threads of its own (:meth:`start`).

    Signals (GUI thread, queued): ``opened`` once both clips are open (:attr:`info_a`,
    :attr:`info_b` set), ``failed(message)`` when one cannot be read, ``landed`` when a
    picture waits in :meth:`take`. The GUI thread calls :meth:`set_size`,
    :meth:`set_difference`, :meth:`want`, :meth:`take` and :meth:`close`.
    """

    opened = Signal()
    failed = Signal(str)
    landed = Signal()

    def __init__(self, path_a: Path, path_b: Path, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.info_a: ClipInfo | None = None
        self.info_b: ClipInfo | None = None
        self.pictures_made = 0
        """Pictures posted so far (tests and the bench read it)."""
        self._sides = (_Side(Path(path_a), "a"), _Side(Path(path_b), "b"))
        self._cond = threading.Condition()
        self._want: Want | None = None
        self._ahead: list[Want] = []
        self._size: tuple[int, int] | None = None
        self._opened_size: tuple[int, int] | None = None
        self._difference_gain = 0  # 0: no difference picture
        self._picture: ComparePicture | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        # Not self.close: once the C++ object is gone its Python methods are not to be called.
        cond, stop = self._cond, self._stop
        self.destroyed.connect(lambda *_args: _stop_worker(cond, stop))

    # ---- GUI thread -----------------------------------------------------------------------

    def start(self) -> None:
        """Open both clips and start answering requests (once)."""
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="compare-feed", daemon=True)
            self._thread.start()

    def set_size(self, size: QSize) -> None:
        """Make the pictures to fit ``size`` device pixels (the slot each is painted in),
        never larger than the clips; an empty size: the clips' own."""
        box = (max(1, size.width()), max(1, size.height())) if not size.isEmpty() else None
        with self._cond:
            self._size = box
            self._cond.notify()

    def set_difference(self, gain: int) -> None:
        """Make the difference picture amplified ``gain`` times (0: none)."""
        with self._cond:
            self._difference_gain = max(0, int(gain))

    def want(self, want: Want, ahead: tuple[Want, ...] = ()) -> None:
        """Make the picture for ``want`` next (replacing a request not yet started), then,
        while idle, decode the ``ahead`` positions into the caches, in that order."""
        with self._cond:
            self._want = want
            self._ahead = list(ahead)
            self._cond.notify()

    def take(self) -> ComparePicture | None:
        """The latest picture made (once), or None."""
        with self._cond:
            picture, self._picture = self._picture, None
        return picture

    def close(self) -> None:
        """Stop the workers and release the files (they finish the frame in hand first)."""
        _stop_worker(self._cond, self._stop)

    def wait_closed(self, timeout_s: float = 5.0) -> bool:
        """After :meth:`close`: wait for the workers to end; whether they did."""
        thread = self._thread
        if thread is None:
            return True
        thread.join(timeout_s)
        return not thread.is_alive()

    # ---- worker threads -------------------------------------------------------------------

    def _run(self) -> None:
        try:
            with self._cond:
                size = self._size
            infos = [side.call(side.open, size) for side in self._sides]
            self.info_a, self.info_b = (future.result() for future in infos)
            self._opened_size = size
            self._emit("opened")
            self._serve()
        except Exception as exc:  # a clip that cannot be read: the view says so
            log.info("compare: %s", exc)
            self._emit("failed", str(exc) or type(exc).__name__)
        finally:
            for side in self._sides:
                side.close()

    def _emit(self, name: str, *args: object) -> None:
        """Emit the signal ``name`` unless the view has gone (the object may be deleted)."""
        if self._stop.is_set():
            return
        try:
            getattr(self, name).emit(*args)
        except RuntimeError:  # deleted between the check and the emit
            self._stop.set()

    def _serve(self) -> None:
        in_hand: list[Future] = []  # the frames being made ahead, at most one per side
        while True:
            with self._cond:
                while (
                    not self._stop.is_set()
                    and self._want is None
                    and not (self._ahead and all(f.done() for f in in_hand))
                ):
                    self._cond.wait()
                if self._stop.is_set():
                    return
                want, self._want = self._want, None
                size, gain = self._size, self._difference_gain
                ahead = self._ahead.pop(0) if want is None else None
            try:
                if size != self._opened_size:
                    for future in [*in_hand, *(s.call(s.resize, size) for s in self._sides)]:
                        future.result()
                    in_hand, self._opened_size = [], size
                if want is not None:
                    picture = self._picture_for(want, gain)
                    with self._cond:
                        self._picture = picture
                        self.pictures_made += 1
                    self._emit("landed")
                elif ahead is not None:
                    # Not waited for: a step to a frame already made is served meanwhile.
                    in_hand = [side.call(side.ready, index)
                               for side, index in zip(self._sides, self._indices(ahead),
                                                      strict=True)]  # fmt: skip
                    for future in in_hand:
                        future.add_done_callback(self._on_made_ahead)
            except VideoError as exc:
                # One damaged frame: say so, and go on serving the positions that decode.
                log.info("compare: %s", exc)
                if want is not None:
                    self._emit("failed", str(exc))

    def _on_made_ahead(self, _future: Future) -> None:
        """A frame made ahead (a side's thread): the coordinator may start the next."""
        with self._cond:
            self._cond.notify()

    def _indices(self, want: Want) -> tuple[int, int]:
        """A's frame number and B's for ``want``."""
        return want.a_index, self._sides[1].index_at_time(want.time_s)

    def _frames(self, want: Want) -> tuple[_Ready, _Ready]:
        """A's frame and B's for ``want``: from the caches when made already, else made at
        once in the two sides' threads (after the frame in hand there, if any)."""
        indices = self._indices(want)
        found = [side.cached(index) for side, index in zip(self._sides, indices, strict=True)]
        futures = [
            None if ready is not None else side.call(side.ready, index)
            for side, index, ready in zip(self._sides, indices, found, strict=True)
        ]
        a, b = (
            ready if future is None else future.result()
            for ready, future in zip(found, futures, strict=True)
        )
        return a, b

    def _picture_for(self, want: Want, gain: int) -> ComparePicture:
        a, b = self._frames(want)
        difference = None
        if gain > 0:
            # B in A's frame: a clip of another shape is compared stretched to A's.
            matched = b.rgb() if b.size == a.size else _resized(b.rgb(), b.size, a.size)
            difference = _image(difference_rgb(a.rgb(), matched, a.size, gain), *a.size)
        return ComparePicture(
            position=want.position,
            time_s=want.time_s,
            a_index=a.index,
            b_index=b.index,
            a=a.image,
            b=b.image,
            difference=difference,
            gain=gain,
        )
