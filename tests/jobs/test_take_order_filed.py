"""A take group keeps its queue order in the library however its takes finish (issue 17): each
job carries its take number from ``core.variants.expand`` to the entry it files, and a take run
again keeps its number."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
import pytest_asyncio
from jobs_helpers import DEADLINE_S, emulator, job_request, started_runner
from wan_testkit import make_image

from wan_desktop.core.budget import SpendLedger
from wan_desktop.core.variants import VariantPlan, expand
from wan_desktop.jobs.model import JobState

pytestmark = pytest.mark.asyncio


@pytest.fixture
def server():
    with emulator(workers=4, keepalive_s=0.5, api_key="k") as engine:
        yield engine


@pytest_asyncio.fixture
async def opened(tmp_path: Path, server):
    ledger = SpendLedger(tmp_path / "data" / "spend.sqlite3")
    async with started_runner(tmp_path / "lib", server, "k", ledger=ledger) as opened:
        yield opened


async def test_a_take_filed_last_still_reads_first(opened, tmp_path, server):
    runner, library = opened
    server.faults.set("fail_request", count=1, error="GPU fell over", error_type="runner_error")
    runner.concurrency = 1  # the first take meets the fault
    image = make_image(tmp_path / "in.png")
    takes = expand(job_request(image, duration=5, seed=338), VariantPlan(count=3))
    first, second, third = await runner.enqueue_group(takes)
    wait = lambda job_id: asyncio.wait_for(runner.wait(job_id), DEADLINE_S)  # noqa: E731
    assert (await wait(first.id)).state is JobState.FAILED
    assert (await wait(second.id)).state is JobState.DONE
    assert (await wait(third.id)).state is JobState.DONE
    again = await runner.retry(first.id)  # filed after the other two
    done = await wait(again.id)
    assert done.state is JobState.DONE
    members = library.group_members(first.group_id)
    assert [(m.take, m.seed) for m in members] == [(1, 338), (2, 339), (3, 340)]
    assert members[0].id == done.entry_id
    assert library.get(done.entry_id).data["take"] == 1
