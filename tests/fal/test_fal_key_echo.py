"""A service that echoes the key back: in log lines, in the result (nested, in keys too), in
error details, in headers, in URLs. Nothing the client returns or raises may hold the key, in
any form we can know: whole, its ``id`` and ``secret`` halves alone, URL-encoded."""

from __future__ import annotations

import enum
import json
import traceback
from urllib.parse import quote, quote_plus

import httpx
import pytest

from wan_desktop.fal import Completed, FalClient, FalError, LogEntry, RequestHandle, RetryPolicy
from wan_desktop.fal.redact import HIDDEN, KeyRedactor

MODEL = "wan/v2.6/image-to-video/flash"
BASE = "https://queue.test"
ROOT = f"{BASE}/wan/v2.6/requests/r1"
KEY_ID = "0f6b1c2e-1111-2222-3333-444455556666"
KEYS = [
    f"{KEY_ID}:9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d",  # fal's shape: <uuid>:<hex>
    "keyid-0001:se/cr+et=9876",  # a secret URL encoding changes
]


def forms(key: str) -> list[str]:
    """Every form of ``key`` a service could echo: whole, halves, URL-encoded."""
    key_id, _, secret = key.partition(":")
    out = []
    for text in (key, key_id, secret):
        out += [text, quote(text, safe=""), quote_plus(text), quote(text, safe="").lower()]
    return out


def echoes(key: str) -> list[str]:
    key_id, _, secret = key.partition(":")
    return [
        f"Authorization: Key {key}",
        f"secret={secret}",
        f"id={key_id}",
        f"url=https://x/?k={quote(key, safe='')}",
        f"form={quote_plus(key)}",
        f"lower={quote(key, safe='').lower()}",
    ]


def echoing_service(key: str) -> httpx.MockTransport:
    said = " | ".join(echoes(key))
    key_id, _, secret = key.partition(":")
    log_line = {"message": said, "level": "INFO", "source": secret, "timestamp": key_id}
    status = {"status": "IN_PROGRESS", "logs": [log_line]}
    done = {
        "status": "COMPLETED",
        "logs": [log_line],
        "metrics": {said: said},
        "error": said,  # so a failed result() is told with the service's words
        "error_type": secret,
    }
    result = {
        "video": {"url": f"https://v3.fal.media/x.mp4?{said}", said: [said, {"deep": [said]}]},
        "seed": 7,
        "actual_prompt": said,
        said: said,
    }

    def handle(request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if request.method == "POST" and path == f"/{MODEL}":
            return httpx.Response(
                200,
                json={
                    "request_id": "r1",
                    "status_url": f"{ROOT}/status?echo={quote(key, safe='')}",
                    "response_url": ROOT,
                    "cancel_url": f"{ROOT}/cancel",
                },
            )
        if path.endswith("/status/stream"):
            events = "".join(f"data: {json.dumps(o)}\n\n" for o in (status, done))
            return httpx.Response(200, text=events, headers={"content-type": "text/event-stream"})
        if path.endswith("/status"):
            return httpx.Response(200, json=done)
        if path.endswith("/cancel"):
            return httpx.Response(409, json={"detail": said})
        if path == "/wan/v2.6/requests/r1":
            return httpx.Response(200, json=result, headers={"x-fal-request-id": said})
        if path == "/wan/v2.6/requests/bad":
            detail = [{"loc": ["body", said], "msg": said, "type": secret}]
            return httpx.Response(422, json={"detail": detail})
        if path == "/storage/auth/token":
            return httpx.Response(401, json={"detail": said})
        return httpx.Response(500, json={"detail": said, "error_type": secret})

    return httpx.MockTransport(handle)


def error_texts(exc: BaseException) -> list[str]:
    return [str(exc), repr(exc), repr(vars(exc)), repr(exc.args), *traceback.format_exception(exc)]


async def everything_returned(key: str) -> list[str]:
    texts: list[str] = []
    policy = RetryPolicy(max_attempts=1)
    async with FalClient(
        key, base_url=BASE, rest_url=BASE, transport=echoing_service(key), retry=policy
    ) as c:
        h = await c.submit(MODEL, {"prompt": "a cat"})
        texts += [repr(h), json.dumps(h.to_dict())]
        for stream in (True, False):
            texts += [repr(s) async for s in c.watch(h, stream=stream)]
        texts.append(repr(await c.status(h)))
        texts.append(json.dumps(await c.result(h)))
        texts.append(repr(c.served_by(h)))
        bad = RequestHandle.from_base(BASE, MODEL, "bad")
        other = RequestHandle.from_base(BASE, MODEL, "other")
        for call in (c.result(bad), c.result(other), c.cancel(h), c.upload(b"x", "a/b", "x")):
            with pytest.raises(FalError) as info:
                await call
            texts += error_texts(info.value)
    return texts


@pytest.mark.asyncio
@pytest.mark.parametrize("key", KEYS)
async def test_nothing_the_client_returns_holds_the_key(key):
    texts = await everything_returned(key)
    assert any("«key hidden»" in t for t in texts)  # the echoes did come back, scrubbed
    whole = "\n".join(texts).lower()
    for form in forms(key):
        assert form.lower() not in whole, form


# -- the redactor on its own ----------------------------------------------------------------


def test_redactor_hides_every_form_and_leaves_short_halves():
    r = KeyRedactor("sekret-KEY-123:abc")
    text = "a sekret-KEY-123:abc b SEKRET-key-123 c sekret-KEY-123%3Aabc d abc"
    assert r.text(text) == f"a {HIDDEN} b {HIDDEN} c {HIDDEN} d abc"  # "abc" is a word
    assert r.text(r.text(text)) == r.text(text)


def test_redactor_walks_data_and_the_client_types():
    key = KEYS[0]
    r = KeyRedactor(key)
    entry = LogEntry(key, source=key.partition(":")[2])
    done = r.data(Completed((entry,), {key: [key, (key,)]}, key, "x"))
    assert done.logs[0] == LogEntry(HIDDEN, source=HIDDEN)
    assert done.metrics == {HIDDEN: [HIDDEN, (HIDDEN,)]} and done.error == HIDDEN
    assert r.data({"n": 1, "ok": True, "none": None}) == {"n": 1, "ok": True, "none": None}
    assert r.data([Color.RED])[0] is Color.RED  # a str subclass without the key is kept as is


class Color(enum.StrEnum):
    RED = "red"


@pytest.mark.parametrize("key", [None, "", "short"])
def test_no_key_or_a_short_one_changes_nothing(key):
    r = KeyRedactor(key)
    assert r.text("short words stay") == "short words stay"
    value = {"a": ["short"]}
    assert r.data(value) is value


def test_an_error_is_scrubbed_with_the_errors_it_came_from():
    key = KEYS[0]
    try:
        try:
            raise FalError(f"inner {key}")
        except FalError as inner:
            raise FalError(f"outer {key}", request_id=key) from inner
    except FalError as exc:
        outer = KeyRedactor(key).error(exc)
    assert key not in "".join(traceback.format_exception(outer))
    assert outer.request_id == HIDDEN
