"""Answers from the service, told straight, on a real loopback socket: a locked account is
not a bad key, ``X-Fal-Retryable`` is honoured (never at the price of a second billed
submit), the caller's start deadline is named when it fires, and the handle keeps it."""

from __future__ import annotations

import json

import pytest
from fal_scripted import Reply

from wan_desktop.fal import (
    AccountLockedError,
    AuthError,
    FalClient,
    RequestHandle,
    RetryPolicy,
    ServiceError,
    StartTimeoutError,
)

MODEL = "wan/v2.6/image-to-video/flash"
ROOT = "/wan/v2.6/requests/r1"
FAST = RetryPolicy(max_attempts=4, base_delay_s=0.001, max_delay_s=0.01)
KEY = "0f6b1c2e-1111-2222-3333-444455556666:9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d"
LOCKED = "User is locked. Reason: Exhausted balance. Top up your balance to continue."


def client(scripted) -> FalClient:
    return FalClient(KEY, base_url=scripted.base_url, rest_url=scripted.base_url, retry=FAST)


def accepted(scripted) -> Reply:
    return Reply(json={"request_id": "r1"})


@pytest.mark.asyncio
async def test_locked_account_on_submit_names_the_reason_and_the_billing_page(scripted):
    echoed = f"{LOCKED} Key: {KEY}"
    scripted.add("POST", "/" + MODEL, Reply(403, json={"detail": echoed}))
    async with client(scripted) as c:
        with pytest.raises(AccountLockedError) as info:
            await c.submit(MODEL, {"prompt": "a cat"})
    err = info.value
    assert not isinstance(err, AuthError) and err.refused and err.resumable
    assert not err.maybe_submitted
    assert "Exhausted balance" in str(err) and "fal.ai/dashboard/billing" in str(err)
    for part in (KEY, *KEY.split(":")):
        assert part not in str(err) and part not in err.reason and part not in repr(err)
    assert len(scripted.requests_to("POST", "/" + MODEL)) == 1


@pytest.mark.asyncio
async def test_locked_account_while_following_keeps_the_job_resumable(scripted):
    scripted.add("GET", ROOT + "/status", Reply(403, json={"detail": LOCKED}))
    async with client(scripted) as c:
        with pytest.raises(AccountLockedError) as info:
            await c.status(RequestHandle.from_base(scripted.base_url, MODEL, "r1"))
    assert info.value.resumable


@pytest.mark.asyncio
async def test_a_401_says_the_key_is_wrong(scripted):
    scripted.add("POST", "/" + MODEL, Reply(401, json={"detail": "Invalid key"}))
    async with client(scripted) as c:
        with pytest.raises(AuthError, match="missing or wrong") as info:
            await c.submit(MODEL, {})
    assert not info.value.resumable


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("reply", "sends"),
    [
        # fal says "try again" to a refusal: the queue took nothing, so it goes again.
        (Reply(400, json={"detail": "busy"}, headers={"X-Fal-Retryable": "true"}), 2),
        # fal says "try again" to a 500: it may have been queued; never sent twice.
        (Reply(500, json={"detail": "oops"}, headers={"X-Fal-Retryable": "true"}), 1),
        # fal says "do not": not even a 429 goes again.
        (Reply(429, json={"detail": "no"}, headers={"X-Fal-Retryable": "false"}), 1),
    ],
)
async def test_submit_follows_x_fal_retryable_only_where_nothing_was_queued(scripted, reply, sends):
    scripted.add("POST", "/" + MODEL, reply, accepted(scripted))
    async with client(scripted) as c:
        if sends == 2:
            assert (await c.submit(MODEL, {})).request_id == "r1"
        else:
            with pytest.raises(ServiceError):
                await c.submit(MODEL, {})
    assert len(scripted.requests_to("POST", "/" + MODEL)) == sends


@pytest.mark.asyncio
async def test_status_follows_x_fal_retryable(scripted):
    again = Reply(500, json={"detail": "x"}, headers={"X-Fal-Retryable": "true"})
    scripted.add("GET", ROOT + "/status", again, Reply(json={"status": "IN_QUEUE"}))
    async with client(scripted) as c:
        await c.status(RequestHandle.from_base(scripted.base_url, MODEL, "r1"))
    assert len(scripted.requests_to("GET", ROOT + "/status")) == 2


@pytest.mark.asyncio
async def test_start_deadline_is_sent_kept_and_named_when_it_fires(scripted):
    scripted.add("POST", "/" + MODEL, accepted(scripted))
    late = Reply(504, json={"detail": "late"}, headers={"X-Fal-Request-Timeout-Type": "user"})
    scripted.add("GET", ROOT, late)
    scripted.add("GET", ROOT + "/status", Reply(json={"status": "COMPLETED", "error": "t"}))
    async with client(scripted) as c:
        handle = await c.submit(MODEL, {}, start_timeout_s=120)
        assert handle.start_timeout_s == 120
        kept = RequestHandle.from_dict(json.loads(json.dumps(handle.to_dict())))
        assert kept == handle
        with pytest.raises(StartTimeoutError) as info:
            await c.result(kept)
    (sent,) = scripted.requests_to("POST", "/" + MODEL)
    assert sent.headers["x-fal-request-timeout"] == "120"
    assert str(info.value).startswith(
        "The service did not start the job within 2 minutes; nothing was billed."
    )
    assert info.value.resumable and not info.value.refused


def test_a_handle_without_a_deadline_stays_as_it_was():
    handle = RequestHandle.from_base("https://q", MODEL, "r1")
    assert "start_timeout_s" not in handle.to_dict()
    assert RequestHandle.from_dict(handle.to_dict()) == handle
    stored = {**handle.to_dict(), "start_timeout_s": "soon"}  # garbage is ignored
    assert RequestHandle.from_dict(stored).start_timeout_s is None


@pytest.mark.asyncio
async def test_a_start_deadline_passing_at_submit_says_nothing_was_sent_twice(scripted):
    late = Reply(504, json={"detail": "late"}, headers={"X-Fal-Request-Timeout-Type": "user"})
    scripted.add("POST", "/" + MODEL, late)
    async with client(scripted) as c:
        with pytest.raises(StartTimeoutError, match="within 45 seconds") as info:
            await c.submit(MODEL, {}, start_timeout_s=45)
    assert not info.value.maybe_submitted  # it never started: nothing to check for on fal
    assert len(scripted.requests_to("POST", "/" + MODEL)) == 1


@pytest.mark.asyncio
@pytest.mark.parametrize("bad", [0, -1, float("nan"), float("inf")])
async def test_a_start_deadline_must_be_a_positive_number_of_seconds(scripted, bad):
    async with client(scripted) as c:
        with pytest.raises(ValueError, match="start_timeout_s"):
            await c.submit(MODEL, {}, start_timeout_s=bad)
    assert scripted.requests_to("POST", "/" + MODEL) == []
