"""Benchmark: preparing an acceptable 7680×4320 PNG against one plain Pillow decode of it.

The target (``TARGET_RATIO``) is at most 1.2: an acceptable image costs one decode (the
integrity check) and nothing more. Prints one line:

    prepare_image_7680x4320_png  ratio=1.03  (target ≤ 1.2; prepare 812 ms, decode 790 ms)  ok

The test image is made once (noise upscaled smoothly, so PNG's filters have work to do and the
file stays under the 25 MB limit) and cached in the temp folder.
Run: ``.venv/bin/python bench/bench_prepare_image.py [--repeat N]``.
"""

from __future__ import annotations

import argparse
import io
import sys
import tempfile
import time
from pathlib import Path

from PIL import Image, ImageOps

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench._common import result_line
from wan_desktop.core import limits
from wan_desktop.media.image import prepare_image_bytes

WIDTH, HEIGHT = 7680, 4320
TARGET_RATIO = 1.2
CACHE = Path(tempfile.gettempdir()) / f"wan_desktop_bench_{WIDTH}x{HEIGHT}_v1.png"


def test_image() -> bytes:
    """The cached benchmark PNG (generated on first use, a few seconds)."""
    if CACHE.exists():
        return CACHE.read_bytes()
    # Noise upscaled 16× and posterized to 4 bits: real gradients and edges for PNG's
    # filters, yet about 18 MB, under the 25 MB limit (full-resolution noise is ~100 MB).
    small = (WIDTH // 16, HEIGHT // 16)
    bands = [Image.effect_noise(small, sigma).convert("L") for sigma in (42, 60, 78)]
    img = Image.merge("RGB", bands).resize((WIDTH, HEIGHT), Image.Resampling.BILINEAR)
    img = ImageOps.posterize(img, 4)
    buffer = io.BytesIO()
    img.save(buffer, format="PNG", compress_level=3)
    data = buffer.getvalue()
    if len(data) > limits.IMAGE_MAX_BYTES:
        raise SystemExit(f"benchmark image is {len(data)} bytes, over the limit")
    tmp = CACHE.with_suffix(".tmp")
    tmp.write_bytes(data)
    tmp.replace(CACHE)
    return data


def decode(data: bytes) -> None:
    with Image.open(io.BytesIO(data)) as img:
        img.load()


def elapsed_ms(fn, data: bytes) -> float:
    start = time.perf_counter()
    fn(data)
    return (time.perf_counter() - start) * 1000


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args(argv)
    data = test_image()
    prepared = prepare_image_bytes(data, "bench.png")
    assert prepared.data is data and not prepared.converted, "benchmark image must pass as is"
    decode(data)  # warm up both paths (plugin import, caches)
    # Interleave so drift (CPU frequency, other load) hits both sides alike.
    decode_runs, prepare_runs = [], []
    for _ in range(args.repeat):
        decode_runs.append(elapsed_ms(decode, data))
        prepare_runs.append(elapsed_ms(lambda d: prepare_image_bytes(d, "bench.png"), data))
    # Best of N: on a shared machine the fastest run is the one least disturbed by others
    # (the median moved by ±20 % here under load; the minimum by a few per cent).
    decode_ms = min(decode_runs)
    prepare_ms = min(prepare_runs)
    ratio = prepare_ms / decode_ms
    ok = ratio <= TARGET_RATIO
    result_line(
        f"prepare_image_{WIDTH}x{HEIGHT}_png", "ratio", ratio,
        f"target ≤ {TARGET_RATIO:g}; prepare {prepare_ms:.0f} ms, one Pillow decode "
        f"{decode_ms:.0f} ms, best of {args.repeat}", ok,
    )  # fmt: skip
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
