"""When to try a call again and how long to wait first: pure functions and named constants.

The rules follow fal's official client (see the queue protocol document):

- retried: 408, 409, 429 (honouring ``Retry-After``), connection and timeout errors, and
  502/503/504 that come from the ingress (no ``x-fal-request-id`` header);
- not retried: 500, any other 4xx, and a 504 carrying ``X-Fal-Request-Timeout-Type: user``
  (the caller's own start deadline passed).

fal may say itself whether an error answer is worth sending again, in the header
``X-Fal-Retryable: true|false`` (``fal_retryable``). Where it does, its word replaces the
status-code rules above for idempotent calls. An unreadable value counts as absent.

A submit is stricter (``submit_may_retry``): it is repeated only when the failure proves the
service never accepted it, because there is no idempotency key and a second submit is billed.
The header never overrides that proof:

- ``false``: never sent again, not even after a 408 or 429;
- ``true``: sent again when the status also proves the queue did not take the request: any
  4xx (a refusal is an answer *instead of* a request id) or the turned-away codes below. A
  5xx other than the ingress's own 503 may come after the queue took the request, so it is
  not repeated even then;
- absent: only the turned-away codes (408, 429, a 503 from the ingress).
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
    "RETRYABLE_HEADER",
    "RETRY_STATUS_CODES",
    "TIMEOUT_TYPE_HEADER",
    "RetryPolicy",
    "backoff_delay",
    "fal_retryable",
    "is_ingress_error",
    "parse_retry_after",
    "should_retry",
    "submit_may_retry",
    "submit_turned_away",
]

RETRY_STATUS_CODES = frozenset({408, 409, 429})
INGRESS_STATUS_CODES = frozenset({502, 503, 504})
# Answers that prove a submit was not taken in: the server timed out reading it (408), is
# rate-limiting (429), or the ingress had nowhere to send it (503 without a request id).
SUBMIT_SAFE_STATUS_CODES = frozenset({408, 429})
REQUEST_ID_HEADER = "x-fal-request-id"
TIMEOUT_TYPE_HEADER = "x-fal-request-timeout-type"
RETRYABLE_HEADER = "x-fal-retryable"
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


def fal_retryable(headers: Mapping[str, str]) -> bool | None:
    """fal's own word on an error answer (``X-Fal-Retryable``): True, False, or None when
    the header is absent or neither ``true`` nor ``false``."""
    value = _lower(headers).get(RETRYABLE_HEADER)
    said = (value or "").strip().lower()
    return {"true": True, "false": False}.get(said)


def should_retry(outcome: httpx.Response | BaseException) -> bool:
    """Whether an idempotent call (status, result, cancel, download, upload) that ended with
    ``outcome`` — an error answer or a raised exception — should be tried again.
    ``X-Fal-Retryable`` on an error answer decides where fal sends it."""
    if isinstance(outcome, httpx.Response):
        code = outcome.status_code
        headers = outcome.headers
        said = fal_retryable(headers) if not outcome.is_success else None
        if said is not None:
            return said
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
    that says the request was turned away (408, 429, 503 from the ingress; with
    ``X-Fal-Retryable: true`` any 4xx too; never with ``false``: see the module docstring).
    A read timeout or a connection dropped after the body was sent may mean an accepted
    (billed) request.
    """
    if isinstance(outcome, httpx.Response):
        said = fal_retryable(outcome.headers)
        if said is False or not submit_turned_away(outcome):
            return False
        code = outcome.status_code
        return said is True or code in SUBMIT_SAFE_STATUS_CODES or code == 503
    return isinstance(outcome, httpx.ConnectError | httpx.ConnectTimeout | httpx.PoolTimeout)


def submit_turned_away(response: httpx.Response) -> bool:
    """Whether an error answer to a submit proves the queue did not take the request: a 4xx
    (the queue answers a request it took with its id, never with a refusal) or a 503 from
    the ingress. Any other 5xx may come after the request was queued (and billed)."""
    code = response.status_code
    if 400 <= code < 500:
        return True
    return code == 503 and is_ingress_error(code, response.headers)


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
