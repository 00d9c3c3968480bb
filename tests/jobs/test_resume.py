"""A paid generation is never lost: kill -9 the app mid-job, then ``jobs resume``.

The server is ``wan-desktop emulator`` in its own process (it outlives the killed app, as fal
would); the app runs ``generate`` as a user would. After the resume there must be exactly one
library entry, its video byte-identical to what the server sent, and exactly one submit.
"""

from __future__ import annotations

import hashlib
import json
import signal
import subprocess
import sys
import time

import av
import httpx
import pytest
from jobs_helpers import cli_env, fal_engine, job_states, wait_until, wan
from wan_testkit import make_image

from wan_desktop.library import Library


def _start_generate(image, env) -> subprocess.Popen:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "wan_desktop",
            "generate",
            str(image),
            "--prompt",
            "a slow push in",
            "--resolution",
            "720p",
            "--seed",
            "77",
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
    )


def _server_video(engine, request_id: str, dest) -> bytes:
    url = f"{engine.base_url}/files/{request_id}.mp4"
    body = httpx.get(url, headers={"Authorization": f"Key {engine.key}"}, timeout=30).content
    dest.write_bytes(body)
    return body


def _packets(path) -> list[bytes]:
    """Every compressed packet of every stream, in file order."""
    with av.open(str(path)) as container:
        return [bytes(p) for p in container.demux() if p.size]


@pytest.mark.parametrize("phase", ["running", "downloading"])
def test_kill_9_then_resume_gives_one_entry_and_one_submit(tmp_path, phase):
    image = make_image(tmp_path / "scene.png")
    home = tmp_path / "home"
    with fal_engine("--min-run-seconds", "3") as engine:
        if phase == "downloading":
            # Hold the media response so the app is caught mid-download.
            engine.set_fault("slow", delay_s=4, count=1, routes=["media"])
        env = cli_env(home, engine.base_url)
        proc = _start_generate(image, env)
        try:
            wait_until(lambda: phase in job_states(home), timeout_s=60)
            time.sleep(0.3)
            proc.send_signal(signal.SIGKILL)
            proc.wait(timeout=10)
        finally:
            if proc.poll() is None:
                proc.kill()
        assert proc.returncode == -signal.SIGKILL
        assert job_states(home) == [phase]
        engine.clear_faults()

        out = wan("jobs", "resume", "--json", env=env)
        assert out.returncode == 0, out.stderr
        [job] = json.loads(out.stdout)
        assert job["state"] == "done"
        stats = engine.stats()
        assert stats["submits"] == 1
        with Library.open(home / "library") as lib:
            entries = lib.list(limit=10)
            assert len(entries) == 1
            entry = lib.get(entries[0].id)
            assert entry.request_id == job["request_id"]
            served = tmp_path / "served.mp4"
            sent = _server_video(engine, entry.request_id, served)
            # The library adds its provenance tag by remuxing: every audio and video packet
            # is the server's, byte for byte, and the sidecar keeps the download's sha256.
            assert _packets(entry.video_path) == _packets(served)
            assert entry.remote["download_sha256"] == hashlib.sha256(sent).hexdigest()

        # A second resume finds nothing to do and files nothing twice.
        again = wan("jobs", "resume", "--json", env=env)
        assert again.returncode == 0 and json.loads(again.stdout) == []
        with Library.open(home / "library") as lib:
            assert lib.count() == 1
        assert engine.stats()["submits"] == 1


def test_ctrl_c_exits_130_and_the_job_stays_resumable(tmp_path):
    image = make_image(tmp_path / "scene.png")
    home = tmp_path / "home"
    with fal_engine("--min-run-seconds", "3") as engine:
        env = cli_env(home, engine.base_url)
        proc = _start_generate(image, env)
        wait_until(lambda: "running" in job_states(home), timeout_s=60)
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=30)
        assert proc.returncode == 130, err
        assert b"jobs resume" in err
        assert job_states(home) == ["running"]
        out = wan("jobs", "resume", "--json", env=env)
        assert out.returncode == 0, out.stderr
        assert json.loads(out.stdout)[0]["state"] == "done"
        assert engine.stats()["submits"] == 1


def test_offline_job_killed_mid_render_resumes_on_a_new_engine(tmp_path):
    """The offline engine runs inside the app: killing the app kills it too. Its state folder
    keeps the request, so `jobs resume` (no key) starts a new engine on a new port that
    finishes the same request id."""
    image = make_image(tmp_path / "scene.png")
    home = tmp_path / "home"
    env = cli_env(home, key=None)
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "wan_desktop",
            "generate",
            str(image),
            "--prompt",
            "drift",
            "--resolution",
            "720p",
            "--offline",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        stdin=subprocess.DEVNULL,
    )
    try:
        wait_until(lambda: "running" in job_states(home), timeout_s=60)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
    out = wan("jobs", "resume", "--json", env=env)
    assert out.returncode == 0, out.stderr
    [job] = json.loads(out.stdout)
    assert job["state"] == "done" and job["backend"] == "offline"
    with Library.open(home / "library") as lib:
        assert lib.count() == 1
        assert lib.get(job["entry_id"]).request_id == job["request_id"]


def test_jobs_cancel_acts_on_one_job_and_leaves_the_others(tmp_path):
    image = make_image(tmp_path / "scene.png")
    home = tmp_path / "home"
    with fal_engine("--min-run-seconds", "30", "--workers", "1") as engine:
        env = cli_env(home, engine.base_url)
        # One generate at a time (each owns the queue while it runs): the first is killed
        # while its request runs, the second while its request waits behind it.
        for wanted in (["running"], ["queued", "running"]):
            proc = _start_generate(image, env)
            seen: list[list[str]] = []
            try:
                wait_until(
                    lambda w=wanted, s=seen: s.append(sorted(job_states(home))) or s[-1] == w,
                    timeout_s=90,
                )
            except AssertionError:
                proc.kill()
                raise AssertionError(f"states {seen[-3:]}, {proc.communicate()[1]!r}") from None
            finally:
                proc.send_signal(signal.SIGKILL)
                proc.wait(timeout=10)
        listed = json.loads(wan("jobs", "list", "--json", env=env).stdout)
        queued = next(j for j in listed if j["state"] == "queued")
        out = wan("jobs", "cancel", queued["id"], "--json", env=env)
        assert out.returncode == 0, out.stderr
        assert json.loads(out.stdout)["state"] == "cancelled"
        # The running one was left alone: not tracked, not cancelled, still resumable.
        assert sorted(job_states(home)) == ["cancelled", "running"]
        assert engine.stats()["cancels"] == 1
