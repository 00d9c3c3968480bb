"""Take groups for the contact-sheet tests: real library entries whose clips paint each frame
with a colour that names both the take and the frame, so a cell's picture says which frame of
which take it shows."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from library_ui_helpers import new_entry
from PIL import Image, ImageDraw
from wan_testkit import write_clip

from wan_desktop.library.ids import new_group_id

__all__ = ["FPS", "add_group", "frame_colour", "write_take_clip"]

FPS = 24


def frame_colour(take: int, index: int) -> tuple[int, int, int]:
    """The colour of frame ``index`` of take ``take``: red climbs with the frame, green and
    blue name the take (far apart after H.264's rounding)."""
    return ((index * 5) % 250, 40 + 50 * (take % 4), 220 - 60 * (take // 4))


def write_take_clip(path: Path, take: int, *, frames: int, size=(320, 180)) -> Path:
    """Frame ``i`` a flat field of :func:`frame_colour` with a white bar that moves (so the
    encoder cannot turn the clip into one picture)."""

    def paint(i: int, _frames: int) -> Image.Image:
        image = Image.new("RGB", size, frame_colour(take, i))
        x = (i * 7) % (size[0] - 20)
        ImageDraw.Draw(image).rectangle([x, 4, x + 16, 20], fill=(255, 255, 255))
        return image

    return write_clip(path, paint, frames=frames, fps=FPS)


def add_group(lib, tmp: Path, takes: int, *, frames: int | list[int] = 36, size=(320, 180)) -> list:
    """``takes`` entries of one new take group (labels "seed 100", "seed 101", …), oldest first,
    of ``frames`` frames each (or of ``frames[take]``); returns the entries."""
    group = new_group_id()
    entries = []
    for take in range(takes):
        new = new_entry(tmp / f"take-{take}", seed=100 + take, group_id=group,
                        variant=f"seed {100 + take}")  # fmt: skip
        count = frames[take] if isinstance(frames, list) else frames
        clip = write_take_clip(Path(new.video_path), take, frames=count, size=size)
        entries.append(lib.add(dataclasses.replace(new, video_path=clip)))
    return entries
