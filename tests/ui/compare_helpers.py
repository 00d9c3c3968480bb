"""Clips for the compare tests, and the independent reference: every frame as a plain PyAV
decode enumerates it, so a compare picture can be checked pixel for pixel."""

from __future__ import annotations

from pathlib import Path

import av
from PIL import Image, ImageDraw
from PySide6.QtGui import QImage
from wan_testkit import write_clip

__all__ = [
    "grab_rgb",
    "image_rgb",
    "left_colour",
    "plain_frames",
    "write_compare_clip",
    "write_take",
]


def left_colour(clip: int, index: int) -> tuple[int, int, int]:
    """The flat colour of the left half of frame ``index`` of clip ``clip`` (0: A, 1: B...):
    red climbs with the frame, green and blue name the clip."""
    return ((index * 6) % 240, 40 + 90 * clip, 200 - 90 * clip)


def write_compare_clip(
    path: Path, clip: int, *, frames: int, fps: int = 24, size=(160, 90), audio: bool = False
) -> Path:
    """A clip whose frames say which clip and frame they are: a flat left half of
    :func:`left_colour`, a grey right half, and a white bar that moves (real motion for the
    encoder, B-frames included)."""

    def paint(i: int, _frames: int) -> Image.Image:
        w, h = size
        image = Image.new("RGB", size, (128, 128, 128))
        draw = ImageDraw.Draw(image)
        draw.rectangle([0, 0, w // 2 - 1, h - 1], fill=left_colour(clip, i))
        x = w // 2 + (i * 3) % (w // 2 - 12)
        draw.rectangle([x, h // 3, x + 10, 2 * h // 3], fill=(255, 255, 255))
        return image

    options = {"preset": "veryfast", "x264-params": "keyint=10:bframes=2"}
    return write_clip(path, paint, frames=frames, fps=fps, codec_options=options,
                      audio_s=frames / fps if audio else None)  # fmt: skip


def write_take(path: Path, *, sun_lead: float, glow: int, frames: int = 48,
               size=(640, 360)) -> Path:  # fmt: skip
    """One take of a sunrise for the screenshots: the same sky and hills, the sun ``sun_lead``
    (a fraction of the width) further along and ``glow`` brighter, so the two takes differ
    where a viewer would look."""

    # Drawn at twice the size and shrunk: Pillow's shapes have no antialiasing of their own.
    w, h = 2 * size[0], 2 * size[1]

    def paint(i: int, count: int) -> Image.Image:
        t = i / max(1, count - 1)
        image = Image.new("RGB", (w, h))
        draw = ImageDraw.Draw(image)
        for y in range(h):
            k = y / h
            sky = (int(90 + 120 * k), int(140 + 60 * k), int(230 - 40 * k))
            draw.line([(0, y), (w, y)], fill=sky)
        x = w * (0.12 + 0.5 * t + sun_lead)
        y = h * (0.42 - 0.22 * t)
        r = h * 0.09
        draw.ellipse([x - r, y - r, x + r, y + r], fill=(255, min(255, 190 + glow), 90 + glow))
        draw.polygon([(0, h), (0, h * 0.66), (w * 0.3, h * 0.5), (w * 0.62, h * 0.72),
                      (w, h * 0.56), (w, h)], fill=(52, 96, 70))  # fmt: skip
        draw.rectangle([0, h * 0.86, w, h], fill=(40, 70, 110))
        return image.resize(size, Image.Resampling.LANCZOS)

    return write_clip(path, paint, frames=frames, fps=24)


def plain_frames(path: Path) -> list[bytes]:
    """RGB24 bytes of each frame of ``for frame in container.decode(video=0)``."""
    with av.open(str(path)) as container:
        return [frame.to_image().tobytes() for frame in container.decode(video=0)]


def image_rgb(image: QImage) -> bytes:
    """A ``QImage``'s pixels as packed RGB24 rows (whatever its format and row padding)."""
    rgb = image.convertToFormat(QImage.Format.Format_RGB888)
    row = 3 * rgb.width()
    data = bytes(rgb.constBits())
    stride = rgb.bytesPerLine()
    return b"".join(data[y * stride : y * stride + row] for y in range(rgb.height()))


def grab_rgb(widget, x: int, y: int) -> tuple[int, int, int]:
    """The colour ``widget`` paints at (x, y), from ``grab()``."""
    image = widget.grab().toImage()
    ratio = image.devicePixelRatio()
    colour = image.pixelColor(round(x * ratio), round(y * ratio))
    return colour.red(), colour.green(), colour.blue()
