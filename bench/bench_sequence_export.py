"""Benchmark: exporting a 10-clip sequence of 5 s 720p clips with 6-frame crossfades takes less
than the sequence lasts, with resident memory flat.

The clips are the offline engine's own 720p renders (a camera move over a structured still,
with sound; three seeds, used in turn, ten parts), so x264 has real work both ways. The export
runs in a fresh child process (``--child``), which reads its peak resident memory (``VmHWM``)
after its imports and a one-frame warm-up export, and again after the full export: the growth
is what the export itself held. Figures: export time ÷ the sequence's duration (target < 1),
the process's CPU time (all threads) ÷ the duration (target < 1: one core keeps up, so the
wall-clock figure holds whenever the machine is not oversubscribed), and the memory growth
(target < 100 MB). Run: ``.venv/bin/python -m bench.bench_sequence_export``.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench._common import ROOT, hwm_kib, result_line, small_png

CLIPS = 10
SEEDS = 3
CROSSFADE = 6
DURATION_S = 5
TARGET_RATIO = 1.0
TARGET_GROWTH_MB = 100


def _cpu_s() -> float:
    """CPU seconds of this process so far, every thread (x264's included)."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _child(folder: Path) -> int:
    """Export the sequence of the clips in ``folder``; print one JSON line of figures."""
    from wan_desktop.media.sequence_export import export_sequence

    sources = sorted(folder.glob("clip-*.mp4"))
    parts = [(sources[i % len(sources)], 1 if i else 0, None, CROSSFADE if i else 0)
             for i in range(CLIPS)]  # fmt: skip
    export_sequence(parts[:1], folder / "warm.mp4")  # codecs loaded, first buffers made
    before = hwm_kib()
    cpu_before = _cpu_s()
    start = time.perf_counter()
    plan = export_sequence(parts, folder / "film.mp4")
    seconds = time.perf_counter() - start
    print(json.dumps({
        "seconds": seconds, "cpu_s": _cpu_s() - cpu_before, "duration_s": plan.duration_s,
        "frames": plan.total_frames, "growth_kib": hwm_kib() - before,
        "size": [plan.width, plan.height],
    }))  # fmt: skip
    return 0


def _make_clips(folder: Path) -> None:
    from bench.bench_render import _wav
    from wan_desktop.emulator.render import render_video

    image = small_png(1280, 720)
    audio = _wav(DURATION_S)
    for seed in range(SEEDS):
        render_video(
            image, resolution="720p", duration_s=DURATION_S, seed=seed + 1, audio_bytes=audio,
            dest=folder / f"clip-{seed}.mp4",
        )  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        return _child(args.child)
    with tempfile.TemporaryDirectory(prefix="wan-bench-sequence-") as tmp:
        folder = Path(tmp)
        _make_clips(folder)
        done = subprocess.run(
            [sys.executable, "-m", "bench.bench_sequence_export", "--child", str(folder)],
            cwd=ROOT, capture_output=True, text=True, check=True, timeout=600,
        )  # fmt: skip
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    ratio = figures["seconds"] / figures["duration_s"]
    cpu_ratio = figures["cpu_s"] / figures["duration_s"]
    load = os.getloadavg()[0]
    growth_mb = figures["growth_kib"] / 1024
    width, height = figures["size"]
    ok = [ratio < TARGET_RATIO, cpu_ratio < TARGET_RATIO, growth_mb < TARGET_GROWTH_MB]
    result_line(
        "sequence_export_10x5s_720p_vs_duration", "ratio", ratio,
        f"target < {TARGET_RATIO:g}; {figures['seconds']:.1f} s to export "
        f"{figures['duration_s']:.2f} s ({figures['frames']} frames, {width}x{height}, "
        f"{CLIPS} clips, {CROSSFADE}-frame crossfades, AAC; load average {load:.1f} on "
        f"{os.cpu_count()} cores)", ok[0],
    )  # fmt: skip
    result_line(
        "sequence_export_cpu_vs_duration", "ratio", cpu_ratio,
        f"target < {TARGET_RATIO:g}; {figures['cpu_s']:.1f} CPU seconds, all threads", ok[1],
    )  # fmt: skip
    result_line(
        "sequence_export_rss_growth", "MB", growth_mb,
        f"target < {TARGET_GROWTH_MB} MB; peak resident memory during the export over "
        "its value after a warm-up export, in a fresh process", ok[2],
    )  # fmt: skip
    return 0 if all(ok) else 1


if __name__ == "__main__":
    raise SystemExit(main())
