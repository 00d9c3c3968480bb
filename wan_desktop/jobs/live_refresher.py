"""The window's background task that keeps fal's schema and price current (event loop)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

import httpx

from ..core.model_cache import DAY_S
from ..core.paths import AppPaths
from ..fal.platform import DEFAULT_TIMEOUT_S
from .live_service import ServiceInfo, ServiceTarget, resolve

__all__ = ["RETRY_AFTER_FAILURE_S", "LiveRefresher"]

log = logging.getLogger(__name__)

#: After a failed refresh the window asks again this much later (not at once: fal may be down).
RETRY_AFTER_FAILURE_S = 3600.0


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
