"""Libraries for the sequence tests: chains of real clips (continue-from links), clips whose
frames are plain greys (so where A best meets B is known), and a pane on a real library."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from library_ui_helpers import make_scene_clip, new_entry
from PIL import Image
from wan_testkit import write_clip

from wan_desktop.library import Library

__all__ = ["add_clip", "add_grey_clip", "grey_of", "open_library", "shown_sequence_pane"]


def open_library(tmp: Path) -> Library:
    """A fresh library under ``tmp``."""
    return Library.open(tmp / "library")


def shown_sequence_pane(qtbot, tasks, lib: Library, cache: Path, size=(1100, 480)):
    """A ``SequencePane`` over ``lib`` (its proxies and previews under ``cache``), resized to
    ``size`` and shown."""
    from wan_desktop.ui.sequence_pane import SequencePane
    from wan_desktop.ui.sequence_service import SequenceService

    pane = SequencePane(SequenceService(lambda: lib), tasks, cache)
    qtbot.addWidget(pane)
    pane.resize(*size)
    pane.show()
    return pane


def add_clip(
    lib: Library,
    tmp: Path,
    *,
    hue: float,
    seconds: float,
    parent=None,
    prompt: str = "a lighthouse on a cliff",
    fps: int = 12,
    audio: bool = False,
):
    """A scene clip of ``seconds`` at ``fps`` in ``lib`` (continued from ``parent``, an
    entry, when given); returns the entry."""
    new = new_entry(tmp / "made", prompt=prompt, seconds=0.5,
                    parent_id=parent.id if parent is not None else None)  # fmt: skip
    clip = Path(new.video_path)
    make_scene_clip(clip, hue=hue, seconds=seconds, size=(256, 144), fps=fps, audio=audio)
    return lib.add(dataclasses.replace(new, video_path=clip))


def grey_of(index: int) -> int:
    """The grey of frame ``index`` of a ramp clip (10 levels a frame)."""
    return min(250, 10 * index)


def add_grey_clip(lib: Library, tmp: Path, values: list[int], *, parent=None, fps: int = 24):
    """A clip whose frame ``i`` is the plain grey ``values[i]``; returns the entry."""
    new = new_entry(tmp / "made", prompt=f"grey {values[0]}..{values[-1]}", seconds=0.5,
                    parent_id=parent.id if parent is not None else None)  # fmt: skip
    clip = Path(new.video_path)

    def paint(i: int, _frames: int) -> Image.Image:
        v = values[i]
        return Image.new("RGB", (160, 96), (v, v, v))

    write_clip(clip, paint, frames=len(values), fps=fps)
    return lib.add(dataclasses.replace(new, video_path=clip))
