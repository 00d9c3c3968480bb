"""live → cache → bundled: the table and price the app follows, and how it never fails."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest

from wan_desktop.core import model_schema, pricing
from wan_desktop.core.limits import InputSpec
from wan_desktop.core.model_cache import DAY_S, CacheRecord, ServiceCache
from wan_desktop.core.model_schema import ModelSchema, parse_param
from wan_desktop.core.paths import app_paths
from wan_desktop.core.platform_answers import models_answer, pricing_answer
from wan_desktop.core.request import GenerationRequest
from wan_desktop.jobs import live_service
from wan_desktop.jobs.live_refresher import LiveRefresher
from wan_desktop.jobs.live_service import (
    ServiceTarget,
    load_cached,
    resolve,
    resolve_for_cli,
)

FIXTURE = Path(__file__).parents[1] / "core" / "fixtures" / "platform_models_wan.json"
PLATFORM = "https://api.fal.test/v1"
EP = "wan/v2.6/image-to-video/flash"
KEY = "aaaa1111-key-id:bbbbbbbb2222-secret"
OTHER_KEY = "cccc3333-key-id:dddddddd4444-secret"
PRICES = {"prices": [{"endpoint_id": EP, "unit_price": 0.06, "unit": "second", "currency": "USD"}]}


class FakePlatform:
    """A scripted Platform API behind httpx.MockTransport; counts what it is asked."""

    def __init__(self):
        self.models: object = json.loads(FIXTURE.read_text(encoding="utf-8"))
        self.models_status = 200
        self.price_status = 200
        self.delay_s = 0.0
        self.raw: bytes | None = None
        self.asked: list[str] = []

    async def __call__(self, request: httpx.Request) -> httpx.Response:
        self.asked.append(request.url.path)
        if self.delay_s:
            await asyncio.sleep(self.delay_s)
        if self.raw is not None:
            return httpx.Response(200, content=self.raw)
        if request.url.path.endswith("/pricing"):
            if self.price_status != 200:
                return httpx.Response(self.price_status, json={"detail": "Admin keys only."})
            return httpx.Response(200, json=PRICES)
        return httpx.Response(self.models_status, json=self.models)

    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self)


@pytest.fixture(autouse=True)
def restore_current():
    schema, price = model_schema.current_schema(), pricing.current_price()
    yield
    model_schema.set_current_schema(schema)
    pricing.set_current_price(price)


@pytest.fixture
def fake() -> FakePlatform:
    return FakePlatform()


async def run(fake: FakePlatform, target: ServiceTarget | None = None, **kw):
    target = target or ServiceTarget(PLATFORM, KEY)
    return await resolve(app_paths(), target, transport=fake.transport(), **kw)


def write_cache(kind: str, payload: dict, *, age_s: float, key: str | None = KEY) -> None:
    record = CacheRecord.new(
        endpoint_id=EP,
        service_url=PLATFORM,
        key=key,
        payload=payload,
        fetched_at=time.time() - age_s,
    )
    ServiceCache.for_paths(app_paths()).save(kind, record)


def cached_openapi() -> dict:
    return {"openapi": json.loads(FIXTURE.read_text(encoding="utf-8"))["models"][0]["openapi"]}


@pytest.mark.asyncio
async def test_live_answers_are_used_and_cached(fake):
    info = await run(fake)
    assert info.schema.source == "live" and info.schema.max_chars("prompt") == 1200
    assert info.price.source == "account" and info.price.unit_price_usd == 0.06
    assert info.live_ok and info.notes == ()
    assert sorted(fake.asked) == ["/v1/models", "/v1/models/pricing"]
    cache = ServiceCache.for_paths(app_paths())
    assert cache.load("schema") is not None and cache.load("price") is not None
    for path in cache.folder.iterdir():
        text = path.read_text(encoding="utf-8")
        assert KEY not in text and KEY.split(":")[1] not in text


@pytest.mark.asyncio
async def test_a_fresh_cache_asks_nothing_and_a_new_key_asks_again(fake):
    await run(fake)
    fake.asked.clear()
    info = await run(fake)
    assert fake.asked == []
    assert info.schema.source == "cache" and info.schema.max_chars("prompt") == 1200
    assert info.price.source == "account"
    await run(fake, ServiceTarget(PLATFORM, OTHER_KEY))
    assert sorted(fake.asked) == ["/v1/models", "/v1/models/pricing"]


@pytest.mark.asyncio
async def test_a_stale_cache_is_refreshed(fake):
    write_cache("schema", {"openapi": {"paths": {}}}, age_s=DAY_S + 60)
    info = await run(fake)
    assert "/v1/models" in fake.asked and info.schema.source == "live"


@pytest.mark.asyncio
async def test_401_on_the_price_means_the_bundled_table(fake):
    fake.price_status = 401
    write_cache("price", {"unit_price": 0.01}, age_s=DAY_S * 2)
    info = await run(fake)
    assert info.price == pricing.PriceQuote.bundled()
    assert info.schema.source == "live"
    assert any("401" in note and "bundled" in note for note in info.notes)
    assert not info.live_ok


@pytest.mark.asyncio
async def test_a_timeout_falls_back_to_the_cache(fake):
    write_cache("schema", cached_openapi(), age_s=DAY_S * 3)
    write_cache("price", {"unit_price": 0.065}, age_s=DAY_S * 3)
    fake.delay_s = 5
    started = time.monotonic()
    info = await run(fake, timeout_s=0.2)
    assert time.monotonic() - started < 2
    assert info.schema.source == "cache" and info.schema.max_chars("prompt") == 1200
    assert info.price.source == "account" and info.price.unit_price_usd == 0.065
    assert any("did not answer" in n for n in info.notes)


@pytest.mark.asyncio
async def test_a_price_cached_for_another_key_is_not_this_accounts(fake):
    write_cache("price", {"unit_price": 0.065}, age_s=10, key=OTHER_KEY)
    fake.delay_s = 5
    info = await run(fake, timeout_s=0.1)
    assert info.price == pricing.PriceQuote.bundled()


@pytest.mark.asyncio
async def test_garbage_is_ignored_and_the_bundled_table_used(fake):
    fake.raw = b"<html>not json</html>"
    info = await run(fake)
    assert info.schema.source == "bundled" and info.schema.max_chars("prompt") == 1500
    assert info.price.source == "bundled"
    assert ServiceCache.for_paths(app_paths()).load("schema") is None


@pytest.mark.asyncio
async def test_offline_is_free_and_asks_no_price(fake):
    info = await run(fake, ServiceTarget(PLATFORM, KEY, offline=True))
    assert info.price == pricing.PriceQuote.offline()
    assert fake.asked == ["/v1/models"]


@pytest.mark.asyncio
async def test_no_key_asks_the_schema_only(fake):
    info = await run(fake, ServiceTarget(PLATFORM, None))
    assert fake.asked == ["/v1/models"] and info.price.source == "bundled"


@pytest.mark.asyncio
async def test_a_service_on_this_machine_is_followed_but_not_cached(fake):
    target = ServiceTarget("http://127.0.0.1:8123/v1", KEY)
    info = await run(fake, target)
    assert info.schema.max_chars("prompt") == 1200
    assert not ServiceCache.for_paths(app_paths()).folder.exists()
    await run(fake, target)
    assert fake.asked.count("/v1/models") == 2


@pytest.mark.asyncio
async def test_cli_applies_the_live_table_so_validation_follows(fake):
    info = await resolve_for_cli(
        app_paths(), key=KEY, platform_url=PLATFORM, transport=fake.transport()
    )
    assert model_schema.current_schema() is info.schema
    assert pricing.current_price() is info.price
    [problem] = GenerationRequest(prompt="x" * 1300, image="/tmp/i.png").validate()
    assert problem.field == "prompt" and "1200" in problem.message
    assert pricing.estimate("1080p", 5).label == "fal's price for your account"


@pytest.mark.asyncio
async def test_cli_with_the_platform_unreachable_waits_about_a_second(fake):
    fake.delay_s = 30
    started = time.monotonic()
    info = await resolve_for_cli(
        app_paths(), key=KEY, platform_url=PLATFORM, transport=fake.transport()
    )
    assert time.monotonic() - started < 1.5
    assert info.schema.source == "bundled" and not info.live_ok


@pytest.mark.asyncio
async def test_cli_reads_fal_platform_url_and_survives_a_bad_one(fake, monkeypatch):
    monkeypatch.setenv("FAL_PLATFORM_URL", "https://platform.other.test/v1")
    await resolve_for_cli(app_paths(), key=None, transport=fake.transport())
    assert fake.asked == ["/v1/models"]
    info = await resolve_for_cli(
        app_paths(), key=KEY, environ={"FAL_PLATFORM_URL": "http://remote.example/v1"}
    )
    assert info.schema.source == "bundled" and "FAL_PLATFORM_URL" in info.notes[0]


def test_load_cached_for_the_first_paint(fake):
    target = ServiceTarget(PLATFORM, KEY)
    assert load_cached(app_paths(), target).schema.source == "bundled"
    write_cache("schema", cached_openapi(), age_s=DAY_S * 10)
    write_cache("price", {"unit_price": 0.065}, age_s=DAY_S * 10)
    info = load_cached(app_paths(), target)
    assert info.schema.source == "cache" and info.schema.max_chars("prompt") == 1200
    assert info.price.unit_price_usd == 0.065
    assert load_cached(app_paths(), ServiceTarget(PLATFORM, OTHER_KEY)).price.source == "bundled"


@pytest.mark.asyncio
async def test_refresher_reports_and_asks_again_when_the_key_changes(fake):
    updates = []
    refresher = LiveRefresher(
        app_paths(), ServiceTarget(PLATFORM, KEY), updates.append, transport=fake.transport()
    )
    task = asyncio.create_task(refresher.run())
    try:
        await _until(lambda: len(updates) == 1)
        assert updates[0].schema.max_chars("prompt") == 1200
        assert model_schema.current_schema() is updates[0].schema
        refresher.set_target(ServiceTarget(PLATFORM, KEY))  # unchanged: nothing to do
        await asyncio.sleep(0.05)
        assert len(updates) == 1
        fake.asked.clear()
        refresher.set_target(ServiceTarget(PLATFORM, OTHER_KEY))
        await _until(lambda: len(updates) == 2)
        assert "/v1/models/pricing" in fake.asked
    finally:
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task


@pytest.mark.asyncio
async def test_refresher_survives_a_failing_listener_and_retries_after_failure(fake):
    fake.models_status = 503
    calls = []

    def listener(info):
        calls.append(info)
        raise RuntimeError("boom")

    refresher = LiveRefresher(
        app_paths(),
        ServiceTarget(PLATFORM, KEY),
        listener,
        transport=fake.transport(),
        retry_after_s=0.05,
    )
    task = asyncio.create_task(refresher.run())
    try:
        await _until(lambda: len(calls) >= 2)
        assert calls[0].schema.source == "bundled"
    finally:
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task


async def _until(condition, timeout_s: float = 5.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        await asyncio.sleep(0.01)


@pytest.mark.asyncio
async def test_no_client_is_opened_while_the_cache_is_fresh(fake, monkeypatch):
    await run(fake)
    opened = []
    real = live_service._new_client
    monkeypatch.setattr(live_service, "_new_client", lambda t: opened.append(t) or real(t))
    await run(fake)
    assert opened == []


@pytest.mark.asyncio
async def test_a_given_client_is_used_and_left_open(fake):
    async with httpx.AsyncClient(transport=fake.transport()) as client:
        info = await resolve(app_paths(), ServiceTarget(PLATFORM, KEY), client=client)
        assert info.schema.source == "live" and not client.is_closed


@pytest.mark.asyncio
async def test_the_budget_counts_opening_the_client(fake, monkeypatch):
    real = live_service._new_client

    def slow_client(transport):
        time.sleep(0.5)  # a slow TLS set-up (it runs in a worker thread)
        return real(transport)

    monkeypatch.setattr(live_service, "_new_client", slow_client)
    fake.delay_s = 30
    started = time.monotonic()
    await resolve_for_cli(app_paths(), key=KEY, platform_url=PLATFORM, transport=fake.transport())
    assert time.monotonic() - started < 1.4


@pytest.mark.asyncio
async def test_a_stand_in_on_a_real_socket_is_followed():
    """A fal stand-in on loopback publishing its own prompt limit, an extra field and a price."""
    bundled = ModelSchema.bundled()
    changed = bundled.replace(
        inputs={
            **bundled.inputs,
            "prompt": dataclasses.replace(bundled.spec("prompt"), max_chars=1111),
            "loop_video": InputSpec("loop_video", "Loop video", "boolean", default=False),
        }
    )
    bodies = {
        "/v1/models": json.dumps(models_answer(changed)).encode(),
        "/v1/models/pricing": json.dumps(pricing_answer(EP, 0.09)).encode(),
    }
    seen_keys = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            seen_keys.append(self.headers.get("Authorization"))
            body = bodies[self.path.split("?")[0]]
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_port}/v1"
        info = await resolve_for_cli(app_paths(), key=KEY, platform_url=url, timeout_s=5)
    finally:
        server.shutdown()
        server.server_close()
    assert info.schema.max_chars("prompt") == 1111 and info.live_ok
    assert pricing.estimate("1080p", 10).amount_usd == pytest.approx(0.9)
    assert parse_param("loop_video=true") == ("loop_video", True)
    [problem] = GenerationRequest(prompt="p" * 1112, image="/tmp/i.png").validate()
    assert "1111" in problem.message
    assert seen_keys == [f"Key {KEY}", f"Key {KEY}"]
