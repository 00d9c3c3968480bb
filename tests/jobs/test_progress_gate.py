"""Download progress reaches the listeners at most about ten times a second, and the 100 %
report always arrives: each report repaints the window's jobs list on its GUI thread, and a
fast download calls back for every chunk (it was ~90 events a second, a third of the GUI)."""

from __future__ import annotations

import asyncio
import itertools
import random
import time
from pathlib import Path

import pytest
from PIL import Image
from wan_testkit import make_image, write_clip

from wan_desktop.core.request import GenerationRequest
from wan_desktop.emulator import EmulatorServer
from wan_desktop.jobs.backend import Backend
from wan_desktop.jobs.model import JobEventKind, JobState
from wan_desktop.jobs.progress_gate import PROGRESS_REPORTS_PER_S, ProgressGate
from wan_desktop.jobs.runner import JobRunner
from wan_desktop.library import Library


class _Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_a_fast_download_is_reported_ten_times_a_second_and_always_at_the_end():
    clock = _Clock()
    gate = ProgressGate(clock=clock)
    total = 200_000_000
    reports = []
    # 3,000 chunks over 1.5 s: far faster than anyone can watch.
    for i in range(1, 3001):
        clock.now += 0.0005
        fraction = gate.admit(i * total // 3000, total)
        if fraction is not None:
            reports.append((clock.now, fraction))
    assert len(reports) <= 1.5 * PROGRESS_REPORTS_PER_S + 2
    assert reports[-1][1] == 1.0
    gaps = [b[0] - a[0] for a, b in itertools.pairwise(reports[:-1])]
    assert min(gaps) >= 1 / PROGRESS_REPORTS_PER_S - 1e-9
    # A bar that moves: a report at least every ~tenth of a second while bytes arrive.
    assert len(reports) >= 1.5 * PROGRESS_REPORTS_PER_S - 1


def test_the_first_report_and_the_end_are_never_held_back():
    clock = _Clock()
    gate = ProgressGate(clock=clock)
    assert gate.admit(0, 1000) == 0.0
    assert gate.admit(500, 1000) is None  # the same instant: too soon
    assert gate.admit(1000, 1000) == 1.0  # the end, however soon
    assert gate.admit(1000, 1000) is None  # told once


def test_small_steps_and_unknown_sizes_are_not_reported():
    clock = _Clock()
    gate = ProgressGate(clock=clock)
    assert gate.admit(10, None) is None and gate.admit(10, 0) is None
    assert gate.admit(100, 10_000) == 0.01
    clock.now += 5
    assert gate.admit(150, 10_000) is None  # half a per cent: not worth a repaint
    assert gate.admit(5_000, 10_000) == 0.5
    clock.now += 5
    assert gate.admit(0, 10_000) == 0.0  # a download that starts again shows it


def test_the_rate_must_be_positive():
    with pytest.raises(ValueError, match="per_second must be above 0, got 0"):
        ProgressGate(per_second=0)


# ---- through a real download -----------------------------------------------------------------

_FRAMES = 48


def _noisy(i: int, _frames: int) -> Image.Image:
    random.seed(i)
    return Image.effect_noise((640, 360), 80 + i % 7).convert("RGB")


@pytest.fixture(scope="module")
def big_clip(tmp_path_factory) -> bytes:
    """A real clip of a few MB (noise compresses badly): many chunks on a fast link."""
    path = tmp_path_factory.mktemp("clip") / "noise.mp4"
    return write_clip(path, _noisy, frames=_FRAMES).read_bytes()


@pytest.mark.asyncio
async def test_a_job_downloading_over_loopback_reports_at_most_ten_a_second(tmp_path, big_clip):
    def render(image_bytes, *, dest: Path, progress=None, **kwargs) -> None:
        dest.parent.mkdir(parents=True, exist_ok=True)
        dest.write_bytes(big_clip)

    engine = EmulatorServer(workers=1, render=render, keepalive_s=0.5, api_key="k")
    engine.start()
    library = Library.open(tmp_path / "lib")
    runner = JobRunner(library, Backend(engine.base_url, "k", offline=False))
    seen: list[tuple[float, float | None]] = []

    def on_event(event) -> None:
        if event.kind == JobEventKind.PROGRESS:
            seen.append((time.monotonic(), event.job.progress))

    try:
        await runner.start()
        runner.subscribe(on_event)
        image = make_image(tmp_path / "in.png")
        job = await runner.enqueue(GenerationRequest(prompt="a pan", image=str(image)))
        final = await asyncio.wait_for(runner.wait(job.id), 60)
        assert final.state is JobState.DONE, final.error
    finally:
        await runner.close()
        library.close()
        engine.stop()
    assert len(big_clip) > 1_000_000
    assert seen, "no progress was reported"
    assert seen[-1][1] == 1.0
    span_s = seen[-1][0] - seen[0][0]
    assert len(seen) <= span_s * PROGRESS_REPORTS_PER_S + 2, (len(seen), span_s)
