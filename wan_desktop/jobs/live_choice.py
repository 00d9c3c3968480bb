"""What the app uses when fal answers, when it does not, and what it keeps (no network).

The rules of "live, then cache, then bundled" as plain functions over the answers of
``fal.platform`` and the records of ``core.model_cache``: which table and price win, the
sentence saying why something fell back, and which answers are written to the cache.
File work is blocking: on the event loop, call it in a worker thread.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

from ..core import limits
from ..core.model_cache import CacheRecord, ServiceCache
from ..core.model_schema import ModelSchema, set_current_schema
from ..core.net import is_loopback_url
from ..core.openapi import SchemaError
from ..core.paths import AppPaths
from ..core.pricing import PriceQuote, set_current_price
from ..fal.platform import LiveSchema, Unavailable

__all__ = [
    "ServiceInfo",
    "ServiceTarget",
    "load_cached",
    "load_records",
    "pick_price",
    "pick_schema",
    "save_answers",
]

log = logging.getLogger(__name__)


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
    records = load_records(cache) if target.cacheable else (None, None)
    schema, notes = _schema_from_cache(records[0], target)
    return ServiceInfo(
        schema or ModelSchema.bundled(target.endpoint_id),
        _fallback_price(records[1], target),
        notes,
    )


def load_records(cache: ServiceCache) -> tuple[CacheRecord | None, CacheRecord | None]:
    """The cached schema and price records (``None`` each when missing or unreadable)."""
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


def pick_schema(
    live: LiveSchema | Unavailable | None, record: CacheRecord | None, target: ServiceTarget
) -> tuple[ModelSchema, tuple[str, ...]]:
    """The table to use and the notes saying why: the live answer, else the cached one for
    this endpoint and service, else bundled. ``live`` is ``None`` when fal was not asked."""
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


def pick_price(
    live: PriceQuote | Unavailable | None, record: CacheRecord | None, target: ServiceTarget
) -> tuple[PriceQuote, tuple[str, ...]]:
    """The price to use and the notes saying why: free offline; the live answer; bundled
    when the key may not read prices; else this key's cached price, else bundled."""
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


def save_answers(
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
