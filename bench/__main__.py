"""``python -m bench`` (``make bench``): run every benchmark script and print one table.

Every ``bench/bench_*.py`` runs in its own process, in name order (``python -m
bench.bench_x``), with its output shown as it comes. Scripts added later, such as the UI
benchmarks ``bench_ui_*.py`` (start-up to a painted window, GUI stalls), are picked up by
name with nothing to register: they only have to print result lines in the shared format
(``bench/_common.py``)::

    name  ratio=0.42  (target ≤ 0.5; details)  ok|FAIL|info

Exit status: 0 when every script exited 0 and no line says FAIL. ``--only SUBSTR`` runs the
scripts whose name contains it; ``--list`` names them.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench._common import LINE_RE, ROOT

HERE = Path(__file__).resolve().parent
SCRIPT_TIMEOUT_S = 900


def discover() -> list[str]:
    """Module names of every benchmark script (``bench_*.py``, UI ones included)."""
    return sorted(p.stem for p in HERE.glob("bench_*.py"))


def run_script(module: str) -> tuple[int, list[dict[str, str]], float]:
    """Run one script, echoing its output; returns (exit code, parsed result lines, seconds)."""
    print(f"== {module}", flush=True)
    start = time.monotonic()
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    env.setdefault("QT_QPA_PLATFORM", "offscreen")
    proc = subprocess.Popen(
        [sys.executable, "-m", f"bench.{module}"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    rows = []
    assert proc.stdout is not None
    try:
        for raw in proc.stdout:
            line = raw.rstrip("\n")
            print(f"   {line}", flush=True)
            match = LINE_RE.match(line.strip())
            if match:
                rows.append({**match.groupdict(), "script": module})
            if time.monotonic() - start > SCRIPT_TIMEOUT_S:
                proc.kill()
                break
        code = proc.wait(timeout=SCRIPT_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        proc.kill()
        code = proc.wait()
    return code, rows, time.monotonic() - start


def _target(details: str) -> tuple[str, str]:
    head, _sep, rest = details.partition(";")
    if head.startswith("target"):
        return head.removeprefix("target").strip(), rest.strip()
    if head.startswith("reference"):
        return "(reference)", rest.strip()
    return "", details


def print_table(rows: list[dict[str, str]], failures: list[str]) -> None:
    table = [("benchmark", "figure", "target", "verdict")]
    for row in rows:
        target, _ = _target(row["details"])
        table.append((row["name"], f"{row['key']}={row['value']}", target, row["verdict"]))
    widths = [max(len(r[i]) for r in table) for i in range(4)]
    print()
    for i, r in enumerate(table):
        print("  ".join(cell.ljust(widths[k]) for k, cell in enumerate(r)).rstrip())
        if i == 0:
            print("  ".join("-" * w for w in widths))
    for failure in failures:
        print(f"FAILED: {failure}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default="", help="run the scripts whose name contains this")
    parser.add_argument("--list", action="store_true", help="name the scripts and stop")
    args = parser.parse_args(argv)
    modules = [m for m in discover() if args.only in m]
    if args.list:
        print("\n".join(modules))
        return 0
    rows: list[dict[str, str]] = []
    failures: list[str] = []
    for module in modules:
        code, found, seconds = run_script(module)
        rows.extend(found)
        print(f"   ({module}: exit {code}, {seconds:.0f} s)", flush=True)
        if code != 0:
            failures.append(f"{module} exited {code}")
        if not found:
            failures.append(f"{module} printed no result line")
    failures += [f"{r['name']} ({r['script']})" for r in rows if r["verdict"] == "FAIL"]
    print_table(rows, failures)
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
