"""FalClient against the scripted server on a real loopback socket: URLs, headers, retries,
the submit rule, status/watch (stream + fallback), result, cancel, upload, key hygiene."""

from __future__ import annotations

import asyncio
import json
import logging
import socket

import pytest
from fal_scripted import KEY, Reply

from wan_desktop.fal import (
    AuthError,
    CancelOutcome,
    Completed,
    ContentPolicyError,
    FalClient,
    InProgress,
    NetworkError,
    ProtocolError,
    Queued,
    RequestFailedError,
    RequestHandle,
    RequestTimeoutError,
    ResultExpiredError,
    RetryPolicy,
    ServiceError,
)

MODEL = "wan/v2.6/image-to-video/flash"
ROOT = "/wan/v2.6/requests/r1"
FAST = RetryPolicy(max_attempts=4, base_delay_s=0.001, max_delay_s=0.01)


def client(scripted, key=KEY, **kw) -> FalClient:
    kw.setdefault("retry", FAST)
    kw.setdefault("stream_idle_timeout_s", 0.5)
    return FalClient(key, base_url=scripted.base_url, rest_url=scripted.base_url, **kw)


def handle(scripted) -> RequestHandle:
    return RequestHandle.from_base(scripted.base_url, MODEL, "r1")


def submitted(scripted, **extra) -> Reply:
    base = scripted.base_url + ROOT
    return Reply(
        json={
            "request_id": "r1",
            "status_url": base + "/status",
            "response_url": base,
            "cancel_url": base + "/cancel",
            "status": "IN_QUEUE",
            "queue_position": 0,
            **extra,
        }
    )


def sse(*objs) -> list[str | float]:
    return [f"data: {json.dumps(o)}\n\n" for o in objs]


QUEUED = {"status": "IN_QUEUE", "queue_position": 1}
DONE = {"status": "COMPLETED", "logs": None, "metrics": {"inference_time": 1.0}}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# -- handles and URLs ----------------------------------------------------------------------


def test_handle_from_base_and_round_trip():
    h = RequestHandle.from_base("https://queue.fal.run/", MODEL, "abc")
    assert h.status_url == "https://queue.fal.run/wan/v2.6/requests/abc/status"
    assert h.response_url == "https://queue.fal.run/wan/v2.6/requests/abc"
    assert h.cancel_url == "https://queue.fal.run/wan/v2.6/requests/abc/cancel"
    assert RequestHandle.from_dict(json.loads(json.dumps(h.to_dict()))) == h
    with pytest.raises(ProtocolError):
        RequestHandle.from_dict({"request_id": "x"})
    with pytest.raises(ValueError):
        RequestHandle.from_base("https://q", "wan", "abc")


def test_base_url_from_env(monkeypatch):
    monkeypatch.setenv("FAL_QUEUE_URL", "http://127.0.0.1:9/")
    c = FalClient(KEY)
    assert c.base_url == "http://127.0.0.1:9"
    assert "127.0.0.1" in c.allow_http_hosts
    monkeypatch.delenv("FAL_QUEUE_URL")
    c = FalClient(KEY)
    assert c.base_url == "https://queue.fal.run"
    assert not c.allow_http_hosts


# -- submit --------------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_submit_sends_key_headers_and_body_and_uses_returned_urls(scripted):
    other = scripted.base_url + "/elsewhere/r1"
    scripted.add("POST", "/" + MODEL, submitted(scripted, status_url=other + "/status"))
    async with client(scripted) as c:
        h = await c.submit(
            MODEL, {"prompt": "a cat"}, priority="low", start_timeout_s=30, media_expiry_s=3600
        )
    assert h.request_id == "r1" and h.endpoint_id == MODEL
    assert h.status_url == other + "/status"
    assert h.response_url == scripted.base_url + ROOT
    (seen,) = scripted.requests_to("POST", "/" + MODEL)
    assert seen.headers["authorization"] == f"Key {KEY}"
    assert seen.headers["x-fal-queue-priority"] == "low"
    assert seen.headers["x-fal-request-timeout"] == "30"
    assert json.loads(seen.headers["x-fal-object-lifecycle-preference"]) == {
        "expiration_duration_seconds": 3600
    }
    assert json.loads(seen.body) == {"prompt": "a cat"}


@pytest.mark.asyncio
async def test_submit_builds_urls_when_the_server_gives_none(scripted):
    scripted.add("POST", "/" + MODEL, Reply(json={"request_id": "r1"}))
    async with client(scripted) as c:
        assert await c.submit(MODEL, {}) == handle(scripted)


@pytest.mark.asyncio
@pytest.mark.parametrize("key", [None, "", "   "])
async def test_no_key_fails_before_any_request(scripted, key):
    async with client(scripted, key=key) as c:
        with pytest.raises(AuthError, match="FAL_KEY"):
            await c.submit(MODEL, {})
        with pytest.raises(AuthError):
            await c.status(handle(scripted))
    assert scripted.seen == []


@pytest.mark.asyncio
async def test_submit_retried_on_429_with_retry_after_and_ingress_503(scripted):
    scripted.add(
        "POST",
        "/" + MODEL,
        Reply(429, json={"detail": "slow down"}, headers={"Retry-After": "0.05"}),
        Reply(503, body=b"<html>nginx</html>"),
        submitted(scripted),
    )
    delays = []

    async def record(s):
        delays.append(s)
        await asyncio.sleep(s)

    async with client(scripted, sleep=record) as c:
        h = await c.submit(MODEL, {})
    assert h.request_id == "r1"
    assert len(scripted.requests_to("POST", "/" + MODEL)) == 3
    assert delays[0] == pytest.approx(0.05)


@pytest.mark.asyncio
async def test_submit_not_repeated_after_a_dropped_connection(scripted):
    scripted.add("POST", "/" + MODEL, Reply(drop=True), submitted(scripted))
    async with client(scripted) as c:
        with pytest.raises(NetworkError) as info:
            await c.submit(MODEL, {"prompt": "x"})
    assert info.value.maybe_submitted and info.value.retryable
    assert "billed twice" in str(info.value)
    assert len(scripted.requests_to("POST", "/" + MODEL)) == 1


@pytest.mark.asyncio
async def test_submit_not_repeated_after_a_read_timeout(scripted):
    scripted.add("POST", "/" + MODEL, Reply(delay_s=1.0, json={"request_id": "r1"}))
    async with client(scripted, timeout_s=0.2) as c:
        with pytest.raises(NetworkError) as info:
            await c.submit(MODEL, {})
    assert info.value.maybe_submitted
    assert len(scripted.requests_to("POST", "/" + MODEL)) == 1


@pytest.mark.parametrize(
    ("reply", "cls", "maybe"),
    [
        (Reply(500, json={"detail": "boom"}), ServiceError, True),
        (Reply(502, body=b"bad gateway"), ServiceError, True),
        (Reply(503, json={"detail": "x"}, headers={"x-fal-request-id": "g"}), ServiceError, True),
        (Reply(400, json={"detail": "bad"}), ServiceError, False),
        (Reply(401, json={"detail": "who"}), AuthError, False),
    ],
)
@pytest.mark.asyncio
async def test_submit_errors_not_retried(scripted, reply, cls, maybe):
    scripted.add("POST", "/" + MODEL, reply, submitted(scripted))
    async with client(scripted) as c:
        with pytest.raises(cls) as info:
            await c.submit(MODEL, {})
    assert info.value.maybe_submitted is maybe
    assert len(scripted.requests_to("POST", "/" + MODEL)) == 1


@pytest.mark.asyncio
async def test_submit_moderation_maps_to_prompt(scripted):
    detail = [{"loc": ["body", "prompt"], "msg": "flagged", "type": "content_policy_violation"}]
    scripted.add("POST", "/" + MODEL, Reply(422, json={"detail": detail}))
    async with client(scripted) as c:
        with pytest.raises(ContentPolicyError) as info:
            await c.submit(MODEL, {})
    assert info.value.fields == ["prompt"] and info.value.refused


@pytest.mark.asyncio
async def test_submit_connection_refused_is_retried_then_says_nothing_was_sent(tmp_path):
    c = FalClient(KEY, base_url=f"http://127.0.0.1:{free_port()}", retry=FAST)
    async with c:
        with pytest.raises(NetworkError) as info:
            await c.submit(MODEL, {})
    assert not info.value.maybe_submitted
    assert "after 4 attempts" in str(info.value) and "Nothing was sent" in str(info.value)


@pytest.mark.asyncio
async def test_submit_answer_without_request_id_is_a_protocol_error(scripted):
    scripted.add("POST", "/" + MODEL, Reply(json={"status": "IN_QUEUE"}))
    async with client(scripted) as c:
        with pytest.raises(ProtocolError):
            await c.submit(MODEL, {})


@pytest.mark.asyncio
async def test_key_is_not_sent_to_a_plain_http_non_loopback_status_url(scripted):
    bad = "http://example.invalid/wan/v2.6/requests/r1"
    scripted.add("POST", "/" + MODEL, submitted(scripted, status_url=bad + "/status"))
    async with client(scripted) as c:
        with pytest.raises(ProtocolError, match="Refusing to send the key"):
            await c.submit(MODEL, {})


# -- status ---------------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_status_retries_idempotent_gets(scripted):
    scripted.add(
        "GET",
        ROOT + "/status",
        Reply(drop=True),
        Reply(502, body=b"bad gateway"),
        Reply(409, json={}),
        Reply(202, json=QUEUED),
    )
    async with client(scripted) as c:
        assert await c.status(handle(scripted)) == Queued(1)
    seen = scripted.requests_to("GET", ROOT + "/status")
    assert len(seen) == 4
    assert seen[-1].query == {"logs": ["1"]}
    assert seen[-1].headers["authorization"] == f"Key {KEY}"


@pytest.mark.asyncio
async def test_status_500_not_retried(scripted):
    scripted.add("GET", ROOT + "/status", Reply(500, json={"detail": "x"}), Reply(json=QUEUED))
    async with client(scripted) as c:
        with pytest.raises(ServiceError) as info:
            await c.status(handle(scripted), logs=False)
    assert info.value.status_code == 500
    assert len(scripted.requests_to("GET", ROOT + "/status")) == 1


@pytest.mark.asyncio
async def test_504_user_timeout_not_retried(scripted):
    scripted.add(
        "GET",
        ROOT + "/status",
        Reply(504, json={"detail": "late"}, headers={"X-Fal-Request-Timeout-Type": "user"}),
        Reply(json=QUEUED),
    )
    async with client(scripted) as c:
        with pytest.raises(RequestTimeoutError):
            await c.status(handle(scripted))
    assert len(scripted.requests_to("GET", ROOT + "/status")) == 1


@pytest.mark.asyncio
async def test_retry_after_http_date_is_honoured(scripted):
    scripted.add(
        "GET",
        ROOT + "/status",
        Reply(429, json={}, headers={"Retry-After": "Wed, 21 Oct 2015 07:28:00 GMT"}),
        Reply(json=DONE),
    )
    delays = []

    async def record(s):
        delays.append(s)

    async with client(scripted, sleep=record) as c:
        assert isinstance(await c.status(handle(scripted)), Completed)
    assert delays == [0.0]  # a date in the past: retry at once


@pytest.mark.asyncio
async def test_unknown_state_is_a_protocol_error(scripted):
    scripted.add("GET", ROOT + "/status", Reply(json={"status": "PAUSED"}))
    async with client(scripted) as c:
        with pytest.raises(ProtocolError, match="PAUSED"):
            await c.status(handle(scripted))


@pytest.mark.asyncio
async def test_status_gives_up_after_max_attempts(scripted):
    scripted.add("GET", ROOT + "/status", Reply(drop=True))
    async with client(scripted) as c:
        with pytest.raises(NetworkError, match="after 4 attempts"):
            await c.status(handle(scripted))
    assert len(scripted.requests_to("GET", ROOT + "/status")) == 4


# -- watch ----------------------------------------------------------------------------------


def line(ts: str, msg: str) -> dict:
    return {"message": msg, "level": "INFO", "source": "user", "timestamp": ts}


async def collect(c, h, **kw):
    return [s async for s in c.watch(h, **kw)]


@pytest.mark.asyncio
async def test_watch_streams_changes_with_deduped_logs(scripted):
    events = sse(
        {"status": "IN_QUEUE", "queue_position": 2},
        {"status": "IN_QUEUE", "queue_position": 2},
        {"status": "IN_QUEUE", "queue_position": 0},
        {"status": "IN_PROGRESS", "logs": [line("1", "a")]},
        {"status": "IN_PROGRESS", "logs": [line("1", "a")]},
        {"status": "IN_PROGRESS", "logs": [line("1", "a"), line("2", "b")]},
        {"status": "IN_PROGRESS", "logs": [line("2", "b"), line("3", "c")]},
        {"status": "COMPLETED", "logs": [line("3", "c")], "metrics": {}},
    )
    scripted.add("GET", ROOT + "/status/stream", Reply(events=[": keep-alive\n\n", *events]))
    async with client(scripted) as c:
        got = await collect(c, handle(scripted))
    assert got == [
        Queued(2),
        Queued(0),
        InProgress(_entries(("1", "a"))),
        InProgress(_entries(("2", "b"))),
        InProgress(_entries(("3", "c"))),
        Completed((), {}, None, None),
    ]
    assert scripted.requests_to("GET", ROOT + "/status") == []
    (seen,) = scripted.requests_to("GET", ROOT + "/status/stream")
    assert seen.headers["authorization"] == f"Key {KEY}"


def _entries(*pairs):
    from wan_desktop.fal import LogEntry

    return tuple(LogEntry(m, "INFO", "user", ts) for ts, m in pairs)


@pytest.mark.asyncio
async def test_watch_falls_back_to_polling_when_the_stream_breaks(scripted):
    scripted.add("GET", ROOT + "/status/stream", Reply(events=sse(QUEUED)))  # closes early
    scripted.add(
        "GET",
        ROOT + "/status",
        Reply(202, json=QUEUED),
        Reply(202, json={"status": "IN_PROGRESS", "logs": [line("1", "a")]}),
        Reply(json=DONE),
    )
    async with client(scripted) as c:
        got = await collect(c, handle(scripted))
    assert got[0] == Queued(1)
    assert got[-1] == Completed((), {"inference_time": 1.0}, None, None)
    assert InProgress(_entries(("1", "a"))) in got
    assert len(scripted.requests_to("GET", ROOT + "/status")) == 3


@pytest.mark.asyncio
async def test_watch_survives_a_silent_stream(scripted):
    scripted.add("GET", ROOT + "/status/stream", Reply(events=[*sse(QUEUED), 30.0]))
    scripted.add("GET", ROOT + "/status", Reply(json=DONE))
    async with client(scripted, stream_idle_timeout_s=0.3) as c:
        got = await collect(c, handle(scripted))
    assert got == [Queued(1), Completed((), {"inference_time": 1.0}, None, None)]


@pytest.mark.asyncio
async def test_watch_falls_back_when_the_stream_is_refused_or_garbled(scripted):
    scripted.add(
        "GET",
        ROOT + "/status/stream",
        Reply(404, json={"detail": "no stream"}),
    )
    scripted.add("GET", ROOT + "/status", Reply(json=DONE))
    async with client(scripted) as c:
        got = await collect(c, handle(scripted))
    assert isinstance(got[-1], Completed)
    scripted.routes.clear()
    scripted.add("GET", ROOT + "/status/stream", Reply(events=["data: {not json\n\n"]))
    scripted.add("GET", ROOT + "/status", Reply(json={**DONE, "error": "e", "error_type": "x"}))
    async with client(scripted) as c:
        got = await collect(c, handle(scripted))
    assert got[-1].error == "e" and not got[-1].ok


@pytest.mark.asyncio
async def test_watch_without_stream_polls_and_raises_persistent_errors(scripted):
    scripted.add("GET", ROOT + "/status", Reply(json={"status": "WEIRD"}))
    async with client(scripted) as c:
        with pytest.raises(ProtocolError):
            await collect(c, handle(scripted), stream=False)
    assert scripted.requests_to("GET", ROOT + "/status/stream") == []


# -- result and cancel ---------------------------------------------------------------------


@pytest.mark.asyncio
async def test_result_returns_json_and_remembers_the_request_id(scripted):
    out = {"video": {"url": "https://v3.fal.media/x.mp4"}, "seed": 7}
    scripted.add("GET", ROOT, Reply(json=out, headers={"x-fal-request-id": "gw-1"}))
    async with client(scripted) as c:
        h = handle(scripted)
        assert await c.result(h) == out
        assert c.served_by(h) == "gw-1"


@pytest.mark.asyncio
async def test_result_404_is_expired(scripted):
    scripted.add("GET", ROOT, Reply(404, json={"detail": "gone"}))
    async with client(scripted) as c:
        with pytest.raises(ResultExpiredError):
            await c.result(handle(scripted))


@pytest.mark.asyncio
async def test_result_of_a_failed_request_raises_request_failed(scripted):
    scripted.add("GET", ROOT, Reply(500, json={"detail": "runner died"}))
    scripted.add(
        "GET",
        ROOT + "/status",
        Reply(json={"status": "COMPLETED", "error": "runner died", "error_type": "runner_error"}),
    )
    async with client(scripted) as c:
        with pytest.raises(RequestFailedError) as info:
            await c.result(handle(scripted))
    assert info.value.error_type == "runner_error" and "runner died" in str(info.value)


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("reply", "expected"),
    [
        (Reply(200, json={"status": "OK"}), CancelOutcome.REMOVED),
        (Reply(202, json={"status": "CANCELLATION_REQUESTED"}), CancelOutcome.REQUESTED),
        (Reply(400, json={"status": "ALREADY_COMPLETED"}), CancelOutcome.ALREADY_COMPLETED),
        (Reply(404, json={"status": "NOT_FOUND"}), CancelOutcome.NOT_FOUND),
        (Reply(404, body=b"Not Found"), CancelOutcome.NOT_FOUND),
    ],
)
async def test_cancel_outcomes(scripted, reply, expected):
    scripted.add("PUT", ROOT + "/cancel", reply)
    async with client(scripted) as c:
        assert await c.cancel(handle(scripted)) is expected
    (seen,) = scripted.requests_to("PUT", ROOT + "/cancel")
    assert seen.body == b""


# -- upload ---------------------------------------------------------------------------------


def token_reply(scripted, expires="2999-01-01T00:00:00+00:00") -> Reply:
    return Reply(
        json={
            "token": "cdn-token",
            "token_type": "Bearer",
            "base_url": scripted.base_url,
            "expires_at": expires,
        }
    )


@pytest.mark.asyncio
async def test_upload_uses_a_cached_cdn_token(scripted):
    scripted.add("POST", "/storage/auth/token", token_reply(scripted))
    scripted.add("POST", "/files/upload", Reply(json={"access_url": "https://v3.fal.media/f"}))
    async with client(scripted) as c:
        assert await c.upload(b"png", "image/png", "input.png") == "https://v3.fal.media/f"
        assert await c.upload(b"png2", "image/png", "input.png") == "https://v3.fal.media/f"
    (tok,) = scripted.requests_to("POST", "/storage/auth/token")
    assert tok.query == {"storage_type": ["fal-cdn-v3"]}
    assert tok.headers["authorization"] == f"Key {KEY}"
    up = scripted.requests_to("POST", "/files/upload")
    assert [u.body for u in up] == [b"png", b"png2"]
    assert up[0].headers["authorization"] == "Bearer cdn-token"
    assert up[0].headers["content-type"] == "image/png"
    assert up[0].headers["x-fal-file-name"] == "input.png"


@pytest.mark.asyncio
async def test_upload_refreshes_an_expired_token(scripted):
    scripted.add("POST", "/storage/auth/token", token_reply(scripted, "2000-01-01T00:00:00Z"))
    scripted.add("POST", "/files/upload", Reply(json={"access_url": "https://x/f"}))
    async with client(scripted) as c:
        await c.upload(b"a", "image/png", "a.png")
        await c.upload(b"b", "image/png", "b.png")
    assert len(scripted.requests_to("POST", "/storage/auth/token")) == 2


@pytest.mark.asyncio
async def test_upload_falls_back_to_storage_upload(scripted):
    scripted.add("POST", "/storage/auth/token", token_reply(scripted))
    scripted.add("POST", "/files/upload", Reply(500, json={"detail": "cdn down"}))
    scripted.add(
        "POST",
        "/storage/upload/initiate",
        Reply(json={"upload_url": scripted.base_url + "/put/here?sig=s", "file_url": "https://f"}),
    )
    scripted.add("PUT", "/put/here", Reply(200, body=b""))
    async with client(scripted) as c:
        assert await c.upload(b"data", "audio/mpeg", "a.mp3") == "https://f"
    (init,) = scripted.requests_to("POST", "/storage/upload/initiate")
    assert json.loads(init.body) == {"file_name": "a.mp3", "content_type": "audio/mpeg"}
    (put,) = scripted.requests_to("PUT", "/put/here")
    assert put.body == b"data" and "authorization" not in put.headers


@pytest.mark.asyncio
async def test_upload_auth_error_does_not_fall_back(scripted):
    scripted.add("POST", "/storage/auth/token", Reply(401, json={"detail": "no"}))
    async with client(scripted) as c:
        with pytest.raises(AuthError):
            await c.upload(b"a", "image/png", "a.png")
    assert scripted.requests_to("POST", "/storage/upload/initiate") == []


# -- the key never leaks --------------------------------------------------------------------


@pytest.mark.asyncio
async def test_the_key_never_appears_in_errors_reprs_or_logs(scripted, caplog):
    caplog.set_level(logging.DEBUG)
    echo = {"detail": f"Bad header Authorization: Key {KEY}"}
    scripted.add("POST", "/" + MODEL, Reply(401, json=echo))
    scripted.add("GET", ROOT + "/status", Reply(500, json=echo))
    scripted.add("GET", ROOT + "/status/stream", Reply(500, json=echo))
    scripted.add("GET", ROOT, Reply(422, json={"detail": [{"loc": ["body", KEY], "msg": KEY}]}))
    scripted.add("PUT", ROOT + "/cancel", Reply(409, json=echo))
    texts = []
    async with client(scripted) as c:
        h = handle(scripted)
        texts += [repr(c), str(c), repr(h), str(h), repr(h.to_dict())]
        for call in (
            c.submit(MODEL, {}),
            c.status(h),
            c.result(h),
            c.cancel(h),
            collect(c, h),
        ):
            try:
                await call
            except Exception as exc:
                texts += [str(exc), repr(exc), repr(vars(exc)), repr(exc.args)]
                import traceback

                texts.append("".join(traceback.format_exception(exc)))
            else:
                pytest.fail("expected an error")
    texts.append(caplog.text)
    texts += [r.getMessage() for r in caplog.records]
    for text in texts:
        assert KEY not in text
        assert "sekret" not in text


# -- inline media streamed in the submit body -------------------------------------------------


def _media_bytes(n: int) -> bytes:
    import hashlib

    return b"".join(hashlib.sha256(str(i).encode()).digest() for i in range(n // 32 + 1))[:n]


@pytest.mark.parametrize("size", [1, 2, 3, 786_431, 786_432, 2_500_001])
def test_inline_media_streams_its_data_uri_in_small_pieces(size):
    import base64
    import hashlib

    from wan_desktop.fal.submit import InlineMedia, encode_json_body

    data = _media_bytes(size)
    body = encode_json_body({"prompt": "a “cat”", "image_url": InlineMedia(data, "image/png")})
    streamed = hashlib.sha256()
    total = 0
    for piece in body.pieces():
        assert len(piece) <= 1_048_576  # never one copy of the whole
        streamed.update(piece)
        total += len(piece)
    uri = "data:image/png;base64," + base64.b64encode(data).decode()
    expected = json.dumps({"prompt": "a “cat”", "image_url": uri}, ensure_ascii=False).encode()
    assert total == len(body) == len(expected)
    assert streamed.hexdigest() == hashlib.sha256(expected).hexdigest()
    assert bytes(body) == bytes(body)  # re-iterable: a retry sends it whole again


def test_inline_media_refuses_a_media_type_that_would_break_the_json():
    from wan_desktop.fal.submit import InlineMedia

    with pytest.raises(ValueError):
        InlineMedia(b"x", 'image/png"')


@pytest.mark.asyncio
async def test_submit_with_inline_media_is_sent_whole_with_its_length_on_every_try(scripted):
    import base64

    from wan_desktop.fal.submit import InlineMedia

    data = _media_bytes(1_900_000)
    scripted.add("POST", "/" + MODEL, Reply(429, headers={"Retry-After": "0"}), submitted(scripted))
    async with client(scripted) as c:
        await c.submit(MODEL, {"prompt": "p", "image_url": InlineMedia(data, "image/jpeg")})
    tries = scripted.requests_to("POST", "/" + MODEL)
    assert len(tries) == 2
    for seen in tries:
        assert int(seen.headers["content-length"]) == len(seen.body)
        sent = json.loads(seen.body)
        assert sent["prompt"] == "p"
        assert sent["image_url"] == "data:image/jpeg;base64," + base64.b64encode(data).decode()
        assert KEY not in seen.body.decode()
