"""A stand-in for the window's process in the multi-process tests: the app's own ``Services``
(library, engine, job runner, and whatever the window starts with them) on a plain asyncio
loop, without widgets. Prints ``ready`` once the runner runs, then serves until its standard
input closes, and closes the services as the window does on quit.

Run as ``python tests/jobs/window_like.py`` with ``WAN_DESKTOP_HOME`` (and ``FAL_KEY`` /
``FAL_QUEUE_URL``) set.
"""

from __future__ import annotations

import asyncio
import sys


async def main() -> int:
    from wan_desktop.app import Services

    services = Services.from_environment()
    await services.start()
    print("ready", flush=True)
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)
    await services.close()
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
