"""How the client sends a call: the one retry loop, the key header, and where the key may go.

``send_with_retries`` is the only loop that repeats a request; what may be repeated is
decided by the pure rules of ``fal.retry`` (``should_retry`` for idempotent calls,
``submit_may_retry`` for a submit). ``Transport`` adds the key and the target check on top.
Coroutines here run on the event loop that opened the ``httpx.AsyncClient``.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Collection
from dataclasses import dataclass, field
from typing import Any

import httpx

from wan_desktop.core.net import is_loopback_host
from wan_desktop.fal.errors import AuthError, NetworkError, ProtocolError
from wan_desktop.fal.mapping import DOING, json_body, protocol_error
from wan_desktop.fal.retry import RetryPolicy, backoff_delay, should_retry

__all__ = [
    "GaveUp",
    "PlainHttpRule",
    "Sleep",
    "Transport",
    "send_with_retries",
    "show_url",
    "with_query",
]

log = logging.getLogger("wan_desktop.fal")

#: Waits the given number of seconds (``asyncio.sleep``; tests pass one that records).
Sleep = Callable[[float], Awaitable[None]]
Outcome = httpx.Response | BaseException


class GaveUp(Exception):
    """No usable answer: the last try raised a transport error (its ``__cause__``) that may
    not be repeated, or no tries were left. ``attempts`` counts the tries made."""

    def __init__(self, attempts: int) -> None:
        super().__init__(f"gave up after {attempts} attempts")
        self.attempts = attempts


async def send_with_retries(
    send: Callable[[], Awaitable[httpx.Response]],
    *,
    policy: RetryPolicy,
    sleep: Sleep,
    may_retry: Callable[[Outcome], bool] = should_retry,
) -> httpx.Response:
    """Call ``send()`` until it gives an answer that is a success, that ``may_retry``
    rejects, or that comes after ``policy.max_attempts`` tries; return that answer.

    Between tries it waits ``backoff_delay`` (honouring ``Retry-After``) through ``sleep``.
    A transport error is retried the same way; when it may not be, or was the last try,
    ``GaveUp`` is raised from it. Other exceptions of ``send`` pass through untouched.
    """
    attempt = 0
    while True:
        attempt += 1
        try:
            response = await send()
        except httpx.TransportError as exc:
            if attempt < policy.max_attempts and may_retry(exc):
                await sleep(backoff_delay(attempt, policy=policy))
                continue
            raise GaveUp(attempt) from exc
        if response.is_success or attempt >= policy.max_attempts or not may_retry(response):
            return response
        await sleep(backoff_delay(attempt, response.headers.get("retry-after"), policy=policy))


@dataclass(frozen=True, slots=True)
class PlainHttpRule:
    """Which hosts may be reached over plain ``http://``: the ``hosts`` named, and every
    loopback host when ``loopback`` (the queue itself is a local engine)."""

    hosts: frozenset[str] = frozenset()
    loopback: bool = False

    @classmethod
    def for_urls(cls, urls: Collection[str], hosts: Collection[str]) -> PlainHttpRule:
        """The rule for a client whose queue and storage are ``urls``: an ``http://``
        loopback one (the local engine) opens every loopback host, since a local server may
        name itself ``127.0.0.1`` or ``localhost`` in the URLs it returns."""
        named = set(hosts)
        loopback = False
        for url in urls:
            parsed = httpx.URL(url)
            if parsed.scheme == "http" and is_loopback_host(parsed.host):
                named.add(parsed.host)
                loopback = True
        return cls(frozenset(named), loopback)

    def __call__(self, host: str) -> bool:
        return host in self.hosts or (self.loopback and is_loopback_host(host))


def show_url(url: httpx.URL | str) -> str:
    """A URL fit for a log line: no query (signed URLs keep secrets there), no user info."""
    url = httpx.URL(url)
    return f"{url.scheme}://{url.host}{f':{url.port}' if url.port else ''}{url.path}"


def with_query(url: str, query: str) -> str:
    """``url`` with ``query`` (``name=value``) appended to its query string."""
    return f"{url}{'&' if '?' in url else '?'}{query}"


@dataclass(slots=True)
class Transport:
    """One ``httpx.AsyncClient`` with the key, the retry policy and the plain-http rule.

    The key goes only in the ``Authorization`` header, only to https hosts or to hosts the
    ``http_ok`` rule allows; it never enters a message, a log line or a repr.
    """

    http: httpx.AsyncClient
    key: str = field(repr=False)
    policy: RetryPolicy
    sleep: Sleep
    http_ok: PlainHttpRule

    def auth(self) -> dict[str, str]:
        """The ``Authorization`` header; ``AuthError`` when the key is missing or unusable."""
        if not self.key:
            raise AuthError()
        if not self.key.isascii() or not self.key.isprintable() or " " in self.key:
            # httpx would fail on it with a message that might quote part of it.
            raise AuthError(
                "The fal key holds characters no key has (spaces or non-ASCII). "
                "Set the key in the FAL_KEY environment variable or in the app's settings."
            )
        return {"Authorization": f"Key {self.key}"}

    def check_target(self, url: str) -> None:
        """``ProtocolError`` unless the key may go to ``url`` (https, or an allowed http host)."""
        parsed = httpx.URL(url)
        if parsed.scheme == "https" and parsed.host:
            return
        if parsed.scheme == "http" and self.http_ok(parsed.host):
            return
        raise ProtocolError(
            f"Refusing to send the key to {parsed.scheme}://{parsed.host}: not https."
        )

    async def request(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        """One HTTP request, logged (scheme, host and path only); no retry, no key added."""
        try:
            response = await self.http.request(method, url, **kwargs)
        except httpx.TransportError as exc:
            log.debug("%s %s failed: %s", method, show_url(url), type(exc).__name__)
            raise
        log.debug("%s %s -> %s", method, show_url(url), response.status_code)
        return response

    async def call(
        self,
        method: str,
        url: str,
        *,
        during: str,
        auth: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
        **kwargs: Any,
    ) -> httpx.Response:
        """An idempotent call with the full retry policy. Returns the (read) final answer,
        2xx or not; ``NetworkError`` when no answer came after all attempts."""
        sent = {**(headers or {}), **(auth or {})}
        try:
            return await send_with_retries(
                lambda: self.request(method, url, headers=sent, **kwargs),
                policy=self.policy,
                sleep=self.sleep,
            )
        except GaveUp as gave_up:
            cause = type(gave_up.__cause__).__name__
            raise NetworkError(
                f"No answer from the service while {DOING.get(during, during)} "
                f"({cause}, after {gave_up.attempts} attempts). Check the connection.",
            ) from gave_up.__cause__

    @staticmethod
    def json_object(response: httpx.Response, *, during: str) -> dict[str, Any]:
        """The answer's JSON object; ``ProtocolError`` when it is not one."""
        body = json_body(response)
        if not isinstance(body, dict):
            raise protocol_error(response, during=during, what="the body is not a JSON object")
        return body
