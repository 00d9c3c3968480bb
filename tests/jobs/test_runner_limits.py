"""The runner sends the advanced preferences: the start deadline with each submit and the
upload lifetime with each upload (against the offline engine on loopback)."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest
from jobs_helpers import emulator
from wan_testkit import make_image

from wan_desktop.core.request import GenerationRequest
from wan_desktop.fal import FalClient
from wan_desktop.jobs.backend import Backend
from wan_desktop.jobs.model import JobState
from wan_desktop.jobs.runner import JobRunner
from wan_desktop.library import Library

pytestmark = pytest.mark.asyncio


class SpyClient(FalClient):
    """Records what the runner asks of fal; uploads come back as data URIs (the offline
    engine takes those) instead of going to a CDN."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.submits: list[dict] = []
        self.uploads: list[dict] = []

    async def submit(self, endpoint_id, arguments, **options):
        self.submits.append(options)
        return await super().submit(endpoint_id, arguments, **options)

    async def upload(self, data, content_type, file_name, *, expires_in_s=None):
        self.uploads.append({"expires_in_s": expires_in_s})
        return f"data:{content_type};base64,{base64.b64encode(data).decode()}"


@pytest.fixture
def server():
    with emulator(workers=2, keepalive_s=0.5, api_key="k-test") as engine:
        yield engine


async def _run_one(tmp_path: Path, server, **runner_options) -> SpyClient:
    library = Library.open(tmp_path / "lib")
    client = SpyClient("k-test", base_url=server.base_url)
    runner = JobRunner(
        library,
        Backend(server.base_url, "k-test", offline=False),
        client=client,
        upload_threshold_bytes=0,  # every input goes through upload
        **runner_options,
    )
    await runner.start()
    try:
        image = make_image(tmp_path / "in.png")
        job = await runner.enqueue(GenerationRequest("a slow pan", str(image), resolution="720p"))
        final = await runner.wait(job.id)
        assert final.state is JobState.DONE, final.error
    finally:
        await runner.close()
        await client.aclose()
        library.close()
    return client


async def test_the_preferences_go_with_submit_and_upload(tmp_path, server):
    client = await _run_one(tmp_path, server, start_timeout_s=300.0, upload_expiry_s=7200)
    assert client.submits == [{"start_timeout_s": 300.0}]
    assert client.uploads == [{"expires_in_s": 7200}]


async def test_without_preferences_nothing_extra_is_sent(tmp_path, server):
    client = await _run_one(tmp_path, server)
    assert client.submits == [{"start_timeout_s": None}]
    assert client.uploads == [{"expires_in_s": None}]
