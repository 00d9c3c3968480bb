"""Helpers for the job tests: tiny inputs, a fast stand-in renderer that still writes a real
MP4, the offline engine as a separate process, and the CLI as a subprocess.

(A module with its own name rather than conftest.py: several test folders have a conftest.)
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from wan_testkit import EngineProcess, tiny_mp4

from bench._common import job_states  # noqa: F401 - one reader for the tests and the bench

KEY = "test-key-0123456789"


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
