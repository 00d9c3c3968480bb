"""Thumbnails: an LRU of ``QImage``s bounded by bytes and count, and a background loader.

FeelUOwn's pattern: a model asks the cache; on a miss it shows a placeholder and asks the
loader, which decodes once per key in a worker (``QImage`` may cross threads, ``QPixmap``
never does) and reports ``loaded(key, image)`` on the GUI thread; the model then re-finds the
row by id and repaints that row only.

The loader serves the newest requests first (the rows on screen now) and forgets the oldest
when too many wait, so scrolling through ten thousand rows never builds a backlog.
:meth:`BackgroundImageLoader.reset` drops everything queued and makes results still in
flight stale: they are discarded when they arrive.
"""

from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QSize, Qt, Signal
from PySide6.QtGui import QImage, QImageReader

from .async_bridge import run_blocking

__all__ = ["BackgroundImageLoader", "ImageCache", "read_thumbnail", "to_qimage"]

log = logging.getLogger(__name__)


class ImageCache:
    """Least recently used ``QImage`` values (or lists of them), bounded by total bytes and by
    count. GUI thread only."""

    def __init__(self, max_bytes: int = 64 << 20, max_count: int = 2000):
        self.max_bytes = int(max_bytes)
        self.max_count = int(max_count)
        self._items: OrderedDict[str, tuple[Any, int]] = OrderedDict()
        self._bytes = 0

    @staticmethod
    def _size(value: Any) -> int:
        if isinstance(value, QImage):
            return int(value.sizeInBytes())
        if isinstance(value, list | tuple):
            return sum(int(v.sizeInBytes()) for v in value)
        return 64

    def get(self, key: str) -> Any:
        """The value for ``key`` (now the most recent), or ``None``."""
        item = self._items.get(key)
        if item is None:
            return None
        self._items.move_to_end(key)
        return item[0]

    def __contains__(self, key: str) -> bool:
        return key in self._items

    def put(self, key: str, value: Any) -> None:
        """Keep ``value``; the least recently used go until both bounds hold."""
        self.discard(key)
        size = self._size(value)
        self._items[key] = (value, size)
        self._bytes += size
        while self._items and (self._bytes > self.max_bytes or len(self._items) > self.max_count):
            _old, (_value, old_size) = self._items.popitem(last=False)
            self._bytes -= old_size

    def discard(self, key: str) -> None:
        """Forget ``key`` (nothing when it is not kept)."""
        item = self._items.pop(key, None)
        if item is not None:
            self._bytes -= item[1]

    def clear(self) -> None:
        """Forget everything."""
        self._items.clear()
        self._bytes = 0

    @property
    def bytes(self) -> int:
        """Bytes held (``QImage.sizeInBytes`` summed)."""
        return self._bytes

    def __len__(self) -> int:
        return len(self._items)


class BackgroundImageLoader(QObject):
    """Runs ``fn()`` (returning a ``QImage``, a list of them, or ``None``) in the loop's
    executor, at most ``concurrency`` at a time, newest request first.

    ``loaded(key, value)`` / ``failed(key, message)`` on the GUI thread, once per request that
    is still current. A key already waiting or running is not queued twice.
    """

    loaded = Signal(str, object)
    failed = Signal(str, str)

    def __init__(self, concurrency: int = 2, max_waiting: int = 96, parent: QObject | None = None):
        super().__init__(parent)
        self.concurrency = concurrency
        self.max_waiting = max_waiting
        self.generation = 0
        self._waiting: OrderedDict[str, Callable[[], Any]] = OrderedDict()
        self._running: set[str] = set()
        self._tasks: set[asyncio.Task[Any]] = set()
        self.decoded = 0  # results delivered (tests, bench)
        self.dropped = 0  # stale results thrown away

    def is_pending(self, key: str) -> bool:
        """Whether ``key`` waits or runs."""
        return key in self._waiting or key in self._running

    def request(self, key: str, fn: Callable[[], Any]) -> None:
        """Ask for ``key`` (``fn`` runs in a worker)."""
        if key in self._running:
            return
        if key in self._waiting:
            self._waiting.move_to_end(key)
            return
        self._waiting[key] = fn
        while len(self._waiting) > self.max_waiting:
            self._waiting.popitem(last=False)
        self._pump()

    def reset(self) -> None:
        """Forget what waits; results of requests already running will be dropped."""
        self.generation += 1
        self._waiting.clear()
        self._running.clear()

    def _pump(self) -> None:
        while self._waiting and len(self._running) < self.concurrency:
            key, fn = self._waiting.popitem(last=True)  # newest first: what is on screen now
            self._running.add(key)
            try:
                task = asyncio.ensure_future(self._run(key, fn, self.generation))
            except RuntimeError:  # no event loop (a model used without one): decode inline
                self._running.discard(key)
                self._deliver(key, fn, self.generation)
                continue
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    def _deliver(self, key: str, fn: Callable[[], Any], generation: int) -> None:
        try:
            value = fn()
        except Exception as exc:  # any decode failure is reported the same way
            self.failed.emit(key, str(exc) or type(exc).__name__)
            return
        self.decoded += 1
        self.loaded.emit(key, value)

    async def _run(self, key: str, fn: Callable[[], Any], generation: int) -> None:
        try:
            value = await run_blocking(fn)
            error = None
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # reported through ``failed``
            value, error = None, str(exc) or type(exc).__name__
        if not self._alive():  # the loader (and its model) went away meanwhile
            return
        current = generation == self.generation
        if current:
            self._running.discard(key)
        if not current:
            self.dropped += 1
        elif error is not None:
            log.debug("could not load %s: %s", key, error)
            self.failed.emit(key, error)
        else:
            self.decoded += 1
            self.loaded.emit(key, value)
        self._pump()

    def _alive(self) -> bool:
        try:
            self.objectName()
        except RuntimeError:
            return False
        return True

    def cancel_all(self) -> None:
        """Forget what waits and cancel what runs (the owner is going away)."""
        self.reset()
        for task in list(self._tasks):
            task.cancel()


def read_thumbnail(
    path: str, box: QSize, aspect: Qt.AspectRatioMode = Qt.AspectRatioMode.KeepAspectRatio
) -> QImage:
    """Decode the image at ``path`` scaled down to ``box`` (device pixels; ``aspect``: fit it,
    or cover it with ``KeepAspectRatioByExpanding``), scaled while decoding where the format
    allows (JPEG). Worker thread. Raises ``OSError``."""
    reader = QImageReader(path)
    reader.setAutoTransform(True)
    size = reader.size()
    if size.isValid() and (size.width() > box.width() or size.height() > box.height()):
        reader.setScaledSize(size.scaled(box, aspect))
    image = reader.read()
    if image.isNull():
        raise OSError(f"cannot read {path}: {reader.errorString()}")
    return image.convertToFormat(QImage.Format.Format_RGB32)


def to_qimage(picture: Any) -> QImage:
    """A Pillow RGB image as a ``QImage`` that owns its pixels (worker thread)."""
    rgb = picture.convert("RGB")
    data = rgb.tobytes()
    image = QImage(data, rgb.width, rgb.height, rgb.width * 3, QImage.Format.Format_RGB888)
    return image.convertToFormat(QImage.Format.Format_RGB32)  # a deep copy
