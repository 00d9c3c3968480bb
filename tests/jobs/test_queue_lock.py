"""The queue lock and the hand-off endpoint in one process: who holds it, release on death,
and a job handed to a runner and followed to its end."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap

import msgspec
import pytest
import pytest_asyncio
from jobs_helpers import fast_render, wait_until
from wan_testkit import make_image

from wan_desktop.core.problems import InvalidInputError
from wan_desktop.core.request import GenerationRequest
from wan_desktop.emulator import EmulatorServer
from wan_desktop.jobs.backend import Backend
from wan_desktop.jobs.handoff import Call, HandoffError, HandoffServer, call_owner
from wan_desktop.jobs.model import JobEventKind, JobState
from wan_desktop.jobs.queue_lock import Endpoint, QueueLock
from wan_desktop.jobs.runner import JobRunner
from wan_desktop.library import Library


def test_one_holder_at_a_time_and_who_it_is(tmp_path):
    first, second = QueueLock(tmp_path), QueueLock(tmp_path)
    assert first.holder() is None
    assert first.try_acquire("window")
    assert not second.try_acquire("generate")
    holder = second.holder()
    assert holder is not None and holder.describe() == f"window (pid {os.getpid()})"
    first.advertise(Endpoint(host="127.0.0.1", port=1234, token="secret"))
    assert second.holder().endpoint.port == 1234
    assert "secret" not in repr(second.holder())
    assert oct((tmp_path / "jobs.lock").stat().st_mode & 0o777) == "0o600"
    first.release()
    assert second.holder() is None
    assert second.try_acquire("generate")
    second.release()


def test_the_lock_goes_with_a_killed_process(tmp_path):
    code = textwrap.dedent(
        f"""
        import sys, time
        from wan_desktop.jobs.queue_lock import QueueLock
        assert QueueLock({str(tmp_path)!r}).try_acquire("generate")
        print("held", flush=True)
        time.sleep(60)
        """
    )
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline().strip() == "held"
        lock = QueueLock(tmp_path)
        assert not lock.try_acquire("jobs resume")
        assert lock.holder().pid == proc.pid
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
        wait_until(lambda: lock.try_acquire("jobs resume"), timeout_s=10)
        lock.release()
    finally:
        if proc.poll() is None:
            proc.kill()


@pytest.fixture
def server():
    engine = EmulatorServer(workers=2, render=fast_render, api_key="k")
    engine.start()
    try:
        yield engine
    finally:
        engine.stop()


@pytest_asyncio.fixture
async def owner(tmp_path, server):
    library = Library.open(tmp_path / "lib")
    runner = JobRunner(library, Backend(server.base_url, "k", offline=False))
    await runner.start()
    lock = QueueLock(library.root)
    assert lock.try_acquire("window")
    handoff = HandoffServer(runner, lock, library)
    await handoff.start()
    try:
        yield runner, lock
    finally:
        await handoff.close()
        assert lock.holder().endpoint is None
        lock.release()
        await runner.close()
        library.close()


def _request(image, **kw) -> GenerationRequest:
    return GenerationRequest(prompt="a slow pan", image=str(image), resolution="720p", **kw)


@pytest.mark.asyncio
async def test_a_handed_job_runs_in_the_owner_and_is_followed(owner, tmp_path, server):
    runner, lock = owner
    image = make_image(tmp_path / "in.png")
    accepted, kinds = [], []
    reply = await call_owner(
        lock.holder().endpoint,
        Call(op="enqueue", request=_request(image, seed=3), backend="fal"),
        on_accepted=accepted.append,
        on_event=lambda event: kinds.append(event.kind),
    )
    assert reply.job.state is JobState.DONE and reply.job.id == accepted[0].id
    assert JobEventKind.STATE in kinds and JobEventKind.LOG in kinds
    assert reply.result["seed"] == 3 and os.path.exists(reply.result["video"])
    assert runner.get(reply.job.id).state is JobState.DONE
    assert server.stats()["submits"] == 1


@pytest.mark.asyncio
async def test_refusals_come_back_and_a_wrong_token_gets_nothing(owner, tmp_path, server):
    _runner, lock = owner
    endpoint = lock.holder().endpoint
    tiny = make_image(tmp_path / "tiny.png", 100, 100)
    with pytest.raises(InvalidInputError) as info:
        await call_owner(endpoint, Call(op="enqueue", request=_request(tiny)))
    assert info.value.fields == ["image_url"]
    image = make_image(tmp_path / "in.png")
    with pytest.raises(ValueError, match="meant for the other one"):
        await call_owner(endpoint, Call(op="enqueue", request=_request(image), backend="offline"))
    forged = msgspec.structs.replace(endpoint, token="not-the-token")
    with pytest.raises(HandoffError):
        await call_owner(forged, Call(op="enqueue", request=_request(image)))
    assert server.stats()["submits"] == 0
