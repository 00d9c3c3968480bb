"""Rows of ``make reliability``: several processes on one library.

- a window-style owner of the queue (:mod:`bench.reliability_window`, the app's own
  ``QueueHost``) while two ``generate`` run from a shell and a ``jobs resume`` is tried;
- four ``generate --offline`` started 0.7 s apart (each may start its own engine on the one
  state folder, so the submits are the request files the engine kept);
- ``jobs resume`` while ``generate`` runs its job.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench._common import ROOT, EngineProcess, job_states
from bench.reliability_rows import (
    Row,
    Run,
    entry_count,
    exited,
    home_env,
    integrity,
    run_wan,
    spawn_wan,
    wait_run,
)

__all__ = ["resume_during_generate", "staggered_offline", "window_and_cli"]

KEY = "reliability-key-0123456789"


def _generate(image: Path, seed: int, *extra: str) -> tuple[str, ...]:
    return (
        "generate", str(image), "--prompt", "a slow pan", "--resolution", "720p",
        "--seed", str(seed), "--json", *extra,
    )  # fmt: skip


def _request_id(run: Run) -> str:
    try:
        return str(json.loads(run.stdout.strip().splitlines()[-1]).get("request_id") or "?")
    except (ValueError, IndexError, AttributeError):
        return "?"


def _start_window(env: dict[str, str]) -> subprocess.Popen:
    window = subprocess.Popen(
        [sys.executable, "-m", "bench.reliability_window"],
        env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
        cwd=ROOT, text=True,
    )  # fmt: skip
    assert window.stdout is not None
    line = window.stdout.readline().strip()
    if line != "ready":
        window.kill()
        window.wait()
        raise RuntimeError(f"the window-style runner did not start: {line!r}")
    return window


def _stop_window(window: subprocess.Popen) -> int:
    assert window.stdin is not None
    window.stdin.close()  # as the window quits: the queue host lets go
    try:
        return window.wait(timeout=30)
    except subprocess.TimeoutExpired:
        window.kill()
        return window.wait()


def window_and_cli(image: Path) -> Row:
    """The window owns the queue; two ``generate`` hand their jobs to it, ``jobs resume``
    exits 5 naming it. Each job is submitted once and filed once."""
    row = Row(
        "window + 2×generate + resume",
        "2 submits, 2 entries, each generate handed off and exits 0, resume exits 5 naming it",
    )
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="wan-rel-win-") as tmp:
        home = Path(tmp) / "home"
        with EngineProcess("--workers", "2", "--min-run-seconds", "1", key=KEY) as engine:
            env = home_env(home, FAL_QUEUE_URL=engine.base_url, FAL_KEY=KEY)
            window = _start_window(env)
            try:
                t0 = time.monotonic()
                gens = [spawn_wan(*_generate(image, 11), env=env)]
                time.sleep(0.5)
                gens.append(spawn_wan(*_generate(image, 12), env=env))
                resume = run_wan("jobs", "resume", env=env, timeout=60)
                runs = [wait_run(g, t0) for g in gens]
            finally:
                window_code = _stop_window(window)
            submits = engine.stats()["submits"]
        entries = entry_count(home)
        row.integrity = integrity(home)
    row.submits, row.entries = str(submits), str(entries)
    row.exits = " ".join(f"gen={r.code}" for r in runs) + f" resume={resume.code}"
    row.exits += f" window={window_code}"
    handed = sum("handing this job to it" in r.stderr for r in runs)
    row.details.append(f"generate handed to the window: {handed} of 2")
    row.details.append(f"resume said: {resume.stderr.strip().splitlines()[-1:]}")
    row.check(submits == 2, f"{submits} submits for 2 jobs")
    row.check(entries == 2, f"{entries} entries for 2 jobs")
    row.check(handed == 2 and all(r.code == 0 for r in runs), "a generate not handed off / failed")
    row.check(resume.code == 5 and "window (pid" in resume.stderr, "resume did not name the window")
    row.check(row.integrity == "ok", "integrity check failed")
    row.seconds = time.monotonic() - started
    return row


def _engine_requests(home: Path) -> int:
    return len(list((home / "cache" / "engine" / "requests").glob("*.json")))


def staggered_offline(image: Path, count: int = 4, gap_s: float = 0.7) -> Row:
    """``count`` ``generate --offline`` started ``gap_s`` apart on one library: one submit,
    one entry and one request id per job."""
    row = Row(
        f"{count}×generate --offline, {gap_s:g} s apart",
        f"{count} submits, {count} entries, {count} distinct request ids, all exit 0",
    )
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="wan-rel-stagger-") as tmp:
        home = Path(tmp) / "home"
        env = home_env(home)
        procs = []
        for i in range(count):
            procs.append(
                (spawn_wan(*_generate(image, 100 + i, "--offline"), env=env), time.monotonic())
            )
            time.sleep(gap_s)
        runs = [wait_run(p, t0) for p, t0 in procs]
        submits = _engine_requests(home)
        entries = entry_count(home)
        row.integrity = integrity(home)
    ids = {_request_id(r) for r in runs} - {"?"}
    row.submits, row.entries = str(submits), str(entries)
    row.exits = " ".join(str(r.code) for r in runs)
    waited = sum("waiting for" in r.stderr for r in runs)
    row.details.append(
        f"distinct request ids: {len(ids)}; processes that waited for the lock: {waited}"
    )
    row.check(submits == count, f"{submits} submits for {count} jobs")
    row.check(entries == count, f"{entries} entries for {count} jobs")
    row.check(len(ids) == count, f"{len(ids)} distinct request ids")
    row.check(all(r.code == 0 for r in runs), "a generate failed")
    for r in runs:
        if r.code != 0:
            row.details.append(f"exit {r.code}: {r.stderr.strip()[-300:]!r}")
    row.check(row.integrity == "ok", "integrity check failed")
    row.seconds = time.monotonic() - started
    return row


def _wait_state(home: Path, proc: subprocess.Popen, state: str, timeout: float = 60) -> bool:
    deadline = time.monotonic() + timeout
    while state not in job_states(home):
        if exited(proc) or time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def resume_during_generate(image: Path) -> Row:
    """``jobs resume`` while ``generate`` runs: resume exits 5 naming ``generate``; the job is
    submitted and filed once; no ``.part`` file is left."""
    row = Row(
        "jobs resume during generate",
        "resume exits 5 naming generate, 1 submit, 1 entry, generate exits 0, no .part left",
    )
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="wan-rel-resume-") as tmp:
        home = Path(tmp) / "home"
        with EngineProcess("--workers", "1", "--min-run-seconds", "3", key=KEY) as engine:
            env = home_env(home, FAL_QUEUE_URL=engine.base_url, FAL_KEY=KEY)
            t0 = time.monotonic()
            gen = spawn_wan(*_generate(image, 21), env=env)
            running = _wait_state(home, gen, "running")
            resume = run_wan("jobs", "resume", env=env, timeout=60)
            run = wait_run(gen, t0)
            submits = engine.stats()["submits"]
        entries = entry_count(home)
        row.integrity = integrity(home)
        parts = [p.name for p in home.rglob("*.part")]
    row.submits, row.entries = str(submits), str(entries)
    row.exits = f"generate={run.code} resume={resume.code}"
    row.details.append(f"resume said: {resume.stderr.strip().splitlines()[-1:]}")
    row.check(running, "never saw the job running")
    row.check(resume.code == 5 and "generate (pid" in resume.stderr, "resume did not name generate")
    row.check(submits == 1, f"{submits} submits for 1 job")
    row.check(entries == 1, f"{entries} entries for 1 job")
    row.check(run.code == 0, "generate failed")
    row.check(not parts, f".part left: {parts}")
    row.check(row.integrity == "ok", "integrity check failed")
    row.seconds = time.monotonic() - started
    return row
