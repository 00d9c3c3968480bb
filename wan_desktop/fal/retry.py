"""When to try a call again and how long to wait first: pure functions and named constants.

The rules follow fal's official client (see the queue protocol document):

- retried: 408, 409, 429 (honouring ``Retry-After``), connection and timeout errors, and
  502/503/504 that come from the ingress (no ``x-fal-request-id`` header);
- not retried: 500, any other 4xx, and a 504 carrying ``X-Fal-Request-Timeout-Type: user``
  (the caller's own start deadline passed).

A submit is stricter (``submit_may_retry``): it is repeated only when the failure proves the
service never accepted it, because there is no idempotency key and a second submit is billed.
"""

from __future__ import annotations

import email.utils
import math
import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

import httpx

__all__ = [
    "DEFAULT_POLICY",
    "INGRESS_STATUS_CODES",
    "MAX_RETRY_AFTER_S",
    "REQUEST_ID_HEADER",
    "RETRY_STATUS_CODES",
    "TIMEOUT_TYPE_HEADER",
    "RetryPolicy",
    "backoff_delay",
    "is_ingress_error",
    "parse_retry_after",
    "should_retry",
    "submit_may_retry",
]

RETRY_STATUS_CODES = frozenset({408, 409, 429})
INGRESS_STATUS_CODES = frozenset({502, 503, 504})
# Answers that prove a submit was not taken in: the server timed out reading it (408), is
# rate-limiting (429), or the ingress had nowhere to send it (503 without a request id).
SUBMIT_SAFE_STATUS_CODES = frozenset({408, 429})
REQUEST_ID_HEADER = "x-fal-request-id"
TIMEOUT_TYPE_HEADER = "x-fal-request-timeout-type"
# A Retry-After longer than this is clamped: a desktop app should not sit silent for an hour.
MAX_RETRY_AFTER_S = 60.0
JITTER_LOW, JITTER_HIGH = 0.5, 1.5


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How often and how patiently to retry: ``max_attempts`` counts the first try too;
    delays in seconds, doubling from ``base_delay_s`` up to ``max_delay_s``."""

    max_attempts: int = 10
    base_delay_s: float = 0.1
    max_delay_s: float = 10.0


DEFAULT_POLICY = RetryPolicy()


def is_ingress_error(status_code: int, headers: Mapping[str, str]) -> bool:
    """True for a 502/503/504 that never reached fal's app servers (no request id header),
    unless it is the caller's own start deadline (``X-Fal-Request-Timeout-Type``)."""
    if status_code not in INGRESS_STATUS_CODES:
        return False
    lowered = _lower(headers)
    if status_code == 504 and lowered.get(TIMEOUT_TYPE_HEADER):
        return False
    return REQUEST_ID_HEADER not in lowered


def should_retry(outcome: httpx.Response | BaseException) -> bool:
    """Whether an idempotent call (status, result, cancel, download, upload) that ended with
    ``outcome`` — an error answer or a raised exception — should be tried again."""
    if isinstance(outcome, httpx.Response):
        code = outcome.status_code
        headers = outcome.headers
        if code == 504 and TIMEOUT_TYPE_HEADER in headers:
            return False
        return code in RETRY_STATUS_CODES or is_ingress_error(code, headers)
    # httpx.TimeoutException and NetworkError (connect, read, write) are TransportErrors;
    # so is RemoteProtocolError (a connection closed mid-answer).
    return isinstance(outcome, httpx.TransportError) and not isinstance(
        outcome, httpx.UnsupportedProtocol | httpx.ProxyError
    )


def submit_may_retry(outcome: httpx.Response | BaseException) -> bool:
    """Whether a submit that ended with ``outcome`` provably did not reach the queue.

    Only then is it safe to send it again: a connection that was never made, or an answer
    that says the request was turned away (408, 429, 503 from the ingress). A read timeout
    or a connection dropped after the body was sent may mean an accepted (billed) request.
    """
    if isinstance(outcome, httpx.Response):
        code = outcome.status_code
        if code in SUBMIT_SAFE_STATUS_CODES:
            return True
        return code == 503 and is_ingress_error(code, outcome.headers)
    return isinstance(outcome, httpx.ConnectError | httpx.ConnectTimeout | httpx.PoolTimeout)


def parse_retry_after(value: str | None, *, now: datetime | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (delta seconds or an HTTP-date);
    None when absent or unreadable. Never negative."""
    if value is None:
        return None
    text = value.strip()
    if not text:
        return None
    try:
        seconds = float(text)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            return None
        if when is None:  # pragma: no cover - older Pythons returned None
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        seconds = (when - (now or datetime.now(UTC))).total_seconds()
    if not math.isfinite(seconds):
        return None
    return max(0.0, seconds)


def backoff_delay(
    attempt: int,
    retry_after: float | str | None = None,
    *,
    policy: RetryPolicy = DEFAULT_POLICY,
    rng: Callable[[], float] = random.random,
    now: datetime | None = None,
) -> float:
    """Seconds to wait before retry number ``attempt`` (1 = the first retry).

    A server's ``Retry-After`` (seconds, or the raw header text) wins, clamped to
    ``MAX_RETRY_AFTER_S``. Otherwise ``base_delay_s * 2**(attempt-1)`` times a jitter in
    [0.5, 1.5), never above ``policy.max_delay_s``. ``rng`` returns a float in [0, 1).
    """
    if isinstance(retry_after, str):
        retry_after = parse_retry_after(retry_after, now=now)
    if retry_after is not None and math.isfinite(retry_after):
        return min(max(0.0, retry_after), MAX_RETRY_AFTER_S)
    exponent = min(max(attempt, 1) - 1, 62)  # keeps 2**n a float that cannot overflow
    delay = min(policy.base_delay_s * (2.0**exponent), policy.max_delay_s)
    jitter = JITTER_LOW + (JITTER_HIGH - JITTER_LOW) * rng()
    return min(delay * jitter, policy.max_delay_s)


def _lower(headers: Mapping[str, str]) -> Mapping[str, str]:
    if isinstance(headers, httpx.Headers):
        return headers  # already case-insensitive
    return {k.lower(): v for k, v in headers.items()}
