"""``wan-desktop emulator`` as a process: the first line names the URL; SIGTERM/SIGINT exit 0."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from emulator_helpers import KEY, SUBMIT, body, client_for, poll_status

ROOT = Path(__file__).resolve().parents[2]


def start(*args: str) -> tuple[subprocess.Popen, str]:
    process = subprocess.Popen(
        [sys.executable, "-m", "wan_desktop.emulator.cli", *args],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    assert process.stdout is not None
    first = process.stdout.readline().strip()
    assert first.startswith("listening on http://127.0.0.1:"), first
    return process, first.removeprefix("listening on ")


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_cli_serves_until_signalled(sig, tmp_path):
    process, base = start(
        "--workers", "1", "--state-dir", str(tmp_path / "state"), "--fault", "moderate:count=1"
    )
    try:
        with httpx.Client(base_url=base, headers={"Authorization": f"Key {KEY}"}) as c:
            response = c.post(SUBMIT, json=body())
            assert response.json()["detail"][0]["type"] == "content_policy_violation"
            assert c.get("/_emulator/stats").json()["faults_fired"] == {"moderate": 1}
    finally:
        process.send_signal(sig)
        assert process.wait(timeout=20) == 0
    assert (tmp_path / "state" / "requests").is_dir()


def test_cli_rejects_unknown_fault():
    result = subprocess.run(
        [sys.executable, "-m", "wan_desktop.emulator.cli", "--fault", "gremlins"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 2
    assert "gremlins" in result.stderr


def test_add_parser_hooks_into_a_command_line():
    import argparse

    from wan_desktop.emulator import cli

    parser = argparse.ArgumentParser(prog="wan-desktop")
    cli.add_parser(parser.add_subparsers(dest="command"))
    args = parser.parse_args(
        ["emulator", "--port", "0", "--min-run-seconds", "0.5", "--fault", "slow:delay_s=1"]
    )
    assert args.func is cli.run
    assert (args.host, args.port, args.workers, args.min_run_seconds) == ("127.0.0.1", 0, 2, 0.5)
    assert args.fault == ["slow:delay_s=1"] and args.state_dir is None


def test_engine_usable_from_python_as_context_manager():
    from emulator_helpers import fake_render

    from wan_desktop.emulator import EmulatorServer

    with EmulatorServer(workers=1, render=fake_render) as server, client_for(server) as c:
        rid = c.post(SUBMIT, json=body()).json()["request_id"]
        assert poll_status(c, rid, "COMPLETED")["error"] is None
