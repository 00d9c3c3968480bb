"""Uploads go to the storage API the app resolves (``FAL_REST_URL``, else the queue's own
server when it is not fal's), plain http only to this machine, and carry the user's
media-expiration preference."""

from __future__ import annotations

import json

import httpx
import pytest
from fal_scripted import KEY, Reply

from wan_desktop.fal import AccountLockedError, FalClient, ProtocolError, RetryPolicy
from wan_desktop.fal.uploads import DEFAULT_REST_URL, rest_url_for

FAST = RetryPolicy(max_attempts=2, base_delay_s=0.001, max_delay_s=0.01)
LIFECYCLE = "x-fal-object-lifecycle-preference"


def token_reply(scripted) -> Reply:
    return Reply(
        json={
            "token": "cdn-token",
            "token_type": "Bearer",
            "base_url": scripted.base_url,
            "expires_at": "2999-01-01T00:00:00+00:00",
        }
    )


def script_cdn(scripted) -> None:
    scripted.add("POST", "/storage/auth/token", token_reply(scripted))
    scripted.add("POST", "/files/upload", Reply(json={"access_url": "https://cdn.test/f"}))


@pytest.mark.asyncio
async def test_fal_rest_url_names_where_uploads_go(scripted, monkeypatch):
    monkeypatch.setenv("FAL_REST_URL", scripted.base_url + "/")
    script_cdn(scripted)
    async with FalClient(KEY, base_url="https://queue.fal.run", retry=FAST) as c:
        assert c.rest_url == scripted.base_url
        assert await c.upload(b"png", "image/png", "a.png") == "https://cdn.test/f"
    (tok,) = scripted.requests_to("POST", "/storage/auth/token")
    assert tok.headers["authorization"] == f"Key {KEY}"


@pytest.mark.asyncio
async def test_another_queue_server_gets_the_uploads_too(scripted, monkeypatch):
    monkeypatch.delenv("FAL_REST_URL", raising=False)
    script_cdn(scripted)
    async with FalClient(KEY, base_url=scripted.base_url + "/queue", retry=FAST) as c:
        assert c.rest_url == scripted.base_url
        await c.upload(b"png", "image/png", "a.png")
    assert len(scripted.requests_to("POST", "/files/upload")) == 1


@pytest.mark.parametrize(
    ("queue", "env", "expected"),
    [
        ("https://queue.fal.run", {}, DEFAULT_REST_URL),
        ("https://queue.fal.run/", {"FAL_REST_URL": "https://rest.test/"}, "https://rest.test"),
        ("http://127.0.0.1:9000", {}, "http://127.0.0.1:9000"),
        ("https://fal.example.org/q", {}, "https://fal.example.org"),
        ("http://127.0.0.1:9000", {"FAL_REST_URL": "https://rest.test"}, "https://rest.test"),
    ],
)
def test_rest_url_precedence(queue, env, expected):
    assert rest_url_for(queue, env) == expected


@pytest.mark.asyncio
async def test_plain_http_storage_is_refused_unless_on_this_machine(monkeypatch):
    calls = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        return httpx.Response(500)

    monkeypatch.setenv("FAL_REST_URL", "http://storage.example.com")
    transport = httpx.MockTransport(handler)
    async with FalClient(KEY, base_url="https://queue.fal.run", transport=transport) as c:
        with pytest.raises(ProtocolError, match="FAL_REST_URL"):
            await c.upload(b"png", "image/png", "a.png")
    explicit = FalClient(
        KEY, base_url="https://queue.fal.run", rest_url="http://storage.example.com",
        transport=transport,
    )  # fmt: skip
    async with explicit as c:
        with pytest.raises(ProtocolError, match="not https"):
            await c.upload(b"png", "image/png", "a.png")
    assert calls == []  # the key went nowhere


@pytest.mark.asyncio
async def test_uploads_carry_the_media_expiration_preference(scripted):
    script_cdn(scripted)
    async with FalClient(KEY, base_url=scripted.base_url, retry=FAST) as c:
        await c.upload(b"png", "image/png", "a.png", expires_in_s=7200)
        await c.upload(b"png", "image/png", "b.png")
    first, second = scripted.requests_to("POST", "/files/upload")
    assert json.loads(first.headers[LIFECYCLE]) == {"expiration_duration_seconds": 7200}
    assert LIFECYCLE not in second.headers


@pytest.mark.asyncio
async def test_the_storage_fallback_carries_the_preference_too(scripted):
    scripted.add("POST", "/storage/auth/token", token_reply(scripted))
    scripted.add("POST", "/files/upload", Reply(500, json={"detail": "cdn down"}))
    scripted.add(
        "POST",
        "/storage/upload/initiate",
        Reply(json={"upload_url": scripted.base_url + "/put?sig=s", "file_url": "https://f"}),
    )
    scripted.add("PUT", "/put", Reply(200))
    async with FalClient(KEY, base_url=scripted.base_url, retry=FAST) as c:
        assert await c.upload(b"d", "audio/mpeg", "a.mp3", expires_in_s=3600) == "https://f"
    (init,) = scripted.requests_to("POST", "/storage/upload/initiate")
    assert json.loads(init.headers[LIFECYCLE]) == {"expiration_duration_seconds": 3600}


@pytest.mark.asyncio
async def test_a_locked_account_does_not_fall_back(scripted):
    locked = {"detail": "User is locked. Reason: Exhausted balance."}
    scripted.add("POST", "/storage/auth/token", Reply(403, json=locked))
    async with FalClient(KEY, base_url=scripted.base_url, retry=FAST) as c:
        with pytest.raises(AccountLockedError):
            await c.upload(b"a", "image/png", "a.png")
    assert scripted.requests_to("POST", "/storage/upload/initiate") == []
