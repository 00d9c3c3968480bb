"""Libraries for the library-pane tests: real entries (real clips, posters, last frames) made
quickly with the library tests' helpers, and colourful clips for the screenshots."""

from __future__ import annotations

import colorsys
import dataclasses
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

HERE = Path(__file__).resolve().parent
LIBRARY_TESTS = HERE.parent / "library"
if str(LIBRARY_TESTS) not in sys.path:
    sys.path.insert(0, str(LIBRARY_TESTS))

from library_clips import frame_value, make_clip  # noqa: E402
from library_entries import new_entry, synthetic_sidecar  # noqa: E402
from wan_testkit import write_clip  # noqa: E402

__all__ = [
    "add_entry",
    "bulk_rows",
    "frame_value",
    "make_clip",
    "make_scene_clip",
    "new_entry",
    "shown_pane",
    "synthetic_sidecar",
]


def make_scene_clip(
    path: Path,
    *,
    hue: float,
    seconds: float = 1.0,
    size: tuple[int, int] = (426, 240),
    fps: int = 12,
    audio: bool = False,
) -> Path:
    """A small landscape clip (sky of ``hue``, a sun that moves, hills), optionally with a tone."""
    from PIL import Image, ImageDraw

    w, h = size

    def rgb(hh: float, s: float, v: float) -> tuple[int, int, int]:
        r, g, b = colorsys.hsv_to_rgb(hh % 1.0, s, v)
        return int(r * 255), int(g * 255), int(b * 255)

    def paint(i: int, frames: int) -> Image.Image:
        t = i / max(1, frames - 1)
        image = Image.new("RGB", size)
        draw = ImageDraw.Draw(image)
        for y in range(h):
            k = y / h
            draw.line([(0, y), (w, y)], fill=rgb(hue + 0.05 * k, 0.55 - 0.3 * k, 0.95 - 0.2 * k))
        sx = w * (0.15 + 0.6 * t)
        draw.ellipse([sx, h * 0.12, sx + h * 0.22, h * 0.34], fill=rgb(hue + 0.5, 0.5, 1.0))
        draw.polygon(
            [(0, h), (0, h * 0.7), (w * 0.35, h * 0.52), (w * 0.7, h * 0.74), (w, h * 0.6),
             (w, h)],
            fill=rgb(hue + 0.33, 0.55, 0.5),
        )  # fmt: skip
        return image

    frames = max(1, round(seconds * fps))
    return write_clip(path, paint, frames=frames, fps=fps, audio_s=seconds if audio else None)


def add_entry(lib, tmp: Path, *, hue: float | None = None, size=(426, 240), seconds=1.0,
              audio=False, **options):  # fmt: skip
    """Keep one generation in ``lib``: ``new_entry``'s request and metadata over a clip of
    ``size`` (a scene of ``hue`` when given, else the numbered grey frames)."""
    new = new_entry(tmp, audio=audio, seconds=seconds, **options)
    clip = Path(new.video_path)
    if hue is not None:
        make_scene_clip(clip, hue=hue, seconds=seconds, size=size, audio=audio)
    else:
        make_clip(clip, seconds=seconds, size=size, audio=audio)
    return lib.add(dataclasses.replace(new, video_path=clip))


def bulk_rows(lib, count: int, *, start_ms: int | None = None, **options) -> list[str]:
    """Index ``count`` rows without files (paging and search tests); returns their ids,
    newest first. ``options`` go to ``synthetic_sidecar`` (``prompt`` may use ``{i}``)."""
    import time

    from wan_desktop.library.ids import new_id

    start = start_ms if start_ms is not None else int(time.time() * 1000) - count * 60_000
    prompt = options.pop("prompt", "row {i} a quiet lake")
    batch, ids = [], []
    for i in range(count):
        entry_id = new_id(start + i * 60_000)
        ids.append(entry_id)
        data = synthetic_sidecar(entry_id, prompt=prompt.format(i=i), **options)
        batch.append((lib.paths.entry_rel(entry_id), data))
    lib._bulk_insert(batch)
    return ids[::-1]


def add_two_clips(lib, tmp: Path) -> None:
    """Two clips in ``lib``: a lighthouse (seed 11), then a fox (seed 1234)."""
    add_entry(lib, tmp, seed=11, prompt="an old lighthouse in a storm")
    add_entry(lib, tmp, seed=1234, prompt="a red fox running through snow")


@contextmanager
def shown_pane(
    qtbot, tasks, lib, *, size=(560, 800), actions=None, timeout_ms: int = 5000
) -> Iterator:
    """A ``LibraryPane`` of ``size`` (with ``actions``, new ones by default), shown, on ``lib``
    once its first query has applied; the loader's pending work is cancelled on leaving (a
    thumbnail decode must not outlive the test's library)."""
    from wan_desktop.ui.library_actions import LibraryActions
    from wan_desktop.ui.library_pane import LibraryPane

    actions = LibraryActions() if actions is None else actions
    pane = LibraryPane(tasks, actions)
    qtbot.addWidget(pane)
    pane.resize(*size)
    pane.show()
    qtbot.waitExposed(pane)
    try:
        with qtbot.waitSignal(pane.model.queryApplied, timeout=timeout_ms):
            actions.set_library(lib)
        yield pane
    finally:
        pane.model.loader.cancel_all()
