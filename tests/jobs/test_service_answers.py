"""The runner told the service's answers straight, in-process against the offline engine on
loopback: a locked account keeps its job resumable and sends it once credit is back; a start
deadline that fired says nothing was billed and does not claim the service holds the
request; the result's own facts about its video are kept and checked against the download."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest
from jobs_helpers import fast_render
from wan_testkit import make_image

from wan_desktop.core.request import GenerationRequest
from wan_desktop.emulator import EmulatorServer
from wan_desktop.fal import FalClient, RetryPolicy
from wan_desktop.fal.errors import BILLING_URL
from wan_desktop.fal.output import VideoFile
from wan_desktop.jobs.backend import Backend
from wan_desktop.jobs.model import JobState
from wan_desktop.jobs.output_check import disagreements
from wan_desktop.jobs.runner import JobRunner
from wan_desktop.library import Library
from wan_desktop.media.video import VideoInfo

DEADLINE_S = 60
KEY = "k-answers"


def _request(image: Path) -> GenerationRequest:
    return GenerationRequest(prompt="a slow pan", image=str(image), resolution="720p")


class _Setup:
    def __init__(self, tmp_path: Path, **engine_kw):
        self.engine = EmulatorServer(render=fast_render, api_key=KEY, **engine_kw)
        self.engine.start()
        self.library = Library.open(tmp_path / "lib")
        self.client = FalClient(
            KEY,
            base_url=self.engine.base_url,
            retry=RetryPolicy(max_attempts=2, base_delay_s=0.01, max_delay_s=0.02),
        )
        self.image = make_image(tmp_path / "in.png")

    async def runner(self, **kw) -> JobRunner:
        await self.client.__aenter__()
        backend = Backend(self.engine.base_url, KEY, offline=False)
        runner = JobRunner(self.library, backend, client=self.client, **kw)
        await runner.start()
        return runner

    async def close(self, runner: JobRunner) -> None:
        await runner.close()
        await self.client.__aexit__(None, None, None)
        self.library.close()
        self.engine.stop()


@pytest.mark.asyncio
async def test_a_locked_account_keeps_the_job_and_sends_it_once_credit_is_back(tmp_path):
    setup = _Setup(tmp_path, workers=2)
    runner = await setup.runner()
    try:
        setup.engine.faults.set("locked_account", count=-1)
        job = await runner.enqueue(_request(setup.image))
        failed = await asyncio.wait_for(runner.wait(job.id), DEADLINE_S)
        assert failed.state is JobState.FAILED
        assert failed.resumable and not failed.retryable  # refused for now, kept as it is
        assert "Exhausted balance" in failed.error and BILLING_URL in failed.error
        assert "key" not in failed.error.split("This is")[0].lower()
        assert KEY not in failed.error
        assert setup.engine.stats()["submits"] == 0
        setup.engine.faults.clear()
        again = await runner.retry(job.id)
        assert again.id == job.id  # the same job, not a copy
        final = await asyncio.wait_for(runner.wait(job.id), DEADLINE_S)
        assert final.state is JobState.DONE, final.error
        assert setup.engine.stats()["submits"] == 1
    finally:
        await setup.close(runner)


@pytest.mark.asyncio
async def test_a_start_deadline_that_fired_says_nothing_was_billed(tmp_path):
    # One worker busy for seconds: the second job cannot start within its half second.
    setup = _Setup(tmp_path, workers=1, min_run_s=3.0)
    runner = await setup.runner(concurrency=2, start_timeout_s=0.5)
    try:
        first = await runner.enqueue(_request(setup.image))
        second = await runner.enqueue(_request(setup.image))
        failed = await asyncio.wait_for(runner.wait(second.id), DEADLINE_S)
        assert failed.state is JobState.FAILED
        assert "nothing was billed" in failed.error
        assert "still has the request" not in failed.error
        # The service dropped it: only a new submit can run it, never a pick-up.
        assert not failed.resumable and failed.retryable
        done = await asyncio.wait_for(runner.wait(first.id), DEADLINE_S)
        assert done.state is JobState.DONE, done.error
    finally:
        await setup.close(runner)


@pytest.mark.asyncio
async def test_the_services_video_facts_are_kept_and_a_disagreement_is_a_warning(tmp_path):
    setup = _Setup(tmp_path, workers=2)
    runner = await setup.runner()
    real_result = setup.client.result

    async def result_claiming_another_width(handle):
        result = await real_result(handle)
        video = dict(result["video"])
        video["width"] = video["width"] + 64
        return {**result, "video": video}

    setup.client.result = result_claiming_another_width  # type: ignore[method-assign]
    try:
        job = await runner.enqueue(_request(setup.image))
        final = await asyncio.wait_for(runner.wait(job.id), DEADLINE_S)
        assert final.state is JobState.DONE, final.error  # a warning, not a failure
        assert any(line.startswith("warning:") and "width" in line for line in final.logs)
        entry = setup.library.get(final.entry_id)
        sidecar = json.loads((Path(entry.video_path).parent / "entry.json").read_text())
        stated = sidecar["remote"]["video"]
        assert {"width", "height", "duration"} <= set(stated)
        assert stated["height"] == sidecar["video"]["height"]
        assert stated["width"] == sidecar["video"]["width"] + 64
        assert sidecar["cost_source"] == "bundled" and sidecar["cost_usd"] > 0
    finally:
        await setup.close(runner)


def _probe(width: int, height: int, duration_s: float) -> VideoInfo:
    return VideoInfo(width, height, 24.0, duration_s, int(duration_s * 24), False, "h264", "", 1)


def test_facts_that_agree_or_were_not_stated_say_nothing():
    assert not disagreements(
        VideoFile(width=1280, height=720, duration=5.0), _probe(1280, 720, 5.04)
    )
    assert not disagreements(
        VideoFile(width=1280, height=720, duration=5.0), _probe(1280, 720, 5.1)
    )
    assert not disagreements(VideoFile(), _probe(1280, 720, 5.0))


def test_each_fact_that_disagrees_is_named():
    lines = disagreements(VideoFile(width=1920, height=1080, duration=10.0), _probe(1280, 720, 5.0))
    assert len(lines) == 3
    assert "width" in lines[0] and "height" in lines[1] and "10 s" in lines[2]
