"""Helpers shared by several test folders: a tiny real MP4, a small input image, and the
offline engine as a separate process (as an outside server would be).

Importable from every test module: ``tests/`` is on ``sys.path`` (its conftest.py lives here).
"""

from __future__ import annotations

import contextlib
import fractions
import functools
import signal
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import av
import httpx
from PIL import Image, ImageDraw

ROOT = Path(__file__).resolve().parents[1]

__all__ = ["ROOT", "EngineProcess", "engine_process", "make_image", "tiny_mp4"]


@functools.cache
def tiny_mp4(size: tuple[int, int] = (256, 144), frames: int = 24) -> bytes:
    """A real H.264 clip, ``frames`` frames at 24 fps (made once per session and size)."""
    width, height = size
    path = Path(tempfile.mkdtemp(prefix="wan-test-")) / "tiny.mp4"
    with av.open(str(path), "w", format="mp4", options={"movflags": "+faststart"}) as out:
        stream = out.add_stream("libx264", rate=24)
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
        stream.options = {"preset": "ultrafast"}
        for i in range(frames):
            colour = ((i * 10) % 256, 80, 160)
            frame = av.VideoFrame.from_image(Image.new("RGB", (width, height), colour))
            frame.pts = i
            frame.time_base = fractions.Fraction(1, 24)
            out.mux(stream.encode(frame))
        out.mux(stream.encode(None))
    return path.read_bytes()


def make_image(path: Path, width: int = 480, height: int = 320) -> Path:
    """A small PNG with some structure, so a camera move is visible."""
    image = Image.new("RGB", (width, height), (30, 60, 120))
    draw = ImageDraw.Draw(image)
    for x in range(0, width, 24):
        draw.line([(x, 0), (width - x, height)], fill=(240, 200, 0), width=2)
    draw.ellipse([width // 3, height // 3, 2 * width // 3, 2 * height // 3], fill=(220, 40, 40))
    image.save(path)
    return path


class EngineProcess:
    """``wan-desktop emulator`` in its own process, with its control endpoint at hand."""

    def __init__(self, *args: str):
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "wan_desktop", "emulator", "--port", "0", *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
            cwd=ROOT,
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
        if self.proc.stdout:
            self.proc.stdout.close()


@contextlib.contextmanager
def engine_process(*args: str) -> Iterator[EngineProcess]:
    """The engine for the duration of a ``with`` block."""
    engine = EngineProcess(*args)
    try:
        yield engine
    finally:
        engine.stop()
