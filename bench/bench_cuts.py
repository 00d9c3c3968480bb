"""Cut detection against real time (issue 18: "cut detection runs faster than real time").

A 5 s 1080p H.264 clip of three shots (a pan, a cut to another pan, a cut to a still) is
written once. Cut detection (``media.cuts.detect_cuts``) then runs on it three times without a
proxy and three times with its 360p proxy made (what the app does for library clips that
have one); the figure is the median wall time divided by the clip's 5 s. The cuts found are
checked too: a fast detector that misses a cut is no result.

Run: ``.venv/bin/python -m bench.bench_cuts``.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench._common import result_line

FPS = 24
FRAMES = 120  # 5 s
SIZE = (1920, 1080)
CUTS = (48, 96)  # the first frames of shots 2 and 3
REPEATS = 3
TARGET = 1.0  # detection time ÷ clip duration
FAILED: list[str] = []


def make_clip(path: Path) -> Path:
    """Three shots, every frame of the pans different."""
    import fractions

    import av
    from PIL import Image, ImageDraw

    def scene(hue: int) -> Image.Image:
        base = Image.linear_gradient("L").resize((SIZE[0] + 480, SIZE[1]))
        picture = Image.merge("RGB", (Image.new("L", base.size, hue), base, base.transpose(0)))
        draw = ImageDraw.Draw(picture)
        for k in range(30):
            x, y = (k * 211 + hue * 7) % picture.width, (k * 137) % SIZE[1]
            draw.ellipse([x, y, x + 160, y + 160], fill=((hue + 40 * k) % 256, 30, 200))
        return picture

    scenes = [scene(hue) for hue in (20, 140, 230)]
    with av.open(str(path), "w", format="mp4") as out:
        stream = out.add_stream("libx264", rate=FPS)
        stream.width, stream.height, stream.pix_fmt = *SIZE, "yuv420p"
        stream.options = {"preset": "ultrafast"}
        for i in range(FRAMES):
            shot = sum(i >= c for c in CUTS)
            x = 0 if shot == 2 else 4 * (i - (CUTS[0] if shot else 0))
            frame = av.VideoFrame.from_image(scenes[shot].crop((x, 0, x + SIZE[0], SIZE[1])))
            frame.pts, frame.time_base = i, fractions.Fraction(1, FPS)
            out.mux(stream.encode(frame))
        out.mux(stream.encode(None))
    return path


def measure(clip: Path, label: str) -> None:
    from wan_desktop.media.cuts import detect_cuts

    walls, cpus = [], []
    found: list[float] = []
    for _ in range(REPEATS):
        wall, cpu = time.perf_counter(), time.process_time()
        found = detect_cuts(clip)
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    expected = [c / FPS for c in CUTS]
    right = len(found) == len(expected) and all(
        abs(a - b) < 0.5 / FPS for a, b in zip(found, expected, strict=True)
    )
    ratio = statistics.median(walls) / (FRAMES / FPS)
    name = f"cuts_5s_1080p_{label}_vs_realtime"
    ok = ratio < TARGET and right
    if not ok:
        FAILED.append(name)
    result_line(
        name, "ratio", ratio,
        f"target < {TARGET:g}; median of {REPEATS}: {statistics.median(walls) * 1000:.0f} ms "
        f"wall, {statistics.median(cpus) * 1000:.0f} ms CPU for 5 s; cuts at "
        f"{', '.join(f'{t:.2f}' for t in found)} s{'' if right else ' (WRONG)'}",
        ok,
    )  # fmt: skip


def main() -> int:
    from wan_desktop.media.proxy import ensure_proxy

    with tempfile.TemporaryDirectory(prefix="wan-bench-cuts-") as tmp:
        folder = Path(tmp) / "entry"
        folder.mkdir()
        clip = make_clip(folder / "video.mp4")
        measure(clip, "original")
        start = time.perf_counter()
        ensure_proxy(clip)
        made = time.perf_counter() - start
        result_line(
            "cuts_proxy_making_vs_realtime", "ratio", made / (FRAMES / FPS),
            "reference; made once per clip in the background, for playback and scrubbing too",
            None,
        )  # fmt: skip
        measure(clip, "proxy")
    return 1 if FAILED else 0


if __name__ == "__main__":
    raise SystemExit(main())
