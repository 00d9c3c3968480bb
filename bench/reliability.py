"""``python -m bench.reliability`` (``make reliability``): the fault matrix.

Every fault switch of the offline engine (``emulator.faults.FAULT_DEFAULTS``) × every job
phase (submit, queued, running, download), plus ``kill -9`` of the app in each phase followed
by ``wan-desktop jobs resume``. One table; exit 1 when any cell breaks a rule.

How a fault is made to fire in a phase (the engine records, for each firing, the route and
the state of the request at that moment; a cell whose fault never fired in its phase breaks):

- submit: the fault limited to the ``submit`` route, set before the job is enqueued;
- queued: the engine's single worker is busy with another request, so the job waits
  IN_QUEUE; the fault is limited to ``stream``/``status`` (the job's tracking calls);
- running: the worker is free, the job runs at once (held IN_PROGRESS 1 s); same routes;
- download: limited to the ``media`` route; ``expire_result`` (which also matches the
  result route) is set once the job is ``downloading`` while the media answer is held back.

A fault that cannot fire in a phase (``moderate`` and ``fail_request`` act at submit only,
``break_stream`` on the stream, the media faults on the media) is shown as ``n/a``.

Rules for each cell: the job ends (a deadline; a stuck job breaks the cell) as expected —
done after a passing fault, or failed with a clear message after a refusal or a lost result;
no request is submitted twice; no entry is lost (a done job has exactly one library entry
with its video) and none is doubled; ``PRAGMA integrity_check`` of the library says ok.

The matrix runs the runner in this process against the engine in this process (stand-in
renderer); the kill cells run ``wan-desktop generate`` and ``wan-desktop jobs resume`` as
processes against ``wan-desktop emulator`` in its own process.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import contextlib
import json
import os
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import httpx

from bench._common import ROOT, EngineProcess, fast_render, job_states, small_png, tiny_mp4
from wan_desktop.core.request import GenerationRequest
from wan_desktop.emulator import EmulatorServer
from wan_desktop.emulator.faults import FAULT_DEFAULTS
from wan_desktop.emulator.validate import validate_arguments
from wan_desktop.jobs.backend import Backend
from wan_desktop.jobs.model import JobState
from wan_desktop.jobs.runner import JobRunner
from wan_desktop.library import Library

KEY = "reliability-key-0123456789"
PHASES = ("submit", "queued", "running", "download")
PHASE_ROUTES = {
    "submit": ["submit"],
    "queued": ["stream", "status"],
    "running": ["stream", "status"],
    "download": ["media"],
}
CELL_DEADLINE_S = 45.0
KILL_DEADLINE_S = 90.0
SUBMIT_PATH = "/wan/v2.6/image-to-video/flash"


@dataclass(frozen=True)
class Plan:
    """How one fault is set up in one phase, and what the job must end as."""

    params: dict
    expect: str  # "done" or "failed"
    at_downloading: bool = False  # set the fault once the job is downloading (media held)
    extra: dict = field(default_factory=dict)  # helper faults set before the job


def _routes(name: str) -> bool:
    return "routes" in FAULT_DEFAULTS[name]


def plan(name: str, phase: str) -> Plan | str:
    """The plan of a cell, or why it does not apply (a string)."""
    transient = {
        "rate_limit": {"count": 2, "retry_after_s": 1},
        "ingress_error": {"count": 2, "status": 503},
        "drop_connection": {"count": 2},
        "slow": {"count": 1, "delay_s": 1.5},
    }
    if name in transient:
        params = {**transient[name], "routes": PHASE_ROUTES[phase]}
        # A submit whose connection drops after it was sent may have been accepted: it is
        # never re-sent, the job fails saying so.
        expect = "failed" if (name, phase) == ("drop_connection", "submit") else "done"
        return Plan(params, expect)
    if name == "auth":
        # The key is refused from this phase on (revoked): a single refused stream call
        # would only send the client to polling, which is right but proves little.
        return Plan({"count": -1, "routes": PHASE_ROUTES[phase]}, "failed")
    if name in ("moderate", "fail_request"):
        if phase != "submit":
            return "acts at submit only"
        return Plan({"count": 1}, "failed")
    if name == "break_stream":
        if phase not in ("queued", "running"):
            return "stream route only"
        return Plan({"count": 1}, "done")
    if name == "expire_result":
        if phase != "download":
            return "result/media only"
        hold = {"slow": {"count": 1, "delay_s": 1.0, "routes": ["media"]}}
        return Plan({"count": 1}, "failed", at_downloading=True, extra=hold)
    if name == "truncate_media":
        if phase != "download":
            return "media route only"
        return Plan({"count": 1, "after_bytes": 4096}, "done")
    if name == "no_range":
        if phase != "download":
            return "media route only"
        # Only matters when a download resumes: cut the first answer short, then the
        # resumed request gets the whole file (200) and must start over, not splice.
        cut = {"truncate_media": {"count": 1, "after_bytes": 4096}}
        return Plan({"count": 1}, "done", extra=cut)
    if _routes(name):  # a fault added to the engine later: try it as a transient one
        return Plan({"count": 1, "routes": PHASE_ROUTES[phase]}, "done")
    return "not planned (new fault)"


@dataclass
class Cell:
    fault: str
    phase: str
    outcome: str = ""
    message: str = ""
    duplicates: int = 0
    lost: int = 0
    integrity: str = ""
    fired: str = ""
    seconds: float = 0.0
    breaks: list[str] = field(default_factory=list)
    na: str = ""

    @property
    def ok(self) -> bool:
        return not self.breaks


def _short(text: str | None, width: int = 58) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= width else text[: width - 1] + "…"


def _clear(message: str | None) -> bool:
    return bool(message and message.strip()) and "Traceback" not in message and len(message) < 600


def _integrity(db: Path) -> str:
    try:
        with contextlib.closing(sqlite3.connect(db)) as conn:
            return str(conn.execute("PRAGMA integrity_check").fetchone()[0])
    except sqlite3.Error as exc:
        return f"error: {exc}"


def _args(png: bytes) -> dict:
    uri = "data:image/png;base64," + base64.b64encode(png).decode("ascii")
    return {"prompt": "keep the line busy", "image_url": uri, "resolution": "720p", "seed": 3}


class _Recorder:
    """Wraps ``engine.faults.take``: which fault fired on which route, in which phase."""

    def __init__(self, engine: EmulatorServer, blocker: set[str]):
        self.engine = engine
        self.blocker = blocker
        self.fired: list[tuple[str, str, str]] = []
        self._lock = threading.Lock()
        real = engine.faults.take

        def take(name: str, route: str):
            got = real(name, route)
            if got is not None:
                with self._lock:
                    self.fired.append((name, route, self._phase(route)))
            return got

        engine.faults.take = take  # type: ignore[method-assign]

    def _phase(self, route: str) -> str:
        if route == "submit":
            return "submit"
        if route in ("media", "result"):
            return "download"
        states = [
            job["state"]
            for rid in list(self.engine.store._jobs)
            if rid not in self.blocker and (job := self.engine.store.get(rid)) is not None
        ]
        state = states[-1] if states else "?"
        return {"IN_QUEUE": "queued", "IN_PROGRESS": "running", "COMPLETED": "after"}.get(
            state, state
        )

    def summary(self, name: str) -> str:
        counts: dict[str, int] = {}
        for fired, _route, phase in self.fired:
            if fired == name:
                counts[phase] = counts.get(phase, 0) + 1
        return ",".join(f"{p}×{n}" for p, n in counts.items()) or "never"


async def run_cell(name: str, phase: str, spec: Plan, image: Path, png: bytes) -> Cell:
    cell = Cell(name, phase)
    start = time.monotonic()
    min_run = 1.0 if phase in ("queued", "running") else 0.2
    engine = EmulatorServer(workers=1, render=fast_render, min_run_s=min_run, api_key=KEY)
    engine.start()
    blocker: set[str] = set()
    recorder = _Recorder(engine, blocker)
    tmp = tempfile.TemporaryDirectory(prefix="wan-rel-")
    library = Library.open(Path(tmp.name) / "lib")
    runner = JobRunner(library, Backend(engine.base_url, KEY, offline=False), concurrency=1)
    try:
        await runner.start()
        if phase == "queued":
            checked = validate_arguments(_args(png))
            assert not isinstance(checked, list)
            blocker.add(engine.store.submit(checked)["request_id"])
        for extra, params in spec.extra.items():
            engine.faults.set(extra, **params)
        if not spec.at_downloading:
            engine.faults.set(name, **spec.params)
        job = await runner.enqueue(
            GenerationRequest(prompt="a slow pan", image=str(image), resolution="720p", seed=1)
        )
        if spec.at_downloading:

            async def downloading() -> None:
                while runner.get(job.id).state not in (JobState.DOWNLOADING,) and not (
                    runner.get(job.id).state.is_final
                ):
                    await asyncio.sleep(0.01)

            await asyncio.wait_for(downloading(), CELL_DEADLINE_S)
            engine.faults.set(name, **spec.params)
        try:
            final = await asyncio.wait_for(runner.wait(job.id), CELL_DEADLINE_S)
        except TimeoutError:
            final = runner.get(job.id)
            cell.breaks.append(f"stuck in {final.state.value} after {CELL_DEADLINE_S:g} s")
        cell.outcome = final.state.value
        cell.message = final.error or ""
        if final.state is JobState.FAILED and not _clear(final.error):
            cell.breaks.append("failure without a clear message")
        if final.state.is_final and cell.outcome != spec.expect:
            cell.breaks.append(f"expected {spec.expect}")
        stats = engine.stats()
        cell.duplicates = max(0, stats["submits"] - 1)
        expected_entries = 1 if final.state is JobState.DONE else 0
        count = library.count()
        cell.lost = max(0, expected_entries - count)
        if final.state is JobState.DONE:
            try:
                entry = library.get(final.entry_id)
                if not Path(entry.video_path).is_file():
                    cell.lost = max(cell.lost, 1)
            except KeyError:
                cell.lost = max(cell.lost, 1)
        if count > expected_entries:
            cell.breaks.append(f"{count} entries for one job")
        cell.fired = recorder.summary(name)
        if phase not in cell.fired:
            cell.breaks.append(f"fault did not fire in {phase}")
    finally:
        await runner.close()
        library.close()
        engine.stop()
    cell.integrity = _integrity(Path(tmp.name) / "lib" / "library.db")
    tmp.cleanup()
    if cell.duplicates:
        cell.breaks.append("duplicate submit")
    if cell.lost:
        cell.breaks.append("entry lost")
    if cell.integrity != "ok":
        cell.breaks.append("integrity check failed")
    cell.seconds = time.monotonic() - start
    return cell


# ---- kill -9 of the app ------------------------------------------------------------------


def _wan(*args: str, env: dict[str, str], timeout: float) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "wan_desktop", *args],
        env=env, capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL,
        cwd=ROOT,
    )  # fmt: skip


def kill_cell(phase: str, image: Path, png: bytes) -> Cell:
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
            blockers = 0
            if phase == "submit":
                engine.set_fault("slow", count=1, delay_s=3, routes=["submit"])
            elif phase == "queued":
                with httpx.Client(base_url=engine.base_url, timeout=30) as c:
                    c.post(SUBMIT_PATH, json=_args(png), headers={"Authorization": f"Key {KEY}"})
                blockers = 1
            elif phase == "download":
                engine.set_fault("slow", count=1, delay_s=4, routes=["media"])
            wanted = {"submit": "submitting", "download": "downloading"}.get(phase, phase)
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
            at_kill = job_states(home)
            engine.clear_faults()
            if phase == "submit":
                time.sleep(3.5)  # the held submit reaches the engine after the app died
            try:
                resumed = _wan("jobs", "resume", "--json", env=env, timeout=KILL_DEADLINE_S)
                listed = _wan("jobs", "list", "--json", env=env, timeout=30)
                if listed.returncode != 0:
                    cell.breaks.append(
                        f"jobs list exited {listed.returncode}: {_short(listed.stderr[-300:])}"
                    )
                jobs = json.loads(listed.stdout or "[]")
            except subprocess.TimeoutExpired:
                cell.breaks.append(f"resume stuck after {KILL_DEADLINE_S:g} s")
                jobs = []
                resumed = None
            if resumed is not None and resumed.returncode not in (0, 3, 4):
                cell.breaks.append(
                    f"resume exited {resumed.returncode}: {_short(resumed.stderr[-300:])}"
                )
            job = jobs[0] if len(jobs) == 1 else {}
            if len(jobs) != 1:
                cell.breaks.append(f"{len(jobs)} jobs in the table")
            cell.outcome = str(job.get("state", "?"))
            cell.message = str(job.get("error") or "")
            expect = "failed" if phase == "submit" else "done"
            if cell.outcome != expect:
                cell.breaks.append(f"expected {expect}")
            if cell.outcome == "failed" and not _clear(cell.message):
                cell.breaks.append("failure without a clear message")
            stats = engine.stats()
            cell.duplicates = max(0, stats["submits"] - blockers - 1)
            cell.fired = f"killed at {','.join(at_kill) or '?'}"
            if at_kill != [wanted]:
                cell.breaks.append(f"killed in {at_kill}, not {wanted}")
        db = home / "library" / "library.db"
        with Library.open(home / "library") as lib:
            entries = lib.list(limit=10)
            expected = 1 if cell.outcome == "done" else 0
            cell.lost = max(0, expected - len(entries))
            if len(entries) > expected:
                cell.breaks.append(f"{len(entries)} entries for one job")
            for summary in entries:
                if not Path(lib.get(summary.id).video_path).is_file():
                    cell.lost += 1
        cell.integrity = _integrity(db)
    if cell.duplicates:
        cell.breaks.append("duplicate submit")
    if cell.lost:
        cell.breaks.append("entry lost")
    if cell.integrity != "ok":
        cell.breaks.append("integrity check failed")
    cell.seconds = time.monotonic() - start
    return cell


# ---- table -------------------------------------------------------------------------------


def print_table(cells: list[Cell]) -> None:
    head = ("fault", "phase", "outcome", "dup", "lost", "integrity", "fired", "s", "verdict")
    rows = [head]
    notes = []
    for c in cells:
        if c.na:
            rows.append((c.fault, c.phase, f"n/a ({c.na})", "", "", "", "", "", "—"))
            continue
        outcome = c.outcome + (f": {_short(c.message)}" if c.message else "")
        verdict = "ok" if c.ok else "BREAK"
        rows.append((
            c.fault, c.phase, outcome, str(c.duplicates), str(c.lost), c.integrity,
            c.fired, f"{c.seconds:.0f}", verdict,
        ))  # fmt: skip
        if not c.ok:
            notes.append(f"BREAK {c.fault} × {c.phase}: {'; '.join(c.breaks)}")
    widths = [max(len(r[i]) for r in rows) for i in range(len(head))]
    print()
    for i, r in enumerate(rows):
        print("  ".join(cell.ljust(widths[k]) for k, cell in enumerate(r)).rstrip())
        if i == 0:
            print("  ".join("-" * w for w in widths))
    ran = [c for c in cells if not c.na]
    print(
        f"\n{len(ran)} cells run, {sum(1 for c in cells if c.na)} not applicable, "
        f"{sum(1 for c in ran if not c.ok)} broken"
    )
    for note in notes:
        print(note)


async def matrix(faults: list[str], phases: list[str], image: Path, png: bytes) -> list[Cell]:
    cells = []
    for name in faults:
        for phase in phases:
            spec = plan(name, phase)
            if isinstance(spec, str):
                cells.append(Cell(name, phase, na=spec))
                continue
            try:
                cell = await run_cell(name, phase, spec, image, png)
            except Exception as exc:  # the harness itself: shown as a broken cell
                cell = Cell(name, phase, outcome="error", message=repr(exc))
                cell.breaks.append(f"harness error {exc!r}")
            print(
                f"  {name:16s} {phase:9s} {cell.outcome:10s} fired {cell.fired or '-':14s} "
                f"{'ok' if cell.ok else 'BREAK ' + '; '.join(cell.breaks)}",
                flush=True,
            )
            cells.append(cell)
    return cells


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fault", action="append", help="only these faults (repeatable)")
    parser.add_argument("--phase", action="append", choices=PHASES, help="only these phases")
    parser.add_argument("--no-kill", action="store_true", help="skip the kill -9 cells")
    args = parser.parse_args(argv)
    faults = args.fault or list(FAULT_DEFAULTS)
    phases = args.phase or list(PHASES)
    started = time.monotonic()
    tiny_mp4()
    png = small_png()
    with tempfile.TemporaryDirectory(prefix="wan-rel-in-") as tmp:
        image = Path(tmp) / "scene.png"
        image.write_bytes(png)
        print(f"fault matrix: {len(faults)} faults × {len(phases)} phases", flush=True)
        cells = asyncio.run(matrix(faults, phases, image, png))
        if not args.no_kill:
            print("kill -9 of the app, then `wan-desktop jobs resume`:", flush=True)
            for phase in phases:
                try:
                    cell = kill_cell(phase, image, png)
                except Exception as exc:
                    cell = Cell("kill -9 + resume", phase, outcome="error", message=repr(exc))
                    cell.breaks.append(f"harness error {exc!r}")
                print(
                    f"  kill -9          {phase:9s} {cell.outcome:10s} "
                    f"{'ok' if cell.ok else 'BREAK ' + '; '.join(cell.breaks)}",
                    flush=True,
                )
                cells.append(cell)
    print_table(cells)
    print(f"({time.monotonic() - started:.0f} s)")
    return 0 if all(c.ok for c in cells) else 1


if __name__ == "__main__":
    raise SystemExit(main())
