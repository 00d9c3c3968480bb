"""Helpers for the job tests: tiny inputs, a fast stand-in renderer that still writes a real
MP4, the offline engine in this process or as a separate one, a started runner and a watcher
of its events, and the CLI as a subprocess.

(A module with its own name rather than conftest.py: several test folders have a conftest.)
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

from wan_testkit import EngineProcess, tiny_mp4

from bench._common import job_states  # noqa: F401 - one reader for the tests and the bench
from wan_desktop.core.request import GenerationRequest
from wan_desktop.emulator import EmulatorServer
from wan_desktop.jobs.backend import Backend
from wan_desktop.jobs.model import JobState
from wan_desktop.jobs.runner import JobRunner
from wan_desktop.library import Library

KEY = "test-key-0123456789"

#: How long a test waits for a job (a shared machine under load can be slow).
DEADLINE_S = 60


class _KeyedEngine(EngineProcess):
    """The engine process whose control calls (stats, faults) carry its key."""

    def _http(self):
        client = super()._http()
        client.headers["Authorization"] = f"Key {KEY}"
        return client


@contextlib.contextmanager
def fal_engine(*args: str) -> Iterator[EngineProcess]:
    """``wan-desktop emulator ARGS`` in its own process standing in for fal, for a ``with``
    block: it takes :data:`KEY`, the key :func:`cli_env` gives the app."""
    engine = _KeyedEngine("--key", KEY, *args, real=True)
    try:
        yield engine
    finally:
        engine.stop()


def fast_render(image_bytes, *, dest, progress=None, **kwargs) -> None:
    """Stands in for the engine's renderer where a test is about jobs, not pictures."""
    if progress is not None:
        progress(1, 1)
    dest.parent.mkdir(parents=True, exist_ok=True)
    dest.write_bytes(tiny_mp4())


@contextlib.contextmanager
def emulator(**options: Any) -> Iterator[EmulatorServer]:
    """The offline engine in this process on loopback (``EmulatorServer(**options)``, the
    :func:`fast_render` renderer unless another is given), stopped after the ``with``."""
    options.setdefault("render", fast_render)
    engine = EmulatorServer(**options)
    engine.start()
    try:
        yield engine
    finally:
        engine.stop()


def job_request(image: Path, **fields: Any) -> GenerationRequest:
    """A valid 720p request from ``image`` (prompt ``a slow pan`` unless given)."""
    fields.setdefault("prompt", "a slow pan")
    fields.setdefault("resolution", "720p")
    return GenerationRequest(image=str(image), **fields)


@contextlib.asynccontextmanager
async def started_runner(
    folder: Path, engine: EmulatorServer, key: str, **options: Any
) -> AsyncIterator[tuple[JobRunner, Library]]:
    """A library at ``folder`` and a started runner that treats ``engine`` as fal (its
    results billed), both closed after the ``async with``."""
    library = Library.open(folder)
    runner = JobRunner(library, Backend(engine.base_url, key, offline=False), **options)
    try:
        await runner.start()
        yield runner, library
    finally:
        await runner.close()
        library.close()


class Watcher:
    """A runner's events as they come, and waits for a job's state or end."""

    def __init__(self, runner: JobRunner, library: Library):
        self.runner = runner
        self.library = library
        self.events: list[Any] = []
        runner.subscribe(self.on_event)

    def on_event(self, event: Any) -> None:
        self.events.append(event)

    async def finish(self, job_id: str):
        """The job's final snapshot, once it is done, failed or cancelled."""
        return await asyncio.wait_for(self.runner.wait(job_id), DEADLINE_S)

    async def until(self, job_id: str, *states: JobState) -> None:
        """Wait until the job is in one of ``states``."""

        async def poll() -> None:
            while self.runner.get(job_id).state not in states:
                await asyncio.sleep(0.02)

        await asyncio.wait_for(poll(), DEADLINE_S)


def wait_until(predicate: Callable[[], object], timeout_s: float = 30.0, step_s: float = 0.05):
    """Poll ``predicate`` until it is truthy; returns its value or fails after the deadline."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(step_s)
    raise AssertionError(f"condition not met within {timeout_s} s")


def cli_env(home: Path, base_url: str | None = None, key: str | None = KEY) -> dict[str, str]:
    """The environment of a CLI run: its own home, the given queue URL and key. The engine
    at ``base_url`` also stands in for fal's Platform API (its ``/v1``), so ``generate``
    never asks the real fal for the schema and price."""
    dropped = ("FAL_KEY", "FAL_QUEUE_URL", "FAL_PLATFORM_URL", "FAL_KEY_ID", "FAL_KEY_SECRET")
    env = {k: v for k, v in os.environ.items() if k not in dropped}
    env["WAN_DESKTOP_HOME"] = str(home)
    env["PYTHONUNBUFFERED"] = "1"
    if base_url:
        env["FAL_QUEUE_URL"] = base_url
        env["FAL_PLATFORM_URL"] = base_url.rstrip("/") + "/v1"
        # The engine answers at once, but a loaded machine can take longer than the usual
        # second to start the question (the bench measures that budget, not the tests).
        env["WAN_DESKTOP_PLATFORM_WAIT_S"] = "15"
    if key:
        env["FAL_KEY"] = key
    return env


def wan(*args: str, env: dict[str, str], timeout: float = 120) -> subprocess.CompletedProcess:
    """Run ``wan-desktop ARGS`` to the end."""
    return subprocess.run(
        [sys.executable, "-m", "wan_desktop", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        stdin=subprocess.DEVNULL,
    )


def parse_json_line(text: str) -> dict:
    """The one JSON object ``--json`` prints on stdout."""
    lines = [line for line in text.splitlines() if line.strip()]
    assert len(lines) == 1, text
    return json.loads(lines[0])


WINDOW_LIKE = Path(__file__).with_name("window_like.py")


def spawn(*args: str, env: dict[str, str], err: Path) -> subprocess.Popen:
    """Start ``wan-desktop ARGS`` in the background: stdout piped, stderr into the file
    ``err`` (read it while the process runs with ``err.read_text()``)."""
    return subprocess.Popen(
        [sys.executable, "-m", "wan_desktop", *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=err.open("w"),
        stdin=subprocess.DEVNULL,
        text=True,
    )


def start_window_like(env: dict[str, str], err: Path) -> subprocess.Popen:
    """The window's services in a process of their own (``window_like.py``), once ready.
    Stop it with :func:`stop_window_like`."""
    proc = subprocess.Popen(
        [sys.executable, str(WINDOW_LIKE)],
        env={**env, "QT_QPA_PLATFORM": "offscreen"},
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=err.open("w"),
        text=True,
    )
    assert proc.stdout is not None
    line = proc.stdout.readline()
    if line.strip() != "ready":
        proc.kill()
        raise AssertionError(f"the window-like process did not start: {err.read_text()}")
    return proc


def stop_window_like(proc: subprocess.Popen) -> int:
    """Close the window-like process as a user closes the window; returns its exit code."""
    assert proc.stdin is not None
    proc.stdin.close()
    try:
        return proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
