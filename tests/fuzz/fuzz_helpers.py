"""Shared inputs for the fuzz tests: one real MP4 carrying our metadata comment.

(A module with its own name rather than conftest.py: several test folders have a conftest.)
"""

from __future__ import annotations

import fractions
import functools
import tempfile
from pathlib import Path

import av
from PIL import Image

from wan_desktop.media.mp4meta import write_comment


@functools.cache
def tagged_mp4() -> bytes:
    """A 6-frame 64×48 H.264 clip with a JSON ``comment`` (made once per session)."""
    folder = Path(tempfile.mkdtemp(prefix="wan-fuzz-"))
    plain = folder / "plain.mp4"
    with av.open(str(plain), "w", format="mp4") as out:
        stream = out.add_stream("libx264", rate=24)
        stream.width, stream.height, stream.pix_fmt = 64, 48, "yuv420p"
        stream.options = {"preset": "ultrafast"}
        for i in range(6):
            frame = av.VideoFrame.from_image(Image.new("RGB", (64, 48), (i * 40, 80, 160)))
            frame.pts = i
            frame.time_base = fractions.Fraction(1, 24)
            out.mux(stream.encode(frame))
        out.mux(stream.encode(None))
    tagged = folder / "tagged.mp4"
    write_comment(plain, tagged, '{"wan_desktop": true, "id": "x", "prompt": "a fox"}')
    return tagged.read_bytes()
