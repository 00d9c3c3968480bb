"""The runner in-process against the offline engine on loopback: concurrency, local queue,
cancel in every state, retry, ETA, and every fault switch ending done or clearly failed."""

from __future__ import annotations

import pytest
import pytest_asyncio
from jobs_helpers import Watcher, emulator, started_runner
from jobs_helpers import job_request as request
from wan_testkit import make_image

from wan_desktop.core.problems import InvalidInputError
from wan_desktop.jobs.model import JobState

pytestmark = pytest.mark.asyncio


@pytest.fixture
def server():
    with emulator(workers=4, keepalive_s=0.5, api_key="k-test") as engine:
        yield engine


class Harness(Watcher):
    """The watcher, with the most jobs it saw active at once."""

    max_active = 0

    def on_event(self, event):
        super().on_event(event)
        active = sum(1 for j in self.runner.jobs() if j.state.is_active)
        self.max_active = max(self.max_active, active)


@pytest_asyncio.fixture
async def harness(tmp_path, server):
    async with started_runner(tmp_path / "lib", server, "k-test", concurrency=2) as opened:
        yield Harness(*opened)


async def test_one_job_to_done_with_events_in_order(harness, image, server):
    job = await harness.runner.enqueue(request(image, seed=5))
    final = await harness.finish(job.id)
    assert final.state is JobState.DONE, final.error
    states = [e.job.state for e in harness.events if e.kind == "state" and e.job.id == job.id]
    order = [
        JobState.WAITING,
        JobState.SUBMITTING,
        JobState.QUEUED,
        JobState.DOWNLOADING,
        JobState.DONE,
    ]
    assert [s for s in states if s in order] == order
    entry = harness.library.get(final.entry_id)
    assert entry.request.seed == 5 and entry.request_id == final.request_id
    assert server.stats()["submits"] == 1
    # The job's copy of its inputs is gone once the library holds them.
    assert not (harness.library.root / "jobs" / job.id).exists()


async def test_twenty_jobs_never_more_than_two_at_once(harness, image, server):
    server.store.min_run_s = 0.2 if hasattr(server.store, "min_run_s") else 0
    jobs = [await harness.runner.enqueue(request(image, seed=i)) for i in range(20)]
    finals = [await harness.finish(j.id) for j in jobs]
    assert all(f.state is JobState.DONE for f in finals), [f.error for f in finals]
    assert harness.max_active <= 2
    assert harness.max_active == 2  # the limit was used, not just respected
    assert server.stats()["submits"] == 20
    assert harness.library.count() == 20


async def test_local_queue_cancel_move_remove(harness, image, server):
    harness.runner.concurrency = 1
    a = await harness.runner.enqueue(request(image, prompt="first"))
    b = await harness.runner.enqueue(request(image, prompt="second"))
    c = await harness.runner.enqueue(request(image, prompt="third"))
    harness.runner.move(c.id, 0)  # third jumps ahead of second
    waiting = [j.id for j in harness.runner.jobs() if j.state is JobState.WAITING]
    assert waiting == [c.id, b.id]
    cancelled = await harness.runner.cancel(b.id)
    assert cancelled.state is JobState.CANCELLED and "nothing was sent" in cancelled.notes[-1]
    harness.runner.remove(b.id)
    assert b.id not in [j.id for j in harness.runner.jobs()]
    await harness.finish(a.id)
    final_c = await harness.finish(c.id)
    assert final_c.state is JobState.DONE
    assert server.stats()["submits"] == 2


async def test_cancel_queued_at_the_service_is_removed(tmp_path, image):
    # Long enough that the running job cannot finish before it is cancelled, even under load.
    with emulator(workers=1, min_run_s=10, api_key="k") as engine:
        async with started_runner(tmp_path / "lib2", engine, "k", concurrency=2) as opened:
            runner, _library = opened
            first = await runner.enqueue(request(image))
            second = await runner.enqueue(request(image))
            h = Harness(*opened)
            await h.until(second.id, JobState.QUEUED)
            await h.until(first.id, JobState.RUNNING)
            out = await runner.cancel(second.id)
            assert out.state is JobState.CANCELLED
            assert "not billed" in out.notes[-1]
            # The running one: cancellation is requested; it ends cancelled at the service.
            requested = await runner.cancel(first.id)
            # (Under load the service may end it before cancel() returns: the note is kept.)
            assert any("requested" in note.lower() for note in requested.notes)
            final = await h.finish(first.id)
            assert final.state is JobState.CANCELLED
            assert engine.stats()["cancels"] == 2


async def test_retry_same_and_new_seed(harness, image, server):
    server.faults.set("fail_request", count=1, error="GPU fell over", error_type="runner_error")
    job = await harness.runner.enqueue(request(image, seed=11))
    failed = await harness.finish(job.id)
    assert failed.state is JobState.FAILED and failed.retryable
    assert "GPU fell over" in failed.error
    same = await harness.runner.retry(job.id)
    assert same.request.seed == 11
    assert (await harness.finish(same.id)).state is JobState.DONE
    other = await harness.runner.retry(job.id, new_seed=True)
    assert other.request.seed != 11 and other.request.seed is not None
    assert (await harness.finish(other.id)).state is JobState.DONE


async def test_eta_from_similar_jobs(harness, image):
    first = await harness.runner.enqueue(request(image))
    await harness.finish(first.id)
    second = await harness.runner.enqueue(request(image))
    await harness.until(
        second.id, JobState.QUEUED, JobState.RUNNING, JobState.DOWNLOADING, JobState.DONE
    )
    snap = harness.runner.get(second.id)
    assert snap.state is JobState.DONE or snap.eta_s is not None
    await harness.finish(second.id)


async def test_invalid_input_refused_before_anything_is_kept(harness, tmp_path, server):
    tiny = make_image(tmp_path / "tiny.png", 100, 100)
    with pytest.raises(InvalidInputError) as info:
        await harness.runner.enqueue(request(tiny))
    assert info.value.fields == ["image_url"]
    assert harness.runner.jobs() == []
    assert server.stats()["submits"] == 0
    assert list((harness.library.root / "jobs").glob("*")) == []


async def test_refusal_names_the_field(harness, image, server):
    server.faults.set("moderate", count=1)
    job = await harness.runner.enqueue(request(image))
    final = await harness.finish(job.id)
    assert final.state is JobState.FAILED
    assert final.error_field == "prompt" and not final.retryable


FAULTS = [
    ("rate_limit", {"count": 2, "retry_after_s": 0.1}, JobState.DONE),
    ("ingress_error", {"count": 2, "status": 503}, JobState.DONE),
    ("drop_connection", {"count": 1, "routes": ["status", "stream"]}, JobState.DONE),
    ("drop_connection", {"count": 1, "routes": ["submit"]}, JobState.FAILED),
    ("slow", {"delay_s": 0.5, "count": 3}, JobState.DONE),
    ("fail_request", {"count": 1}, JobState.FAILED),
    ("expire_result", {"count": 1}, JobState.FAILED),
    ("truncate_media", {"count": 1, "after_bytes": 1000}, JobState.DONE),
    ("no_range", {"count": 1}, JobState.DONE),
    ("break_stream", {"count": 1}, JobState.DONE),
    ("moderate", {"count": 1}, JobState.FAILED),
    ("auth", {"count": 1}, JobState.FAILED),
]


@pytest.mark.parametrize(
    ("fault", "params", "expected"),
    FAULTS,
    ids=[f"{f}-{'-'.join(p.get('routes', []))}" for f, p, _ in FAULTS],
)
async def test_every_fault_ends_done_or_clearly_failed(
    harness, image, server, fault, params, expected
):
    server.faults.set(fault, **params)
    job = await harness.runner.enqueue(request(image))
    final = await harness.finish(job.id)
    assert final.state is expected, final.error
    if expected is JobState.FAILED:
        assert final.error and len(final.error) > 20  # a sentence, not a code
        assert "k-test" not in final.error
    else:
        assert harness.library.get(final.entry_id).video_path.exists()
    stats = server.stats()
    # Never paid twice: at most one accepted submit, and a submit that may have reached the
    # server (a dropped connection) is not sent again.
    assert stats["submits"] == (
        1 if expected is JobState.DONE or fault == "fail_request" or fault == "expire_result" else 0
    )
    if fault in ("drop_connection", "moderate", "auth") and expected is JobState.FAILED:
        assert stats["requests_by_route"]["submit"] == 1
    assert harness.runner.get(job.id).state.is_final


async def test_network_loss_after_submit_is_resumed_without_a_new_submit(tmp_path, image):
    from wan_desktop.fal import FalClient, RetryPolicy

    retry = RetryPolicy(max_attempts=2, base_delay_s=0.01, max_delay_s=0.02)
    with emulator(workers=1, min_run_s=1.0, api_key="k") as engine:
        async with (
            FalClient("k", base_url=engine.base_url, retry=retry) as client,
            started_runner(tmp_path / "lib3", engine, "k", client=client) as opened,
        ):
            runner, _library = opened
            h = Harness(*opened)
            job = await runner.enqueue(request(image))
            await h.until(job.id, JobState.QUEUED, JobState.RUNNING)
            engine.faults.set("drop_connection", count=-1, routes=["status", "stream", "result"])
            failed = await h.finish(job.id)
            assert failed.state is JobState.FAILED and failed.resumable
            assert "without sending it again" in failed.error
            engine.faults.clear()
            resumed = await runner.retry(job.id)
            assert resumed.id == job.id  # the same job, picked up again
            final = await h.finish(job.id)
            assert final.state is JobState.DONE, final.error
            assert engine.stats()["submits"] == 1


async def test_cancel_while_submitting_cancels_at_the_service(tmp_path, image):
    with emulator(workers=1, min_run_s=3.0, api_key="k") as engine:
        engine.faults.set("slow", delay_s=0.6, count=1, routes=["submit"])
        async with started_runner(tmp_path / "lib4", engine, "k") as opened:
            runner, _library = opened
            h = Harness(*opened)
            job = await runner.enqueue(request(image))
            await h.until(job.id, JobState.SUBMITTING)
            snap = await runner.cancel(job.id)
            assert "as soon as" in snap.notes[-1]
            final = await h.finish(job.id)
            assert final.state is JobState.CANCELLED
            assert engine.stats()["cancels"] == 1
