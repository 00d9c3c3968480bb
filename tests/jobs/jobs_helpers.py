"""Helpers for the job tests: tiny inputs, a fast stand-in renderer that still writes a real
MP4, the offline engine as a separate process, and the CLI as a subprocess.

(A module with its own name rather than conftest.py: several test folders have a conftest.)
"""

from __future__ import annotations

import contextlib
import fractions
import functools
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import av
import httpx
from PIL import Image, ImageDraw

KEY = "test-key-0123456789"


@functools.cache
def tiny_mp4() -> bytes:
    """A real 1 s 256×144 H.264 clip (made once per test session)."""
    path = Path(tempfile.mkdtemp(prefix="wan-test-")) / "tiny.mp4"
    with av.open(str(path), "w", format="mp4", options={"movflags": "+faststart"}) as out:
        stream = out.add_stream("libx264", rate=24)
        stream.width, stream.height, stream.pix_fmt = 256, 144, "yuv420p"
        stream.options = {"preset": "ultrafast"}
        for i in range(24):
            frame = av.VideoFrame.from_image(Image.new("RGB", (256, 144), (i * 10, 80, 160)))
            frame.pts = i
            frame.time_base = fractions.Fraction(1, 24)
            out.mux(stream.encode(frame))
        out.mux(stream.encode(None))
    return path.read_bytes()


def fast_render(image_bytes, *, dest, progress=None, **kwargs) -> None:
    """Stands in for the engine's renderer where a test is about jobs, not pictures."""
    if progress is not None:
        progress(1, 1)
    dest.parent.mkdir(parents=True, exist_ok=True)
    dest.write_bytes(tiny_mp4())


def make_image(path: Path, width: int = 480, height: int = 320) -> Path:
    """A small PNG with some structure, so a camera move is visible."""
    image = Image.new("RGB", (width, height), (30, 60, 120))
    draw = ImageDraw.Draw(image)
    for x in range(0, width, 24):
        draw.line([(x, 0), (width - x, height)], fill=(240, 200, 0), width=2)
    draw.ellipse([width // 3, height // 3, 2 * width // 3, 2 * height // 3], fill=(220, 40, 40))
    image.save(path)
    return path


def wait_until(predicate: Callable[[], object], timeout_s: float = 30.0, step_s: float = 0.05):
    """Poll ``predicate`` until it is truthy; returns its value or fails after the deadline."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(step_s)
    raise AssertionError(f"condition not met within {timeout_s} s")


class EngineProcess:
    """``wan-desktop emulator`` in its own process (as an outside server would be)."""

    def __init__(self, *args: str):
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "wan_desktop", "emulator", "--port", "0", *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        line = self.proc.stdout.readline().strip() if self.proc.stdout else ""
        if not line.startswith("listening on "):
            self.proc.kill()
            raise RuntimeError(f"engine did not start: {line!r}")
        self.base_url = line.removeprefix("listening on ")

    def stats(self) -> dict:
        return httpx.get(f"{self.base_url}/_emulator/stats", timeout=10).json()

    def set_fault(self, name: str, **params) -> None:
        httpx.post(f"{self.base_url}/_emulator/faults", json={name: params}, timeout=10)

    def clear_faults(self) -> None:
        httpx.delete(f"{self.base_url}/_emulator/faults", timeout=10)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


@contextlib.contextmanager
def engine_process(*args: str) -> Iterator[EngineProcess]:
    engine = EngineProcess(*args)
    try:
        yield engine
    finally:
        engine.stop()


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


def job_states(home: Path) -> list[str]:
    """The states in the job table, read as another process would (no runner)."""
    from wan_desktop.jobs.store import JobStore

    db = home / "library" / "library.db"
    if not db.exists():
        return []
    try:
        store = JobStore(db)
    except Exception:
        return []
    try:
        return [r.state.value for r in store.load()]
    except Exception:
        return []
    finally:
        store.close()


def parse_json_line(text: str) -> dict:
    """The one JSON object ``--json`` prints on stdout."""
    lines = [line for line in text.splitlines() if line.strip()]
    assert len(lines) == 1, text
    return json.loads(lines[0])
