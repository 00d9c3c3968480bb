"""The cuts of a clip after its rating was written into it: found in ``cuts.json`` by the
clip's pictures, not detected again.

A 5 s 1080p H.264 clip with sound (the comment-sync benchmark's) is imported into a fresh
library. Then, ``ROUNDS`` times, interleaved: the cuts detected from scratch (the cache deleted
first: the cost a cache keyed by the file's hash paid after every rating), then a new rating
written into the video (``Library.sync_comment``: a new file, same packets) and the cuts asked
for again (one demux for the stream stamp, the cache told of the new file), then once more
(two ``stat`` calls). No detection may run after a rating.

Figures: the first look after a rating over a detection (target ≤ 0.2), and the quick look in
microseconds (information).

Run: ``.venv/bin/python -m bench.bench_cut_cache``.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench._common import result_line
from bench.bench_comment_sync import make_clip

ROUNDS = 3
TARGET_RATIO = 0.2


def main() -> int:
    from wan_desktop.library import Library
    from wan_desktop.media import cut_cache

    detections: list[Path] = []
    real_detect = cut_cache.detect_cuts

    def counted(path, **kwargs):
        detections.append(Path(path))
        return real_detect(path, **kwargs)

    cut_cache.detect_cuts = counted
    work = Path(tempfile.mkdtemp(prefix="wan-bench-cuts-"))
    clip = make_clip(work / "take.mp4")
    detect_ms, after_ms, quick_us = [], [], []
    with Library.open(work / "library") as lib:
        entry = lib.import_video(clip)
        video = entry.video_path
        for n in range(ROUNDS):
            cut_cache.cache_path(video).unlink(missing_ok=True)
            started = time.perf_counter()
            cuts = cut_cache.cuts_for(video)
            detect_ms.append((time.perf_counter() - started) * 1000)
            detected = len(detections)
            lib.set_rating(entry.id, n % 5 + 1)
            assert lib.sync_comment(entry.id)
            started = time.perf_counter()
            assert cut_cache.cuts_for(video) == cuts
            after_ms.append((time.perf_counter() - started) * 1000)
            started = time.perf_counter()
            for _ in range(100):
                cut_cache.cuts_for(video)
            quick_us.append((time.perf_counter() - started) * 1e6 / 100)
            assert len(detections) == detected, "a rating cost a new detection"
    ratio = statistics.median(after_ms) / statistics.median(detect_ms)
    ok = ratio <= TARGET_RATIO
    result_line(
        "cut_cache_after_rating_vs_detect",
        "ratio",
        ratio,
        f"target ≤ {TARGET_RATIO}; {statistics.median(after_ms):.0f} ms (stamp) vs "
        f"{statistics.median(detect_ms):.0f} ms detection, 5 s 1080p, median of {ROUNDS}",
        ok,
    )
    result_line(
        "cut_cache_quick_look",
        "us",
        statistics.median(quick_us),
        "the same file again: two stat calls and the cache read",
        None,
    )
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
