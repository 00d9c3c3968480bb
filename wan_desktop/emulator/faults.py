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
``echo_key``              the next submitted requests get their ``Authorization`` key back:
                          in a status log line, in the result JSON (``received_key``) and in
                          error details (a failed result, a refused submit). It proves that
                          the app scrubs the key from everything a service sends; the key is
                          kept in memory only, never in the engine's files.
``locked_account``        403 ``{"detail": "User is locked. Reason: Exhausted balance. ..."}``,
                          fal's words for an account out of credit (not a bad key); on
                          submits unless ``routes`` says otherwise
``octet_stream``          the media is served as ``application/octet-stream``, as a CDN may
``retryable``             error answers (4xx/5xx, not the ingress's pages) carry
                          ``X-Fal-Retryable: true|false`` (``retryable``, default false)
``changed_schema``        fal publishes another schema: ``/v1/models`` shows it and submits
                          are validated by it. ``prompt_max_chars`` (default 1200) and one
                          more boolean input, ``extra_field`` (default ``camera_fixed``) with
                          the default ``extra_default`` (false). ``count`` defaults to -1
                          (until cleared); each ``/v1/models`` answer and each submit uses one
========================  ============================================================

``rate_limit``, ``ingress_error``, ``drop_connection``, ``slow``, ``auth``, ``locked_account``
and ``retryable`` take ``routes``, a subset of :data:`ROUTES`; without it they fire on the
queue's routes (:data:`QUEUE_ROUTES`), ``locked_account`` on ``submit`` only. The Platform
API's routes (``models``, ``pricing``) and the storage API's (``token``, ``upload``,
``initiate``, ``upload_put``, ``upload_file``) are reached only by naming them, so that an app
reading the schema first never uses up a fault meant for its submit. Types and ranges of the
parameters are in
:mod:`.fault_params`: anything else (a ``delay_s`` of ``1e308``, a header value with a line
break) raises :class:`FaultError`. Thread-safe: the HTTP handler threads and
the job workers consult one :class:`Faults` object while tests change it from another thread.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from typing import Any

from .fault_params import DEFAULT_ROUTES, FAULT_TYPES, QUEUE_ROUTES, ROUTES, check_params

__all__ = ["FAULT_DEFAULTS", "QUEUE_ROUTES", "ROUTES", "FaultError", "Faults", "parse_fault_spec"]

#: Every fault name and its parameters with their defaults (``count`` is common to all).
FAULT_DEFAULTS: dict[str, dict[str, Any]] = {
    name: {
        field: default
        for field, default in zip(record.__struct_fields__, record.__struct_defaults__, strict=True)
        if field != "count"
    }
    for name, record in FAULT_TYPES.items()
}

#: Faults that fire only on some routes whatever ``routes`` says.
_FIXED_ROUTES: dict[str, frozenset[str]] = {
    "fail_request": frozenset({"submit"}),
    "expire_result": frozenset({"result", "media"}),
    "truncate_media": frozenset({"media"}),
    "no_range": frozenset({"media"}),
    "break_stream": frozenset({"stream"}),
    "moderate": frozenset({"submit"}),
    "echo_key": frozenset({"submit"}),
    "octet_stream": frozenset({"media"}),
    "changed_schema": frozenset({"models", "submit"}),
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
        0 switches it off. Raises :class:`FaultError` for unknown names or parameters, and
        for values of the wrong type or out of range.
        """
        self._apply({name: _checked(name, params)})

    def update(self, faults: dict[str, dict[str, Any]]) -> None:
        """Merge several faults at once (the body of ``POST /_emulator/faults``): all of
        them, or none when one is refused."""
        if not isinstance(faults, dict):
            raise FaultError("faults must be an object {name: params}")
        checked = {}
        for name, params in faults.items():
            if params is None:
                params = {}
            if not isinstance(params, dict):
                raise FaultError(f"fault {str(name)[:80]!r}: parameters must be an object")
            checked[name] = _checked(name, params)
        self._apply(checked)

    def _apply(self, checked: dict[str, dict[str, Any]]) -> None:
        with self._lock:
            for name, settings in checked.items():
                if settings["count"] == 0:
                    self._active.pop(name, None)
                else:
                    self._active[name] = settings

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
            routes = (
                _FIXED_ROUTES.get(name)
                or settings.get("routes")
                or DEFAULT_ROUTES.get(name, QUEUE_ROUTES)
            )
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


def _checked(name: str, params: dict[str, Any]) -> dict[str, Any]:
    if name not in FAULT_TYPES:
        known = ", ".join(sorted(FAULT_TYPES))
        raise FaultError(f"unknown fault {str(name)[:80]!r}; known: {known}")
    try:
        return check_params(name, params)
    except ValueError as exc:
        raise FaultError(str(exc)) from exc


def parse_fault_spec(spec: str) -> tuple[str, dict[str, Any]]:
    """Parse a command-line fault, ``NAME[:k=v,k=v]``, into ``(name, params)``.

    Values are read as int, then float, then ``true``/``false``, else kept as text;
    ``routes`` takes ``a+b``.
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
    return {"true": True, "false": False}.get(text.lower(), text)
