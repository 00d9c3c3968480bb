"""fal's Platform API: the model's published schema and this account's price.

``fetch_model_schema`` asks ``GET {platform}/models?endpoint_id=…&expand=openapi-3.0``;
``fetch_price`` asks ``GET {platform}/models/pricing?endpoint_id=…`` (with the key). Both run
on the event loop over the ``httpx.AsyncClient`` they are given (its transport decides where
the request goes: tests pass a fake one) and never raise for what a server or the network
can do to them: a refusal, a timeout, a dropped connection or an answer that does not parse
comes back as :class:`Unavailable`, a sentence saying why. The caller then uses its cache or
the bundled table. Answers are read up to a size cap and checked by type (msgspec) before
use; the key is hidden in every sentence and in every string of an answer (``KeyRedactor``),
and never sent over plain ``http`` to another machine.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar
from urllib.parse import urlsplit

import httpx
import msgspec

from wan_desktop.core import limits
from wan_desktop.core.model_schema import ModelSchema
from wan_desktop.core.net import is_loopback_url
from wan_desktop.core.openapi import SchemaError
from wan_desktop.core.pricing import PriceQuote
from wan_desktop.core.text import excerpt
from wan_desktop.fal.redact import KeyRedactor

__all__ = [
    "DEFAULT_TIMEOUT_S",
    "MAX_ANSWER_BYTES",
    "LiveSchema",
    "Unavailable",
    "fetch_model_schema",
    "fetch_price",
]

#: Long enough for a slow link in the background; the CLI passes a much shorter one.
DEFAULT_TIMEOUT_S = 10.0
#: A model's OpenAPI document is tens of kilobytes; anything near this is not one.
MAX_ANSWER_BYTES = 4_000_000

T = TypeVar("T")
E = TypeVar("E")


@dataclass(frozen=True, slots=True)
class Unavailable:
    """fal's Platform API gave no usable answer. ``reason`` is a sentence for people (the
    key hidden); ``status_code`` is the HTTP status when the server answered."""

    reason: str
    status_code: int | None = None

    @property
    def refused(self) -> bool:
        """True when the key was refused (401/403): asking again with it will not help."""
        return self.status_code in (401, 403)


@dataclass(frozen=True, slots=True)
class LiveSchema:
    """The model's schema as fal publishes it now: the resolved table and the OpenAPI
    document it was read from (what the cache keeps). ``fetched_at`` in epoch seconds."""

    schema: ModelSchema
    openapi: dict[str, Any]
    fetched_at: float


class _Metadata(msgspec.Struct):
    status: str | None = None


class _Model(msgspec.Struct):
    endpoint_id: str
    openapi: dict[str, Any] | None = None
    metadata: _Metadata | None = None


class _ModelsPage(msgspec.Struct):
    models: list[_Model]


class _Price(msgspec.Struct):
    endpoint_id: str
    unit_price: float
    unit: str
    currency: str


class _PricesPage(msgspec.Struct):
    prices: list[_Price]


class _Detail(msgspec.Struct):
    detail: Any = None


async def fetch_model_schema(
    client: httpx.AsyncClient,
    platform_url: str,
    endpoint_id: str = limits.ENDPOINT_ID,
    key: str | None = None,
    *,
    timeout_s: float = DEFAULT_TIMEOUT_S,
    clock: Callable[[], float] = time.time,
) -> LiveSchema | Unavailable:
    """The schema fal publishes for ``endpoint_id``, or why there is none.

    ``key`` is optional here (it raises fal's rate limit). ``timeout_s`` bounds the whole
    exchange, connection to last byte. Event-loop coroutine.
    """
    model = await _first_listed(
        client,
        platform_url,
        "/models",
        {"endpoint_id": endpoint_id, "expand": "openapi-3.0"},
        key,
        timeout_s,
        lambda page: [
            m for m in page.models if m.endpoint_id == endpoint_id and m.openapi is not None
        ],
        _ModelsPage,
        missing=f"does not list {endpoint_id} with its schema",
    )
    if isinstance(model, Unavailable):
        return model
    fetched_at = clock()
    try:
        schema = ModelSchema.from_openapi(
            model.openapi,
            endpoint_id=endpoint_id,
            source="live",
            fetched_at=fetched_at,
            status=model.metadata.status if model.metadata else None,
        )
    except SchemaError as exc:
        reason = f"{_where(platform_url)} published a schema this app cannot read: {exc}."
        return Unavailable(KeyRedactor(key).text(reason))
    assert model.openapi is not None
    return LiveSchema(schema, model.openapi, fetched_at)


async def fetch_price(
    client: httpx.AsyncClient,
    platform_url: str,
    endpoint_id: str = limits.ENDPOINT_ID,
    key: str | None = None,
    *,
    timeout_s: float = DEFAULT_TIMEOUT_S,
    clock: Callable[[], float] = time.time,
) -> PriceQuote | Unavailable:
    """This account's price for ``endpoint_id`` (source ``account``), or why there is none.

    fal answers only with a key, and only in US dollars per second is it an estimate this
    app can make; anything else is :class:`Unavailable`. Event-loop coroutine.
    """
    if not key:
        return Unavailable("fal tells an account's price only to its key; no key is set.")
    price = await _first_listed(
        client,
        platform_url,
        "/models/pricing",
        {"endpoint_id": endpoint_id},
        key,
        timeout_s,
        lambda page: [p for p in page.prices if p.endpoint_id == endpoint_id],
        _PricesPage,
        missing=f"lists no price for {endpoint_id}",
    )
    if isinstance(price, Unavailable):
        return price
    if price.unit != "second" or price.currency != "USD":
        reason = (
            f"{_where(platform_url)} prices {endpoint_id} in {excerpt(price.currency, 12)} per "
            f"{excerpt(price.unit, 20)}; this app estimates in USD per second."
        )
        return Unavailable(KeyRedactor(key).text(reason))
    if not math.isfinite(price.unit_price) or price.unit_price < 0:
        return Unavailable(f"{_where(platform_url)} answered a price that is not one.")
    return PriceQuote(price.unit_price, "account", fetched_at=clock())


async def _first_listed(
    client: httpx.AsyncClient,
    platform_url: str,
    path: str,
    params: dict[str, str],
    key: str | None,
    timeout_s: float,
    keep: Callable[[T], list[E]],
    answer_type: type[T],
    *,
    missing: str,
) -> E | Unavailable:
    """The first entry ``keep`` picks from the answer to ``GET {platform_url}{path}``, or why
    there is none (``missing`` ends the sentence when the answer holds no such entry)."""
    url = f"{platform_url.rstrip('/')}{path}"
    page = await _get(client, url, params, key, timeout_s, answer_type)
    if isinstance(page, Unavailable):
        return page
    found = keep(page)
    return found[0] if found else Unavailable(f"{_where(platform_url)} {missing}.")


async def _get(
    client: httpx.AsyncClient,
    url: str,
    params: dict[str, str],
    key: str | None,
    timeout_s: float,
    answer_type: type[T],
) -> T | Unavailable:
    """``GET url`` decoded as ``answer_type``, or why not (never raises but for cancel)."""
    headers = {"Accept": "application/json"}
    # The key goes only where it cannot be read on the way: https, or this machine.
    if key and (url.startswith("https://") or is_loopback_url(url)):
        headers["Authorization"] = f"Key {key}"
    where = _where(url)
    hide = KeyRedactor(key)
    try:
        async with asyncio.timeout(timeout_s):
            status, body = await _read(client, url, params, headers, timeout_s)
    except (TimeoutError, httpx.TimeoutException):
        return Unavailable(f"{where} did not answer within {timeout_s:g} s.")
    except (httpx.HTTPError, httpx.InvalidURL, OSError, ValueError) as exc:
        return Unavailable(hide.text(f"{where} could not be reached ({_describe(exc)})."))
    if status >= 400:
        return Unavailable(hide.text(_refusal(where, status, body)), status)
    try:
        # Decoded, the key hidden in every string (a server may echo it), then typed.
        return msgspec.convert(hide.data(msgspec.json.decode(body)), type=answer_type)
    except (msgspec.DecodeError, RecursionError):  # nesting deeper than a schema ever is
        return Unavailable(f"{where} answered something this app cannot read.", status)


async def _read(
    client: httpx.AsyncClient,
    url: str,
    params: dict[str, str],
    headers: dict[str, str],
    timeout_s: float,
) -> tuple[int, bytes]:
    """Status and body, the body cut off (as unreadable) past :data:`MAX_ANSWER_BYTES`."""
    async with client.stream(
        "GET", url, params=params, headers=headers, timeout=timeout_s
    ) as response:
        chunks: list[bytes] = []
        size = 0
        async for chunk in response.aiter_bytes():
            size += len(chunk)
            if size > MAX_ANSWER_BYTES:
                return response.status_code, b""
            chunks.append(chunk)
        return response.status_code, b"".join(chunks)


def _refusal(where: str, status: int, body: bytes) -> str:
    """A sentence for an HTTP error answer, with the server's ``detail`` when it has one."""
    try:
        detail = msgspec.json.decode(body, type=_Detail).detail
    except msgspec.DecodeError:
        detail = None
    said = f": {excerpt(detail, 200)}" if isinstance(detail, str) and detail.strip() else ""
    if status == 401:
        return f"{where} refused the key (HTTP 401){said}."
    if status == 403:
        return f"{where} does not allow this key to ask (HTTP 403){said}."
    return f"{where} answered HTTP {status}{said}."


def _where(url: str) -> str:
    """The service named by its host, as people know it."""
    try:
        host = urlsplit(url).hostname or url
    except ValueError:
        host = url
    return f"The Platform API at {host}"


def _describe(exc: BaseException) -> str:
    text = str(exc).strip()
    return excerpt(text, 120) if text else type(exc).__name__
