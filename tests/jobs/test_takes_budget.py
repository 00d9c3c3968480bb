"""Take groups and the budget in the runner, against the offline engine on loopback: a group
of variants lands in the library together; caps refuse before anything is prepared or sent;
only results fal completed count in the spend ledger, once each."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
import pytest_asyncio
from jobs_helpers import DEADLINE_S, emulator, job_request, started_runner

from wan_desktop.core.budget import BudgetExceededError, Caps, SpendLedger
from wan_desktop.core.pricing import estimate_usd
from wan_desktop.core.problems import InvalidInputError
from wan_desktop.core.request import GenerationRequest
from wan_desktop.core.variants import VariantPlan, expand
from wan_desktop.jobs.backend import Backend
from wan_desktop.jobs.model import JobState
from wan_desktop.jobs.runner import JobRunner
from wan_desktop.library import Library

pytestmark = pytest.mark.asyncio

PRICE = estimate_usd("720p", 5)  # one 720p 5 s take at the bundled price


@pytest.fixture
def server():
    with emulator(workers=4, keepalive_s=0.5, api_key="k") as engine:
        yield engine


@pytest.fixture
def ledger(tmp_path: Path) -> SpendLedger:
    return SpendLedger(tmp_path / "data" / "spend.sqlite3")


@pytest_asyncio.fixture
async def opened(tmp_path, server, ledger):
    """A library and a runner that treats the engine as fal (so its results are billed)."""
    async with started_runner(tmp_path / "lib", server, "k", ledger=ledger) as opened:
        yield opened


def request(image: Path, **fields) -> GenerationRequest:
    return job_request(image, duration=5, **fields)


async def finish(runner: JobRunner, job_id: str):
    return await asyncio.wait_for(runner.wait(job_id), DEADLINE_S)


async def test_a_group_of_variants_lands_in_the_library_together(opened, image, server):
    runner, library = opened
    takes = expand(request(image, seed=40), VariantPlan(count=3))
    jobs = await runner.enqueue_group(takes)
    assert len({j.group_id for j in jobs}) == 1 and jobs[0].group_id.startswith("g-")
    assert [j.variant for j in jobs] == ["seed 40", "seed 41", "seed 42"]
    finals = [await finish(runner, j.id) for j in jobs]
    assert all(f.state is JobState.DONE for f in finals), [f.error for f in finals]
    members = library.group_members(jobs[0].group_id)
    assert [m.variant for m in members] == ["seed 40", "seed 41", "seed 42"]
    entry = library.get(finals[1].entry_id)
    assert entry.group_id == jobs[0].group_id and entry.seed == 41
    assert server.stats()["submits"] == 3


async def test_a_prompt_matrix_keeps_each_prompt(opened, image):
    runner, library = opened
    plan = VariantPlan(mode="prompts", count=1, prompts=("a slow pan", "a fast zoom"))
    jobs = await runner.enqueue_group(expand(request(image, seed=7), plan))
    finals = [await finish(runner, j.id) for j in jobs]
    prompts = [library.get(f.entry_id).prompt for f in finals]
    assert prompts == ["a slow pan", "a fast zoom"]
    assert [f.variant for f in finals] == ["prompt A · seed 7", "prompt B · seed 7"]


async def test_a_group_with_one_bad_take_keeps_nothing(opened, image, server):
    runner, _library = opened
    plan = VariantPlan(mode="prompts", count=1, prompts=("fine", "x" * 5000))
    with pytest.raises(InvalidInputError) as caught:
        await runner.enqueue_group(expand(request(image), plan))
    assert caught.value.fields == ["prompt"]
    assert runner.jobs() == []
    assert server.stats()["submits"] == 0


async def test_billed_results_count_once_in_the_ledger(opened, image, ledger):
    runner, _library = opened
    job = await runner.enqueue(request(image))
    final = await finish(runner, job.id)
    assert final.state is JobState.DONE
    assert ledger.has(final.request_id)
    assert ledger.today_usd() == pytest.approx(PRICE)
    assert runner.spent_today_usd() == pytest.approx(PRICE)


async def test_failed_and_cancelled_requests_are_not_billed(opened, image, ledger, server):
    runner, _library = opened
    server.faults.set("fail_request", count=1, error="GPU fell over", error_type="runner_error")
    failed = await finish(runner, (await runner.enqueue(request(image))).id)
    assert failed.state is JobState.FAILED
    runner.concurrency = 1
    server.store.min_run_s = 10  # still running when it is cancelled
    busy = await runner.enqueue(request(image))
    waiting = await runner.enqueue(request(image))
    assert (await runner.cancel(waiting.id)).state is JobState.CANCELLED
    await runner.cancel(busy.id)
    assert (await finish(runner, busy.id)).state is JobState.CANCELLED
    assert ledger.today_usd() == 0.0


async def test_the_cap_refuses_a_job_before_anything_is_kept(opened, image, ledger, server):
    runner, _library = opened
    ledger.record("earlier-request", 1.0)
    runner.set_caps(Caps(daily_usd=1.0 + PRICE / 2))
    with pytest.raises(BudgetExceededError) as caught:
        await runner.enqueue(request(image))
    message = str(caught.value)
    assert "$1.00 spent today" in message and f"${PRICE:.2f}" in message
    assert caught.value.fields == ["budget"]
    assert runner.jobs() == [] and server.stats()["submits"] == 0
    assert runner.budget_refusal(PRICE) is not None


async def test_the_cap_counts_the_whole_group_and_what_is_queued(opened, image, server):
    runner, _library = opened
    runner.set_caps(Caps(daily_usd=PRICE * 3))
    takes = expand(request(image, seed=1), VariantPlan(count=4))
    with pytest.raises(BudgetExceededError) as caught:
        await runner.enqueue_group(takes)
    assert "these 4 takes cost" in str(caught.value)
    assert runner.jobs() == []
    # Three fit; while they are queued (not yet billed) a fourth does not.
    runner.concurrency = 1
    server.store.min_run_s = 0.3  # one at a time: two of the three still wait
    jobs = await runner.enqueue_group(takes[:3])
    refusal = runner.budget_refusal(PRICE)
    assert refusal is not None and "queued" in refusal.message
    for j in jobs:
        await finish(runner, j.id)
    assert runner.budget_refusal(PRICE) is not None  # now spent, not queued
    assert server.stats()["submits"] == 3


async def test_the_offline_engine_is_never_refused_nor_billed(tmp_path, server, image, ledger):
    library = Library.open(tmp_path / "lib-offline")
    runner = JobRunner(
        library, Backend(server.base_url, "k", offline=True), ledger=ledger, caps=Caps(0.01)
    )
    await runner.start()
    try:
        job = await runner.enqueue(request(image))
        assert (await finish(runner, job.id)).state is JobState.DONE
    finally:
        await runner.close()
        library.close()
    assert ledger.today_usd() == 0.0


async def test_a_take_run_again_stays_in_its_group(opened, image, server):
    runner, library = opened
    server.faults.set("fail_request", count=1, error="GPU fell over", error_type="runner_error")
    runner.concurrency = 1  # the first take meets the fault
    take, other = await runner.enqueue_group(expand(request(image, seed=9), VariantPlan(count=2)))
    assert (await finish(runner, take.id)).state is JobState.FAILED
    assert (await finish(runner, other.id)).state is JobState.DONE
    again = await runner.retry(take.id, new_seed=True)
    assert again.group_id == take.group_id
    assert again.variant == f"seed {again.request.seed}" and again.request.seed != 9
    done = await finish(runner, again.id)
    assert done.state is JobState.DONE
    assert library.get(done.entry_id).variant == again.variant


async def test_a_completed_request_whose_result_expired_is_still_billed(
    opened, image, ledger, server
):
    runner, _library = opened
    server.faults.set("expire_result", count=-1)
    final = await finish(runner, (await runner.enqueue(request(image))).id)
    assert final.state is JobState.FAILED
    assert ledger.has(final.request_id)  # fal completed it: it was paid for
    assert ledger.today_usd() == pytest.approx(PRICE)
