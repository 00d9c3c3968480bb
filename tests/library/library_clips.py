"""Tiny test videos made with PyAV (no engine needed): H.264 yuv420p, optional AAC audio.

Each frame carries its index as a grey level (``frame_value(i)``) so a test can tell which
frame it got back.
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image
from wan_testkit import encode_tone, write_clip

__all__ = ["encode_tone", "frame_value", "make_clip"]


def frame_value(index: int, frames: int) -> int:
    """The grey level of frame ``index`` of a clip with ``frames`` frames (16..235)."""
    return 16 + round(219 * index / max(1, frames - 1))


def make_clip(
    path: Path,
    *,
    seconds: float = 1.0,
    size: tuple[int, int] = (256, 144),
    fps: int = 24,
    audio: bool = False,
    gop: int | None = None,
    comment: str | None = None,
    faststart: bool = True,
) -> Path:
    """Write a short H.264 clip to ``path`` and return it.

    ``gop`` sets the keyframe interval in frames (``None``: x264's default, longer than the
    clip, so only the first frame is a keyframe).
    """
    frames = max(1, round(seconds * fps))

    def paint(i: int, count: int) -> Image.Image:
        value = frame_value(i, count)
        return Image.new("RGB", size, (value, value, value))

    keyframes = {"g": str(gop), "keyint_min": str(gop)} if gop else {}
    return write_clip(
        path, paint, frames=frames, fps=fps, audio_s=seconds if audio else None,
        codec_options={"tune": "zerolatency"} | keyframes, comment=comment, faststart=faststart,
    )  # fmt: skip
