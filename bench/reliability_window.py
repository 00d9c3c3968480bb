"""A window-style owner of a library's job queue, without Qt (``python -m
bench.reliability_window``).

Does what ``wan_desktop.app`` does when the window opens: opens the library of
``WAN_DESKTOP_HOME``, makes a runner on the engine of ``FAL_QUEUE_URL`` with ``FAL_KEY`` and
starts it through :class:`~wan_desktop.jobs.queue_host.QueueHost` (waits for the queue's
lock, resumes, serves the hand-off endpoint). Prints ``ready`` once it owns the queue, and
closes like the window when its standard input closes or SIGTERM arrives.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from wan_desktop.jobs.backend import Backend
from wan_desktop.jobs.cli_queue import library_root
from wan_desktop.jobs.queue_host import QueueHost
from wan_desktop.jobs.runner import JobRunner
from wan_desktop.library import Library


async def serve() -> int:
    """Own the queue until told to stop; returns the exit code."""
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    loop.add_reader(sys.stdin.fileno(), lambda: stop.set() if not os.read(0, 1) else None)
    library = Library.open(library_root())
    backend = Backend(os.environ["FAL_QUEUE_URL"], os.environ["FAL_KEY"], offline=False)
    runner = JobRunner(library, backend, concurrency=2)
    host = QueueHost(library.root)
    try:
        await host.start(runner, library)
        print("ready", flush=True)
        await stop.wait()
    finally:
        await host.stop_serving()
        await runner.close()
        await backend.close()
        await host.close()
        library.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(asyncio.run(serve()))
