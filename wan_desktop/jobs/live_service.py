"""Following the live service: fal's schema and price, resolved live → cache → bundled.

Three entry points, one rule:

- :func:`load_cached` (no network, a file read): what the app knew last time, for the first
  paint; the bundled table when there is nothing.
- :func:`resolve_for_cli`: before ``generate``, ask fal only when the cache is stale (a day)
  or was asked with another key, and wait at most ``CLI_TIMEOUT_S`` for the answer.
- :class:`LiveRefresher`: the window's background task; refreshes once a day, at once when
  the key or the service changes, and reports each result through a callback.

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
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import httpx

from ..core import limits
from ..core.endpoints import resolve_platform_url
from ..core.model_cache import DAY_S, CacheRecord, ServiceCache
from ..core.model_schema import ModelSchema, set_current_schema
from ..core.net import is_loopback_url
from ..core.openapi import SchemaError
from ..core.paths import AppPaths
from ..core.pricing import PriceQuote, set_current_price
from ..fal.platform import (
    DEFAULT_TIMEOUT_S,
    LiveSchema,
    Unavailable,
    fetch_model_schema,
    fetch_price,
)

__all__ = [
    "CLI_TIMEOUT_S",
    "RETRY_AFTER_FAILURE_S",
    "LiveRefresher",
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
#: After a failed refresh the window asks again this much later (not at once: fal may be down).
RETRY_AFTER_FAILURE_S = 3600.0


@dataclass(frozen=True, slots=True)
class ServiceTarget:
    """Which service to ask about which endpoint, and with which key (``None``: none).
    ``offline``: the offline engine runs the jobs, so the price is nothing."""

    platform_url: str
    key: str | None = None
    endpoint_id: str = limits.ENDPOINT_ID
    offline: bool = False

    def __repr__(self) -> str:
        key = "set" if self.key else "none"
        return f"ServiceTarget({self.platform_url!r}, key={key}, offline={self.offline})"

    @property
    def cacheable(self) -> bool:
        """Answers from another machine are cached; from this one they are not."""
        return not is_loopback_url(self.platform_url)


@dataclass(frozen=True, slots=True)
class ServiceInfo:
    """The resolved table and price, and why anything fell back (sentences, key hidden).

    ``schema.source`` / ``price.source`` say where each came from. ``live_ok`` is True when
    every question asked of fal this time was answered.
    """

    schema: ModelSchema
    price: PriceQuote
    notes: tuple[str, ...] = ()
    live_ok: bool = True

    def apply(self) -> None:
        """Make these the process-wide table and price (call on the loop thread)."""
        set_current_schema(self.schema)
        set_current_price(self.price)


def load_cached(paths: AppPaths, target: ServiceTarget) -> ServiceInfo:
    """What fal said last time, whatever its age, else the bundled table (no network; a
    small file read: fine before the first paint)."""
    cache = ServiceCache.for_paths(paths)
    records = _load_records(cache) if target.cacheable else (None, None)
    schema, notes = _schema_from_cache(records[0], target)
    return ServiceInfo(
        schema or ModelSchema.bundled(target.endpoint_id),
        _fallback_price(records[1], target),
        notes,
    )


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
        await asyncio.to_thread(_load_records, cache) if target.cacheable else (None, None)
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
    schema, schema_notes = _pick_schema(live_schema, schema_rec, target)
    price, price_notes = _pick_price(live_price, price_rec, target)
    if target.cacheable:
        await asyncio.to_thread(_save_answers, cache, target, live_schema, live_price)
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
        info = ServiceInfo(ModelSchema.bundled(), _offline_or_bundled(offline), (str(exc),), False)
        info.apply()
        return info
    target = ServiceTarget(url, key, offline=offline)
    info = await resolve(paths, target, client=client, transport=transport, timeout_s=timeout_s)
    info.apply()
    for note in info.notes:
        log.info("%s", note)
    return info


class LiveRefresher:
    """The window's background task keeping the table and price current.

    ``await refresher.run()`` (on the loop; cancel it with its owner) resolves at once (the
    cache answers while fresh), then again when the record is a day old, an hour after a
    failure, or at once after :meth:`set_target` (a new key, another service).
    ``on_update(info)`` is called on the loop thread after each resolve, once applied.
    """

    def __init__(
        self,
        paths: AppPaths,
        target: ServiceTarget,
        on_update: Callable[[ServiceInfo], None],
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        timeout_s: float = DEFAULT_TIMEOUT_S,
        max_age_s: float = DAY_S,
        retry_after_s: float = RETRY_AFTER_FAILURE_S,
    ) -> None:
        self._paths = paths
        self._target = target
        self._on_update = on_update
        self._transport = transport
        self._timeout_s = timeout_s
        self._max_age_s = max_age_s
        self._retry_after_s = retry_after_s
        self._wake = asyncio.Event()
        self.refreshes = 0

    @property
    def target(self) -> ServiceTarget:
        """Where and as whom the next refresh asks."""
        return self._target

    def set_target(self, target: ServiceTarget) -> None:
        """Ask again at once for ``target`` (loop thread); nothing happens if unchanged."""
        if target != self._target:
            self._target = target
            self._wake.set()

    async def run(self) -> None:
        """Refresh until cancelled. A failure is logged and retried later, never raised."""
        while True:
            self._wake.clear()
            info = await self._refresh()
            wait_s = self._max_age_s if info.live_ok else self._retry_after_s
            try:
                await asyncio.wait_for(self._wake.wait(), timeout=wait_s)
            except TimeoutError:
                pass

    async def _refresh(self) -> ServiceInfo:
        # A client per refresh (opened only when fal is asked): refreshes are a day apart.
        info = await resolve(
            self._paths,
            self._target,
            transport=self._transport,
            timeout_s=self._timeout_s,
            max_age_s=self._max_age_s,
        )
        self.refreshes += 1
        info.apply()
        try:
            self._on_update(info)
        except Exception:  # a broken listener must not end the refreshes
            log.exception("the live-service listener failed")
        return info


# ---- picking what to use ------------------------------------------------------------------


async def _none() -> None:
    return None


def _load_records(cache: ServiceCache) -> tuple[CacheRecord | None, CacheRecord | None]:
    return cache.load("schema"), cache.load("price")


def _schema_from_cache(
    record: CacheRecord | None, target: ServiceTarget
) -> tuple[ModelSchema | None, tuple[str, ...]]:
    """The cached schema when it is for this endpoint and service (any key: a schema does
    not depend on the account), re-read as carefully as a live one."""
    if record is None or record.endpoint_id != target.endpoint_id:
        return None, ()
    if record.service_url != target.platform_url.rstrip("/"):
        return None, ()
    try:
        schema = ModelSchema.from_openapi(
            record.payload.get("openapi"),
            endpoint_id=target.endpoint_id,
            source="cache",
            fetched_at=record.fetched_at,
            status=_text_or_none(record.payload.get("status")),
        )
    except SchemaError as exc:
        return None, (f"The cached schema could not be read ({exc}); using the bundled one.",)
    return schema, ()


def _pick_schema(
    live: LiveSchema | Unavailable | None, record: CacheRecord | None, target: ServiceTarget
) -> tuple[ModelSchema, tuple[str, ...]]:
    if isinstance(live, LiveSchema):
        return live.schema, _status_notes(live.schema)
    cached, notes = _schema_from_cache(record, target)
    if cached is not None:
        if live is None:
            return cached, _status_notes(cached)
        return cached, (f"{live.reason} Using the schema fal published {_ago(cached.fetched_at)}.",)
    if live is None:
        return ModelSchema.bundled(target.endpoint_id), notes
    return ModelSchema.bundled(target.endpoint_id), (
        *notes,
        f"{live.reason} Using the limits this version ships with.",
    )


def _pick_price(
    live: PriceQuote | Unavailable | None, record: CacheRecord | None, target: ServiceTarget
) -> tuple[PriceQuote, tuple[str, ...]]:
    if target.offline:
        return PriceQuote.offline(), ()
    if isinstance(live, PriceQuote):
        return live, ()
    if isinstance(live, Unavailable) and live.refused:
        # This key may not read prices: a price cached for it earlier is no longer trusted.
        return PriceQuote.bundled(), (
            f"{live.reason} Prices are estimates from the bundled table.",
        )
    price = _fallback_price(record, target)
    if isinstance(live, Unavailable):
        return price, (f"{live.reason} Prices are {price.label}.",)
    return price, ()


def _fallback_price(record: CacheRecord | None, target: ServiceTarget) -> PriceQuote:
    """The account's cached price when it was asked with this key, else the bundled one."""
    if target.offline:
        return PriceQuote.offline()
    if (
        record is None
        or not target.key
        or not record.matches(target.endpoint_id, target.platform_url, target.key)
    ):
        return PriceQuote.bundled()
    unit_price = record.payload.get("unit_price")
    if isinstance(unit_price, bool) or not isinstance(unit_price, (int, float)) or unit_price < 0:
        return PriceQuote.bundled()
    return PriceQuote(float(unit_price), "account", fetched_at=record.fetched_at)


def _save_answers(
    cache: ServiceCache,
    target: ServiceTarget,
    live_schema: LiveSchema | Unavailable | None,
    live_price: PriceQuote | Unavailable | None,
) -> None:
    """Keep fresh answers (worker thread). A full disk costs the cache, not the run."""
    common = {
        "endpoint_id": target.endpoint_id,
        "service_url": target.platform_url,
        "key": target.key,
    }
    try:
        if isinstance(live_schema, LiveSchema):
            payload = {"openapi": live_schema.openapi, "status": live_schema.schema.status}
            cache.save(
                "schema",
                CacheRecord.new(**common, payload=payload, fetched_at=live_schema.fetched_at),
            )
        if isinstance(live_price, PriceQuote):
            payload = {"unit_price": live_price.unit_price_usd}
            cache.save(
                "price",
                CacheRecord.new(**common, payload=payload, fetched_at=live_price.fetched_at),
            )
    except OSError as exc:
        log.warning("could not keep fal's answer in the cache: %s", exc)


def _status_notes(schema: ModelSchema) -> tuple[str, ...]:
    if schema.status == "deprecated":
        return (f"fal marks {schema.endpoint_id} as deprecated.",)
    return ()


def _ago(fetched_at: float | None) -> str:
    if fetched_at is None:
        return "earlier"
    hours = max(0.0, time.time() - fetched_at) / 3600
    return f"{hours:.0f} h ago" if hours < 48 else f"{hours / 24:.0f} days ago"


def _text_or_none(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _offline_or_bundled(offline: bool) -> PriceQuote:
    return PriceQuote.offline() if offline else PriceQuote.bundled()
