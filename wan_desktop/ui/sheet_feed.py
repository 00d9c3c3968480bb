"""One contact-sheet cell's frames: a worker thread decodes the clip's small proxy ahead of the
clock into a ring of a few ``QImage``s; the GUI thread takes the frame the clock asks for.

The worker makes the proxy first when it is missing (:func:`~..media.proxy.ensure_proxy`; at
most :data:`PROXY_WORKERS` at once, so eight new takes do not start eight encoders on two
cores), then opens it with a :class:`~..media.frame_reader.FrameReader` at the size the cell
shows it, in BGRA (``QImage.Format_RGB32``'s bytes, which the window's 32-bit backing store
takes as they are) with FFmpeg's fast bilinear scaler: the ``QImage`` wraps the decoded bytes,
and neither the worker nor the GUI thread converts a pixel after FFmpeg. Painting then copies
pictures instead of scaling or converting them on the GUI thread.

The ring never grows: it holds the frames from the one wanted now to :data:`RING_FRAMES` ahead
(wrapping at the end of the loop), plus the one on screen. While playing, the worker fills it
in bursts: it sleeps until only :data:`REFILL_AT` decoded frames are left ahead of the clock,
then decodes until the ring is full again. Every time a thread takes the interpreter lock is a
chance for the machine to preempt it holding the lock, which stalls the GUI thread too, so
eight workers waking once a burst instead of every frame (or twice) matters on a loaded
machine. A worker that fell behind starts again at the wanted frame (skipping what is already
late) instead of working through a backlog, and until the frame arrives the cell keeps showing
its latest one.
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QObject, QSize, Signal
from PySide6.QtGui import QImage

from .clip_clock import ClockState, frame_at

__all__ = ["PROXY_WORKERS", "REFILL_AT", "RING_FRAMES", "WAITING", "CellFeed", "FeedInfo"]

log = logging.getLogger(__name__)

#: Frames decoded ahead of the clock per cell. At 24 fps, half a second: enough to ride out a
#: worker's scheduling hiccup on a loaded machine, little memory (8 cells × 13 pictures of at
#: most 0.9 MB, a 360p proxy's frame in BGRA).
RING_FRAMES = 12
#: While playing, a worker sleeps until this many decoded frames are left ahead of the clock
#: (a quarter of a second at 24 fps), then fills the ring again.
REFILL_AT = 6
#: Proxies made at once (each is an encoder that wants a core).
PROXY_WORKERS = 2
_proxy_slots = threading.BoundedSemaphore(PROXY_WORKERS)
#: ``preparing``'s value while a proxy waits for one of those turns.
WAITING = -1


@dataclass(frozen=True, slots=True)
class FeedInfo:
    """What the worker learnt when it opened the proxy: the clip's ``fps``, ``frame_count``,
    ``duration_s`` (seconds) and ``aspect`` (width ÷ height of its pictures)."""

    fps: float
    frame_count: int
    duration_s: float
    aspect: float


class CellFeed(QObject):
    """Decodes ``video_path``'s proxy for one cell, ahead of ``clock`` (the sheet's
    :meth:`ClipClock.snapshot`, read from the worker). ``ready`` (GUI thread, queued) once the
    proxy is open (:attr:`info` set); ``failed(message)`` when it cannot be; ``landed()`` when
    the frame wanted now has been decoded while paused (the sheet repaints on it).

    The GUI thread calls :meth:`set_size`, :meth:`set_loop` and :meth:`frame_for`;
    everything else happens in the feed's own thread, started by :meth:`start`.
    """

    ready = Signal()
    failed = Signal(str)
    landed = Signal()
    #: The proxy is missing: :data:`WAITING` for a turn to make it, then the percent made so
    #: far (0–99, each value once).
    preparing = Signal(int)

    def __init__(
        self,
        video_path: Path,
        clock: Callable[[], ClockState] | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.video_path = Path(video_path)
        self._clock = clock
        self.info: FeedInfo | None = None
        self.frames_decoded = 0
        """Frames the worker decoded (the bench reads it)."""
        self._cond = threading.Condition()
        self._ring: OrderedDict[int, QImage] = OrderedDict()
        self._size = QSize()
        self._slots = 0  # frames in one loop of the sheet, at this clip's rate
        self._wanted_slot = 0
        self._shown = -1  # the frame index on screen (kept in the ring while shown)
        self._generation = 0
        self._filling = False  # the worker is in a burst: it decodes until the ring is full
        self._closed = False
        self._thread: threading.Thread | None = None
        self._cancel = threading.Event()  # stops a proxy being made when the sheet closes
        self._percent = 0

    # ---- GUI thread -----------------------------------------------------------------------

    def start(self) -> None:
        """Start the worker (once)."""
        if self._thread is None:
            self._thread = threading.Thread(
                target=self._run, name=f"sheet-feed-{self.video_path.parent.name}", daemon=True
            )
            self._thread.start()

    def set_size(self, size: QSize) -> None:
        """Decode pictures fitted into ``size`` device pixels (the picture on screen stays
        until the new ones come)."""
        with self._cond:
            if size == self._size or size.isEmpty():
                return
            self._size = QSize(size)
            self._generation += 1
            self._ring.clear()
            self._shown = -1
            self._cond.notify()

    def set_loop(self, loop_s: float) -> None:
        """The sheet's loop is ``loop_s`` seconds: a shorter clip holds its last frame until
        the loop starts again."""
        info = self.info
        if info is None:
            return
        with self._cond:
            self._slots = max(1, round(loop_s * info.fps))
            self._cond.notify()

    def index_at(self, seconds: float) -> int:
        """This clip's frame at ``seconds`` into the sheet's loop (its last frame past its end)."""
        info = self.info
        if info is None:
            return 0
        return min(frame_at(seconds, info.fps), max(0, info.frame_count - 1))

    def frame_for(self, seconds: float, shown: int) -> tuple[int, QImage | None]:
        """The clock says ``seconds``: this clip's frame index then, and its picture when it
        is decoded and not ``shown`` already (it then stays in the ring while shown), else
        ``None`` (the cell keeps what it shows); the worker decodes from there on. One lock
        taken per cell and tick."""
        info = self.info
        if info is None:
            return 0, None
        index = self.index_at(seconds)
        with self._cond:
            # The worker wakes by itself for its next burst; it is woken early only when the
            # clock went where the ring is thin (a seek, a step back, playing from a pause).
            if self._set_wanted(seconds) and self._lead(REFILL_AT + 1) <= REFILL_AT:
                self._cond.notify()
            if index == shown:
                return index, None
            image = self._ring.get(index)
            if image is not None:
                self._shown = index
        return index, image

    def _set_wanted(self, seconds: float) -> bool:
        """Under the lock: the loop's slot at ``seconds`` is wanted now; whether it changed."""
        info = self.info
        assert info is not None
        slot = min(frame_at(seconds, info.fps), max(0, self._slots - 1))
        changed = slot != self._wanted_slot
        self._wanted_slot = slot
        return changed

    def close(self, wait_s: float = 2.0) -> None:
        """Stop the worker: it finishes the frame in hand (a proxy being made stops between
        two frames); waits at most ``wait_s`` seconds for it (0: not at all, see :meth:`join`)."""
        self._cancel.set()
        with self._cond:
            self._closed = True
            self._ring.clear()
            self._cond.notify()
        if wait_s > 0:
            self.join(wait_s)

    def join(self, timeout_s: float) -> None:
        """Wait at most ``timeout_s`` seconds for the closed worker to end."""
        thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout=max(0.0, timeout_s))

    def buffered(self) -> int:
        """Pictures held now (at most ``RING_FRAMES`` + 1)."""
        with self._cond:
            return len(self._ring)

    # ---- worker thread --------------------------------------------------------------------

    def _window(self) -> list[int]:
        """Frame indices wanted from now on, in order: the loop's next slots mapped to this
        clip's frames (its last frame repeats to the loop's end), without repeats."""
        info = self.info
        assert info is not None
        slots = max(1, self._slots)
        last = max(0, info.frame_count - 1)
        out: list[int] = []
        for k in range(RING_FRAMES):
            index = min((self._wanted_slot + k) % slots, last)
            if index not in out:
                out.append(index)
        return out

    def _lead(self, limit: int) -> int:
        """Under the lock: how many frames from the wanted one on are decoded without a gap
        (at most ``limit``, or all of the window when it is shorter)."""
        info = self.info
        if info is None:
            return 0
        slots = max(1, self._slots)
        last = max(0, info.frame_count - 1)
        lead = 0
        for k in range(min(limit, RING_FRAMES)):
            if min((self._wanted_slot + k) % slots, last) not in self._ring:
                break
            lead += 1
        return lead

    def _next_job(self) -> tuple[int | None, int]:
        """The first wanted frame not decoded yet (None: the ring is full) and how many are
        decoded ahead before it; drops pictures no longer wanted."""
        window = self._window()
        for index in list(self._ring):
            if index not in window and index != self._shown:
                del self._ring[index]
        for ahead, index in enumerate(window):
            if index not in self._ring:
                return index, ahead
        return None, len(window)

    def _sleep_s(self, position_s: float, ahead: int) -> float:
        """Seconds from the clock's ``position_s`` until only :data:`REFILL_AT` of the
        ``ahead`` decoded frames are left (a little after, so the burst starts on time)."""
        info = self.info
        assert info is not None
        refill_slot = self._wanted_slot + max(1, ahead - REFILL_AT)
        return max(0.001, refill_slot / info.fps - position_s + 0.001)

    def _wait_for_work(self, reader_size: QSize | None) -> tuple[str, int, QSize, int]:
        """Under the lock: ``("open", 0, size, generation)`` when the proxy must be (re)opened
        (``reader_size`` None: not open yet), ``("decode", index, size, generation)`` for the
        next frame, ``("close", …)`` when the feed was closed; waits while there is nothing."""
        while not self._closed:
            size, generation = QSize(self._size), self._generation
            if reader_size is None or size != reader_size:
                return "open", 0, size, generation
            state = self._clock() if self._clock is not None else None
            playing = state is not None and state.playing and self.info is not None
            position_s = state.position_s() if playing else 0.0
            if playing:
                # The worker reads the clock itself: it keeps decoding ahead while the GUI
                # thread is busy, so the frames are there when the GUI shows the next one.
                self._set_wanted(position_s)
            job, ahead = self._next_job()
            if job is not None and (not playing or self._filling or ahead <= REFILL_AT):
                self._filling = True
                return "decode", job, size, generation
            self._filling = False
            self._cond.wait(timeout=self._sleep_s(position_s, ahead) if playing else None)
        return "close", 0, QSize(), 0

    def _run(self) -> None:
        from ..media.proxy import ProxyCancelled

        try:
            proxy = self._proxy()
        except ProxyCancelled:  # the sheet closed while the proxy was being made
            return
        except Exception as exc:  # a clip that cannot be read must not end the sheet
            log.warning("contact sheet: no proxy for %s: %s", self.video_path, exc)
            self._emit(self.failed, f"This clip cannot be played: {exc}")
            return
        reader = None
        reader_size: QSize | None = None
        try:
            while True:
                with self._cond:
                    what, index, size, generation = self._wait_for_work(reader_size)
                if what == "close":
                    return
                if what == "open":
                    if reader is None:
                        reader = self._open(proxy, size)
                    else:  # a new size: the decoder keeps its place (no seek, no reopen)
                        reader.set_max_size(self._max_size(size))
                    reader_size = size
                    continue
                image = self._decode(reader, index)
                with self._cond:
                    if self._closed:
                        return
                    fresh = generation == self._generation and image is not None
                    if fresh:
                        self._ring[index] = image
                    wanted_now = fresh and index == self._window()[0]
                # While playing, the GUI's tick picks the frame up; a paused sheet needs a word.
                if wanted_now and not self._playing():
                    self._emit(self.landed)
        except Exception as exc:
            log.exception("contact sheet: decoding %s", proxy)
            self._emit(self.failed, f"This clip stopped playing: {exc}")
        finally:
            if reader is not None:
                reader.close()

    def _playing(self) -> bool:
        return self._clock is not None and self._clock().playing

    @staticmethod
    def _emit(signal, *args: object) -> None:
        """Emit from the worker; the sheet may have been deleted meanwhile (then nobody
        listens: Qt says so with a ``RuntimeError``)."""
        try:
            signal.emit(*args)
        except RuntimeError:
            pass

    def _proxy(self) -> Path:
        from ..media.proxy import ProxyCancelled, ensure_proxy, is_fresh, proxy_for

        if is_fresh(self.video_path):  # the usual case: made when the clip was filed
            return proxy_for(self.video_path)
        self._emit(self.preparing, WAITING)
        with _proxy_slots:
            if self._cancel.is_set():
                raise ProxyCancelled(self.video_path.name)
            self._emit(self.preparing, 0)
            return ensure_proxy(self.video_path, cancel=self._cancel, progress=self._progress)

    def _progress(self, done: int, total: int) -> None:
        percent = min(99, max(1, done * 100 // total)) if total > 0 else 0
        if percent > self._percent:
            self._percent = percent
            self._emit(self.preparing, percent)

    def _open(self, proxy: Path, size: QSize):
        from ..media.frame_reader import FrameReader

        # Played pictures at the cell's size: the fast scaler's softness does not show, its
        # saving (about a fifth of a frame's work) does, eight cells at a time. One decoder
        # thread: eight feeds are eight threads already, on a machine of two cores.
        reader = FrameReader(
            proxy,
            max_size=self._max_size(size),
            pixel_format="bgra",
            scaling="fast_bilinear",
            decode_threads=1,
        )
        first = self.info is None
        aspect = reader.width / reader.height if reader.height else 16 / 9
        self.info = FeedInfo(reader.fps, reader.frame_count, reader.duration_s, aspect)
        if first:
            with self._cond:
                self._slots = max(self._slots, reader.frame_count)
            self._emit(self.ready)
        return reader

    @staticmethod
    def _max_size(size: QSize) -> tuple[int, int] | None:
        return None if size.isEmpty() else (size.width(), size.height())

    def _decode(self, reader, index: int) -> QImage | None:
        frame = reader.frame_at(index)
        self.frames_decoded += 1
        # No copy: PySide keeps ``frame.pixels`` alive as long as any copy of this image
        # (the ring's, the cell's) shares it, and nothing paints into it.
        image = QImage(
            frame.pixels, frame.width, frame.height, frame.stride, QImage.Format.Format_RGB32
        )
        return None if image.isNull() else image
