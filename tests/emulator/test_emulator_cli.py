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


def spawn(*args: str, env: dict[str, str] | None = None) -> tuple[subprocess.Popen, str]:
    """The engine's process and the first line it printed."""
    process = subprocess.Popen(
        [sys.executable, "-m", "wan_desktop.emulator.cli", *args],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1", **(env or {})},
    )
    assert process.stdout is not None
    return process, process.stdout.readline().strip()


def start(*args: str) -> tuple[subprocess.Popen, str]:
    process, first = spawn("--key", KEY, *args)
    assert first.startswith("listening on http://127.0.0.1:"), first
    return process, first.removeprefix("listening on ")


def stop(process: subprocess.Popen) -> tuple[str, str]:
    """Stop the engine with SIGTERM; what it printed after the first line, and its stderr."""
    process.send_signal(signal.SIGTERM)
    rest, errors = process.communicate(timeout=20)
    assert process.returncode == 0
    return rest, errors


def answers(base: str, key: str) -> int:
    with httpx.Client(base_url=base, headers={"Authorization": f"Key {key}"}) as c:
        return c.get("/_emulator/stats").status_code


def test_cli_takes_the_key_from_the_flag():
    process, first = spawn("--key", "flag-key-0123", env={"FAL_KEY": "env-key-0123"})
    base = first.removeprefix("listening on ")
    try:
        assert answers(base, "flag-key-0123") == 200
        assert answers(base, "env-key-0123") == 401
    finally:
        rest, errors = stop(process)
    assert "key:" not in rest and "flag-key-0123" not in rest + errors


def test_cli_takes_the_key_from_fal_key():
    process, first = spawn(env={"FAL_KEY": "env-key-0123"})
    base = first.removeprefix("listening on ")
    try:
        assert answers(base, "env-key-0123") == 200
        assert answers(base, "other") == 401
    finally:
        rest, errors = stop(process)
    assert "key:" not in rest and "env-key-0123" not in rest + errors


def test_cli_makes_a_key_and_prints_it_on_the_second_line():
    process, first = spawn()
    assert process.stdout is not None
    second = process.stdout.readline().strip()
    base = first.removeprefix("listening on ")
    try:
        assert second.startswith("key: ")
        token = second.removeprefix("key: ")
        assert len(token) >= 32
        assert answers(base, token) == 200
        assert answers(base, "anything") == 401
    finally:
        stop(process)


def test_cli_prints_the_address_really_bound_and_warns_when_not_loopback():
    process, first = spawn("--key", KEY, "--host", "0.0.0.0")
    try:
        assert first.startswith("listening on http://0.0.0.0:"), first
        port = first.rsplit(":", 1)[1]
        assert answers(f"http://127.0.0.1:{port}", KEY) == 200
    finally:
        _, errors = stop(process)
    assert "warning" in errors and "0.0.0.0" in errors and "not loopback" in errors


def test_cli_does_not_warn_on_loopback():
    process, _ = start()
    _, errors = stop(process)
    assert "warning" not in errors


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
