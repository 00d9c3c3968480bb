"""Which service generates: fal (with a key) or the offline engine on loopback.

Both speak the same queue protocol, so the runner uses one client for either. The offline
engine runs as a child process on 127.0.0.1 with its state under the app's cache folder, so
its requests survive a restart of the app like fal's do.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import secrets
import subprocess
import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from ..core.paths import AppPaths
from ..core.secrets import KeyStore
from ..core.settings import DEFAULT_QUEUE_URL, Settings, resolve_queue_url
from ..fal import FalClient, RequestHandle

__all__ = [
    "DEFAULT_QUEUE_URL",
    "Backend",
    "EngineProcess",
    "NoKeyError",
    "open_backend",
]


class EngineProcess:
    """The offline engine in a child process (``wan-desktop emulator``).

    A process of its own, not a thread: rendering and parsing a 25 MB request would otherwise
    compete with the window for the interpreter lock and stall the GUI. The child stops when
    this process closes its standard input — also when this process is killed.
    """

    def __init__(self, state_dir: Path, *, workers: int = 2, start_timeout_s: float = 60.0):
        self.state_dir = state_dir
        self.workers = workers
        self.start_timeout_s = start_timeout_s
        self.base_url = ""
        #: This run's token: the engine answers only requests that carry it as their key, so
        #: other local processes (and web pages) cannot read or steer its requests.
        self.token = secrets.token_urlsafe(24)
        self._proc: subprocess.Popen[bytes] | None = None

    def command(self) -> list[str]:
        """How to run the engine: this program again (a bundle) or this package's module."""
        if getattr(sys, "frozen", False):
            head = [sys.executable]
        else:
            head = [sys.executable, "-m", "wan_desktop"]
        return [
            *head,
            "emulator",
            "--port",
            "0",
            "--workers",
            str(self.workers),
            "--state-dir",
            str(self.state_dir),
            "--exit-with-parent",
            "--low-priority",
        ]

    def start(self) -> None:
        """Start the child and wait for its address (blocking: call in an executor)."""
        # The token goes through the environment, never the command line (which every local
        # user can read); it also replaces the user's own fal key, which the child must not see.
        env = {**os.environ, "FAL_KEY": self.token}
        for name in ("FAL_KEY_ID", "FAL_KEY_SECRET"):
            env.pop(name, None)
        self._proc = subprocess.Popen(
            self.command(),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            env=env,
        )
        assert self._proc.stdout is not None
        ready = threading.Event()
        line: list[bytes] = []

        def read_first_line() -> None:
            assert self._proc is not None and self._proc.stdout is not None
            line.append(self._proc.stdout.readline())
            ready.set()

        threading.Thread(target=read_first_line, daemon=True).start()
        if not ready.wait(self.start_timeout_s) or not line[0].startswith(b"listening on "):
            self.stop()
            raise RuntimeError("The offline engine did not start.")
        self.base_url = line[0].decode().removeprefix("listening on ").strip()

    def stop(self) -> None:
        """Stop the child (blocking, a few seconds at most: call in an executor)."""
        proc, self._proc = self._proc, None
        if proc is None:
            return
        with contextlib.suppress(OSError):
            if proc.stdin is not None:
                proc.stdin.close()
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        if proc.stdout is not None:
            proc.stdout.close()


class NoKeyError(RuntimeError):
    """No fal key is set and the offline engine was not asked for."""

    def __init__(self) -> None:
        super().__init__(
            "No fal key is set. Set the FAL_KEY environment variable, or add the key in the "
            "window (Settings → fal key), or use --offline to animate the image locally with "
            "the offline engine (it is not the AI model)."
        )


@dataclass
class Backend:
    """A queue endpoint and the key for it. ``offline`` when it is the local engine."""

    base_url: str
    key: str = field(repr=False)
    offline: bool
    engine: object | None = field(default=None, repr=False)

    @property
    def name(self) -> str:
        """``offline`` or ``fal``: stored with each job."""
        return "offline" if self.offline else "fal"

    def client(self) -> FalClient:
        """A new client for this backend (use as ``async with``)."""
        return FalClient(self.key, base_url=self.base_url)

    def live_handle(self, handle: dict[str, Any], sent_to: str) -> RequestHandle:
        """The request handle to use now for a job sent to ``sent_to`` (``fal``/``offline``).

        The offline engine listens on a new port each run while its request ids stay valid,
        so a stored offline handle is rebuilt against the live engine.
        """
        stored = RequestHandle.from_dict(handle)
        if sent_to == "offline" and self.offline:
            return RequestHandle.from_base(self.base_url, stored.endpoint_id, stored.request_id)
        return stored

    def live_url(self, url: str, sent_to: str) -> str:
        """A result URL (the video) rewritten to the live engine for an offline job."""
        if sent_to == "offline" and self.offline and url:
            live = urlsplit(self.base_url)
            parts = urlsplit(url)
            return urlunsplit((live.scheme, live.netloc, parts.path, parts.query, ""))
        return url

    async def close(self) -> None:
        """Stop the offline engine, if this backend started one."""
        if self.engine is not None:
            engine, self.engine = self.engine, None
            await asyncio.get_running_loop().run_in_executor(None, engine.stop)


async def open_backend(
    paths: AppPaths,
    settings: Settings,
    key_store: KeyStore | None = None,
    *,
    offline: bool = False,
    require_key: bool = False,
    workers: int | None = None,
) -> Backend:
    """The backend to use now.

    ``offline=True`` (or the ``offline`` setting) starts the offline engine. Otherwise fal is
    used when a key is set; without one, :class:`NoKeyError` is raised when ``require_key``
    (the command line) or the ``fal`` setting asks for fal, else the offline engine is used.
    The queue URL comes from ``FAL_QUEUE_URL``, then the setting.
    Call on the event loop; the engine starts in an executor.
    """
    loop = asyncio.get_running_loop()
    want_offline = offline or settings.backend == "offline"
    key = None
    if not want_offline:
        store = key_store or KeyStore(paths)
        source = await loop.run_in_executor(None, store.get)
        key = source.key if source else None
        if key is None:
            if require_key or settings.backend == "fal":
                raise NoKeyError()
            want_offline = True
    if want_offline:
        paths.ensure()
        engine = EngineProcess(paths.engine, workers=workers or max(1, settings.concurrency))
        await loop.run_in_executor(None, engine.start)
        return Backend(engine.base_url, engine.token, offline=True, engine=engine)
    base, _source = resolve_queue_url(settings)
    assert key is not None
    return Backend(base.rstrip("/"), key, offline=False)
