"""Shared inputs for the fuzz tests: one real MP4 carrying our metadata comment.

(A module with its own name rather than conftest.py: several test folders have a conftest.)
"""

from __future__ import annotations

import functools
import tempfile
from pathlib import Path

from wan_testkit import tiny_mp4

from wan_desktop.media.mp4meta import write_comment


@functools.cache
def tagged_mp4() -> bytes:
    """A 6-frame 64×48 H.264 clip with a JSON ``comment`` (made once per session)."""
    folder = Path(tempfile.mkdtemp(prefix="wan-fuzz-"))
    plain = folder / "plain.mp4"
    plain.write_bytes(tiny_mp4((64, 48), 6))
    tagged = folder / "tagged.mp4"
    write_comment(plain, tagged, '{"wan_desktop": true, "id": "x", "prompt": "a fox"}')
    return tagged.read_bytes()
