"""The fault matrix of ``make reliability``: every fault switch of the offline engine × every
job phase, the runner and the engine in this process (stand-in renderer); see
:mod:`bench.reliability` for how a fault is made to fire in a phase and the rules of a cell.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import sqlite3
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from bench._common import fast_render
from wan_desktop.core.request import GenerationRequest
from wan_desktop.emulator import EmulatorServer
from wan_desktop.emulator.faults import FAULT_DEFAULTS
from wan_desktop.emulator.validate import validate_arguments
from wan_desktop.jobs.backend import Backend
from wan_desktop.jobs.model import JobSnapshot, JobState
from wan_desktop.jobs.runner import JobRunner
from wan_desktop.library import Library

__all__ = [
    "KEY",
    "PHASES",
    "Cell",
    "Plan",
    "clear_message",
    "engine_args",
    "finish",
    "integrity_of",
    "matrix",
    "plan",
    "print_table",
    "run_cell",
    "short",
]

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


#: Faults that act in one phase only: (that phase, why not elsewhere, how the job ends).
ONE_PHASE = {
    "fail_request": ("submit", "acts at submit only", "failed"),
    "moderate": ("submit", "acts at submit only", "failed"),
    # The service hands the key back; the job still ends done (the key scrubbed: the
    # attack rows search every file for it).
    "echo_key": ("submit", "acts at submit only", "done"),
    # Another schema published and validated by: a short prompt still passes.
    "changed_schema": ("submit", "acts on the schema and the submit", "done"),
    "octet_stream": ("download", "media route only", "done"),
    "truncate_media": ("download", "media route only", "done"),
}


def _download_plan(name: str) -> Plan:
    if name == "expire_result":
        hold = {"slow": {"count": 1, "delay_s": 1.0, "routes": ["media"]}}
        return Plan({"count": 1}, "failed", at_downloading=True, extra=hold)
    # no_range only matters when a download resumes: cut the first answer short, then the
    # resumed request gets the whole file (200) and must start over, not splice.
    cut = {"truncate_media": {"count": 1, "after_bytes": 4096}}
    return Plan({"count": 1}, "done", extra=cut)


def _tracking_plan(name: str, phase: str) -> Plan | str:
    """Faults answered by fal's API (not its media server) in any phase but the download."""
    routes = PHASE_ROUTES[phase]
    if name == "locked_account":
        if phase == "download":
            return "fal's API answers it, not its media server"
        # At submit nothing was billed and the job fails saying why; a refused tracking
        # call is asked again, and the job ends done.
        return Plan({"count": 1, "routes": routes}, "failed" if phase == "submit" else "done")
    # retryable only marks the error answers of another fault: a rate limit here.
    limit = {"rate_limit": {"count": 2, "retry_after_s": 1, "routes": routes}}
    return Plan({"count": 2, "retryable": True, "routes": routes}, "done", extra=limit)


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
    if name in ONE_PHASE:
        only, why, expect = ONE_PHASE[name]
        params = {"after_bytes": 4096} if name == "truncate_media" else {}
        return Plan({"count": 1, **params}, expect) if phase == only else why
    if name == "break_stream":
        if phase not in ("queued", "running"):
            return "stream route only"
        return Plan({"count": 1}, "done")
    if name in ("expire_result", "no_range"):
        if phase != "download":
            return "result/media only" if name == "expire_result" else "media route only"
        return _download_plan(name)
    if name in ("locked_account", "retryable"):
        return _tracking_plan(name, phase)
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
    blocker: set[str] = field(default_factory=set)  # request ids ahead of the job (queued)

    @property
    def ok(self) -> bool:
        return not self.breaks


def short(text: str | None, width: int = 58) -> str:
    """``text`` on one line, cut to ``width`` characters."""
    text = " ".join((text or "").split())
    return text if len(text) <= width else text[: width - 1] + "…"


def clear_message(message: str | None) -> bool:
    """Whether a failure says something a person can read (no traceback, not a wall)."""
    return bool(message and message.strip()) and "Traceback" not in message and len(message) < 600


def integrity_of(db: Path) -> str:
    """``PRAGMA integrity_check`` of the database at ``db``."""
    try:
        with contextlib.closing(sqlite3.connect(db)) as conn:
            return str(conn.execute("PRAGMA integrity_check").fetchone()[0])
    except sqlite3.Error as exc:
        return f"error: {exc}"


def engine_args(png: bytes) -> dict:
    """A submit's arguments as the engine takes them (the image inline)."""
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


async def _wait_downloading(runner: JobRunner, job_id: str) -> None:
    """Until the job is downloading (or ended)."""
    while runner.get(job_id).state is not JobState.DOWNLOADING and not (
        runner.get(job_id).state.is_final
    ):
        await asyncio.sleep(0.01)


async def _drive(
    cell: Cell, engine: EmulatorServer, runner: JobRunner, spec: Plan, png: bytes, image: Path
) -> JobSnapshot:
    """Set the cell's faults, run its job, and return how it ended (stuck: as it stands)."""
    name, phase = cell.fault, cell.phase
    if phase == "queued":
        checked = validate_arguments(engine_args(png))
        assert not isinstance(checked, list)
        cell.blocker.add(engine.store.submit(checked)["request_id"])
    for extra, params in spec.extra.items():
        engine.faults.set(extra, **params)
    if not spec.at_downloading:
        engine.faults.set(name, **spec.params)
    job = await runner.enqueue(
        GenerationRequest(prompt="a slow pan", image=str(image), resolution="720p", seed=1)
    )
    if spec.at_downloading:
        await asyncio.wait_for(_wait_downloading(runner, job.id), CELL_DEADLINE_S)
        engine.faults.set(name, **spec.params)
    try:
        return await asyncio.wait_for(runner.wait(job.id), CELL_DEADLINE_S)
    except TimeoutError:
        final = runner.get(job.id)
        cell.breaks.append(f"stuck in {final.state.value} after {CELL_DEADLINE_S:g} s")
        return final


def _judge(cell: Cell, spec: Plan, final: JobSnapshot, submits: int, library: Library) -> None:
    """The job's end against the plan; duplicates, lost and doubled entries."""
    cell.outcome = final.state.value
    cell.message = final.error or ""
    if final.state is JobState.FAILED and not clear_message(final.error):
        cell.breaks.append("failure without a clear message")
    if final.state.is_final and cell.outcome != spec.expect:
        cell.breaks.append(f"expected {spec.expect}")
    cell.duplicates = max(0, submits - 1)
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


def finish(cell: Cell, started: float) -> Cell:
    """The rules every cell shares: no duplicate submit, no lost entry, a sound index."""
    if cell.duplicates:
        cell.breaks.append("duplicate submit")
    if cell.lost:
        cell.breaks.append("entry lost")
    if cell.integrity != "ok":
        cell.breaks.append("integrity check failed")
    cell.seconds = time.monotonic() - started
    return cell


async def run_cell(name: str, phase: str, spec: Plan, image: Path, png: bytes) -> Cell:
    """One fault in one phase, the runner and the engine in this process."""
    cell = Cell(name, phase)
    start = time.monotonic()
    min_run = 1.0 if phase in ("queued", "running") else 0.2
    engine = EmulatorServer(workers=1, render=fast_render, min_run_s=min_run, api_key=KEY)
    engine.start()
    recorder = _Recorder(engine, cell.blocker)
    tmp = tempfile.TemporaryDirectory(prefix="wan-rel-")
    library = Library.open(Path(tmp.name) / "lib")
    runner = JobRunner(library, Backend(engine.base_url, KEY, offline=False), concurrency=1)
    try:
        await runner.start()
        final = await _drive(cell, engine, runner, spec, png, image)
        _judge(cell, spec, final, engine.stats()["submits"], library)
        cell.fired = recorder.summary(name)
        if phase not in cell.fired:
            cell.breaks.append(f"fault did not fire in {phase}")
    finally:
        await runner.close()
        library.close()
        engine.stop()
    cell.integrity = integrity_of(Path(tmp.name) / "lib" / "library.db")
    tmp.cleanup()
    return finish(cell, start)


def print_table(cells: list[Cell]) -> None:
    """The matrix as one table, then one line per broken cell."""
    head = ("fault", "phase", "outcome", "dup", "lost", "integrity", "fired", "s", "verdict")
    rows = [head]
    notes = []
    for c in cells:
        if c.na:
            rows.append((c.fault, c.phase, f"n/a ({c.na})", "", "", "", "", "", "—"))
            continue
        outcome = c.outcome + (f": {short(c.message)}" if c.message else "")
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
    """Every cell of ``faults`` × ``phases``, each printed as it ends."""
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
