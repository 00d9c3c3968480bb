"""Benchmark: the offline engine renders a 5 s 720p clip faster than real time.

``emulator.render.render_video`` of a 1280×720 image (a still with structure, so the camera
move gives x264 real work), 5 s at 24 fps, with and without 5 s of audio; the figure is the
median render time ÷ 5 s of video (target < 1). Run:
``.venv/bin/python -m bench.bench_render [--repeat N]``.
"""

from __future__ import annotations

import argparse
import io
import math
import statistics
import struct
import sys
import tempfile
import time
import wave
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench._common import result_line, small_png
from wan_desktop.emulator.render import render_video
from wan_desktop.media.video import probe

TARGET_RATIO = 1.0
DURATION_S = 5


def _wav(seconds: float, rate: int = 16_000) -> bytes:
    samples = b"".join(
        struct.pack("<h", int(8000 * math.sin(2 * math.pi * 440 * i / rate)))
        for i in range(int(seconds * rate))
    )
    out = io.BytesIO()
    with wave.open(out, "wb") as handle:
        handle.setnchannels(1)
        handle.setsampwidth(2)
        handle.setframerate(rate)
        handle.writeframes(samples)
    return out.getvalue()


def _render(image: bytes, dest: Path, audio: bytes | None) -> float:
    start = time.perf_counter()
    render_video(
        image, resolution="720p", duration_s=DURATION_S, seed=7, audio_bytes=audio, dest=dest
    )
    return time.perf_counter() - start


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    image = small_png(1280, 720)
    audio = _wav(DURATION_S)
    with tempfile.TemporaryDirectory(prefix="wan-bench-render-") as tmp:
        dest = Path(tmp) / "out.mp4"
        _render(image, dest, None)  # warm-up: codec init, imports
        info = probe(dest)
        assert (info.width, info.height) == (1280, 720), (info.width, info.height)
        silent = [_render(image, dest, None) for _ in range(args.repeat)]
        voiced = [_render(image, dest, audio) for _ in range(args.repeat)]
        assert probe(dest).has_audio
    s, v = statistics.median(silent), statistics.median(voiced)
    ok = [s / DURATION_S < TARGET_RATIO, v / DURATION_S < TARGET_RATIO]
    result_line(
        "render_5s_720p_vs_realtime", "ratio", s / DURATION_S,
        f"target < {TARGET_RATIO:g}; {s:.2f} s to render {DURATION_S} s of 1280x720 24 fps, "
        f"median of {args.repeat}", ok[0],
    )  # fmt: skip
    result_line(
        "render_5s_720p_audio_vs_realtime", "ratio", v / DURATION_S,
        f"target < {TARGET_RATIO:g}; with AAC audio: {v:.2f} s, median of {args.repeat}", ok[1],
    )  # fmt: skip
    return 0 if all(ok) else 1


if __name__ == "__main__":
    raise SystemExit(main())
