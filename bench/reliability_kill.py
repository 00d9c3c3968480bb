"""The ``kill -9`` cells of ``make reliability``: ``wan-desktop generate`` killed in each job
phase, then ``wan-desktop jobs resume``, as processes against ``wan-desktop emulator`` in its
own process. The job must end as expected (failed, saying so, when the kill came while the
submit was in flight; done otherwise), submitted once and filed once.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

from bench._common import ROOT, EngineProcess, job_states
from bench.reliability_matrix import (
    KEY,
    Cell,
    clear_message,
    engine_args,
    finish,
    integrity_of,
    short,
)
from wan_desktop.library import Library

__all__ = ["kill_cell"]

KILL_DEADLINE_S = 90.0
SUBMIT_PATH = "/wan/v2.6/image-to-video/flash"


def _wan(*args: str, env: dict[str, str], timeout: float) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "wan_desktop", *args],
        env=env, capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL,
        cwd=ROOT,
    )  # fmt: skip


def _prepare(engine: EngineProcess, phase: str, png: bytes) -> int:
    """Set the engine up to hold the job in ``phase``; returns the submits made here."""
    if phase == "submit":
        engine.set_fault("slow", count=1, delay_s=3, routes=["submit"])
    elif phase == "queued":
        with httpx.Client(base_url=engine.base_url, timeout=30) as c:
            c.post(SUBMIT_PATH, json=engine_args(png), headers={"Authorization": f"Key {KEY}"})
        return 1
    elif phase == "download":
        engine.set_fault("slow", count=1, delay_s=4, routes=["media"])
    return 0


def _kill_when(cell: Cell, home: Path, env: dict[str, str], image: Path, wanted: str) -> None:
    """Start ``generate`` and ``kill -9`` it once its job is ``wanted``."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "wan_desktop", "generate", str(image), "--prompt",
         "a slow push in", "--resolution", "720p", "--seed", "77"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        stdin=subprocess.DEVNULL, cwd=ROOT,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while wanted not in job_states(home):
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"never saw the job {wanted} ({job_states(home)})")
            time.sleep(0.05)
        time.sleep(0.3)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
    except RuntimeError as exc:
        cell.breaks.append(str(exc))
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def _resume(cell: Cell, env: dict[str, str]) -> list[dict]:
    """``jobs resume``, then ``jobs list``: the jobs in the table afterwards."""
    try:
        resumed = _wan("jobs", "resume", "--json", env=env, timeout=KILL_DEADLINE_S)
        listed = _wan("jobs", "list", "--json", env=env, timeout=30)
    except subprocess.TimeoutExpired:
        cell.breaks.append(f"resume stuck after {KILL_DEADLINE_S:g} s")
        return []
    if listed.returncode != 0:
        cell.breaks.append(f"jobs list exited {listed.returncode}: {short(listed.stderr[-300:])}")
    if resumed.returncode not in (0, 3, 4):
        cell.breaks.append(f"resume exited {resumed.returncode}: {short(resumed.stderr[-300:])}")
    return json.loads(listed.stdout or "[]")


def _judge_job(cell: Cell, jobs: list[dict], phase: str) -> None:
    job = jobs[0] if len(jobs) == 1 else {}
    if len(jobs) != 1:
        cell.breaks.append(f"{len(jobs)} jobs in the table")
    cell.outcome = str(job.get("state", "?"))
    cell.message = str(job.get("error") or "")
    expect = "failed" if phase == "submit" else "done"
    if cell.outcome != expect:
        cell.breaks.append(f"expected {expect}")
    if cell.outcome == "failed" and not clear_message(cell.message):
        cell.breaks.append("failure without a clear message")


def _judge_library(cell: Cell, home: Path) -> None:
    with Library.open(home / "library") as lib:
        entries = lib.list(limit=10)
        expected = 1 if cell.outcome == "done" else 0
        cell.lost = max(0, expected - len(entries))
        if len(entries) > expected:
            cell.breaks.append(f"{len(entries)} entries for one job")
        for summary in entries:
            if not Path(lib.get(summary.id).video_path).is_file():
                cell.lost += 1
    cell.integrity = integrity_of(home / "library" / "library.db")


def kill_cell(phase: str, image: Path, png: bytes) -> Cell:
    """``generate`` killed in ``phase``, then ``jobs resume``: one cell."""
    cell = Cell("kill -9 + resume", phase)
    start = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="wan-rel-kill-") as tmp:
        home = Path(tmp) / "home"
        env = {k: v for k, v in os.environ.items() if k not in ("FAL_KEY", "FAL_QUEUE_URL")}
        # Queued: the request ahead (and so ours) runs 6 s, long enough for the app to start,
        # see its job queued and be killed while it still is.
        hold = "6" if phase == "queued" else "2"
        with EngineProcess(
            "--workers", "1", "--min-run-seconds", hold, real=True, key=KEY
        ) as engine:
            env.update(
                WAN_DESKTOP_HOME=str(home), FAL_QUEUE_URL=engine.base_url, FAL_KEY=KEY,
                PYTHONUNBUFFERED="1",
            )  # fmt: skip
            blockers = _prepare(engine, phase, png)
            wanted = {"submit": "submitting", "download": "downloading"}.get(phase, phase)
            _kill_when(cell, home, env, image, wanted)
            at_kill = job_states(home)
            engine.clear_faults()
            if phase == "submit":
                time.sleep(3.5)  # the held submit reaches the engine after the app died
            _judge_job(cell, _resume(cell, env), phase)
            cell.duplicates = max(0, engine.stats()["submits"] - blockers - 1)
            cell.fired = f"killed at {','.join(at_kill) or '?'}"
            if at_kill != [wanted]:
                cell.breaks.append(f"killed in {at_kill}, not {wanted}")
        _judge_library(cell, home)
    return finish(cell, start)
