"""The retry rules, one row each, and the backoff arithmetic."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx
import pytest

from wan_desktop.fal.retry import (
    MAX_RETRY_AFTER_S,
    RetryPolicy,
    backoff_delay,
    is_ingress_error,
    parse_retry_after,
    should_retry,
    submit_may_retry,
)

REQ = httpx.Request("GET", "https://queue.fal.run/x")
RID = {"x-fal-request-id": "abc"}
USER_TIMEOUT = {"X-Fal-Request-Timeout-Type": "user"}


def resp(code: int, headers: dict[str, str] | None = None) -> httpx.Response:
    return httpx.Response(code, headers=headers or {}, request=REQ)


@pytest.mark.parametrize(
    ("code", "headers", "expected"),
    [
        (408, {}, True),
        (409, {}, True),
        (429, {}, True),
        (429, RID, True),
        (502, {}, True),
        (503, {}, True),
        (504, {}, True),
        (502, RID, False),
        (503, RID, False),
        (504, RID, False),
        (504, USER_TIMEOUT, False),
        (500, {}, False),
        (400, {}, False),
        (401, {}, False),
        (403, {}, False),
        (404, {}, False),
        (422, {}, False),
        (200, {}, False),
    ],
)
def test_should_retry_response(code, headers, expected):
    assert should_retry(resp(code, headers)) is expected


@pytest.mark.parametrize(
    ("exc", "expected"),
    [
        (httpx.ConnectError("refused", request=REQ), True),
        (httpx.ConnectTimeout("slow", request=REQ), True),
        (httpx.ReadTimeout("slow", request=REQ), True),
        (httpx.WriteTimeout("slow", request=REQ), True),
        (httpx.PoolTimeout("busy", request=REQ), True),
        (httpx.ReadError("reset", request=REQ), True),
        (httpx.RemoteProtocolError("closed", request=REQ), True),
        (httpx.UnsupportedProtocol("ftp", request=REQ), False),
        (ValueError("not http"), False),
    ],
)
def test_should_retry_exception(exc, expected):
    assert should_retry(exc) is expected


@pytest.mark.parametrize(
    ("outcome", "expected"),
    [
        (httpx.ConnectError("refused", request=REQ), True),
        (httpx.ConnectTimeout("slow", request=REQ), True),
        (httpx.PoolTimeout("busy", request=REQ), True),
        # The body may have been sent and taken: never blindly again.
        (httpx.ReadTimeout("slow", request=REQ), False),
        (httpx.WriteTimeout("slow", request=REQ), False),
        (httpx.ReadError("reset", request=REQ), False),
        (httpx.RemoteProtocolError("closed", request=REQ), False),
        (resp(408), True),
        (resp(429), True),
        (resp(503), True),
        (resp(503, RID), False),
        (resp(502), False),
        (resp(504), False),
        (resp(409), False),
        (resp(500), False),
        (resp(504, USER_TIMEOUT), False),
    ],
)
def test_submit_may_retry(outcome, expected):
    assert submit_may_retry(outcome) is expected


def test_is_ingress_error_takes_plain_dicts_in_any_case():
    assert is_ingress_error(503, {})
    assert not is_ingress_error(503, {"X-Fal-Request-Id": "r"})
    assert not is_ingress_error(504, {"X-FAL-REQUEST-TIMEOUT-TYPE": "user"})
    assert not is_ingress_error(500, {})


def test_backoff_grows_exponentially_with_jitter_and_a_cap():
    policy = RetryPolicy()
    mid = lambda: 0.5  # noqa: E731 - jitter factor exactly 1
    assert backoff_delay(1, rng=mid) == pytest.approx(0.1)
    assert backoff_delay(2, rng=mid) == pytest.approx(0.2)
    assert backoff_delay(4, rng=mid) == pytest.approx(0.8)
    assert backoff_delay(1, rng=lambda: 0.0) == pytest.approx(0.05)
    assert backoff_delay(1, rng=lambda: 0.999999) == pytest.approx(0.15, rel=1e-3)
    assert backoff_delay(8, rng=lambda: 0.999) == policy.max_delay_s
    assert backoff_delay(10_000, rng=mid) == policy.max_delay_s
    assert backoff_delay(0, rng=mid) == pytest.approx(0.1)


def test_backoff_follows_the_policy():
    policy = RetryPolicy(max_attempts=3, base_delay_s=1.0, max_delay_s=3.0)
    assert backoff_delay(1, policy=policy, rng=lambda: 0.5) == 1.0
    assert backoff_delay(3, policy=policy, rng=lambda: 0.5) == 3.0


def test_retry_after_seconds_wins_and_is_clamped():
    assert backoff_delay(1, 2.5) == 2.5
    assert backoff_delay(7, "3") == 3.0
    assert backoff_delay(1, 10_000.0) == MAX_RETRY_AFTER_S
    assert backoff_delay(1, -4.0) == 0.0


def test_retry_after_http_date():
    now = datetime(2025, 1, 1, 12, 0, 0, tzinfo=UTC)
    assert parse_retry_after("Wed, 01 Jan 2025 12:00:05 GMT", now=now) == 5.0
    assert parse_retry_after("Wed, 01 Jan 2025 11:00:00 GMT", now=now) == 0.0
    assert backoff_delay(1, "Wed, 01 Jan 2025 12:00:02 GMT", now=now) == 2.0


@pytest.mark.parametrize("value", [None, "", "soon", "nan", "inf", "Wed, 99 Foo"])
def test_unreadable_retry_after_falls_back_to_backoff(value):
    assert parse_retry_after(value) is None
    assert backoff_delay(1, value, rng=lambda: 0.5) == pytest.approx(0.1)


YES = {"X-Fal-Retryable": "true"}
NO = {"X-Fal-Retryable": "false"}


@pytest.mark.parametrize(
    ("code", "headers", "expected"),
    [
        (500, YES, True),  # fal says it may work again: beats "500 is not retried"
        (400, YES, True),
        (504, {**USER_TIMEOUT, **YES}, True),
        (429, NO, False),  # fal says it will not: beats "429 is retried"
        (503, NO, False),
        (408, {"x-fal-retryable": " False "}, False),
        (500, {"X-Fal-Retryable": "maybe"}, False),  # unreadable: the status decides
        (503, {"X-Fal-Retryable": "maybe"}, True),
    ],
)
def test_should_retry_honours_x_fal_retryable(code, headers, expected):
    assert should_retry(resp(code, headers)) is expected


@pytest.mark.parametrize(
    ("code", "headers", "expected"),
    [
        # A refusal (4xx) proves the queue did not take the submit: fal's "true" is enough.
        (409, YES, True),
        (400, YES, True),
        # A 5xx may come after the queue took it: never repeated, whatever the header says...
        (500, YES, False),
        (502, YES, False),
        (503, {**RID, **YES}, False),
        # ...except the ingress's own turn-away, which the status already proves.
        (503, YES, True),
        # "false" always wins: not even a 429 is sent again.
        (429, NO, False),
        (408, NO, False),
        (503, NO, False),
    ],
)
def test_submit_may_retry_honours_x_fal_retryable_only_when_not_accepted(code, headers, expected):
    assert submit_may_retry(resp(code, headers)) is expected
