"""The compare view's pictures: one worker thread reads both clips frame-exactly and hands the
GUI thread pairs made for the same position, so the two sides can never drift apart.

The worker owns a :class:`~..media.frame_reader.FrameReader` per clip, opened at the size the
pictures are shown (device pixels), and answers one request at a time from a single-slot
mailbox: a newer request replaces one not yet started, so a fast scrub or a late worker skips
positions instead of queueing them. For a position it reads A's frame by number and B's frame
at the same time (:meth:`FrameReader.frame_at_time`), makes both ``QImage``s and, in the
difference view, the amplified difference (Pillow, in the worker), then posts one
:class:`ComparePicture`. Decoded frames are kept in a small cache per side, bounded by bytes,
so a loop that comes round again or a step back costs no decoding. While playing, the worker
decodes the next few positions ahead whenever it is idle.
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path

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

#: Decoded frames kept per side. 48 MB holds about 30 frames at 960×540 and a whole 5 s clip
#: at the 360p of a small window: a looped range replays without decoding.
CACHE_BYTES = 48 * 1024 * 1024


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
    """An RGB24 picture of ``size`` resampled to ``to`` (B shown in A's frame)."""
    from PIL import Image

    image = Image.frombuffer("RGB", size, rgb, "raw", "RGB", 0, 1)
    return image.resize(to, Image.Resampling.BILINEAR).tobytes()


def _image(rgb: bytes, width: int, height: int) -> QImage:
    """A ``QImage`` that owns its pixels, in the format painting copies without converting."""
    image = QImage(rgb, width, height, 3 * width, QImage.Format.Format_RGB888)
    return image.convertToFormat(QImage.Format.Format_RGB32)


class _Side:
    """One clip's reader and its cache of decoded frames (worker thread only)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.reader = None
        self._cache: OrderedDict[int, object] = OrderedDict()
        self._bytes = 0

    def open(self, max_size: tuple[int, int] | None) -> None:
        from ..media.frame_reader import FrameReader

        self.close()
        self.reader = FrameReader(self.path, max_size=max_size)

    def close(self) -> None:
        if self.reader is not None:
            self.reader.close()
            self.reader = None
        self._cache.clear()
        self._bytes = 0

    def frame(self, index: int):
        """Frame ``index`` (a ``media.frame_reader.Frame``), from the cache when it is there."""
        frame = self._cache.get(index)
        if frame is not None:
            self._cache.move_to_end(index)
            return frame
        assert self.reader is not None
        frame = self.reader.frame_at(index)
        self._cache[index] = frame
        self._bytes += len(frame.rgb)
        while self._bytes > CACHE_BYTES and len(self._cache) > 1:
            _index, old = self._cache.popitem(last=False)
            self._bytes -= len(old.rgb)
        return frame

    def has(self, index: int) -> bool:
        return index in self._cache


class CompareFeed(QObject):
    """Reads ``path_a`` and ``path_b`` in a worker thread of its own (:meth:`start`).

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
        self._sides = (_Side(Path(path_a)), _Side(Path(path_b)))
        self._cond = threading.Condition()
        self._want: Want | None = None
        self._ahead: list[Want] = []
        self._size: tuple[int, int] | None = None
        self._opened_size: tuple[int, int] | None = None
        self._difference_gain = 0  # 0: no difference picture
        self._picture: ComparePicture | None = None
        self._closed = False
        self._thread: threading.Thread | None = None
        self.destroyed.connect(self.close)

    # ---- GUI thread -----------------------------------------------------------------------

    def start(self) -> None:
        """Open both clips and start answering requests (once)."""
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="compare-feed", daemon=True)
            self._thread.start()

    def set_size(self, size: QSize) -> None:
        """Make pictures to fit ``size`` device pixels (never larger than the clips)."""
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
        while idle, decode the ``ahead`` positions into the cache."""
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
        """Stop the worker and release the files (it finishes the frame in hand first)."""
        with self._cond:
            self._closed = True
            self._cond.notify()

    def wait_closed(self, timeout_s: float = 5.0) -> bool:
        """After :meth:`close`: wait for the worker to end; whether it did."""
        thread = self._thread
        if thread is None:
            return True
        thread.join(timeout_s)
        return not thread.is_alive()

    # ---- worker thread --------------------------------------------------------------------

    def _run(self) -> None:
        try:
            self._open(None)
            self.opened.emit()
            self._serve()
        except Exception as exc:  # a clip that cannot be read: the view says so
            log.info("compare: %s", exc)
            if not self._closed:
                self.failed.emit(str(exc) or type(exc).__name__)
        finally:
            for side in self._sides:
                side.close()

    def _open(self, size: tuple[int, int] | None) -> None:
        for side in self._sides:
            side.open(size)
        self._opened_size = size
        if self.info_a is None:
            self.info_a, self.info_b = (self._info(side) for side in self._sides)

    @staticmethod
    def _info(side: _Side) -> ClipInfo:
        reader = side.reader
        assert reader is not None
        times = tuple(reader.time_of(i) for i in range(reader.frame_count))
        return ClipInfo(side.path, reader.fps, reader.frame_count, reader.duration_s,
                        reader.width, reader.height, times, probe(side.path).has_audio)  # fmt: skip

    def _serve(self) -> None:
        while True:
            with self._cond:
                while not self._closed and self._want is None and not self._ahead:
                    self._cond.wait()
                if self._closed:
                    return
                want, self._want = self._want, None
                size, gain = self._size, self._difference_gain
                ahead = self._ahead.pop(0) if want is None and self._ahead else None
            if size != self._opened_size:
                self._open(size)
            try:
                if want is not None:
                    picture = self._picture_for(want, gain)
                    with self._cond:
                        self._picture = picture
                        self.pictures_made += 1
                    self.landed.emit()
                elif ahead is not None:
                    self._frames(ahead)  # into the caches, for when playing gets there
            except VideoError as exc:
                # One damaged frame: say so, and go on serving the positions that decode.
                log.info("compare: %s", exc)
                if want is not None:
                    self.failed.emit(str(exc))

    def _frames(self, want: Want):
        side_a, side_b = self._sides
        assert side_b.reader is not None
        frame_a = side_a.frame(want.a_index)
        frame_b = side_b.frame(side_b.reader.index_at_time(want.time_s))
        return frame_a, frame_b

    def _picture_for(self, want: Want, gain: int) -> ComparePicture:
        frame_a, frame_b = self._frames(want)
        difference = None
        if gain > 0:
            size_a = (frame_a.width, frame_a.height)
            rgb_b = frame_b.rgb
            if (frame_b.width, frame_b.height) != size_a:
                rgb_b = _resized(rgb_b, (frame_b.width, frame_b.height), size_a)
            diff = difference_rgb(frame_a.rgb, rgb_b, size_a, gain)
            difference = _image(diff, *size_a)
        return ComparePicture(
            position=want.position,
            time_s=want.time_s,
            a_index=frame_a.index,
            b_index=frame_b.index,
            a=_image(frame_a.rgb, frame_a.width, frame_a.height),
            b=_image(frame_b.rgb, frame_b.width, frame_b.height),
            difference=difference,
            gain=gain,
        )
