"""FalClient against the offline engine (wan_desktop.emulator) over a real loopback socket:
every state and every fault switch. The engine renders with a stub here (these tests are
about the protocol, not the video); one test uses the real renderer end to end."""

from __future__ import annotations

import base64
import io
import json

import pytest

import wan_desktop.emulator as emulator
from wan_desktop.fal import (
    AuthError,
    CancelledByUserError,
    CancelOutcome,
    Completed,
    ContentPolicyError,
    FalClient,
    InProgress,
    NetworkError,
    Queued,
    RequestFailedError,
    RequestHandle,
    ResultExpiredError,
    RetryPolicy,
    ServiceError,
)

MODEL = "wan/v2.6/image-to-video/flash"
KEY = "sekret-KEY-123:abc"
FAST = RetryPolicy(max_attempts=5, base_delay_s=0.01, max_delay_s=0.05)
FAKE_VIDEO = b"\x00\x00\x00\x18ftypmp42" + bytes(range(256)) * 1200  # ~300 KB


def _image_uri() -> str:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (320, 256), (200, 80, 40)).save(buf, "PNG")
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode()


IMAGE = _image_uri()
ARGS = {"prompt": "a slow pan", "image_url": IMAGE, "resolution": "720p", "duration": "5"}


def _stub_render(image_bytes, *, dest, progress=None, **kwargs):
    if progress is not None:
        progress(1, 2)
        progress(2, 2)
    dest.parent.mkdir(parents=True, exist_ok=True)
    dest.write_bytes(FAKE_VIDEO)


@pytest.fixture
def fake_engine():
    try:
        server = emulator.EmulatorServer(
            workers=2, render=_stub_render, keepalive_s=0.5, api_key=KEY
        )
    except TypeError:  # an engine without the render hook: use the real one
        server = emulator.EmulatorServer(workers=2, api_key=KEY)
    server.start()
    try:
        yield server
    finally:
        server.stop()


def fal(server, **kw) -> FalClient:
    kw.setdefault("retry", FAST)
    return FalClient(server.api_key, base_url=server.base_url, **kw)


async def run_to_result(c: FalClient, *, stream=True) -> tuple[RequestHandle, list, dict]:
    h = await c.submit(MODEL, ARGS)
    seen = [s async for s in c.watch(h, stream=stream)]
    return h, seen, await c.result(h)


def routes(server) -> dict:
    return server.stats()["requests_by_route"]


@pytest.mark.asyncio
@pytest.mark.parametrize("stream", [True, False])
async def test_round_trip(fake_engine, tmp_path, stream):
    async with fal(fake_engine) as c:
        h, seen, out = await run_to_result(c, stream=stream)
        assert isinstance(seen[-1], Completed) and seen[-1].ok
        assert all(isinstance(s, Queued | InProgress | Completed) for s in seen)
        assert h.status_url.startswith(fake_engine.base_url)
        assert out["video"]["content_type"] == "video/mp4"
        assert isinstance(out["seed"], int)
        got = await c.download(out["video"]["url"], tmp_path / "dl" / "v.mp4")
    assert got.size_bytes == (tmp_path / "dl" / "v.mp4").stat().st_size > 0
    assert fake_engine.stats()["submits"] == 1
    if stream:
        assert routes(fake_engine).get("stream", 0) >= 1


@pytest.mark.asyncio
async def test_resume_from_a_saved_handle(fake_engine):
    async with fal(fake_engine) as c:
        h = await c.submit(MODEL, ARGS)
    saved = json.dumps(h.to_dict())
    async with fal(fake_engine) as c:
        h2 = RequestHandle.from_dict(json.loads(saved))
        assert [s async for s in c.watch(h2)][-1].ok
        assert "video" in await c.result(h2)
        rebuilt = RequestHandle.from_base(fake_engine.base_url, MODEL, h.request_id)
        assert "video" in await c.result(rebuilt)


@pytest.mark.asyncio
async def test_rate_limit_is_retried_after_retry_after(fake_engine):
    fake_engine.faults.set("rate_limit", count=1, retry_after_s=1, routes=["submit"])
    delays = []
    async with fal(fake_engine, sleep=lambda s: _record(delays, s)) as c:
        await c.submit(MODEL, ARGS)
    assert delays == [1.0]
    assert fake_engine.stats()["submits"] == 1


async def _record(delays, s):
    delays.append(s)


@pytest.mark.asyncio
async def test_ingress_error_is_retried(fake_engine):
    fake_engine.faults.set("ingress_error", count=2, status=503)
    async with fal(fake_engine) as c:
        _, seen, _ = await run_to_result(c)
    assert seen[-1].ok
    assert fake_engine.stats()["submits"] == 1


@pytest.mark.asyncio
async def test_ingress_502_on_status_is_retried(fake_engine):
    async with fal(fake_engine) as c:
        h = await c.submit(MODEL, ARGS)
        fake_engine.faults.set("ingress_error", count=2, status=502, routes=["status"])
        assert isinstance(await c.status(h), Queued | InProgress | Completed)
    assert fake_engine.stats()["faults_fired"].get("ingress_error") == 2


@pytest.mark.asyncio
async def test_500_is_not_retried(fake_engine):
    async with fal(fake_engine) as c:
        h = await c.submit(MODEL, ARGS)
        [s async for s in c.watch(h)]
        fake_engine.faults.set("ingress_error", count=-1, status=500, routes=["result"])
        before = routes(fake_engine).get("result", 0)
        with pytest.raises(ServiceError) as info:
            await c.result(h)
    assert info.value.status_code == 500
    assert routes(fake_engine)["result"] - before == 1


@pytest.mark.asyncio
async def test_drop_connection_retried_on_status_but_not_on_submit(fake_engine):
    async with fal(fake_engine) as c:
        fake_engine.faults.set("drop_connection", count=1, routes=["submit"])
        with pytest.raises(NetworkError) as info:
            await c.submit(MODEL, ARGS)
        assert info.value.maybe_submitted
        assert routes(fake_engine)["submit"] == 1  # the server saw exactly one submit
        fake_engine.faults.clear()
        h = await c.submit(MODEL, ARGS)
        fake_engine.faults.set("drop_connection", count=2, routes=["status"])
        await c.status(h)
    assert fake_engine.stats()["faults_fired"]["drop_connection"] == 3


@pytest.mark.asyncio
async def test_slow_answers_still_arrive(fake_engine):
    fake_engine.faults.set("slow", count=1, delay_s=0.3, routes=["status"])
    async with fal(fake_engine) as c:
        _, seen, _ = await run_to_result(c, stream=False)
    assert seen[-1].ok


@pytest.mark.asyncio
async def test_slow_beyond_the_timeout_is_a_network_error_on_submit(fake_engine):
    fake_engine.faults.set("slow", count=1, delay_s=1.0, routes=["submit"])
    async with fal(fake_engine, timeout_s=0.3) as c:
        with pytest.raises(NetworkError) as info:
            await c.submit(MODEL, ARGS)
    assert info.value.maybe_submitted


@pytest.mark.asyncio
async def test_fail_request_raises_request_failed(fake_engine):
    fake_engine.faults.set("fail_request", count=1, error="GPU on fire", error_type="runner_error")
    async with fal(fake_engine) as c:
        h = await c.submit(MODEL, ARGS)
        seen = [s async for s in c.watch(h)]
        assert not seen[-1].ok and seen[-1].error_type == "runner_error"
        with pytest.raises(RequestFailedError) as info:
            await c.result(h)
    assert info.value.error_type == "runner_error"
    assert not info.value.refused


@pytest.mark.asyncio
async def test_expire_result_raises_result_expired(fake_engine):
    async with fal(fake_engine) as c:
        h = await c.submit(MODEL, ARGS)
        [s async for s in c.watch(h)]
        fake_engine.faults.set("expire_result", count=1)
        with pytest.raises(ResultExpiredError):
            await c.result(h)


@pytest.mark.asyncio
async def test_truncated_media_resumes_byte_identical(fake_engine, tmp_path):
    async with fal(fake_engine) as c:
        _, _, out = await run_to_result(c)
        clean = await c.download(out["video"]["url"], tmp_path / "dl" / "clean.mp4", checksum=True)
        fake_engine.faults.set("truncate_media", count=2, after_bytes=50_000)
        cut = await c.download(out["video"]["url"], tmp_path / "dl" / "cut.mp4", checksum=True)
    assert cut.sha256 == clean.sha256
    assert (tmp_path / "dl" / "cut.mp4").read_bytes() == (
        tmp_path / "dl" / "clean.mp4"
    ).read_bytes()
    assert fake_engine.stats()["faults_fired"]["truncate_media"] == 2


@pytest.mark.asyncio
async def test_no_range_restarts_the_download(fake_engine, tmp_path):
    async with fal(fake_engine) as c:
        _, _, out = await run_to_result(c)
        clean = await c.download(out["video"]["url"], tmp_path / "dl" / "clean.mp4", checksum=True)
        fake_engine.faults.set("truncate_media", count=1, after_bytes=40_000)
        fake_engine.faults.set("no_range", count=1)
        again = await c.download(out["video"]["url"], tmp_path / "dl" / "again.mp4", checksum=True)
    assert again.sha256 == clean.sha256


@pytest.mark.asyncio
async def test_broken_stream_falls_back_to_polling(fake_engine):
    fake_engine.faults.set("break_stream", count=-1)
    async with fal(fake_engine) as c:
        _, seen, out = await run_to_result(c)
    assert seen[-1].ok and "video" in out
    assert routes(fake_engine).get("status", 0) >= 1


@pytest.mark.asyncio
async def test_moderation_is_a_content_policy_error_on_prompt(fake_engine):
    fake_engine.faults.set("moderate", count=1)
    async with fal(fake_engine) as c:
        with pytest.raises(ContentPolicyError) as info:
            await c.submit(MODEL, ARGS)
    assert info.value.fields == ["prompt"] and info.value.refused
    assert fake_engine.stats()["submits"] == 0


@pytest.mark.asyncio
async def test_engine_validation_maps_fields(fake_engine):
    async with fal(fake_engine) as c:
        with pytest.raises(Exception) as info:
            await c.submit(MODEL, {**ARGS, "prompt": ""})
    assert getattr(info.value, "refused", False)
    assert "prompt" in getattr(info.value, "fields", [])


@pytest.mark.asyncio
async def test_auth_fault_and_missing_key(fake_engine):
    fake_engine.faults.set("auth", count=1)
    async with fal(fake_engine) as c:
        with pytest.raises(AuthError) as info:
            await c.submit(MODEL, ARGS)
    assert info.value.refused and KEY not in str(info.value)
    async with FalClient("", base_url=fake_engine.base_url) as c:
        with pytest.raises(AuthError):
            await c.submit(MODEL, ARGS)
    assert fake_engine.stats()["submits"] == 0


@pytest.mark.asyncio
async def test_wrong_key_when_the_engine_wants_one():
    server = emulator.EmulatorServer(workers=1, api_key="right-key").start()
    try:
        async with FalClient("wrong-key", base_url=server.base_url, retry=FAST) as c:
            with pytest.raises(AuthError, match="FAL_KEY"):
                await c.submit(MODEL, ARGS)
    finally:
        server.stop()


@pytest.mark.asyncio
async def test_cancel_queued_and_running_requests():
    server = emulator.EmulatorServer(workers=1, render=_stub_render, min_run_s=3.0).start()
    try:
        async with fal(server) as c:
            running = await c.submit(MODEL, ARGS)
            queued = await c.submit(MODEL, ARGS)
            async for s in c.watch(running):
                if isinstance(s, InProgress):
                    break
            assert await c.cancel(queued) is CancelOutcome.REMOVED
            assert await c.cancel(running) is CancelOutcome.REQUESTED
            final = [s async for s in c.watch(running)][-1]
            assert isinstance(final, Completed) and not final.ok
            with pytest.raises(RequestFailedError) as info:
                await c.result(running)
            unknown = RequestHandle.from_base(server.base_url, MODEL, "no-such-request")
            assert await c.cancel(unknown) is CancelOutcome.NOT_FOUND
    finally:
        server.stop()
    assert isinstance(info.value, CancelledByUserError)


@pytest.mark.asyncio
async def test_cancel_after_completion(fake_engine):
    async with fal(fake_engine) as c:
        h, _, _ = await run_to_result(c)
        assert await c.cancel(h) is CancelOutcome.ALREADY_COMPLETED


@pytest.mark.asyncio
async def test_real_renderer_end_to_end(engine, tmp_path):
    async with fal(engine) as c:
        _, seen, out = await run_to_result(c)
        got = await c.download(out["video"]["url"], tmp_path / "dl" / "v.mp4")
    assert seen[-1].ok
    assert got.size_bytes > 1000 and got.content_type == "video/mp4"


# -- answers told straight, against the engine's fault switches ----------------------------


@pytest.mark.asyncio
async def test_a_locked_account_is_named_not_taken_for_a_bad_key(fake_engine):
    from wan_desktop.fal import AccountLockedError

    fake_engine.faults.set("locked_account", count=1)
    async with fal(fake_engine) as c:
        with pytest.raises(AccountLockedError) as info:
            await c.submit(MODEL, ARGS)
        assert "Exhausted balance" in str(info.value) and info.value.resumable
        assert not info.value.maybe_submitted
        assert (await c.submit(MODEL, ARGS)).request_id  # credit is back: it goes as it is
    assert fake_engine.stats()["submits"] == 1


@pytest.mark.asyncio
async def test_an_octet_stream_result_is_saved_with_its_announced_size(fake_engine, tmp_path):
    from wan_desktop.fal import parse_output

    fake_engine.faults.set("octet_stream", count=-1)
    async with fal(fake_engine) as c:
        _, _, out = await run_to_result(c)
        video = parse_output(out).video
        assert video is not None and video.url
        got = await c.download(video.url, tmp_path / "v.mp4", expected_size=video.file_size)
    assert got.content_type == "application/octet-stream"
    assert (tmp_path / "v.mp4").read_bytes() == FAKE_VIDEO


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("fault", "says", "sends"),
    [
        ("auth", True, 2),  # a 401 is never retried... unless fal says it may work
        ("rate_limit", False, 1),  # a 429 is always retried... unless fal says it will not
    ],
)
async def test_the_engines_x_fal_retryable_is_followed(fake_engine, fault, says, sends):
    from wan_desktop.fal import FalError

    fake_engine.faults.set("retryable", count=1, retryable=says, routes=["status"])
    fake_engine.faults.set(fault, count=1, routes=["status"])
    async with fal(fake_engine) as c:
        h = await c.submit(MODEL, ARGS)
        if says:
            await c.status(h)
        else:
            with pytest.raises(FalError):
                await c.status(h)
    assert routes(fake_engine)["status"] == sends
