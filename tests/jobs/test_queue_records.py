"""Jobs that cannot be lost: a submit that may have reached the service is shown with what to
do, and each unfinished job's record in its folder survives the loss of the database."""

from __future__ import annotations

import json
import signal
import time

import pytest
from jobs_helpers import cli_env, fal_engine, job_states, spawn, wait_until, wan
from wan_testkit import make_image

from wan_desktop.library import Library

# Several app processes, each with its own engine or render, in turn: on a loaded machine
# these take longer than the suite's default limit.
pytestmark = pytest.mark.timeout(420)


def _generate(image, env, err):
    return spawn(
        "generate",
        str(image),
        "--prompt",
        "a slow pan",
        "--resolution",
        "720p",
        env=env,
        err=err,
    )


def _kill_in(proc, home, state: str) -> None:
    try:
        wait_until(lambda: job_states(home) == [state], timeout_s=60)
        time.sleep(0.3)
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)


def test_a_submit_in_flight_when_killed_is_listed_with_what_to_do(tmp_path):
    image = make_image(tmp_path / "scene.png")
    home = tmp_path / "home"
    with fal_engine() as engine:
        engine.set_fault("slow", delay_s=8, count=1, routes=["submit"])
        env = cli_env(home, engine.base_url)
        _kill_in(_generate(image, env, tmp_path / "gen.err"), home, "submitting")
        [job] = json.loads(wan("jobs", "list", "--json", env=env).stdout)

        out = wan("jobs", "resume", env=env)
        assert out.returncode != 0
        text = out.stdout + out.stderr
        assert "Nothing to resume" not in text
        assert job["id"] in text and "may or may not" in text
        assert f"wan-desktop jobs retry {job['id']}" in text
        listed = wan("jobs", "list", env=env)
        assert listed.returncode == 0 and f"jobs retry {job['id']}" in listed.stdout
        [again] = json.loads(wan("jobs", "list", "--json", env=env).stdout)
        assert again["needs_attention"] is True

        engine.clear_faults()
        retried = wan("jobs", "retry", job["id"], "--json", env=env)
        assert retried.returncode == 0, retried.stderr
        assert json.loads(retried.stdout)["state"] == "done"
        # Dealt with: resume has nothing left to say about it.
        out = wan("jobs", "resume", env=env)
        assert out.returncode == 0 and "Nothing to resume" in out.stderr
        with Library.open(home / "library") as lib:
            assert lib.count() == 1


def test_library_rebuild_restores_the_job_queue_from_the_job_folders(tmp_path):
    image = make_image(tmp_path / "scene.png")
    home = tmp_path / "home"
    with fal_engine("--min-run-seconds", "3") as engine:
        env = cli_env(home, engine.base_url)
        _kill_in(_generate(image, env, tmp_path / "gen.err"), home, "running")
        [before] = json.loads(wan("jobs", "list", "--json", env=env).stdout)
        for name in ("library.db", "library.db-wal", "library.db-shm"):
            (home / "library" / name).unlink(missing_ok=True)

        rebuilt = wan("library", "rebuild", env=env)
        assert rebuilt.returncode == 0, rebuilt.stderr
        assert "1 unfinished job" in rebuilt.stderr
        [after] = json.loads(wan("jobs", "list", "--json", env=env).stdout)
        assert after["id"] == before["id"] and after["request_id"] == before["request_id"]
        assert after["state"] == "running"

        out = wan("jobs", "resume", "--json", env=env)
        assert out.returncode == 0, out.stderr
        assert json.loads(out.stdout)[0]["state"] == "done"
        assert engine.stats()["submits"] == 1
        with Library.open(home / "library") as lib:
            assert lib.count() == 1
