"""The rows of ``make reliability`` that attack the app as a user's bad luck or an attacker
would: what every row measures, the helpers the rows share and the table they print.

Each row runs the product's own command line (``python -m wan_desktop``) as processes with
``WAN_DESKTOP_HOME`` in a temporary folder, against an offline engine on loopback, and reports
the submits the engine saw, the entries in the library, ``PRAGMA integrity_check``, the exit
codes and whether all of it matched the expectation (a row's ``breaks``, empty when it holds).
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from bench._common import ROOT

__all__ = [
    "ROW_DEADLINE_S",
    "Row",
    "Run",
    "entry_count",
    "exited",
    "home_env",
    "integrity",
    "print_rows",
    "run_wan",
    "spawn_wan",
    "wait_run",
]

#: The longest any one process of a row may take (seconds) before the row breaks.
ROW_DEADLINE_S = 120.0


@dataclass
class Row:
    """One row: what it attacked and what came of it (``breaks`` empty: it held)."""

    name: str
    expect: str
    submits: str = "-"
    entries: str = "-"
    integrity: str = "-"
    exits: str = "-"
    details: list[str] = field(default_factory=list)
    breaks: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.breaks

    def check(self, holds: bool, what: str) -> None:
        """Record ``what`` as broken unless it ``holds``."""
        if not holds:
            self.breaks.append(what)


@dataclass
class Run:
    """A finished process: exit code, output, wall time (ms), peak resident memory (KiB)."""

    code: int
    stdout: str
    stderr: str
    ms: float
    peak_kib: int


def home_env(home: Path, **extra: str) -> dict[str, str]:
    """The environment of the app's processes: this home, no key or queue of the user's."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("FAL_KEY", "FAL_KEY_ID", "FAL_KEY_SECRET", "FAL_QUEUE_URL")
    }
    env.update(WAN_DESKTOP_HOME=str(home), PYTHONUNBUFFERED="1", **extra)
    return env


def spawn_wan(*args: str, env: dict[str, str]) -> subprocess.Popen:
    """``python -m wan_desktop ARGS`` started, its output going to temporary files (read
    with :func:`wait_run`, which also reaps it)."""
    # Closed by wait_run, once the child has ended: a pipe could fill and stall the child.
    out = tempfile.TemporaryFile("w+", encoding="utf-8")  # noqa: SIM115
    err = tempfile.TemporaryFile("w+", encoding="utf-8")  # noqa: SIM115
    proc = subprocess.Popen(
        [sys.executable, "-m", "wan_desktop", *args],
        env=env,
        stdout=out,
        stderr=err,
        stdin=subprocess.DEVNULL,
        cwd=ROOT,
        text=True,
    )
    proc.files = (out, err)  # type: ignore[attr-defined]
    return proc


def wait_run(proc: subprocess.Popen, started: float, timeout: float = ROW_DEADLINE_S) -> Run:
    """Wait for ``proc`` (killed after ``timeout`` s: exit code -9) and measure it: wall time
    since ``started`` (``time.monotonic()``) and the child's own peak RSS (``wait4``'s
    ``ru_maxrss``, KiB on Linux), not that of every child this process ever had."""
    deadline = started + timeout
    while True:
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            break
        if time.monotonic() > deadline:
            proc.kill()
            pid, status, usage = os.wait4(proc.pid, 0)
            break
        time.sleep(0.005)
    ms = (time.monotonic() - started) * 1000
    proc.returncode = os.waitstatus_to_exitcode(status)
    texts = []
    for handle in proc.files:  # type: ignore[attr-defined]
        handle.seek(0)
        texts.append(handle.read())
        handle.close()
    return Run(proc.returncode, texts[0], texts[1], ms, int(usage.ru_maxrss))


def exited(proc: subprocess.Popen) -> bool:
    """Whether ``proc`` has ended, without reaping it (so :func:`wait_run` can still read
    its rusage)."""
    got = os.waitid(os.P_PID, proc.pid, os.WEXITED | os.WNOHANG | os.WNOWAIT)
    return got is not None


def run_wan(*args: str, env: dict[str, str], timeout: float = ROW_DEADLINE_S) -> Run:
    """Run ``python -m wan_desktop ARGS`` to its end (see :func:`wait_run`)."""
    started = time.monotonic()
    return wait_run(spawn_wan(*args, env=env), started, timeout)


def integrity(home: Path) -> str:
    """``PRAGMA integrity_check`` of the library under ``home`` (``no db`` when none)."""
    db = home / "library" / "library.db"
    if not db.exists():
        return "no db"
    try:
        with contextlib.closing(sqlite3.connect(db)) as conn:
            return str(conn.execute("PRAGMA integrity_check").fetchone()[0])
    except sqlite3.Error as exc:
        return f"error: {exc}"


def entry_count(home: Path) -> int:
    """Live entries in the library under ``home`` (read as another process would)."""
    db = home / "library" / "library.db"
    if not db.exists():
        return 0
    with contextlib.closing(sqlite3.connect(db)) as conn:
        return int(
            conn.execute("SELECT COUNT(*) FROM entries WHERE trashed_at IS NULL").fetchone()[0]
        )


def print_rows(rows: list[Row]) -> None:
    """The table of the attack rows, then one line per broken row."""
    head = ("attack", "submits", "entries", "integrity", "exit codes", "s", "verdict")
    table = [head]
    for r in rows:
        verdict = "ok" if r.ok else "BREAK"
        table.append(
            (r.name, r.submits, r.entries, r.integrity, r.exits, f"{r.seconds:.0f}", verdict)
        )
    widths = [max(len(t[i]) for t in table) for i in range(len(head))]
    print()
    for i, t in enumerate(table):
        print("  ".join(cell.ljust(widths[k]) for k, cell in enumerate(t)).rstrip())
        if i == 0:
            print("  ".join("-" * w for w in widths))
    print()
    for r in rows:
        print(f"{r.name}: expect {r.expect}")
        for line in r.details:
            print(f"    {line}")
        for line in r.breaks:
            print(f"    BREAK {line}")
    print(f"\n{len(rows)} attack rows run, {sum(1 for r in rows if not r.ok)} broken", flush=True)
