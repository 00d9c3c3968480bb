"""Benchmark: exporting a 10-clip sequence of 5 s 720p clips with 6-frame crossfades takes less
than the sequence lasts, with resident memory flat.

The clips are the offline engine's own 720p renders (a camera move over a structured still,
with sound; three seeds, used in turn, ten parts), so x264 has real work both ways. The export
runs in a fresh child process (``--child``), which reads its peak resident memory (``VmHWM``)
after its imports and a one-frame warm-up export, and again after the full export: the growth
is what the export itself held. Figures: export time ÷ the sequence's duration (target < 1),
the process's CPU time (all threads) ÷ the duration (target < 1: one core keeps up, so the
wall-clock figure holds whenever the machine is not oversubscribed), and the memory growth
(target < 100 MB). Then the window's preview of the same sequence: pictures from the clips'
360p proxies, sound from the clips (``ExportPart.audio_path``), its time ÷ the duration
(target < 0.5: Play sequence waits for it), and its CPU time ÷ the same preview's made silent
(what the sound costs the preview, mostly FFmpeg's AAC encoder; CPU time, as the wall clock
of two short runs swings with the machine's load; target < 2).
Run: ``.venv/bin/python -m bench.bench_sequence_export``.
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
TARGET_PREVIEW_RATIO = 0.5
TARGET_SOUND_COST = 2.0


def _cpu_s() -> float:
    """CPU seconds of this process so far, every thread (x264's included)."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _child(folder: Path) -> int:
    """Export the sequence of the clips in ``folder``; print one JSON line of figures."""
    from wan_desktop.media.proxy import ensure_proxy
    from wan_desktop.media.sequence_export import export_sequence

    sources = sorted(folder.glob("clip-*/clip.mp4"))
    parts = [(sources[i % len(sources)], 1 if i else 0, None, CROSSFADE if i else 0)
             for i in range(CLIPS)]  # fmt: skip
    export_sequence(parts[:1], folder / "warm.mp4")  # codecs loaded, first buffers made
    before = hwm_kib()
    cpu_before = _cpu_s()
    start = time.perf_counter()
    plan = export_sequence(parts, folder / "film.mp4")
    seconds = time.perf_counter() - start
    cpu_s = _cpu_s() - cpu_before
    growth_kib = hwm_kib() - before
    # The preview, as ui.sequence_render makes it: the proxies' pictures (made first, as the
    # window has them by then), the clips' sound; and the same preview silent.
    proxies = {source: ensure_proxy(source) for source in sources}
    silent = [(proxies[p[0]], *p[1:]) for p in parts]
    sounding = [(*part, source) for part, (source, *_rest) in zip(silent, parts, strict=True)]
    timed, cpu = {}, {}
    for name, preview_parts in (("silent", silent), ("sound", sounding)):
        start, cpu_start = time.perf_counter(), _cpu_s()
        preview = export_sequence(preview_parts, folder / f"preview-{name}.mp4")
        timed[name] = time.perf_counter() - start
        cpu[name] = _cpu_s() - cpu_start
    print(json.dumps({
        "seconds": seconds, "cpu_s": cpu_s, "duration_s": plan.duration_s,
        "frames": plan.total_frames, "growth_kib": growth_kib,
        "size": [plan.width, plan.height], "preview_s": timed["sound"],
        "preview_cpu_s": cpu["sound"], "preview_silent_cpu_s": cpu["silent"],
        "preview_size": [preview.width, preview.height],
        "preview_audio": preview.has_audio,
    }))  # fmt: skip
    return 0


def _folder_of(path: Path) -> Path:
    """``path`` made as a folder: each clip has its own, as in the library (its proxy beside
    it)."""
    path.mkdir()
    return path


def _make_clips(folder: Path) -> None:
    from bench.bench_render import _wav
    from wan_desktop.emulator.render import render_video

    image = small_png(1280, 720)
    audio = _wav(DURATION_S)
    for seed in range(SEEDS):
        render_video(
            image, resolution="720p", duration_s=DURATION_S, seed=seed + 1, audio_bytes=audio,
            dest=_folder_of(folder / f"clip-{seed}") / "clip.mp4",
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
    preview_ratio = figures["preview_s"] / figures["duration_s"]
    sound_cost = figures["preview_cpu_s"] / figures["preview_silent_cpu_s"]
    ok = [ratio < TARGET_RATIO, cpu_ratio < TARGET_RATIO, growth_mb < TARGET_GROWTH_MB,
          preview_ratio < TARGET_PREVIEW_RATIO,
          sound_cost < TARGET_SOUND_COST and figures["preview_audio"]]  # fmt: skip
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
    p_width, p_height = figures["preview_size"]
    result_line(
        "sequence_preview_10x5s_vs_duration", "ratio", preview_ratio,
        f"target < {TARGET_PREVIEW_RATIO:g}; {figures['preview_s']:.1f} s for the preview "
        f"({p_width}x{p_height} from the proxies, the clips' sound)", ok[3],
    )  # fmt: skip
    result_line(
        "sequence_preview_sound_vs_silent", "ratio", sound_cost,
        f"target < {TARGET_SOUND_COST:g}; CPU time of the preview with the clips' sound "
        f"{figures['preview_cpu_s']:.1f} s, silent {figures['preview_silent_cpu_s']:.1f} s",
        ok[4],
    )  # fmt: skip
    return 0 if all(ok) else 1


if __name__ == "__main__":
    raise SystemExit(main())
