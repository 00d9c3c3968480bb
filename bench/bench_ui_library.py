"""Library pane benchmark with 10,000 entries (issue 6): the first page shown after opening
the pane, a search keystroke (from the debounced query's start to the model reset), GUI stalls
while scrolling the whole grid (a 5 ms heartbeat timer measures the gaps), and memory (RSS).

Run: ``QT_QPA_PLATFORM=offscreen .venv/bin/python -m bench.bench_ui_library``. Rows are filled
through the library's insert path (as ``bench_library`` does) and every entry gets a real
poster file (hard links to one JPEG), so scrolling decodes real thumbnails. With
``WAN_BENCH_STALL_TRACE=1`` a watchdog prints the GUI thread's stack whenever a heartbeat is
more than 40 ms late while scrolling (a diagnostic, not a figure).
"""

from __future__ import annotations

import asyncio
import os
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from bench._common import library_pane, result_line
from bench.bench_library import fill

FIRST_PAGE_MS = 300.0
SEARCH_MS = 50.0
STALL_MS = 50.0
RSS_MB = 400.0
FAILED: list[str] = []


def rss_mb() -> float:
    with open("/proc/self/statm") as f:
        pages = int(f.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 1e6


def add_posters(root: Path) -> int:
    from PIL import Image, ImageDraw

    poster = root / "poster-master.jpg"
    image = Image.new("RGB", (480, 270), (70, 130, 200))
    ImageDraw.Draw(image).ellipse([300, 30, 360, 90], fill=(255, 214, 90))
    image.save(poster, "JPEG", quality=85)
    n = 0
    import sqlite3

    conn = sqlite3.connect(root / "library.db")
    for folder, name in conn.execute("SELECT folder, poster_file FROM entries"):
        target = root / folder
        target.mkdir(parents=True, exist_ok=True)
        os.link(poster, target / name)
        n += 1
    conn.close()
    return n


def check(name: str, value: float, target: float, unit: str, details: str) -> None:
    ok = value <= target
    if not ok:
        FAILED.append(name)
    result_line(
        name,
        "ratio",
        value / target,
        f"target ≤ 1 ({value:.1f} {unit} of {target:g} {unit}); {details}",
        ok,
    )


async def run(app, root: Path) -> None:
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from wan_desktop.library import Library

    lib = await asyncio.get_running_loop().run_in_executor(None, Library.open, root)
    _tasks, actions, pane = library_pane()
    for _ in range(5):
        QApplication.processEvents()
    model = pane.model

    # 1. Opening the pane: the library arrives, the first page is painted.
    painted = asyncio.Event()
    start = time.perf_counter()
    model.queryApplied.connect(lambda _g: painted.set())
    actions.set_library(lib)
    await painted.wait()
    pane.view.viewport().repaint()  # the first page on screen (synchronous paint)
    first_ms = (time.perf_counter() - start) * 1000
    check("ui_library_first_page", first_ms, FIRST_PAGE_MS, "ms",
          f"{model.rowCount()} rows of {model.total():,}")  # fmt: skip

    # 2. A search keystroke: from the debounced query's start to the model reset.
    times = []
    for word in ("fox", "fox s", "neon", "lighthouse", "city night", "o", "drag", "moon"):
        done = asyncio.Event()
        conn = model.modelReset.connect(done.set)
        pane.search.setText(word)
        t0 = time.perf_counter()
        pane.apply_query()  # what the 150 ms debounce timer calls
        await done.wait()
        times.append((time.perf_counter() - t0) * 1000)
        model.modelReset.disconnect(conn)
        await asyncio.sleep(0.02)
    check("ui_library_search_keystroke", statistics.median(times), SEARCH_MS, "ms",
          f"median of {len(times)}, max {max(times):.1f} ms")  # fmt: skip
    done = asyncio.Event()
    conn = model.modelReset.connect(done.set)
    pane.search.clear()
    pane.apply_query()
    await done.wait()
    model.modelReset.disconnect(conn)

    # 3. Scrolling the whole grid: heartbeat gaps and memory.
    gaps: list[float] = []
    last = [time.perf_counter()]

    def beat() -> None:
        now = time.perf_counter()
        gaps.append((now - last[0]) * 1000)
        last[0] = now

    heart = QTimer()
    heart.setInterval(5)
    heart.timeout.connect(beat)
    bar = pane.view.verticalScrollBar()
    trace = _stall_tracer(last, model, bar)
    heart.start()
    t0 = time.perf_counter()
    steps = 0
    while model.rowCount() < model.total() or bar.value() < bar.maximum():
        bar.setValue(min(bar.maximum(), bar.value() + pane.view.viewport().height()))
        steps += 1
        await asyncio.sleep(0.004)
        if time.perf_counter() - t0 > 240:
            break
    await asyncio.sleep(0.3)
    heart.stop()
    if trace is not None:
        trace.stop()
    scroll_s = time.perf_counter() - t0
    worst = max(gaps[1:]) if len(gaps) > 1 else 0.0
    check("ui_library_scroll_stall", worst, STALL_MS, "ms",
          f"worst gap of {len(gaps)} beats; {steps} page scrolls over {model.rowCount():,} rows "
          f"in {scroll_s:.1f} s; {model.loader.decoded} posters decoded, "
          f"{len(model.cache)} cached ({model.cache.bytes / 1e6:.0f} MB)")  # fmt: skip
    peak = max(rss_mb(), resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    check("ui_library_scroll_rss", peak, RSS_MB, "MB", "peak resident memory of the process")
    model.loader.cancel_all()
    pane.close()
    lib.close()


def _stall_tracer(last_beat: list[float], model, bar):
    """The watchdog of ``bench_ui_window`` when ``WAN_BENCH_STALL_TRACE`` is set, else None."""
    if not os.environ.get("WAN_BENCH_STALL_TRACE"):
        return None
    from bench.bench_ui_window import _StallTracer

    trace = _StallTracer(last_beat)
    trace.context = lambda: (
        f"{model.rowCount()} rows, scroll {bar.value()}/{bar.maximum()}, "
        f"{model.loader.decoded} decoded"
    )
    trace.start()
    return trace


def main() -> int:
    import qasync
    from PySide6.QtWidgets import QApplication

    from wan_desktop.ui.theme import ThemeManager

    app = QApplication.instance() or QApplication([])
    app._wan_theme = ThemeManager(app, forced="light")  # type: ignore[attr-defined]
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "lib"
        start = time.perf_counter()
        fill(root, 10_000)
        n = add_posters(root)
        print(f"filled 10,000 entries ({n:,} posters) in {time.perf_counter() - start:.1f} s")
        loop = qasync.QEventLoop(app)
        asyncio.set_event_loop(loop)
        with loop:
            loop.run_until_complete(run(app, root))
    return 1 if FAILED else 0


if __name__ == "__main__":
    raise SystemExit(main())
