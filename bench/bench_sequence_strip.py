"""Opening a sequence of 50 clips in the Sequences pane (issue 18): from the request to the
strip painted with its 50 cells, and on to every poster painted.

Fifty distinct clips (256x144, 1 to 5 s, each with its poster) are imported into a library and
put in one sequence. The pane (list, strip, seam editor) is shown. The figure is the wall
time from ``open_sequence`` to the strip's first paint with all 50 cells laid out (the
sequence and its clips read in the executor; posters not waited for: they are decoded in the
background and drawn as they land). Then, for reference, the time until every poster is
painted, and the time one paint of the strip takes on the GUI thread.

Run: ``QT_QPA_PLATFORM=offscreen .venv/bin/python -m bench.bench_sequence_strip``.
"""

from __future__ import annotations

import asyncio
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from bench._common import encode_clip, result_line

OPEN_MS = 300.0
CLIPS = 50
FAILED: list[str] = []


def make_clip(path: Path, n: int) -> Path:
    """Clip ``n``: 1 to 5 s at 24 fps, 256x144, a colour of its own and a moving bar."""
    from PIL import Image, ImageDraw

    frames = 24 * (1 + n % 5)
    colour = ((n * 47) % 256, (n * 91) % 256, (n * 139) % 256)

    def paint(i: int):
        picture = Image.new("RGB", (256, 144), colour)
        x = i * 256 // frames
        ImageDraw.Draw(picture).rectangle([x, 0, x + 9, 143], fill=(255, 255, 255))
        return picture

    return encode_clip(path, paint, frames=frames)


def build_library(root: Path, incoming: Path) -> str:
    from wan_desktop.library import Library

    with Library.open(root) as lib:
        ids = [lib.import_video(make_clip(incoming / f"clip-{n}.mp4", n)).id for n in range(CLIPS)]
        return lib.new_sequence("Fifty clips", ids).id


async def run(root: Path, sequence_id: str) -> None:
    from PySide6.QtCore import QEvent, QObject

    from wan_desktop.library import Library
    from wan_desktop.ui.async_bridge import TaskKeeper
    from wan_desktop.ui.sequence_pane import SequencePane
    from wan_desktop.ui.sequence_service import SequenceService

    lib = await asyncio.get_running_loop().run_in_executor(None, Library.open, root)
    tasks = TaskKeeper()
    tasks.failed.connect(lambda what, msg: print(f"  task failed: {what}: {msg}"))
    pane = SequencePane(SequenceService(lambda: lib), tasks, root / "cache")
    pane.resize(1400, 420)
    pane.show()
    await asyncio.sleep(0.2)  # the pane's first paint, before the clock starts
    strip = pane.strip
    paints: list[float] = []

    class PaintWatch(QObject):
        def eventFilter(self, watched, event):  # Qt override
            # Only a paint of the whole sequence counts (not one of the empty strip).
            full = len(strip.cell_rects()) == CLIPS
            if watched is strip and event.type() == QEvent.Type.Paint and full:
                paints.append(time.perf_counter())
            return False

    watch = PaintWatch()
    strip.installEventFilter(watch)
    t0 = time.perf_counter()
    await pane.open_sequence(sequence_id)
    while not paints:
        await asyncio.sleep(0.001)
    opened_ms = (paints[-1] - t0) * 1000
    while strip.posters_pending() and time.perf_counter() - t0 < 30:
        await asyncio.sleep(0.002)
    await asyncio.sleep(0.05)  # the paint after the last poster
    posters_ms = (time.perf_counter() - t0) * 1000
    strip.removeEventFilter(watch)
    paint_times = []
    for _ in range(20):
        start = time.perf_counter()
        strip.repaint()  # a synchronous paint: its cost on the GUI thread
        paint_times.append((time.perf_counter() - start) * 1000)
    ok = opened_ms <= OPEN_MS and len(strip.cell_rects()) == CLIPS
    if not ok:
        FAILED.append("sequence_strip_open")
    result_line("sequence_strip_open_50_clips", "ms", opened_ms,
                f"target ≤ {OPEN_MS:g} ms; open_sequence to the strip painted with {CLIPS} "
                f"cells (posters load after)", ok)  # fmt: skip
    result_line("sequence_strip_posters_50_clips", "ms", posters_ms,
                "reference; every poster decoded (2 workers) and painted", None)  # fmt: skip
    result_line("sequence_strip_paint", "ms", statistics.median(paint_times),
                "reference; one full paint of the strip, median of 20", None)  # fmt: skip
    pane.close()
    pane.deleteLater()
    await asyncio.sleep(0.05)
    lib.close()


def main() -> int:
    import qasync
    from PySide6.QtWidgets import QApplication

    from wan_desktop.ui.theme import ThemeManager

    app = QApplication.instance() or QApplication([])
    app._wan_theme = ThemeManager(app, forced="light")  # type: ignore[attr-defined]
    app.setQuitOnLastWindowClosed(False)  # closing the pane must not stop the loop
    with tempfile.TemporaryDirectory() as tmp:
        incoming = Path(tmp) / "incoming"
        incoming.mkdir()
        start = time.perf_counter()
        sequence_id = build_library(Path(tmp) / "lib", incoming)
        print(f"{CLIPS} clips imported in {time.perf_counter() - start:.1f} s")
        loop = qasync.QEventLoop(app)
        asyncio.set_event_loop(loop)
        with loop:
            loop.run_until_complete(run(Path(tmp) / "lib", sequence_id))
    return 1 if FAILED else 0


if __name__ == "__main__":
    raise SystemExit(main())
