"""Tiny test videos made with PyAV (no engine needed): H.264 yuv420p, optional AAC audio.

Each frame carries its index as a grey level (``frame_value(i)``) so a test can tell which
frame it got back.
"""

from __future__ import annotations

import array
import fractions
import math
from pathlib import Path

import av
from PIL import Image

__all__ = ["encode_tone", "frame_value", "make_clip"]


def frame_value(index: int, frames: int) -> int:
    """The grey level of frame ``index`` of a clip with ``frames`` frames (16..235)."""
    return 16 + round(219 * index / max(1, frames - 1))


def encode_tone(out, astream, seconds: float, rate: int = 44100) -> None:
    """Mux ``seconds`` of a 440 Hz tone into ``astream`` (mono AAC at ``rate``) of ``out``."""
    total, t = int(seconds * rate), 0
    while t < total:
        n = min(1024, total - t)
        tone = array.array(
            "f", (0.2 * math.sin(2 * math.pi * 440 * (t + k) / rate) for k in range(n))
        )
        aframe = av.AudioFrame(format="fltp", layout="mono", samples=n)
        aframe.planes[0].update(tone.tobytes())
        aframe.sample_rate = rate
        aframe.pts = t
        for packet in astream.encode(aframe):
            out.mux(packet)
        t += n
    for packet in astream.encode():
        out.mux(packet)


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
    width, height = size
    frames = max(1, round(seconds * fps))
    options = {"movflags": "+faststart"} if faststart else {}
    with av.open(str(path), "w", format="mp4", options=options) as out:
        if comment is not None:
            out.metadata["comment"] = comment
        video = out.add_stream("libx264", rate=fps)
        video.width, video.height, video.pix_fmt = width, height, "yuv420p"
        video.options = {"preset": "ultrafast", "tune": "zerolatency"} | (
            {"g": str(gop), "keyint_min": str(gop)} if gop else {}
        )
        astream = None
        if audio:
            astream = out.add_stream("aac", rate=44100, layout="mono")
        for i in range(frames):
            value = frame_value(i, frames)
            image = Image.new("RGB", (width, height), (value, value, value))
            frame = av.VideoFrame.from_image(image)
            frame.pts = i
            frame.time_base = fractions.Fraction(1, fps)
            for packet in video.encode(frame):
                out.mux(packet)
        for packet in video.encode():
            out.mux(packet)
        if astream is not None:
            encode_tone(out, astream, seconds)
    return path
