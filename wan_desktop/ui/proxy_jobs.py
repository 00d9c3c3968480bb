"""The window's side of the background proxy maker (GUI thread): asks
:class:`~wan_desktop.media.proxy_queue.ProxyQueue` for proxies and hears, on the GUI thread,
when one is made.

The cards a grid paints are handed over (:meth:`ProxyJobs.want`) once the grid has been still
for :data:`IDLE_MS`: while the user scrolls or types, the maker does not compete with them.

The queue calls back on its worker thread; the calls become this object's signals, which a
queued connection carries to the GUI thread. The object belongs to a Qt parent (never to
Python's garbage collector, which may run on any thread, and a ``QObject`` must be deleted on
its own); its owner calls :meth:`close`, which waits for the worker, before it goes away.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, QTimer, Signal

from ..media.proxy_queue import ProxyQueue

__all__ = ["IDLE_MS", "ProxyJobs"]

#: How long a grid must be still before the cards it painted go to the maker (ms).
IDLE_MS = 400


class ProxyJobs(QObject):
    """Proxies for the library pane's clips, made one at a time in the background.

    ``ready(path)`` (the clip's path as a str) when a proxy has been made or found fresh;
    ``failed(path, message)`` when it cannot be.
    """

    ready = Signal(str)
    failed = Signal(str, str)

    def __init__(self, parent: QObject, queue: ProxyQueue | None = None) -> None:
        super().__init__(parent)
        self.queue = queue or ProxyQueue()
        ready, failed = self.ready, self.failed  # the worker holds the signals, not self
        self.queue.on_ready = lambda path: ready.emit(str(path))
        self.queue.on_failed = lambda path, message: failed.emit(str(path), message)
        self._wanted: dict[str, Path] = {}  # painted, not yet handed to the maker
        self._asked: set[str] = set()  # keys handed over (or waiting to be)
        self._idle = QTimer(self)
        self._idle.setSingleShot(True)
        self._idle.setInterval(IDLE_MS)
        self._idle.timeout.connect(self._on_idle_timeout)

    def want(self, key: str, video_path: Path | str | None) -> None:
        """A card showing ``key``'s clip was painted: its proxy, in the background, once the
        grid has been still for :data:`IDLE_MS`; each key once (until :meth:`forget`)."""
        if key in self._asked or video_path is None:
            return
        self._asked.add(key)
        self._wanted[key] = Path(video_path)
        self._idle.start()

    def request(self, video_path: Path | str | None, *, urgent: bool = False) -> bool:
        """Ask for ``video_path``'s proxy (nothing for ``None``); ``urgent`` for the one the
        user waits on. Cheap enough to call from a painter: no file is looked at here."""
        if video_path is None:
            return False
        return self.queue.request(video_path, urgent=urgent)

    def forget(self, video_path: Path | str | None, key: str | None = None) -> None:
        """Stop caring about ``video_path`` (and the card ``key``): its clip left the library."""
        if key is not None:
            self._wanted.pop(key, None)
            self._asked.discard(key)
        if video_path is not None:
            self.queue.forget(video_path)

    def _on_idle_timeout(self) -> None:
        wanted, self._wanted = self._wanted, {}
        for path in wanted.values():  # the background lane makes the last painted first
            self.queue.request(path)

    def close(self) -> None:
        """Stop the worker and wait for it (the owner is going away)."""
        self.queue.close()
