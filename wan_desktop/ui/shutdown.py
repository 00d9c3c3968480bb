"""Every way of quitting becomes one request that the app's main coroutine answers on the loop.

``QApplication.quit()`` (the platform's Quit menu, a session logout, scripts driving the window)
makes Qt's event loop return at once: qasync's loop then stops under the main coroutine, and
whatever it still had to await (closing the HTTP client, the job runner, the offline engine)
would run with no loop. :class:`QuitGuard` turns the application's ``Quit`` event, SIGTERM and
SIGINT into a call of ``on_quit`` instead; the main coroutine closes the services and returns,
and only then does the loop stop.
"""

from __future__ import annotations

import contextlib
import signal
import socket
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QEvent, QObject, QSocketNotifier

__all__ = ["QuitGuard"]

#: Signals that ask the app to quit: a service manager's stop, Ctrl+C in the terminal.
QUIT_SIGNALS = (signal.SIGTERM, signal.SIGINT)


class QuitGuard(QObject):
    """Intercepts the application's ``Quit`` event and the quit signals (GUI thread).

    ``on_quit()`` is called for each request, on the GUI thread (the loop's thread); it may be
    called more than once. :meth:`close` puts the previous signal handlers back.
    """

    def __init__(self, app: QObject, on_quit: Callable[[], None]):
        super().__init__(app)
        self._app = app
        self._on_quit = on_quit
        self._previous: dict[int, Any] = {}
        self._wakeup: tuple[socket.socket, socket.socket] | None = None
        self._notifier: QSocketNotifier | None = None
        app.installEventFilter(self)
        self._install_signal_handlers()

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # Qt override
        if obj is self._app and event.type() == QEvent.Type.Quit:
            event.ignore()  # Qt's loop keeps running until the services are closed
            self._on_quit()
            return True
        return False

    def _install_signal_handlers(self) -> None:
        # Python runs a signal handler only when the interpreter next runs, and an idle Qt
        # loop runs none: the wakeup socket makes Qt call back into Python at once.
        reader, writer = socket.socketpair()
        reader.setblocking(False)
        writer.setblocking(False)
        try:
            signal.set_wakeup_fd(writer.fileno())
        except ValueError:  # not the main thread: leave the signals alone
            reader.close()
            writer.close()
            return
        self._wakeup = (reader, writer)
        for number in QUIT_SIGNALS:
            self._previous[number] = signal.signal(number, self._on_signal)
        self._notifier = QSocketNotifier(reader.fileno(), QSocketNotifier.Type.Read, self)
        self._notifier.activated.connect(self._on_notifier_activated)

    def _on_signal(self, _number: int, _frame: object) -> None:
        self._on_quit()

    def _on_notifier_activated(self) -> None:
        if self._wakeup is not None:
            with contextlib.suppress(OSError):
                self._wakeup[0].recv(64)

    def close(self) -> None:
        """Stop intercepting: the previous signal handlers and wakeup fd come back."""
        self._app.removeEventFilter(self)
        if self._notifier is not None:
            self._notifier.setEnabled(False)
            self._notifier = None
        for number, handler in self._previous.items():
            if handler is not None:  # None: set outside Python, nothing to put back
                signal.signal(number, handler)
        self._previous.clear()
        if self._wakeup is not None:
            signal.set_wakeup_fd(-1)
            for sock in self._wakeup:
                sock.close()
            self._wakeup = None
