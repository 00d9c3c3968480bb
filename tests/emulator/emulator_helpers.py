"""Helpers for the offline engine's tests: tiny media made on the fly, a fast stand-in renderer
for tests that do not look at the video, an authorised httpx client, polling with a deadline.

(A module with its own name rather than conftest.py: several test folders have a conftest.)
"""

from __future__ import annotations

import base64
import io
import math
import ssl
import struct
import time
import wave
from collections.abc import Callable
from pathlib import Path

import httpx
from PIL import Image, ImageDraw

from wan_desktop.emulator import EmulatorServer

SUBMIT = "/wan/v2.6/image-to-video/flash"
KEY = "test-key-123"


def png_bytes(width: int, height: int, *, pattern: bool = False) -> bytes:
    """A PNG of ``width``×``height`` (a flat colour, or a grid and a disc when ``pattern``)."""
    image = Image.new("RGB", (width, height), (40, 90, 160))
    if pattern:
        draw = ImageDraw.Draw(image)
        step = max(8, width // 16)
        for x in range(0, width, step):
            draw.line([(x, 0), (x, height)], fill=(230, 230, 230), width=2)
        for y in range(0, height, step):
            draw.line([(0, y), (width, y)], fill=(230, 230, 230), width=2)
        r = min(width, height) // 4
        draw.ellipse(
            [width // 2 - r, height // 2 - r, width // 2 + r, height // 2 + r], fill=(250, 190, 0)
        )
        draw.rectangle([0, 0, width // 8, height // 8], fill=(200, 30, 30))
    out = io.BytesIO()
    image.save(out, "PNG", optimize=False, compress_level=1)
    return out.getvalue()


def wav_bytes(
    seconds: float, *, rate: int = 8000, tone_hz: float = 440.0, channels: int = 1
) -> bytes:
    """A 16-bit WAV sine tone exactly ``round(seconds * rate)`` samples long."""
    count = round(seconds * rate)
    one = [int(9000 * math.sin(2 * math.pi * tone_hz * i / rate)) for i in range(min(count, rate))]
    samples = (one * (count // len(one) + 1))[:count] if one else []
    frames = b"".join(struct.pack("<h", s) * channels for s in samples)
    out = io.BytesIO()
    with wave.open(out, "wb") as handle:
        handle.setnchannels(channels)
        handle.setsampwidth(2)
        handle.setframerate(rate)
        handle.writeframes(frames)
    return out.getvalue()


def data_uri(data: bytes, mime: str) -> str:
    return f"data:{mime};base64," + base64.b64encode(data).decode("ascii")


SMALL_PNG = png_bytes(320, 240)
SMALL_IMAGE_URI = data_uri(SMALL_PNG, "image/png")


def body(**changes) -> dict:
    """A valid submit body (720p, 5 s, fixed seed) with ``changes`` applied."""
    base = {
        "prompt": "a slow drift over the lake",
        "image_url": SMALL_IMAGE_URI,
        "resolution": "720p",
        "seed": 42,
    }
    base.update(changes)
    return base


def fake_render(
    image_bytes, *, resolution, duration_s, seed, audio_bytes=None, dest: Path, progress=None
):
    """Stands in for render_video where the video itself does not matter: reports every frame
    and writes 300 kB of deterministic bytes (enough for Range tests)."""
    total = int(duration_s) * 24
    for done in range(1, total + 1):
        if progress is not None:
            progress(done, total)
    chunk = bytes(range(256)) * 4
    Path(dest).write_bytes((chunk * (300_000 // len(chunk) + 1))[:300_000])


def wait_until(predicate: Callable[[], object], timeout_s: float = 10.0, interval_s: float = 0.02):
    """Poll ``predicate`` until it returns something truthy; fail after ``timeout_s``."""
    deadline = time.monotonic() + timeout_s
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout_s} s")
        time.sleep(interval_s)


_TLS = ssl.create_default_context()  # made once: httpx builds one per client otherwise (~50 ms)


ENGINE_KEY = "<the engine's own key>"


def client_for(server: EmulatorServer, key: str | None = ENGINE_KEY) -> httpx.Client:
    """An httpx client for ``server`` sending ``Authorization: Key <key>`` (the engine's own
    key by default; no header if None)."""
    if key == ENGINE_KEY:
        key = server.api_key
    headers = {"Authorization": f"Key {key}"} if key else {}
    return httpx.Client(
        base_url=server.base_url, headers=headers, timeout=30, trust_env=False, verify=_TLS
    )


def poll_status(c: httpx.Client, request_id: str, wanted: str, timeout_s: float = 20.0) -> dict:
    """Poll the status endpoint until it reports ``wanted``; returns that body."""

    def check():
        response = c.get(f"/wan/v2.6/requests/{request_id}/status", params={"logs": 1})
        data = response.json()
        return data if data["status"] == wanted else None

    return wait_until(check, timeout_s, interval_s=0.05)
