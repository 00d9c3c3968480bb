"""The hovered card's picture while the pointer scrubs it (GUI thread).

:class:`ScrubFrames` turns pointer positions into frames: a frame already decoded comes from
a byte-bounded LRU at once; any other is asked of
:class:`~wan_desktop.library.scrub.HoverFrames`, which decodes it from the clip's proxy in its
worker thread (the latest request wins) and hands back a ``QImage`` made on that thread. Until
the first frame lands the card keeps its poster. A clip without a proxy has it made first, as
the next job of the background maker (:class:`~.proxy_jobs.ProxyJobs`), and scrubbing starts
when it is ready.

The frame shown is the one under the pointer, or, while that one is being decoded, the last
one shown (never a frame the pointer has since left: a late answer for an old position is
cached but not shown).
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, QSize, Signal
from PySide6.QtGui import QImage

from ..library.scrub import HoverFrame, HoverFrames, frame_index
from .proxy_jobs import ProxyJobs
from .thumbnail_cache import ImageCache

__all__ = ["SCRUB_CACHE_BYTES", "ScrubFrames", "frame_image"]

#: The most bytes of decoded hover frames kept (a 200×112 frame is about 90 kB).
SCRUB_CACHE_BYTES = 48 << 20


def frame_image(frame) -> QImage:
    """A :class:`~wan_desktop.media.frame_reader.Frame` as a ``QImage`` in the 32-bit format
    painting copies without converting (any thread). A BGRA frame is wrapped as it is (PySide
    keeps its bytes alive as long as the image shares them); an RGB24 one is converted, a
    deep copy of a small picture."""
    if frame.pixel_format == "bgra":
        return QImage(frame.pixels, frame.width, frame.height, frame.stride,
                      QImage.Format.Format_RGB32)  # fmt: skip
    image = QImage(frame.rgb, frame.width, frame.height, 3 * frame.width,
                   QImage.Format.Format_RGB888)  # fmt: skip
    return image.convertToFormat(QImage.Format.Format_RGB32)


class _Relay(QObject):
    """Carries the worker's answers to the GUI thread (queued connections)."""

    landed = Signal(str, int, int, QImage)  # entry id, frame index, frame count, picture
    missing = Signal(str, str)  # entry id, the clip's path
    failed = Signal(str, str)  # entry id, why


class _Hover:
    """Where the pointer is: the entry, its clip, the fraction across the card, the size."""

    __slots__ = ("box", "entry_id", "fraction", "image", "image_index", "path")

    def __init__(self, entry_id: str, path: Path, fraction: float, box: QSize) -> None:
        self.entry_id = entry_id
        self.path = path
        self.fraction = fraction
        self.box = box
        self.image: QImage | None = None
        self.image_index = -1


class ScrubFrames(QObject):
    """Frames for the card under the pointer. ``changed(entry_id)`` when that card's picture
    or scrub position changed (repaint it). GUI thread, except the worker behind it."""

    changed = Signal(str)

    def __init__(
        self,
        proxies: ProxyJobs,
        parent: QObject | None = None,
        *,
        max_bytes: int = SCRUB_CACHE_BYTES,
    ) -> None:
        super().__init__(parent)
        self.proxies = proxies
        self.cache = ImageCache(max_bytes=max_bytes, max_count=4096)
        self._counts: dict[str, int] = {}  # entry id -> frames in its proxy
        self._hover: _Hover | None = None
        self._relay = _Relay(self)  # Qt-owned: deleted with this object, on the GUI thread
        self._relay.landed.connect(self._on_relay_landed)
        self._relay.missing.connect(self._on_relay_missing)
        self._relay.failed.connect(self._on_relay_failed)
        relay = self._relay  # the worker's callbacks hold the relay, never this object
        self.worker = HoverFrames(
            on_frame=lambda hover: _deliver(relay, hover),
            on_missing_proxy=lambda key, path: relay.missing.emit(key, str(path)),
            on_error=lambda key, message: relay.failed.emit(key, message),
            pixel_format="bgra",  # Format_RGB32's bytes: no conversion after FFmpeg's
        )
        proxies.ready.connect(self._on_proxies_ready)
        #: (entry id, frame index) last handed to a painter; the bench times to it.
        self.painted: tuple[str, int] | None = None
        self.unavailable: set[str] = set()  # entries whose proxy could not be made or read

    # ---- the pointer --------------------------------------------------------------------------

    def hover(self, entry_id: str, video_path: Path | str, fraction: float, box: QSize) -> None:
        """The pointer is at ``fraction`` (0..1) across ``entry_id``'s card, whose picture is
        ``box`` device pixels: show that frame (at once when decoded before)."""
        fraction = min(1.0, max(0.0, float(fraction)))
        hover = self._hover
        if hover is None or hover.entry_id != entry_id or hover.box != box:
            hover = self._hover = _Hover(entry_id, Path(video_path), fraction, QSize(box))
        hover.fraction = fraction
        count = self._counts.get(entry_id)
        if count is None:  # the first request tells how many frames the clip has
            self._ask(hover, fraction=fraction)
        else:
            index = frame_index(fraction, count)
            cached = self.cache.get(self._key(entry_id, index, hover.box))
            if cached is not None:
                self._show(hover, index, cached)
            else:
                self._ask(hover, index=index)
        self.changed.emit(entry_id)  # the position bar moves even before a frame lands

    def leave(self) -> None:
        """The pointer left the card (or the grid): the poster shows again."""
        hover, self._hover = self._hover, None
        self.worker.release()
        if hover is not None:
            self.changed.emit(hover.entry_id)

    def hovered_id(self) -> str | None:
        """The entry being scrubbed, or None."""
        return self._hover.entry_id if self._hover is not None else None

    def position(self, entry_id: str) -> float | None:
        """The pointer's fraction across ``entry_id``'s card while it scrubs it, else None."""
        hover = self._hover
        return hover.fraction if hover is not None and hover.entry_id == entry_id else None

    def image(self, entry_id: str) -> QImage | None:
        """The frame to paint for ``entry_id`` (None: paint the poster)."""
        hover = self._hover
        if hover is None or hover.entry_id != entry_id or hover.image is None:
            return None
        self.painted = (entry_id, hover.image_index)
        return hover.image

    def wanted_index(self) -> int | None:
        """The frame under the pointer, once the clip's frame count is known."""
        hover = self._hover
        if hover is None or hover.entry_id not in self._counts:
            return None
        return frame_index(hover.fraction, self._counts[hover.entry_id])

    def forget(self, entry_id: str) -> None:
        """``entry_id`` left the library (trash): stop scrubbing it."""
        if self._hover is not None and self._hover.entry_id == entry_id:
            self.leave()
        self._counts.pop(entry_id, None)

    def close(self) -> None:
        """End the worker (the pane is going away)."""
        self._hover = None
        self.worker.close()

    # ---- helpers ------------------------------------------------------------------------------

    @staticmethod
    def _key(entry_id: str, index: int, box: QSize) -> str:
        return f"{entry_id}#{index}@{box.width()}x{box.height()}"

    def _ask(self, hover: _Hover, **where: float | int) -> None:
        if hover.entry_id in self.unavailable:
            return
        size = (max(1, hover.box.width()), max(1, hover.box.height()))
        self.worker.show(hover.entry_id, hover.path, max_size=size, **where)

    @staticmethod
    def _show(hover: _Hover, index: int, image: QImage) -> None:
        hover.image, hover.image_index = image, index

    # ---- answers (GUI thread) -----------------------------------------------------------------

    def _on_relay_landed(self, entry_id: str, index: int, count: int, image: QImage) -> None:
        self._counts[entry_id] = count
        hover = self._hover
        box = hover.box if hover is not None and hover.entry_id == entry_id else None
        if box is None or image.isNull():
            return  # the pointer has left that card; the frame is of no use at another size
        if image.width() > box.width() or image.height() > box.height():
            return  # asked at an older size (the cards were resized meanwhile)
        self.cache.put(self._key(entry_id, index, box), image)
        wanted = frame_index(hover.fraction, count)
        if index == wanted or hover.image_index != wanted:
            self._show(hover, index, image)
            self.changed.emit(entry_id)
        if index != wanted and self.cache.get(self._key(entry_id, wanted, box)) is None:
            self._ask(hover, index=wanted)  # the first answer only told the frame count

    def _on_relay_missing(self, entry_id: str, path: str) -> None:
        self.proxies.request(path, urgent=True)

    def _on_relay_failed(self, entry_id: str, _message: str) -> None:
        self.unavailable.add(entry_id)

    def _on_proxies_ready(self, path: str) -> None:
        self.worker.retry(path)
        hover = self._hover
        if hover is not None and str(hover.path) == path:
            self.unavailable.discard(hover.entry_id)  # made again: worth another try
            self.hover(hover.entry_id, hover.path, hover.fraction, hover.box)


def _deliver(relay: _Relay, hover: HoverFrame) -> None:
    """Worker thread: the decoded frame as a ``QImage``, sent to the GUI thread."""
    frame = hover.frame
    relay.landed.emit(hover.key, frame.index, hover.frame_count, frame_image(frame))
