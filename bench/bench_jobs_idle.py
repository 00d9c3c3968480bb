"""Benchmark: ten jobs waiting on a slow server cost (almost) nothing.

The engine runs in its own process (``wan-desktop emulator --min-run-seconds 60 --workers
10``: every job stays IN_PROGRESS for a minute). A ``JobRunner`` in this process, concurrency
10, follows ten jobs; once all ten are ``running`` this process's CPU time
(``time.process_time()``: every thread, user + system) is measured over a ``--window`` of wall
time. Figure: CPU seconds ÷ wall seconds, as a percentage of one core (target < 2 %).
Run: ``.venv/bin/python -m bench.bench_jobs_idle [--window S]``.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench._common import EngineProcess, result_line, small_png
from wan_desktop.core.request import GenerationRequest
from wan_desktop.jobs.backend import Backend
from wan_desktop.jobs.model import JobState
from wan_desktop.jobs.runner import JobRunner
from wan_desktop.library import Library

TARGET_PCT = 2.0
JOBS = 10


async def _measure(base_url: str, key: str, window_s: float) -> tuple[float, float, int]:
    with tempfile.TemporaryDirectory(prefix="wan-bench-idle-") as tmp:
        image = Path(tmp) / "in.png"
        image.write_bytes(small_png())
        library = Library.open(Path(tmp) / "lib")
        runner = JobRunner(library, Backend(base_url, key, offline=False), concurrency=10)
        await runner.start()
        try:
            for i in range(JOBS):
                await runner.enqueue(
                    GenerationRequest(prompt="a slow pan", image=str(image), seed=i)
                )
            deadline = time.monotonic() + 60
            while sum(j.state is JobState.RUNNING for j in runner.jobs()) < JOBS:
                if time.monotonic() > deadline:
                    states = [j.state.value for j in runner.jobs()]
                    raise RuntimeError(f"jobs did not all start running: {states}")
                await asyncio.sleep(0.1)
            await asyncio.sleep(1.0)  # let the last log lines and saves settle
            cpu0, wall0 = time.process_time(), time.monotonic()
            await asyncio.sleep(window_s)
            cpu, wall = time.process_time() - cpu0, time.monotonic() - wall0
            running = sum(j.state is JobState.RUNNING for j in runner.jobs())
        finally:
            await runner.close()
            library.close()
    return cpu, wall, running


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--window", type=float, default=10.0)
    args = parser.parse_args(argv)
    with EngineProcess(
        "--min-run-seconds", "60", "--workers", str(JOBS), real=True
    ) as engine:  # fmt: skip
        cpu, wall, running = asyncio.run(_measure(engine.base_url, engine.key, args.window))
    pct = 100 * cpu / wall
    ok = pct < TARGET_PCT and running == JOBS
    result_line(
        "jobs_idle_10_running_cpu", "pct", pct,
        f"target < {TARGET_PCT:g} % of one core; {cpu * 1000:.0f} ms CPU in {wall:.1f} s, "
        f"{running} jobs running, engine in its own process", ok,
    )  # fmt: skip
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
