"""One runner per library: several real processes on one WAN_DESKTOP_HOME.

The window (its services in a process of their own), ``generate`` and ``jobs resume`` used to
resume each other's jobs: a job was submitted, downloaded and filed twice, or two processes
wrote the same partial file. Exactly one process owns a library's job queue at a time; the
others hand their job to it, wait for it, or say who holds it.
"""

from __future__ import annotations

import signal
import socket
import time

import pytest
from jobs_helpers import (
    cli_env,
    fal_engine,
    job_states,
    parse_json_line,
    spawn,
    start_window_like,
    stop_window_like,
    wait_until,
    wan,
)
from wan_testkit import make_image

from wan_desktop.jobs.queue_lock import QueueLock
from wan_desktop.library import Library

# Several app processes, each with its own engine or render, in turn: on a loaded machine
# these take longer than the suite's default limit.
pytestmark = pytest.mark.timeout(420)


def _generate_args(image, *extra: str) -> list[str]:
    return ["generate", str(image), "--prompt", "a slow push in", "--resolution", "720p", *extra]


def _entries(home) -> int:
    with Library.open(home / "library") as lib:
        return lib.count()


def _kill_when(procs, home, predicate) -> None:
    try:
        wait_until(lambda: predicate(job_states(home)), timeout_s=60)
    finally:
        for proc in procs:
            proc.send_signal(signal.SIGKILL)
            proc.wait(timeout=10)


def test_window_and_jobs_resume_never_run_the_same_jobs(tmp_path):
    image = make_image(tmp_path / "scene.png")
    home = tmp_path / "home"
    with fal_engine("--min-run-seconds", "3", "--workers", "3") as engine:
        env = cli_env(home, engine.base_url)
        # Three jobs left unfinished at the service, one generate at a time (each owns the
        # queue while it runs, so they cannot overlap).
        for i in range(3):
            gen = spawn(*_generate_args(image, "--seed", str(i)), env=env, err=tmp_path / "g.err")
            _kill_when([gen], home, lambda states, n=i + 1: states == ["running"] * n)
        window = start_window_like(env, tmp_path / "window.err")
        try:
            out = wan("jobs", "resume", "--json", env=env)
            assert out.returncode != 0, out.stderr
            assert "window" in out.stderr and f"pid {window.pid}" in out.stderr
            wait_until(lambda: job_states(home) == ["done"] * 3, timeout_s=90)
        finally:
            stop_window_like(window)
        assert engine.stats()["submits"] == 3
        assert _entries(home) == 3


def test_four_staggered_offline_generates_file_four_entries(tmp_path):
    image = make_image(tmp_path / "scene.png")
    home = tmp_path / "home"
    env = cli_env(home, key=None)
    procs = []
    for i in range(4):
        args = _generate_args(image, "--seed", str(100 + i), "--offline", "--json")
        procs.append(spawn(*args, env=env, err=tmp_path / f"g{i}.err"))
        time.sleep(0.7)
    results = []
    for i, proc in enumerate(procs):
        stdout, _ = proc.communicate(timeout=240)
        assert proc.returncode == 0, (tmp_path / f"g{i}.err").read_text()
        results.append(parse_json_line(stdout))
    assert sorted(r["seed"] for r in results) == [100, 101, 102, 103]
    assert len({r["id"] for r in results}) == 4
    assert len({r["request_id"] for r in results}) == 4
    assert _entries(home) == 4
    waited = [(tmp_path / f"g{i}.err").read_text() for i in range(1, 4)]
    assert any("waiting for generate (pid" in text for text in waited), waited


def test_jobs_resume_while_generate_runs_says_who_holds_the_queue(tmp_path):
    image = make_image(tmp_path / "scene.png")
    home = tmp_path / "home"
    with fal_engine("--min-run-seconds", "4") as engine:
        env = cli_env(home, engine.base_url)
        gen = spawn(*_generate_args(image, "--json"), env=env, err=tmp_path / "gen.err")
        try:
            wait_until(lambda: job_states(home) == ["running"], timeout_s=60)
            out = wan("jobs", "resume", env=env)
            assert out.returncode != 0
            assert f"generate (pid {gen.pid})" in out.stderr, out.stderr
            stdout, _ = gen.communicate(timeout=60)
        finally:
            if gen.poll() is None:
                gen.kill()
        assert gen.returncode == 0, (tmp_path / "gen.err").read_text()
        assert parse_json_line(stdout)["id"]
        assert engine.stats()["submits"] == 1
        assert _entries(home) == 1
        assert list((home / "library").rglob("*.part")) == []


def test_generate_hands_its_job_to_the_window_and_follows_it(tmp_path):
    image = make_image(tmp_path / "scene.png")
    home = tmp_path / "home"
    with fal_engine("--min-run-seconds", "1") as engine:
        env = cli_env(home, engine.base_url)
        window = start_window_like(env, tmp_path / "window.err")
        try:
            out = wan(*_generate_args(image, "--seed", "9", "--json"), env=env)
            assert out.returncode == 0, out.stderr
            result = parse_json_line(out.stdout)
            assert set(result) == {"id", "video", "seed", "actual_prompt", "request_id"}
            assert result["seed"] == 9
            assert "window" in out.stderr and "running" in out.stderr
            assert "waiting for" not in out.stderr
            # Refused input comes back as the same exit code and message, nothing sent.
            bad = wan("generate", str(image), "--prompt", "ok", "--duration", "7", env=env)
            assert bad.returncode == 2 and "Duration" in bad.stderr
        finally:
            stop_window_like(window)
        assert engine.stats()["submits"] == 1
        with Library.open(home / "library") as lib:
            assert lib.count() == 1
            assert lib.get(result["id"]).request_id == result["request_id"]


def test_generate_waits_for_jobs_resume_and_says_so(tmp_path):
    image = make_image(tmp_path / "scene.png")
    home = tmp_path / "home"
    # Long enough that the resumed job is still running when the second generate starts.
    with fal_engine("--min-run-seconds", "10") as engine:
        env = cli_env(home, engine.base_url)
        first = spawn(*_generate_args(image), env=env, err=tmp_path / "first.err")
        _kill_when([first], home, lambda states: states == ["running"])
        resume = spawn("jobs", "resume", env=env, err=tmp_path / "resume.err")
        lock = QueueLock(home / "library")
        wait_until(lambda: getattr(lock.holder(), "kind", None) == "jobs resume")
        out = wan(*_generate_args(image, "--json"), env=env)
        assert out.returncode == 0, out.stderr
        assert f"waiting for jobs resume (pid {resume.pid})" in out.stderr
        assert resume.wait(timeout=60) == 0, (tmp_path / "resume.err").read_text()
        assert engine.stats()["submits"] == 2
        assert _entries(home) == 2


def test_ctrl_c_before_any_job_exists_does_not_say_the_job_is_kept(tmp_path):
    # An image URL on loopback that never answers: generate is caught fetching it, before
    # any job exists.
    silent = socket.create_server(("127.0.0.1", 0))
    port = silent.getsockname()[1]
    home = tmp_path / "home"
    err = tmp_path / "gen.err"
    try:
        gen = spawn(
            "generate",
            f"http://127.0.0.1:{port}/still.png",
            "--prompt",
            "x",
            "--offline",
            env=cli_env(home, key=None),
            err=err,
        )
        wait_until(lambda: "Offline engine" in err.read_text(), timeout_s=60)
        time.sleep(0.5)
        gen.send_signal(signal.SIGINT)
        gen.wait(timeout=30)
    finally:
        silent.close()
    text = err.read_text()
    assert gen.returncode == 130, text
    assert "kept" not in text and "jobs resume" not in text
    assert "Nothing was sent" in text
    assert job_states(home) == []
