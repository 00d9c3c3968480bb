"""fal's Platform API client: schema and price, and every way the service can fail to give one."""

from __future__ import annotations

import asyncio
import json
import socket
import time
from pathlib import Path

import httpx
import pytest

from wan_desktop.core.pricing import PriceQuote
from wan_desktop.fal.platform import (
    MAX_ANSWER_BYTES,
    LiveSchema,
    Unavailable,
    fetch_model_schema,
    fetch_price,
)

FIXTURE = Path(__file__).parents[1] / "core" / "fixtures" / "platform_models_wan.json"
PLATFORM = "https://api.fal.test/v1"
EP = "wan/v2.6/image-to-video/flash"
KEY = "0123abcd-key-id:fedcba9876543210-secret"
PRICES = {
    "prices": [{"endpoint_id": EP, "unit_price": 0.07, "unit": "second", "currency": "USD"}],
    "next_cursor": None,
    "has_more": False,
}


def models_answer() -> dict:
    return json.loads(FIXTURE.read_text(encoding="utf-8"))


def client_for(handler) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.MockTransport(handler))


def answer(status: int = 200, body: object = None, raw: bytes | None = None):
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if raw is not None:
            return httpx.Response(status, content=raw)
        return httpx.Response(status, json=body)

    handler.seen = seen  # type: ignore[attr-defined]
    return handler


@pytest.mark.asyncio
async def test_schema_is_asked_with_the_documented_query_and_parsed():
    handler = answer(body=models_answer())
    async with client_for(handler) as client:
        got = await fetch_model_schema(client, PLATFORM + "/", EP, KEY, clock=lambda: 42.0)
    assert isinstance(got, LiveSchema)
    assert got.schema.max_chars("prompt") == 1200 and "loop_video" in got.schema.extras
    assert got.schema.source == "live" and got.fetched_at == 42.0
    assert got.schema.status == "active"
    assert got.openapi["components"]["schemas"]
    [request] = handler.seen
    assert request.url.path == "/v1/models"
    assert dict(request.url.params) == {"endpoint_id": EP, "expand": "openapi-3.0"}
    assert request.headers["authorization"] == f"Key {KEY}"


@pytest.mark.asyncio
async def test_schema_without_a_key_sends_no_authorization():
    handler = answer(body=models_answer())
    async with client_for(handler) as client:
        assert isinstance(await fetch_model_schema(client, PLATFORM, EP), LiveSchema)
    assert "authorization" not in handler.seen[0].headers


@pytest.mark.asyncio
async def test_price_for_the_account():
    handler = answer(body=PRICES)
    async with client_for(handler) as client:
        got = await fetch_price(client, PLATFORM, EP, KEY, clock=lambda: 7.0)
    assert got == PriceQuote(0.07, "account", fetched_at=7.0)
    [request] = handler.seen
    assert request.url.path == "/v1/models/pricing"
    assert dict(request.url.params) == {"endpoint_id": EP}
    assert request.headers["authorization"] == f"Key {KEY}"


@pytest.mark.asyncio
@pytest.mark.parametrize("status", [401, 403])
async def test_a_refused_key_is_unavailable_and_hidden(status):
    detail = {"detail": f"Key {KEY} may not read prices. User is locked."}
    async with client_for(answer(status, detail)) as client:
        got = await fetch_price(client, PLATFORM, EP, KEY)
    assert isinstance(got, Unavailable) and got.refused and got.status_code == status
    assert str(status) in got.reason and "User is locked" in got.reason
    for part in (KEY, *KEY.split(":")):
        assert part not in got.reason


@pytest.mark.asyncio
async def test_no_key_no_price_question():
    handler = answer(body=PRICES)
    async with client_for(handler) as client:
        got = await fetch_price(client, PLATFORM, EP, None)
    assert isinstance(got, Unavailable) and handler.seen == []


@pytest.mark.asyncio
@pytest.mark.parametrize(
    "body",
    [
        {"prices": [{"endpoint_id": EP, "unit_price": 0.07, "unit": "video", "currency": "USD"}]},
        {"prices": [{"endpoint_id": EP, "unit_price": 0.07, "unit": "second", "currency": "EUR"}]},
        {"prices": [{"endpoint_id": EP, "unit_price": -1, "unit": "second", "currency": "USD"}]},
        {
            "prices": [
                {"endpoint_id": EP, "unit_price": "0.07", "unit": "second", "currency": "USD"}
            ]
        },
        {
            "prices": [
                {"endpoint_id": "other", "unit_price": 1, "unit": "second", "currency": "USD"}
            ]
        },
        {"prices": {}},
        [],
    ],
)
async def test_prices_this_app_cannot_use_are_unavailable(body):
    async with client_for(answer(body=body)) as client:
        assert isinstance(await fetch_price(client, PLATFORM, EP, KEY), Unavailable)


@pytest.mark.asyncio
@pytest.mark.parametrize(
    "raw",
    [
        b"<html>gateway</html>",
        b"",
        b'{"models": "no"}',
        b'{"models": [{"endpoint_id": 5}]}',
        b'{"models": [{"endpoint_id": "other/model", "openapi": {}}]}',
        b'{"models": [{"endpoint_id": "wan/v2.6/image-to-video/flash", "openapi": {"paths": {}}}]}',
        b'{"models": [{"endpoint_id": "wan/v2.6/image-to-video/flash"}]}',
    ],
)
async def test_garbage_is_ignored(raw):
    async with client_for(answer(raw=raw)) as client:
        got = await fetch_model_schema(client, PLATFORM, EP, KEY)
    assert isinstance(got, Unavailable) and got.reason


@pytest.mark.asyncio
async def test_an_oversized_answer_is_not_read_whole():
    raw = b'{"models": [' + b" " * (MAX_ANSWER_BYTES + 10) + b"]}"
    async with client_for(answer(raw=raw)) as client:
        assert isinstance(await fetch_model_schema(client, PLATFORM, EP), Unavailable)


@pytest.mark.asyncio
async def test_a_server_error_names_the_status_and_detail():
    async with client_for(answer(503, {"detail": "maintenance"})) as client:
        got = await fetch_model_schema(client, PLATFORM, EP)
    assert isinstance(got, Unavailable) and "503" in got.reason and "maintenance" in got.reason
    assert not got.refused


@pytest.mark.asyncio
async def test_a_slow_server_is_cut_at_the_timeout():
    async def handler(request):
        await asyncio.sleep(5)
        return httpx.Response(200, json=models_answer())

    async with client_for(handler) as client:
        started = time.monotonic()
        got = await fetch_model_schema(client, PLATFORM, EP, timeout_s=0.2)
    assert isinstance(got, Unavailable) and "0.2 s" in got.reason
    assert time.monotonic() - started < 2


@pytest.mark.asyncio
async def test_connection_errors_are_unavailable_with_the_key_hidden():
    def handler(request):
        raise httpx.ConnectError(f"refused while sending {KEY}")

    async with client_for(handler) as client:
        got = await fetch_price(client, PLATFORM, EP, KEY)
    assert isinstance(got, Unavailable) and "could not be reached" in got.reason
    assert KEY not in got.reason and KEY.split(":")[1] not in got.reason


@pytest.mark.asyncio
async def test_the_key_never_goes_over_plain_http_to_another_machine():
    handler = answer(body=models_answer())
    async with client_for(handler) as client:
        await fetch_model_schema(client, "http://platform.example/v1", EP, KEY)
        await fetch_model_schema(client, "http://127.0.0.1:9/v1", EP, KEY)
    assert "authorization" not in handler.seen[0].headers
    assert handler.seen[1].headers["authorization"] == f"Key {KEY}"


@pytest.mark.asyncio
async def test_real_sockets_refused_and_blackholed():
    """Connection refused, and a port that accepts but never answers (a blackhole)."""
    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))
    refused_port = closed.getsockname()[1]
    closed.close()
    hole = socket.socket()
    hole.bind(("127.0.0.1", 0))
    hole.listen(8)
    try:
        async with httpx.AsyncClient(trust_env=False) as client:
            refused = await fetch_model_schema(
                client, f"http://127.0.0.1:{refused_port}/v1", EP, timeout_s=2
            )
            started = time.monotonic()
            silent = await fetch_price(
                client, f"http://127.0.0.1:{hole.getsockname()[1]}/v1", EP, KEY, timeout_s=0.3
            )
            waited = time.monotonic() - started
    finally:
        hole.close()
    assert isinstance(refused, Unavailable) and "could not be reached" in refused.reason
    assert isinstance(silent, Unavailable) and "did not answer" in silent.reason
    assert waited < 1.5


@pytest.mark.asyncio
async def test_a_schema_that_echoes_the_key_is_kept_without_it():
    # Whatever is kept (the cache stores the OpenAPI document) must not hold the key.
    body = models_answer()
    secret = KEY.split(":")[1]
    body["models"][0]["openapi"]["info"] = {"title": f"Key {KEY}", secret: [f"id={secret}"]}
    async with client_for(answer(body=body)) as client:
        got = await fetch_model_schema(client, PLATFORM, EP, KEY)
    assert isinstance(got, LiveSchema)
    kept = json.dumps(got.openapi) + repr(got.schema)
    assert KEY not in kept and secret not in kept
    assert got.schema.max_chars("prompt") == 1200


@pytest.mark.asyncio
async def test_a_deeply_nested_answer_is_unreadable_not_a_crash():
    deep = b"[" * 200_000 + b"]" * 200_000
    raw = b'{"models": [{"endpoint_id": "' + EP.encode() + b'", "openapi": {"a": ' + deep + b"}}]}"
    async with client_for(answer(raw=raw)) as client:
        got = await fetch_model_schema(client, PLATFORM, EP, KEY)
    assert isinstance(got, Unavailable) and "cannot read" in got.reason
