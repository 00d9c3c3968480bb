"""Benchmark: downloading a 200 MB result.

The engine (``python -m bench._engine --media-bytes 200000000``, its own process) serves a
200 MB file from its media route. Each download runs in a fresh child process so its memory
can be read alone: ``VmHWM`` (peak resident set) from ``/proc/self/status`` just before and
just after the download; the growth is the download's peak memory cost.

- ``FalClient.download`` throughput ÷ a plain ``httpx`` stream of the same file to disk
  (``aiter_raw`` → file → fsync, the same end state): ≥ 0.9;
- peak memory growth of ``FalClient.download``: < 30 MB (the plain stream's is printed too).

Downloads alternate (product, baseline, ...); figures are medians of ``--repeat`` each.
Run: ``.venv/bin/python -m bench.bench_download [--repeat N] [--megabytes N]``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import httpx

from bench._common import ROOT, EngineProcess, hwm_kib, result_line, small_png

RATIO_TARGET = 0.9
MEMORY_TARGET_MB = 30.0
SUBMIT = "/wan/v2.6/image-to-video/flash"


async def _fal(url: str, dest: Path) -> tuple[int, float, int, int]:
    from wan_desktop.fal import FalClient

    base = str(httpx.URL(url).copy_with(path="/", query=None)).rstrip("/")
    async with FalClient(None, base_url=base) as client:
        before = hwm_kib()
        start = time.perf_counter()
        result = await client.download(url, dest)
        seconds = time.perf_counter() - start
        after = hwm_kib()
    return result.size_bytes, seconds, before, after


async def _plain(url: str, dest: Path) -> tuple[int, float, int, int]:
    async with httpx.AsyncClient(trust_env=False, timeout=60) as client:
        before = hwm_kib()
        start = time.perf_counter()
        size = 0
        with open(dest, "wb") as out:
            async with client.stream("GET", url) as response:
                response.raise_for_status()
                async for chunk in response.aiter_raw():
                    out.write(chunk)
                    size += len(chunk)
            out.flush()
            os.fsync(out.fileno())
        seconds = time.perf_counter() - start
        after = hwm_kib()
    return size, seconds, before, after


def child(kind: str, url: str, dest: str) -> int:
    """One download in this (fresh) process; prints a JSON line."""
    run = _fal if kind == "fal" else _plain
    size, seconds, before, after = asyncio.run(run(url, Path(dest)))
    print(
        json.dumps({"bytes": size, "s": seconds, "hwm_before_kib": before, "hwm_after_kib": after})
    )
    return 0


def _measure(kind: str, url: str, folder: Path) -> dict:
    dest = folder / f"{kind}.mp4"
    out = subprocess.run(
        [sys.executable, "-m", "bench.bench_download", "--child", kind, url, str(dest)],
        capture_output=True, text=True, cwd=ROOT, timeout=300,
    )  # fmt: skip
    if out.returncode != 0:
        raise RuntimeError(f"{kind} download failed: {out.stderr.strip()[-400:]}")
    dest.unlink(missing_ok=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def _media_url(engine: EngineProcess) -> tuple[str, int]:
    import base64

    uri = "data:image/png;base64," + base64.b64encode(small_png()).decode()
    headers = {"Authorization": f"Key {engine.key}"}
    with httpx.Client(base_url=engine.base_url, headers=headers, timeout=60) as c:
        sent = c.post(SUBMIT, json={"prompt": "a pan", "image_url": uri, "seed": 1}).json()
        deadline = time.monotonic() + 120
        while c.get(sent["status_url"]).json()["status"] != "COMPLETED":
            if time.monotonic() > deadline:
                raise RuntimeError("the engine did not finish the 200 MB file")
            time.sleep(0.1)
        video = c.get(sent["response_url"]).json()["video"]
    return video["url"], video["file_size"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--megabytes", type=int, default=200)
    parser.add_argument(
        "--dir",
        default="/dev/shm" if Path("/dev/shm").is_dir() else None,
        help="where the files are written (default /dev/shm: the disk's own noise, seconds "
        "apart on a shared machine, would swamp the client's cost; both sides alike)",
    )
    parser.add_argument("--child", nargs=3, metavar=("KIND", "URL", "DEST"))
    args = parser.parse_args(argv)
    if args.child:
        return child(*args.child)
    with (
        EngineProcess("--media-bytes", str(args.megabytes * 1_000_000)) as engine,
        tempfile.TemporaryDirectory(prefix="wan-bench-dl-", dir=args.dir) as tmp,
    ):
        url, size = _media_url(engine)
        folder = Path(tmp)
        _measure("plain", url, folder)  # warm the page cache on the server side
        runs: dict[str, list[dict]] = {"fal": [], "plain": []}
        for _ in range(args.repeat):
            for kind in ("fal", "plain"):
                runs[kind].append(_measure(kind, url, folder))
    for kind, items in runs.items():
        assert all(r["bytes"] == size for r in items), f"{kind}: wrong size"
    fal_s = statistics.median(r["s"] for r in runs["fal"])
    plain_s = statistics.median(r["s"] for r in runs["plain"])
    # Throughput ratio = inverse time ratio, taken pair by pair (each product run against the
    # baseline run right after it) so drift in the machine's load cancels out.
    pairs = [p["s"] / f["s"] for f, p in zip(runs["fal"], runs["plain"], strict=True)]

    def growth_mb(kind: str) -> float:
        return max((r["hwm_after_kib"] - r["hwm_before_kib"]) / 1024 for r in runs[kind])

    ratio = statistics.median(pairs)
    mb = size / 1e6
    ok_ratio = ratio >= RATIO_TARGET
    result_line(
        "download_throughput_vs_httpx", "ratio", ratio,
        f"target ≥ {RATIO_TARGET:g}; {mb:.0f} MB: FalClient.download {mb / fal_s:.0f} MB/s, "
        f"plain httpx {mb / plain_s:.0f} MB/s; median of {args.repeat} pairs, "
        f"to {args.dir or 'tmp'}",
        ok_ratio,
    )  # fmt: skip
    grow = growth_mb("fal")
    ok_mem = grow < MEMORY_TARGET_MB
    result_line(
        "download_peak_memory_growth", "MB", grow,
        f"target < {MEMORY_TARGET_MB:g} MB; VmHWM after − before in a child process, worst of "
        f"{args.repeat}; plain httpx {growth_mb('plain'):.1f} MB", ok_mem,
    )  # fmt: skip
    return 0 if ok_ratio and ok_mem else 1


if __name__ == "__main__":
    raise SystemExit(main())
