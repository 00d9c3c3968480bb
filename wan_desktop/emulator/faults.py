"""Fault switches: make the offline engine misbehave on purpose, for tests and benchmarks.

Each fault fires on the next ``count`` calls that match it (``count=-1``: every call) and is
then forgotten. The names and parameters are those of ``docs/interfaces.md``:

========================  ============================================================
``rate_limit``            429 with ``Retry-After`` (``retry_after_s``, default 1)
``ingress_error``         502/503/504 (``status``, default 503) with no ``x-fal-request-id``
``drop_connection``       the socket is closed with no response
``slow``                  the response is sent after ``delay_s`` seconds (default 1)
``fail_request``          the next jobs end COMPLETED with ``error`` / ``error_type``
``expire_result``         the result endpoint and the media answer 404
``truncate_media``        the media body stops after ``after_bytes`` (default 1024)
``no_range``              the media ignores ``Range`` and answers 200 with the whole file
``break_stream``          the SSE status stream closes before COMPLETED
``moderate``              submit answers 422 ``content_policy_violation`` on ``prompt``
``auth``                  401
========================  ============================================================

``rate_limit``, ``ingress_error``, ``drop_connection``, ``slow`` and ``auth`` take ``routes``,
a subset of :data:`ROUTES` (default: all of them). Thread-safe: the HTTP handler threads and
the job workers consult one :class:`Faults` object while tests change it from another thread.
"""

from __future__ import annotations

import copy
import threading
from collections.abc import Iterable
from typing import Any

__all__ = ["FAULT_DEFAULTS", "ROUTES", "FaultError", "Faults", "parse_fault_spec"]

#: The queue routes a fault can be limited to.
ROUTES = frozenset({"submit", "status", "stream", "result", "cancel", "media"})

#: Every fault name and its parameters with their defaults (``count`` is common to all).
FAULT_DEFAULTS: dict[str, dict[str, Any]] = {
    "rate_limit": {"retry_after_s": 1, "routes": None},
    "ingress_error": {"status": 503, "routes": None},
    "drop_connection": {"routes": None},
    "slow": {"delay_s": 1.0, "routes": None},
    "fail_request": {
        "error": "The model failed to generate the video.",
        "error_type": "runner_error",
        "status": 500,
    },
    "expire_result": {},
    "truncate_media": {"after_bytes": 1024},
    "no_range": {},
    "break_stream": {},
    "moderate": {},
    "auth": {"routes": None},
}

#: Faults that fire only on some routes whatever ``routes`` says.
_FIXED_ROUTES: dict[str, frozenset[str]] = {
    "fail_request": frozenset({"submit"}),
    "expire_result": frozenset({"result", "media"}),
    "truncate_media": frozenset({"media"}),
    "no_range": frozenset({"media"}),
    "break_stream": frozenset({"stream"}),
    "moderate": frozenset({"submit"}),
}


class FaultError(ValueError):
    """An unknown fault name, parameter or route."""


class Faults:
    """The active fault switches of one engine.

    Python: ``faults.set("rate_limit", count=2, retry_after_s=0)``, ``faults.clear()``.
    Over HTTP: ``POST /_emulator/faults`` with ``{name: params}``, ``DELETE`` to clear.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._active: dict[str, dict[str, Any]] = {}
        self._fired: dict[str, int] = {}

    def set(self, name: str, **params: Any) -> None:
        """Switch fault ``name`` on (replacing the same fault's earlier setting).

        ``count`` (default 1) is how many matching calls it fires on; -1 means always;
        0 switches it off. Raises :class:`FaultError` for unknown names or parameters.
        """
        if name not in FAULT_DEFAULTS:
            raise FaultError(f"unknown fault {name!r}; known: {', '.join(sorted(FAULT_DEFAULTS))}")
        allowed = {"count", *FAULT_DEFAULTS[name]}
        unknown = sorted(set(params) - allowed)
        if unknown:
            raise FaultError(f"fault {name!r} takes no parameter {', '.join(unknown)}")
        settings = {"count": 1, **copy.deepcopy(FAULT_DEFAULTS[name]), **params}
        count = settings["count"]
        if isinstance(count, bool) or not isinstance(count, int) or count < -1:
            raise FaultError(f"fault {name!r}: count must be a whole number >= -1")
        routes = settings.get("routes")
        if routes is not None:
            if isinstance(routes, str):
                routes = [r for r in routes.replace("+", ",").split(",") if r]
            bad = sorted(set(routes) - ROUTES)
            if bad:
                raise FaultError(f"fault {name!r}: unknown routes {', '.join(bad)}")
            settings["routes"] = frozenset(routes)
        with self._lock:
            if count == 0:
                self._active.pop(name, None)
            else:
                self._active[name] = settings

    def update(self, faults: dict[str, dict[str, Any]]) -> None:
        """Merge several faults at once (the body of ``POST /_emulator/faults``)."""
        if not isinstance(faults, dict):
            raise FaultError("faults must be an object {name: params}")
        for name, params in faults.items():
            if params is None:
                params = {}
            if not isinstance(params, dict):
                raise FaultError(f"fault {name!r}: parameters must be an object")
            self.set(name, **params)

    def clear(self, name: str | None = None) -> None:
        """Switch off fault ``name``, or every fault when ``name`` is None."""
        with self._lock:
            if name is None:
                self._active.clear()
            else:
                self._active.pop(name, None)

    def take(self, name: str, route: str) -> dict[str, Any] | None:
        """Consume one firing of ``name`` for a call on ``route``.

        Returns the fault's parameters when it fires (and counts it down), else None.
        """
        with self._lock:
            settings = self._active.get(name)
            if settings is None:
                return None
            routes = _FIXED_ROUTES.get(name) or settings.get("routes") or ROUTES
            if route not in routes:
                return None
            if settings["count"] > 0:
                settings["count"] -= 1
                if settings["count"] == 0:
                    del self._active[name]
            self._fired[name] = self._fired.get(name, 0) + 1
            return dict(settings)

    def active(self) -> dict[str, dict[str, Any]]:
        """A copy of the active faults (routes as sorted lists, for JSON)."""
        with self._lock:
            out = {}
            for name, settings in self._active.items():
                item = dict(settings)
                if item.get("routes") is not None:
                    item["routes"] = sorted(item["routes"])
                out[name] = item
            return out

    def fired(self) -> dict[str, int]:
        """How many times each fault has fired since the last reset."""
        with self._lock:
            return dict(self._fired)

    def reset(self) -> None:
        """Clear every fault and the firing counts."""
        with self._lock:
            self._active.clear()
            self._fired.clear()


def parse_fault_spec(spec: str) -> tuple[str, dict[str, Any]]:
    """Parse a command-line fault, ``NAME[:k=v,k=v]``, into ``(name, params)``.

    Values are read as int, then float, else kept as text; ``routes`` takes ``a+b``.
    """
    name, _, rest = spec.partition(":")
    params: dict[str, Any] = {}
    for item in _split(rest):
        key, sep, value = item.partition("=")
        if not sep:
            raise FaultError(f"fault parameter {item!r} must be key=value")
        params[key.strip()] = _scalar(value.strip())
    return name.strip(), params


def _split(text: str) -> Iterable[str]:
    return [part for part in text.split(",") if part.strip()]


def _scalar(text: str) -> Any:
    for convert in (int, float):
        try:
            return convert(text)
        except ValueError:
            pass
    return text
