"""``python -m bench.startup_crashes [-n 50] [--smoke]``: start the window N times offscreen
with ``faulthandler`` on and count the starts that crashed.

Each start is a fresh process, ``python -X faulthandler -m wan_desktop --screenshot FILE`` (or
``--smoke``, which also plays a clip) in its own ``WAN_DESKTOP_HOME``: the window paints,
the library and the offline engine start, the window closes. A start fails when the process
does not exit 0 within its time; for each failure the exit code, the tail of stderr and the
app's own ``logs/crash.log`` (the stacks faulthandler wrote) are printed. Exit 1 when any
start failed.

Not part of ``make test`` or ``make bench`` (about 3 s a start).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TIMEOUT_S = 90


def start_once(home: Path, smoke: bool) -> tuple[int, str, float]:
    """One start in ``home``: (exit code, stderr, seconds); -999 when it hung."""
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", WAN_DESKTOP_HOME=str(home))
    env.pop("FAL_KEY", None)
    mode = ["--smoke"] if smoke else ["--screenshot", str(home / "window.png")]
    begun = time.perf_counter()
    try:
        done = subprocess.run(
            [sys.executable, "-X", "faulthandler", "-m", "wan_desktop", *mode],
            env=env,
            capture_output=True,
            text=True,
            timeout=TIMEOUT_S,
        )
    except subprocess.TimeoutExpired as exc:
        stderr = exc.stderr.decode(errors="replace") if isinstance(exc.stderr, bytes) else ""
        return -999, stderr, time.perf_counter() - begun
    return done.returncode, done.stderr, time.perf_counter() - begun


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=50, help="how many starts (default 50)")
    parser.add_argument("--smoke", action="store_true", help="also play a clip in each start")
    args = parser.parse_args(argv)
    failures = 0
    with tempfile.TemporaryDirectory(prefix="wan-starts-") as folder:
        for i in range(args.n):
            home = Path(folder) / f"home{i}"
            code, stderr, seconds = start_once(home, args.smoke)
            if code == 0:
                print(f"start {i + 1:3d}: ok ({seconds:.1f} s)", flush=True)
                continue
            failures += 1
            print(f"start {i + 1:3d}: FAILED exit {code} ({seconds:.1f} s)", flush=True)
            print("  stderr tail:", *stderr.splitlines()[-15:], sep="\n    ")
            crash_log = home / "logs" / "crash.log"
            if crash_log.exists():
                print("  crash.log:", *crash_log.read_text().splitlines()[-40:], sep="\n    ")
    print(f"{args.n - failures} of {args.n} starts ok, {failures} crashed or hung")
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
