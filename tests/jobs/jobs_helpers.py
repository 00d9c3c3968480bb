"""Helpers for the job tests: tiny inputs, a fast stand-in renderer that still writes a real
MP4, the offline engine as a separate process, and the CLI as a subprocess.

(A module with its own name rather than conftest.py: several test folders have a conftest.)
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from wan_testkit import tiny_mp4

from bench._common import job_states  # noqa: F401 - one reader for the tests and the bench

KEY = "test-key-0123456789"


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
    """The environment of a CLI run: its own home, the given queue URL and key."""
    env = {k: v for k, v in os.environ.items() if k not in ("FAL_KEY", "FAL_QUEUE_URL")}
    env["WAN_DESKTOP_HOME"] = str(home)
    env["PYTHONUNBUFFERED"] = "1"
    if base_url:
        env["FAL_QUEUE_URL"] = base_url
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
