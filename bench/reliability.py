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

A fault that cannot fire in a phase (``moderate``, ``fail_request``, ``echo_key`` and
``changed_schema`` act at submit only, ``break_stream`` on the stream, the media faults on the
media, ``locked_account`` is answered by fal's API and never by its media server) is shown as
``n/a``. ``retryable`` only marks other errors: it is paired with a rate limit.

Rules for each cell: the job ends (a deadline; a stuck job breaks the cell) as expected —
done after a passing fault, or failed with a clear message after a refusal or a lost result;
no request is submitted twice; no entry is lost (a done job has exactly one library entry
with its video) and none is doubled; ``PRAGMA integrity_check`` of the library says ok.

The matrix runs the runner in this process against the engine in this process (stand-in
renderer, :mod:`bench.reliability_matrix`); the kill cells run ``wan-desktop generate`` and
``wan-desktop jobs resume`` as processes against ``wan-desktop emulator`` in its own process
(:mod:`bench.reliability_kill`).

Then the attack rows (:mod:`bench.reliability_rows`), each its own table line with the
submits the engine saw, the entries in the library, the integrity check and the exit codes:
several processes on one library (a window-style queue owner with ``generate`` and ``jobs
resume`` from a shell, four staggered ``generate --offline``, ``jobs resume`` during
``generate``: :mod:`bench.reliability_processes`), hostile imports and inputs
(:mod:`bench.reliability_inputs`), a key-echoing service and the engine's token, Host and
Origin checks (:mod:`bench.reliability_engine`). Everything runs on loopback.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import reliability_engine, reliability_inputs, reliability_processes
from bench._common import small_png, tiny_mp4
from bench.reliability_kill import kill_cell
from bench.reliability_matrix import PHASES, Cell, matrix, print_table
from bench.reliability_rows import Row, print_rows
from wan_desktop.emulator.faults import FAULT_DEFAULTS

#: The attack rows by name: each takes the input image and returns its row.
ATTACKS: dict[str, Callable[[Path], Row]] = {
    "window": reliability_processes.window_and_cli,
    "staggered": reliability_processes.staggered_offline,
    "resume": reliability_processes.resume_during_generate,
    "imports": lambda image: reliability_inputs.hostile_imports(),
    "inputs": lambda image: reliability_inputs.hostile_inputs(),
    "echo": reliability_engine.key_echo,
    "door": lambda image: reliability_engine.engine_door(),
}


def kill_cells(phases: list[str], image: Path, png: bytes) -> list[Cell]:
    """The kill -9 + resume cell of each phase, each printed as it ends."""
    print("kill -9 of the app, then `wan-desktop jobs resume`:", flush=True)
    cells = []
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
    return cells


def attack_rows(names: list[str], image: Path) -> list[Row]:
    """The attack rows ``names``, each printed as it ends (a harness error breaks its row)."""
    print("attacks:", flush=True)
    rows = []
    for name in names:
        started = time.monotonic()
        try:
            row = ATTACKS[name](image)
        except Exception as exc:
            row = Row(name, "the row runs", breaks=[f"harness error {exc!r}"])
            row.seconds = time.monotonic() - started
        verdict = "ok" if row.ok else "BREAK " + "; ".join(row.breaks)
        print(f"  {row.name:36s} {row.seconds:4.0f} s  {verdict}", flush=True)
        rows.append(row)
    return rows


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fault", action="append", help="only these faults (repeatable)")
    parser.add_argument("--phase", action="append", choices=PHASES, help="only these phases")
    parser.add_argument("--no-kill", action="store_true", help="skip the kill -9 cells")
    parser.add_argument("--no-matrix", action="store_true", help="skip the fault matrix")
    parser.add_argument(
        "--attack", action="append", choices=sorted(ATTACKS), help="only these attack rows"
    )
    parser.add_argument("--no-attacks", action="store_true", help="skip the attack rows")
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the matrix, the kill cells and the attack rows; 1 when anything broke."""
    args = _parser().parse_args(argv)
    faults = args.fault or list(FAULT_DEFAULTS)
    phases = args.phase or list(PHASES)
    started = time.monotonic()
    tiny_mp4()
    png = small_png()
    cells: list[Cell] = []
    rows: list[Row] = []
    with tempfile.TemporaryDirectory(prefix="wan-rel-in-") as tmp:
        image = Path(tmp) / "scene.png"
        image.write_bytes(png)
        if not args.no_matrix:
            print(f"fault matrix: {len(faults)} faults × {len(phases)} phases", flush=True)
            cells += asyncio.run(matrix(faults, phases, image, png))
        if not args.no_kill:
            cells += kill_cells(phases, image, png)
        if not args.no_attacks:
            rows = attack_rows(args.attack or list(ATTACKS), image)
    if cells:
        print_table(cells)
    if rows:
        print_rows(rows)
    print(f"({time.monotonic() - started:.0f} s)")
    return 0 if all(c.ok for c in cells) and all(r.ok for r in rows) else 1


if __name__ == "__main__":
    raise SystemExit(main())
