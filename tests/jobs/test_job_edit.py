"""Editing and reordering jobs that have not been sent: ``JobRunner.edit`` (validated like a
new job, inputs prepared again when they changed, committed, an ``edited`` event), refused
with the reason once a job is at fal; the same through the queue owner's hand-off; and
``jobs edit|move|list --json`` from a shell."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest
import pytest_asyncio
from jobs_helpers import Watcher, cli_env, emulator, started_runner, wan
from jobs_helpers import job_request as request
from wan_testkit import make_image

from wan_desktop.core.budget import BudgetExceededError, Caps
from wan_desktop.core.problems import InvalidInputError
from wan_desktop.jobs.handoff import Call, HandoffServer, call_owner
from wan_desktop.jobs.job_edit import (
    EDITED_NOTE,
    NotEditableError,
    edit_refusal,
    inputs_changed,
    relabel,
)
from wan_desktop.jobs.model import JobEventKind, JobState
from wan_desktop.jobs.queue_lock import QueueLock
from wan_desktop.jobs.store import JobStore


@pytest.fixture
def server():
    # One job runs for a minute: with one slot, the jobs queued after it wait locally.
    with emulator(workers=1, min_run_s=60, api_key="k-edit") as engine:
        yield engine


class Queue(Watcher):
    """A runner with one slot taken by a long job, and the events it emitted."""

    def table(self, job_id: str):
        store = JobStore(self.library.paths.db)
        try:
            return store.get(job_id)
        finally:
            store.close()


@pytest_asyncio.fixture
async def queue(tmp_path, server, image):
    async with started_runner(tmp_path / "lib", server, "k-edit", concurrency=1) as opened:
        q = Queue(*opened)
        q.running = await q.runner.enqueue(request(image, prompt="the long one"))
        await q.until(q.running.id, JobState.QUEUED, JobState.RUNNING)
        yield q


# ---- what may be edited ----------------------------------------------------------------------


def test_only_a_job_waiting_and_not_launched_may_be_edited():
    assert edit_refusal(JobState.WAITING) is None
    assert "being sent" in edit_refusal(JobState.WAITING, launched=True)
    assert "being sent" in edit_refusal(JobState.SUBMITTING)
    assert "being prepared" in edit_refusal(JobState.PREPARING)
    for state in (JobState.QUEUED, JobState.RUNNING, JobState.DOWNLOADING):
        said = edit_refusal(state)
        assert "already at fal" in said and "Cancel" in said and state.value in said
    for state in (JobState.DONE, JobState.FAILED, JobState.CANCELLED):
        assert "finished" in edit_refusal(state)


def test_inputs_are_prepared_again_only_when_they_change(image, tmp_path):
    base = request(image)
    assert not inputs_changed(base, base.replace(prompt="other", resolution="1080p"))
    assert inputs_changed(base, base.replace(image=str(tmp_path / "b.png")))
    assert not inputs_changed(base, base.replace(duration=10))  # no audio to cut
    with_audio = base.replace(audio=str(tmp_path / "a.wav"))
    assert inputs_changed(with_audio, with_audio.replace(duration=10))
    assert inputs_changed(with_audio, with_audio.replace(audio=None))


def test_a_take_label_follows_its_new_seed():
    assert relabel("seed 12", 12, 99) == "seed 99"
    assert relabel("prompt B · seed 12", 12, 99) == "prompt B · seed 99"
    assert relabel("seed 12", 12, None) == "random seed"
    assert relabel("random seed", None, 7) == "seed 7"
    assert relabel("seed 12", 12, 12) == "seed 12"
    assert relabel("", 1, 2) == ""


# ---- the runner -------------------------------------------------------------------------------

on_loop = pytest.mark.asyncio


@on_loop
async def test_edit_a_waiting_job_commits_the_new_request(queue, image):
    runner = queue.runner
    job = await runner.enqueue(request(image, prompt="first draft", seed=5), variant="seed 5")
    later = await runner.enqueue(request(image, prompt="after it"))
    assert job.state is JobState.WAITING
    old = queue.table(job.id)
    edited = job.request.replace(
        prompt="second draft", resolution="1080p", duration=10, seed=77, generate_audio=False
    )
    out = await runner.edit(job.id, edited)

    assert out.id == job.id and out.state is JobState.WAITING
    assert out.request == edited
    assert out.variant == "seed 77"
    assert out.cost_usd != job.cost_usd  # priced again: 1080p, 10 s, silent
    assert out.notes[-1] == EDITED_NOTE
    assert [e.kind for e in queue.events if e.job.id == job.id][-1] is JobEventKind.EDITED
    # Committed: the table and the job folder's record, the place in line kept.
    rec = queue.table(job.id)
    assert rec.request == edited and rec.position == old.position
    record = json.loads((queue.library.root / rec.folder / "job.json").read_text())
    assert record["request"]["prompt"] == "second draft"
    assert [j.id for j in runner.jobs() if j.state is JobState.WAITING] == [job.id, later.id]
    # Same image: the job's prepared inputs are kept, not made again.
    assert rec.sent_image == old.sent_image and rec.source_image == old.source_image


@on_loop
async def test_an_invalid_edit_names_the_field_and_changes_nothing(queue, image):
    runner = queue.runner
    job = await runner.enqueue(request(image, prompt="keep me"))
    before = queue.table(job.id)
    with pytest.raises(InvalidInputError) as caught:
        await runner.edit(job.id, job.request.replace(prompt="x" * 5000))
    problem = caught.value.problems[0]
    assert problem.field == "prompt" and "5000" in problem.message
    with pytest.raises(InvalidInputError) as caught:
        await runner.edit(job.id, job.request.replace(duration=7))
    assert caught.value.problems[0].field == "duration"
    assert queue.table(job.id) == before
    assert runner.get(job.id).request.prompt == "keep me"
    assert not [e for e in queue.events if e.kind is JobEventKind.EDITED]


@on_loop
async def test_another_image_is_copied_and_prepared_again(queue, image, tmp_path):
    runner = queue.runner
    job = await runner.enqueue(request(image))
    before = queue.table(job.id)
    other = make_image(tmp_path / "other.png", 640, 360)
    out = await runner.edit(job.id, job.request.replace(image=str(other)))
    rec = queue.table(job.id)
    root = queue.library.root
    assert out.request.image == str(other)
    for rel in (rec.source_image, rec.sent_image):
        # Directly in the job's folder (what a restore from the folders accepts).
        assert Path(rel).parent.as_posix() == rec.folder
        assert (root / rel).is_file()
    assert (root / rec.source_image).read_bytes() == other.read_bytes()
    await asyncio.sleep(0.2)  # the replaced inputs go on the book's thread
    assert not (root / before.source_image).exists()
    assert not (root / before.sent_image).exists()
    assert [p.name for p in (root / rec.folder).iterdir() if p.is_dir()] == []


@on_loop
async def test_an_unreadable_new_image_leaves_the_job_as_it_was(queue, image, tmp_path):
    runner = queue.runner
    job = await runner.enqueue(request(image))
    before = queue.table(job.id)
    bad = tmp_path / "not-an-image.png"
    bad.write_text("hello")
    with pytest.raises(InvalidInputError) as caught:
        await runner.edit(job.id, job.request.replace(image=str(bad)))
    assert caught.value.problems[0].field == "image_url"
    folder = queue.library.root / before.folder
    assert queue.table(job.id) == before
    assert sorted(p.name for p in folder.iterdir() if p.is_dir()) == []  # no scratch left
    assert (queue.library.root / before.sent_image).is_file()


@on_loop
async def test_edit_refused_once_the_job_is_at_fal(queue):
    runner = queue.runner
    with pytest.raises(NotEditableError) as caught:
        await runner.edit(queue.running.id, queue.running.request.replace(prompt="too late"))
    said = str(caught.value)
    assert "already at fal" in said and "Cancel" in said
    assert runner.get(queue.running.id).request.prompt == "the long one"


@on_loop
async def test_edit_refused_once_a_slot_took_the_job(queue, image):
    runner = queue.runner
    job = await runner.enqueue(request(image, prompt="next in line"))
    runner.concurrency = 2  # a slot frees up: the job is launched, still waiting for a moment
    assert runner.get(job.id).state is JobState.WAITING
    with pytest.raises(NotEditableError, match="being sent to fal right now"):
        await runner.edit(job.id, job.request.replace(prompt="too late"))
    assert runner.get(job.id).request.prompt == "next in line"


@on_loop
async def test_an_edit_that_would_pass_a_cap_is_refused(queue, image):
    runner = queue.runner
    job = await runner.enqueue(request(image))
    runner.set_caps(Caps(daily_usd=round(runner.pending_usd() + 0.01, 2), monthly_usd=None))
    with pytest.raises(BudgetExceededError):
        await runner.edit(job.id, job.request.replace(resolution="1080p", duration=15))
    # Its own old price does not count against it: the same price still fits.
    out = await runner.edit(job.id, job.request.replace(prompt="same price"))
    assert out.request.prompt == "same price"


@on_loop
async def test_edit_and_move_through_the_owner(queue, image, tmp_path):
    runner = queue.runner
    a = await runner.enqueue(request(image, prompt="a"))
    b = await runner.enqueue(request(image, prompt="b"))
    lock = QueueLock(queue.library.root)
    assert lock.try_acquire("window")
    server = HandoffServer(runner, lock, queue.library)
    await server.start()
    try:
        endpoint = lock.holder().endpoint
        reply = await call_owner(endpoint, Call(op="move", job_id=b.id, index=0))
        assert reply.type == "accepted" and reply.job.id == b.id
        assert [j.id for j in runner.jobs() if j.state is JobState.WAITING] == [b.id, a.id]
        edited = a.request.replace(prompt="a, edited from a shell")
        reply = await call_owner(endpoint, Call(op="edit", job_id=a.id, request=edited))
        assert reply.job.request.prompt == "a, edited from a shell"
        with pytest.raises(InvalidInputError):
            bad = Call(op="edit", job_id=a.id, request=edited.replace(prompt=""))
            await call_owner(endpoint, bad)
        with pytest.raises(ValueError, match="already at fal"):
            late = Call(op="edit", job_id=queue.running.id, request=edited)
            await call_owner(endpoint, late)
    finally:
        await server.close()
        lock.release()


# ---- the command line -------------------------------------------------------------------------


def _queued_jobs(home: Path, image: Path, server, prompts: list[str]) -> list[str]:
    """Jobs left waiting in the library's table at ``home`` (their runner closed)."""

    async def make() -> list[str]:
        async with started_runner(home / "library", server, "k-edit", concurrency=1) as opened:
            runner, _library = opened
            ids = [(await runner.enqueue(request(image, prompt=p))).id for p in prompts]
            while runner.get(ids[0]).state not in (JobState.QUEUED, JobState.RUNNING):
                await asyncio.sleep(0.02)
            return ids

    return asyncio.run(make())


def test_jobs_move_edit_and_list_from_a_shell(tmp_path, server, image):
    home = tmp_path / "home"
    first, a, b, c = _queued_jobs(home, image, server, ["first", "a", "b", "c"])
    env = cli_env(home, server.base_url, key="k-edit")

    listed = json.loads(wan("jobs", "list", "--json", env=env).stdout)
    order = {j["id"]: j["order"] for j in listed}
    assert order == {first: None, a: 1, b: 2, c: 3}

    moved = wan("jobs", "move", c, "1", env=env)
    assert moved.returncode == 0, moved.stderr
    assert moved.stdout.strip() == f"{c}: #1 in line"
    listed = json.loads(wan("jobs", "list", "--json", env=env).stdout)
    waiting = sorted((j for j in listed if j["order"]), key=lambda j: j["order"])
    assert [j["id"] for j in waiting] == [c, a, b]

    edited = wan("jobs", "edit", a, "--prompt", "a, sharper", "--duration", "10", "--json", env=env)
    assert edited.returncode == 0, edited.stderr
    out = json.loads(edited.stdout)
    assert out["prompt"] == "a, sharper" and EDITED_NOTE in out["notes"]

    refused = wan("jobs", "edit", a, "--duration", "7", env=env)
    assert refused.returncode == 2 and "duration" in refused.stderr.lower()
    late = wan("jobs", "edit", first, "--prompt", "too late", env=env)
    assert late.returncode == 2 and "already at fal" in late.stderr
    nothing = wan("jobs", "edit", a, env=env)
    assert nothing.returncode == 2 and "Nothing to change" in nothing.stderr
    bad_place = wan("jobs", "move", a, "0", env=env)
    assert bad_place.returncode == 2 and "PLACE is 1 or more" in bad_place.stderr


async def _wan_async(*args: str, env: dict[str, str]) -> tuple[int, str, str]:
    """``wan-desktop ARGS`` in a child process while this loop keeps serving."""
    import sys

    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "wan_desktop",
        *args,
        env=env,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(proc.communicate(), 120)
    return proc.returncode, out.decode(), err.decode()


@on_loop
async def test_a_shell_edits_and_moves_through_the_window(tmp_path, server, image):
    home = tmp_path / "home"
    async with started_runner(home / "library", server, "k-edit", concurrency=1) as opened:
        runner, library = opened
        lock = QueueLock(library.root)
        assert lock.try_acquire("window")
        owner = HandoffServer(runner, lock, library)
        await owner.start()
        env = cli_env(home, server.base_url, key="k-edit")
        try:
            first = await runner.enqueue(request(image, prompt="first"))
            a = await runner.enqueue(request(image, prompt="a"))
            b = await runner.enqueue(request(image, prompt="b"))
            code, out, err = await _wan_async("jobs", "move", b.id, "1", env=env)
            assert code == 0, err
            assert [j.id for j in runner.jobs() if j.state is JobState.WAITING] == [b.id, a.id]
            code, out, err = await _wan_async(
                "jobs", "edit", a.id, "--prompt", "a, sharper", env=env
            )
            assert code == 0, err
            assert out.strip() == f"{a.id}: edited"
            assert runner.get(a.id).request.prompt == "a, sharper"  # in the owner's runner
            code, out, err = await _wan_async("jobs", "edit", first.id, "--prompt", "x", env=env)
            assert code == 2 and "already at fal" in err
        finally:
            await owner.close()
            lock.release()


def test_a_shell_cannot_change_a_queue_run_by_generate(tmp_path, server, image):
    home = tmp_path / "home"
    _first, a = _queued_jobs(home, image, server, ["first", "a"])
    lock = QueueLock(home / "library")
    assert lock.try_acquire("generate")  # an owner that takes no calls
    try:
        env = cli_env(home, server.base_url, key="k-edit")
        for args in (("move", a, "1"), ("edit", a, "--prompt", "changed")):
            out = wan("jobs", *args, env=env)
            assert out.returncode == 5, out.stderr
            assert "generate (pid" in out.stderr and "takes no changes" in out.stderr
    finally:
        lock.release()
    store = JobStore(home / "library" / "library.db")
    try:
        assert store.get(a).request.prompt == "a"
    finally:
        store.close()
