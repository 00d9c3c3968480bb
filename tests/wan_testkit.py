"""Helpers shared by several test folders: a tiny real MP4, a small input image, and the
offline engine as a separate process (as an outside server would be).

Importable from every test module: ``tests/`` is on ``sys.path`` (its conftest.py lives here).
"""

from __future__ import annotations

import contextlib
import fractions
import functools
import tempfile
from collections.abc import Iterator
from pathlib import Path

import av
from PIL import Image, ImageDraw

from bench._common import EngineProcess  # the same engine process the benchmarks start

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


@contextlib.contextmanager
def engine_process(*args: str, key: str | None = None) -> Iterator[EngineProcess]:
    """The product's own engine (``wan-desktop emulator ARGS``) in its own process, with its
    control endpoint at hand, for the duration of a ``with`` block. It takes ``key`` (a
    random one when None), as ``engine.key``."""
    engine = EngineProcess(*args, real=True, key=key)
    try:
        yield engine
    finally:
        engine.stop()
