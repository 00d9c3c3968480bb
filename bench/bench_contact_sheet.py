"""The contact sheet playing 8 takes of 5 s 1080p (from their 360p proxies) for 30 s:

- **drift** between cells: at every 5 ms heartbeat, the newest frame on screen minus the
  oldest, in frames; the worst beat (≤ 1 frame) and the share of beats at 0;
- **displayed rate**: new pictures per second per cell, the slowest cell (≥ 24 fps, to a
  tenth: the 30 s window's edges may cut one frame of 720);
- **GUI stall**: the longest gap between 5 ms heartbeats on the GUI thread while it plays
  (≤ 50 ms; gaps over 15 ms are named by the stack sampler, as in ``bench_ui_window``);
- **resident memory**: the playing process's peak (``VmHWM``, ≤ 600 MB).

The takes and their proxies are made first, in this process; the sheet then plays in a fresh
child process (``--play DIR``), so its memory is the sheet's and not the encoder's. The sheet
is the real widget at 1600×900 (offscreen), started as the window starts it.
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from bench._common import ROOT, hwm_kib, result_line
from bench._stall_sampler import StackSampler, summarize

TAKES = 8
SECONDS = 5
FPS = 24
SIZE = (1920, 1080)
PLAY_S = 30.0
WARM_UP_S = 1.0
HEARTBEAT_MS = 5
GAP_NAMED_MS = 15.0
DRIFT_TARGET = 1
RATE_TARGET = 24.0
STALL_TARGET_MS = 50.0
RSS_TARGET_MB = 600.0


def make_takes(folder: Path) -> list[Path]:
    """``TAKES`` clips of ``SECONDS`` s at 1080p (a moving scene each, so the encoder has real
    work), and their proxies; returns the clips."""
    import fractions

    import av
    from PIL import Image, ImageDraw

    from wan_desktop.media.proxy import ensure_proxy

    clips = []
    frames = SECONDS * FPS
    for take in range(TAKES):
        path = folder / f"take-{take}" / "video.mp4"
        path.parent.mkdir(parents=True)
        with av.open(str(path), "w", format="mp4") as out:
            stream = out.add_stream("libx264", rate=FPS)
            stream.width, stream.height, stream.pix_fmt = *SIZE, "yuv420p"
            stream.options = {"preset": "ultrafast"}
            for i in range(frames):
                image = Image.new("RGB", SIZE, (20 + 25 * take, 60, 140 - 10 * take))
                draw = ImageDraw.Draw(image)
                x = (i * 14 + take * 200) % (SIZE[0] - 300)
                draw.ellipse([x, 300, x + 300, 600], fill=(240, 200 - 12 * take, 40))
                draw.rectangle([0, 800 + (i % 40), SIZE[0], SIZE[1]], fill=(30, 90 + take, 50))
                frame = av.VideoFrame.from_image(image)
                frame.pts = i
                frame.time_base = fractions.Fraction(1, FPS)
                out.mux(stream.encode(frame))
            out.mux(stream.encode(None))
        clips.append(path)
    for clip in clips:
        ensure_proxy(clip)
    return clips


def play(folder: Path, out: Path) -> None:
    """Play the takes in ``folder`` on the contact sheet for ``PLAY_S`` s; figures to ``out``."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    os.environ["WAN_DESKTOP_NO_MULTIMEDIA"] = "1"  # no hovering pointer: no sound to play
    from PySide6.QtCore import QElapsedTimer, QTimer
    from PySide6.QtWidgets import QApplication

    from wan_desktop.ui.async_bridge import TaskKeeper
    from wan_desktop.ui.contact_sheet import ContactSheet
    from wan_desktop.ui.sheet_culling import SheetCulling, Take

    app = QApplication.instance() or QApplication([])
    clips = sorted(folder.glob("take-*/video.mp4"))
    takes = [Take(f"take-{i}", clip, f"seed {1000 + i}") for i, clip in enumerate(clips)]
    sheet = ContactSheet(takes, SheetCulling(None), TaskKeeper(), group_id="g-bench")
    sheet.resize(1600, 900)
    sheet.show()
    sheet.start()
    playback = sheet.playback
    clock = QElapsedTimer()
    clock.start()
    while not (playback.is_ready() and playback.is_playing()):
        _run_for(app, 0.01)
        if clock.elapsed() > 60_000:
            raise RuntimeError("the sheet did not start playing within 60 s")

    shown = [0] * len(takes)

    def count(cell: int, _index: int, _image) -> None:
        shown[cell] += 1

    sampler = StackSampler(threading.get_ident())
    state = {"last": None, "worst": 0.0, "phase": "warm-up"}
    spreads: collections.Counter[int] = collections.Counter()

    def beat() -> None:
        now = time.perf_counter()
        last = state["last"]
        if last is not None and state["phase"] == "play":
            gap = (now - last) * 1000
            state["worst"] = max(state["worst"], gap)
            if gap > GAP_NAMED_MS:
                sampler.gap(last, now, "play")
            # What the screen shows at this beat: the newest frame minus the oldest.
            lags = playback.lags()
            spreads[max(lags) - min(lags)] += 1
        state["last"] = now

    heartbeat = QTimer()
    heartbeat.setInterval(HEARTBEAT_MS)
    heartbeat.timeout.connect(beat)
    heartbeat.start()
    sampler.start()
    _run_for(app, WARM_UP_S)
    playback.frameShown.connect(count)
    state["phase"] = "play"
    start, cpu_start, gui_start = time.perf_counter(), time.process_time(), time.thread_time()
    _run_for(app, PLAY_S)
    elapsed = time.perf_counter() - start
    cpu_share = (time.process_time() - cpu_start) / elapsed
    gui_share = (time.thread_time() - gui_start) / elapsed
    heartbeat.stop()
    sampler.stop()
    report = {
        "rates": [n / elapsed for n in shown],
        "spread_counts": dict(spreads),
        "worst_gap_ms": state["worst"],
        "gaps": [g.as_dict() for g in sampler.gaps],
        "hwm_mb": hwm_kib() / 1024,
        "cpu_share": cpu_share,
        "gui_share": gui_share,
        "load": os.getloadavg()[0],
        "decoded": [f.frames_decoded for f in playback.feeds],
        "picture": [sheet.cells[0].image().width(), sheet.cells[0].image().height()],
    }
    sheet.close()
    out.write_text(json.dumps(report))


def _run_for(_app, seconds: float) -> None:
    """Run Qt's event loop for ``seconds`` (as ``app.exec()`` would: timers, paints, the
    feeds' queued signals)."""
    from PySide6.QtCore import QEventLoop, QTimer

    loop = QEventLoop()
    QTimer.singleShot(round(seconds * 1000), loop.quit)
    loop.exec()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--play", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.play is not None:
        play(args.play, args.out)
        return 0
    with tempfile.TemporaryDirectory(prefix="wan-bench-sheet-") as tmp:
        folder = Path(tmp)
        started = time.perf_counter()
        make_takes(folder)
        made_s = time.perf_counter() - started
        out = folder / "report.json"
        env = {**os.environ, "QT_QPA_PLATFORM": os.environ.get("QT_QPA_PLATFORM", "offscreen")}
        subprocess.run(
            [sys.executable, "-m", "bench.bench_contact_sheet", "--play", str(folder),
             "--out", str(out)],
            cwd=ROOT, env=env, check=True, timeout=300,
        )  # fmt: skip
        report = json.loads(out.read_text())
    return _print(report, made_s)


def _print(report: dict, made_s: float) -> int:
    spreads = {int(k): v for k, v in report["spread_counts"].items()}
    ticks = sum(spreads.values()) or 1
    worst_spread = max(spreads) if spreads else 0
    at_zero = spreads.get(0, 0) / ticks
    slowest = min(report["rates"])
    width, height = report["picture"]
    lines = [
        result_line("contact_sheet_drift_frames", "frames", worst_spread,
                    f"target ≤ {DRIFT_TARGET}; worst of {ticks:,} beats, {at_zero:.1%} at 0",
                    worst_spread <= DRIFT_TARGET),
        result_line("contact_sheet_displayed_fps", "fps", slowest,
                    f"target ≥ {RATE_TARGET:g}; slowest of {TAKES} cells, {width}×{height} "
                    f"pictures, {PLAY_S:g} s", round(slowest, 1) >= RATE_TARGET),
        result_line("contact_sheet_gui_stall", "ms", report["worst_gap_ms"],
                    f"target ≤ {STALL_TARGET_MS:g} ms; longest gap between {HEARTBEAT_MS} ms "
                    "heartbeats", report["worst_gap_ms"] <= STALL_TARGET_MS),
        result_line("contact_sheet_rss", "MB", report["hwm_mb"],
                    f"target ≤ {RSS_TARGET_MB:g} MB; peak resident, playing process",
                    report["hwm_mb"] <= RSS_TARGET_MB),
        result_line("contact_sheet_cpu", "cores", report["cpu_share"],
                    f"reference; CPU time of the playing process ÷ wall time, the GUI "
                    f"thread's {report['gui_share']:.2f}; the machine's load average "
                    f"{report['load']:.1f} on {os.cpu_count()} cores", None),
        result_line("contact_sheet_make_takes_and_proxies", "s", made_s,
                    f"reference; {TAKES} × {SECONDS} s 1080p encoded, then their proxies", None),
    ]  # fmt: skip
    if report["gaps"]:
        print(f"   stall causes: {len(report['gaps'])} gaps over {GAP_NAMED_MS:g} ms")
        for line in summarize(report["gaps"]):
            print(f"   {line}")
    return 0 if all(line.rstrip().endswith(("ok", "info")) for line in lines) else 1


if __name__ == "__main__":
    sys.exit(main())
