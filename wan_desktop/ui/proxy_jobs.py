"""The window's side of the background proxy maker (GUI thread): asks
:class:`~wan_desktop.media.proxy_queue.ProxyQueue` for proxies and hears, on the GUI thread,
when one is made.

The queue calls back on its worker thread; the calls become this object's signals, which a
queued connection carries to the GUI thread. The object belongs to a Qt parent (never to
Python's garbage collector, which may run on any thread, and a ``QObject`` must be deleted on
its own); its owner calls :meth:`close`, which waits for the worker, before it goes away.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, Signal

from ..media.proxy_queue import ProxyQueue

__all__ = ["ProxyJobs"]


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

    def request(self, video_path: Path | str | None, *, urgent: bool = False) -> bool:
        """Ask for ``video_path``'s proxy (nothing for ``None``); ``urgent`` for the one the
        user waits on. Cheap enough to call from a painter: no file is looked at here."""
        if video_path is None:
            return False
        return self.queue.request(video_path, urgent=urgent)

    def forget(self, video_path: Path | str | None) -> None:
        """Stop caring about ``video_path`` (its clip left the library)."""
        if video_path is not None:
            self.queue.forget(video_path)

    def close(self) -> None:
        """Stop the worker and wait for it (the owner is going away)."""
        self.queue.close()
