"""qasync helpers: start coroutines from slots, keep every task, surface every failure.

A task nobody holds can be garbage-collected mid-flight, and an exception nobody retrieves is
only logged at interpreter exit. :class:`TaskKeeper` holds each task until it ends and turns
its exception into the ``failed`` signal (the window shows it) and a log line.

``asyncio`` is imported where it is used, not here: the window paints before the loop starts,
and asyncio (with ssl) costs ~50 ms of start-up that the first paint need not wait for.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Coroutine
from typing import TYPE_CHECKING, Any, TypeVar

from PySide6.QtCore import QObject, Signal

if TYPE_CHECKING:
    import asyncio

__all__ = [
    "TaskKeeper",
    "install_asyncgen_hooks",
    "install_exception_handler",
    "run_blocking",
]

log = logging.getLogger(__name__)
T = TypeVar("T")


async def run_blocking(fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> T:
    """Run ``fn(*args, **kwargs)`` in the loop's default executor (CPU or disk work)."""
    import asyncio

    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(None, functools.partial(fn, *args, **kwargs))


class TaskKeeper(QObject):
    """Owns the asyncio tasks the window starts.

    ``failed(what, message)`` is emitted on the GUI thread when a task raises; ``what`` is the
    short description given to :meth:`spawn` ("Test key", "Load image" ...).
    """

    failed = Signal(str, str)

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self._tasks: set[asyncio.Task[Any]] = set()

    def spawn(
        self, coro: Coroutine[Any, Any, T], what: str, owner: QObject | None = None
    ) -> asyncio.Task[T]:
        """Schedule ``coro`` on the running (qasync) loop and keep it until it ends.

        With ``owner``, the task is cancelled when that object is destroyed, so work for a
        closed widget never touches it afterwards.
        """
        import asyncio

        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        if owner is not None:
            owner.destroyed.connect(task.cancel)
        task.add_done_callback(functools.partial(self._on_task_done, what))
        return task

    def pending(self) -> list[asyncio.Task[Any]]:
        """Tasks still running."""
        return [t for t in self._tasks if not t.done()]

    def cancel_all(self) -> None:
        """Cancel every task still running (at window close)."""
        for task in list(self._tasks):
            task.cancel()

    def _on_task_done(self, what: str, task: asyncio.Task[Any]) -> None:
        self._tasks.discard(task)
        if task.cancelled():
            return
        exc = task.exception()
        if exc is None:
            return
        # Imported here, not at the top: this module loads before the first paint, and a
        # failed task is rare.
        from ..library.errors import LibraryClosedError

        if isinstance(exc, LibraryClosedError):
            # Work queued just before the library closed (the window closing, a test's
            # teardown) reached the executor after it: nothing is left to show it to, and
            # the work is as dropped as a cancelled task's.
            log.debug("%s dropped: the library closed before it ran", what)
            return
        log.error("%s failed", what, exc_info=exc)
        message = str(exc) or type(exc).__name__
        self.failed.emit(what, message)


def install_asyncgen_hooks(loop: asyncio.AbstractEventLoop) -> None:
    """Let ``loop`` finalise abandoned async generators (``aclose()`` as a task on the loop).

    asyncio's own ``run_forever`` installs these hooks; qasync's does not, so without them an
    async generator left mid-iteration (a cancelled ``async for`` over an HTTP stream) is closed
    by the garbage collector outside any task, and httpx/anyio complain.
    """
    import sys

    firstiter = getattr(loop, "_asyncgen_firstiter_hook", None)
    finalizer = getattr(loop, "_asyncgen_finalizer_hook", None)
    if firstiter is not None and finalizer is not None:
        sys.set_asyncgen_hooks(firstiter=firstiter, finalizer=finalizer)


def install_exception_handler(loop: asyncio.AbstractEventLoop, keeper: TaskKeeper) -> None:
    """Route exceptions the loop catches (callbacks, unretrieved futures) to ``keeper.failed``."""

    def handler(_loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
        exc = context.get("exception")
        message = context.get("message", "")
        log.error("event loop: %s", message, exc_info=exc)
        keeper.failed.emit("Background work", str(exc) if exc else message)

    loop.set_exception_handler(handler)
