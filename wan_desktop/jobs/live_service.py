"""Following the live service: fal's schema and price, resolved live → cache → bundled.

Three entry points, one rule:

- :func:`load_cached` (no network, a file read): what the app knew last time, for the first
  paint; the bundled table when there is nothing.
- :func:`resolve_for_cli`: before ``generate``, ask fal only when the cache is stale (a day)
  or was asked with another key, and wait at most ``CLI_TIMEOUT_S`` for the answer.
- ``jobs.live_refresher.LiveRefresher``: the window's background task; refreshes once a
  day, at once when the key or the service changes, and reports each result.

None of them fails because fal cannot be reached: a refusal, a timeout or an unreadable
answer falls back to the cache, else to the bundled table, and says why in ``notes``. The
resolved table and price become the process-wide current ones (``ServiceInfo.apply``), which
validation, counters, widgets and estimates read.

Answers from a service on this machine (the offline engine, a local stand-in) are used but
not cached: they come back at once, and a port that changes each run would only leave files.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Mapping

import httpx

from ..core.endpoints import resolve_platform_url
from ..core.model_cache import DAY_S, CacheRecord, ServiceCache
from ..core.model_schema import ModelSchema
from ..core.paths import AppPaths
from ..core.pricing import PriceQuote
from ..fal.platform import (
    DEFAULT_TIMEOUT_S,
    LiveSchema,
    Unavailable,
    fetch_model_schema,
    fetch_price,
)
from .live_choice import (
    ServiceInfo,
    ServiceTarget,
    load_cached,
    load_records,
    pick_price,
    pick_schema,
    save_answers,
)

__all__ = [
    "CLI_TIMEOUT_S",
    "ServiceInfo",
    "ServiceTarget",
    "load_cached",
    "resolve",
    "resolve_for_cli",
]

log = logging.getLogger(__name__)

#: How long ``generate`` waits for fal's Platform API before it goes on with what it has.
CLI_TIMEOUT_S = 1.0
# Even when opening a client used up the budget, give the question this long.
_MIN_ASK_S = 0.05


async def resolve(
    paths: AppPaths,
    target: ServiceTarget,
    *,
    client: httpx.AsyncClient | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
    timeout_s: float = DEFAULT_TIMEOUT_S,
    max_age_s: float = DAY_S,
    force: bool = False,
) -> ServiceInfo:
    """The table and price for ``target``: from the cache while fresh for this key, else
    asked of fal (both questions at once), else the cache at any age, else bundled. New
    answers are cached. Never raises but for cancellation.

    ``timeout_s`` bounds the whole call from its start, opening a client included.
    ``client`` is the one to ask with; without it a client (over ``transport``) is opened,
    in a worker thread (its TLS set-up takes CPU), only when fal must be asked.
    Event-loop coroutine (the file work runs in a worker thread).
    """
    deadline = time.monotonic() + timeout_s
    cache = ServiceCache.for_paths(paths)
    schema_rec, price_rec = (
        await asyncio.to_thread(load_records, cache) if target.cacheable else (None, None)
    )

    def fresh(record: CacheRecord | None) -> bool:
        return (
            record is not None
            and not force
            and record.is_fresh_for(
                target.endpoint_id, target.platform_url, target.key, max_age_s=max_age_s
            )
        )

    ask_schema = not fresh(schema_rec)
    ask_price = bool(target.key) and not target.offline and not fresh(price_rec)
    live_schema = live_price = None
    if ask_schema or ask_price:
        live_schema, live_price = await _ask(
            client, transport, target, ask_schema, ask_price, deadline
        )
    schema, schema_notes = pick_schema(live_schema, schema_rec, target)
    price, price_notes = pick_price(live_price, price_rec, target)
    if target.cacheable:
        await asyncio.to_thread(save_answers, cache, target, live_schema, live_price)
    failed = isinstance(live_schema, Unavailable) or isinstance(live_price, Unavailable)
    return ServiceInfo(schema, price, schema_notes + price_notes, live_ok=not failed)


async def _ask(
    client: httpx.AsyncClient | None,
    transport: httpx.AsyncBaseTransport | None,
    target: ServiceTarget,
    ask_schema: bool,
    ask_price: bool,
    deadline: float,
) -> tuple[LiveSchema | Unavailable | None, PriceQuote | Unavailable | None]:
    """Both questions at once, answered (or given up) by ``deadline`` (monotonic seconds)."""
    async with contextlib.AsyncExitStack() as stack:
        if client is None:
            client = await asyncio.to_thread(_new_client, transport)
            stack.push_async_callback(client.aclose)
        timeout_s = max(deadline - time.monotonic(), _MIN_ASK_S)
        where = (target.platform_url, target.endpoint_id, target.key)
        schema, price = await asyncio.gather(
            fetch_model_schema(client, *where, timeout_s=timeout_s) if ask_schema else _none(),
            fetch_price(client, *where, timeout_s=timeout_s) if ask_price else _none(),
        )
        return schema, price


def _new_client(transport: httpx.AsyncBaseTransport | None) -> httpx.AsyncClient:
    # No redirects: an answer that points elsewhere is not fal's answer.
    return httpx.AsyncClient(transport=transport, follow_redirects=False)


async def resolve_for_cli(
    paths: AppPaths,
    *,
    key: str | None,
    offline: bool = False,
    platform_url: str | None = None,
    timeout_s: float = CLI_TIMEOUT_S,
    client: httpx.AsyncClient | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
    environ: Mapping[str, str] | None = None,
) -> ServiceInfo:
    """Resolve and apply the table and price before ``generate``, in at most about
    ``timeout_s`` in all. ``platform_url`` defaults to ``FAL_PLATFORM_URL`` (or fal's; for
    the offline engine pass its ``/v1`` URL); a malformed one is a note, not a failure.
    ``client``/``transport`` as in :func:`resolve`. Event-loop coroutine; never raises but
    for cancellation."""
    try:
        url = platform_url or resolve_platform_url(environ)
    except ValueError as exc:
        info = ServiceInfo(
            ModelSchema.bundled(),
            PriceQuote.offline() if offline else PriceQuote.bundled(),
            (str(exc),),
            False,
        )
        info.apply()
        return info
    target = ServiceTarget(url, key, offline=offline)
    info = await resolve(paths, target, client=client, transport=transport, timeout_s=timeout_s)
    info.apply()
    for note in info.notes:
        log.info("%s", note)
    return info


async def _none() -> None:
    return None
