"""Two picture operations the sequence exporter needs, done on yuv420p planes: a letterbox
(a frame scaled to fit, centred on black) and a linear blend of two frames (a crossfade step).

Why planes and not RGB pictures: ``VideoFrame.to_image()`` and a copying
``Image.frombuffer("RGB", …)`` hold the interpreter lock for 20–40 ms on a 1080p frame, long
enough to stall the window while an export runs in a worker. Here FFmpeg scales (without the
lock), each 8-bit plane is seen by Pillow as an ``L`` picture sharing the frame's memory, and
rows are copied a few kilobytes at a time, so no single call holds the lock for more than a
few milliseconds. A linear blend of the planes is the blend of the pictures: the colour matrix
is linear and the mix weights sum to one.
"""

from __future__ import annotations

from typing import Any

import av
from PIL import Image

__all__ = ["BLACK", "blend", "letterbox"]

#: Black in limited-range yuv420p, per plane (Y, Cb, Cr).
BLACK = (16, 128, 128)
_FORMAT = "yuv420p"


def _as_image(plane: Any) -> Image.Image:
    """An 8-bit plane as a Pillow ``L`` picture over the same memory (rows ``line_size``
    apart)."""
    return Image.frombuffer("L", (plane.width, plane.height), plane, "raw", "L", plane.line_size, 1)


def _store(plane: Any, data: bytes | bytearray | memoryview, width: int, stride: int) -> None:
    """Copy rows of ``width`` bytes, ``stride`` apart in ``data``, into ``plane``."""
    if stride == plane.line_size and len(data) == plane.buffer_size:
        plane.update(data)
        return
    out = bytearray(plane.buffer_size)
    view = memoryview(data)
    for row in range(plane.height):
        at = row * plane.line_size
        out[at : at + width] = view[row * stride : row * stride + width]
    plane.update(out)


def blend(a: Any, b: Any, weight_b: float) -> Any:
    """``a`` and ``b`` (yuv420p frames of one size) mixed linearly: ``weight_b`` of ``b``."""
    out = av.VideoFrame(a.width, a.height, _FORMAT)
    for pa, pb, target in zip(a.planes, b.planes, out.planes, strict=True):
        mixed = Image.blend(_as_image(pa), _as_image(pb), weight_b)
        _store(target, mixed.tobytes(), pa.width, pa.width)
    return out


class Letterbox:
    """Scales frames to ``fit`` and centres them on a black ``canvas`` (both sizes even).
    Keeps the black planes it starts each frame from, so one instance serves a whole clip."""

    def __init__(self, canvas: tuple[int, int], fit: tuple[int, int]):
        self._canvas = canvas
        self._fit = fit
        # Even offsets keep the half-size chroma planes aligned with the luma plane.
        self._x = (canvas[0] - fit[0]) // 2 // 2 * 2
        self._y = (canvas[1] - fit[1]) // 2 // 2 * 2
        self._black: list[bytes] | None = None

    def __call__(self, frame: Any) -> Any:
        """``frame`` scaled to fit and centred; a new yuv420p frame of the canvas size."""
        scaled = frame.reformat(
            width=self._fit[0], height=self._fit[1], format=_FORMAT, interpolation="BICUBIC"
        )
        out = av.VideoFrame(self._canvas[0], self._canvas[1], _FORMAT)
        if self._black is None:
            self._black = [bytes([BLACK[i]]) * p.buffer_size for i, p in enumerate(out.planes)]
        for index, (source, target) in enumerate(zip(scaled.planes, out.planes, strict=True)):
            shift = 0 if index == 0 else 1
            x, y = self._x >> shift, self._y >> shift
            canvas = bytearray(self._black[index])
            rows = memoryview(source)
            width, stride, line = source.width, source.line_size, target.line_size
            for row in range(source.height):
                at = (y + row) * line + x
                canvas[at : at + width] = rows[row * stride : row * stride + width]
            target.update(canvas)
        return out


def letterbox(frame: Any, canvas: tuple[int, int], fit: tuple[int, int]) -> Any:
    """``frame`` scaled to ``fit`` and centred on a black ``canvas`` (one-off use; a clip's
    worth of frames should share one :class:`Letterbox`)."""
    return Letterbox(canvas, fit)(frame)
