"""Benchmark: ``generate`` with fal's Platform API unreachable starts submitting no more than
about a second later than with it answering.

``wan-desktop generate`` runs as a user runs it (its own process, its own home), against the
offline engine standing in for fal's queue (FAL_QUEUE_URL), with FAL_PLATFORM_URL pointed at:

- ``answering``: the engine's own ``/v1`` (it publishes its schema and a price at once);
- ``refused``: a closed port on this machine (the connection is refused at once);
- ``blackholed``: a listening socket that accepts connections and never answers (the worst
  case: only the command's own time budget ends the wait).

Figure: seconds from starting the process to the engine counting its submit (polled every
10 ms from this process), median over ``--repeats`` runs per mode, modes interleaved so load
on the machine hits them alike. Target: each unreachable mode ≤ 1 s later than answering.
The delay ratio (unreachable ÷ answering) is printed for reference.
Run: ``.venv/bin/python -m bench.bench_live_schema [--repeats N]``.
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench._common import ROOT, EngineProcess, result_line, small_png

DELAY_TARGET_S = 1.0
DEADLINE_S = 60.0
MODES = ("answering", "refused", "blackholed")


def _closed_port() -> int:
    """A port on this machine that nothing listens on (bound, then closed)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _submits(engine: EngineProcess) -> int:
    try:
        return int(engine.stats()["submits"])
    except Exception:
        return 0


def _one_run(engine: EngineProcess, platform_url: str, image: Path, home: Path) -> float:
    """Seconds from starting ``generate`` to the engine counting one more submit."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FAL_", "WAN_DESKTOP_"))}
    env.update(
        WAN_DESKTOP_HOME=str(home),
        FAL_KEY=engine.key,
        FAL_QUEUE_URL=engine.base_url,
        FAL_PLATFORM_URL=platform_url,
    )
    before = _submits(engine)
    start = time.monotonic()
    proc = subprocess.Popen(
        [sys.executable, "-m", "wan_desktop", "generate", str(image), "--prompt", "a slow pan",
         "--resolution", "720p"],
        env=env, cwd=ROOT, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        while _submits(engine) <= before:
            if proc.poll() is not None or time.monotonic() - start > DEADLINE_S:
                err = proc.stderr.read() if proc.stderr else ""
                raise RuntimeError(f"generate never submitted: {err[-500:]}")
            time.sleep(0.01)
        elapsed = time.monotonic() - start
        if proc.wait(timeout=DEADLINE_S) != 0:
            raise RuntimeError(f"generate failed: {proc.stderr.read() if proc.stderr else ''}")
        return elapsed
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    times: dict[str, list[float]] = {mode: [] for mode in MODES}
    with tempfile.TemporaryDirectory() as tmp, EngineProcess() as engine:
        image = Path(tmp) / "scene.png"
        image.write_bytes(small_png())
        blackhole = socket.socket()
        blackhole.bind(("127.0.0.1", 0))
        blackhole.listen(64)  # accepted by the kernel, never read nor answered
        urls = {
            "answering": engine.base_url + "/v1",
            "refused": f"http://127.0.0.1:{_closed_port()}/v1",
            "blackholed": f"http://127.0.0.1:{blackhole.getsockname()[1]}/v1",
        }
        try:
            _one_run(engine, urls["answering"], image, Path(tmp) / "warm")  # imports cached
            for i in range(args.repeats):
                for mode in MODES:
                    home = Path(tmp) / f"{mode}-{i}"
                    times[mode].append(_one_run(engine, urls[mode], image, home))
        finally:
            blackhole.close()
    base = statistics.median(times["answering"])
    result_line("live_schema_answering_to_submit", "s", base, "reference", None)
    ok = True
    for mode in ("refused", "blackholed"):
        median = statistics.median(times[mode])
        delay = median - base
        ok &= delay <= DELAY_TARGET_S
        result_line(
            f"live_schema_{mode}_delay",
            "s",
            delay,
            f"≤ {DELAY_TARGET_S:g} s; {median:.2f} s vs {base:.2f} s, ratio {median / base:.2f}",
            delay <= DELAY_TARGET_S,
        )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
