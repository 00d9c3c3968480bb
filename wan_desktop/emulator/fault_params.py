"""The parameters of each fault switch as typed records: the one place their types, defaults
and ranges are written (any thread; pure).

A value reaches a response header (``Retry-After``, ``X-Fal-Error-Type``), a timer or a
byte count, so each is checked by type and range here: a ``retry_after_s`` holding CR/LF, a
``delay_s`` of ``1e308`` or a status of ``10**30`` is refused, never passed on.
"""

from __future__ import annotations

from typing import Annotated, Any

import msgspec

__all__ = ["FAULT_TYPES", "ROUTES", "check_params"]

#: The queue routes a fault can be limited to.
ROUTES = frozenset({"submit", "status", "stream", "result", "cancel", "media"})

_Count = Annotated[int, msgspec.Meta(ge=-1, le=1_000_000)]
_Seconds = Annotated[float, msgspec.Meta(ge=0, le=600)]
_RetryAfter = Annotated[float, msgspec.Meta(ge=0, le=86_400)]
_Routes = str | list[str] | None
# Sent as a header value and a JSON string: a token, no spaces or line breaks.
_ErrorType = Annotated[str, msgspec.Meta(pattern=r"^[A-Za-z0-9_.-]{1,64}$")]


class _Fault(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    count: _Count = 1


class RateLimit(_Fault):
    retry_after_s: _RetryAfter = 1
    routes: _Routes = None


class IngressError(_Fault):
    status: Annotated[int, msgspec.Meta(ge=500, le=599)] = 503
    routes: _Routes = None


class RoutedFault(_Fault):
    routes: _Routes = None


class Slow(_Fault):
    delay_s: _Seconds = 1.0
    routes: _Routes = None


class FailRequest(_Fault):
    error: Annotated[str, msgspec.Meta(max_length=2000)] = "The model failed to generate the video."
    error_type: _ErrorType = "runner_error"
    status: Annotated[int, msgspec.Meta(ge=400, le=599)] = 500


class TruncateMedia(_Fault):
    after_bytes: Annotated[int, msgspec.Meta(ge=0, le=1 << 40)] = 1024


class Plain(_Fault):
    pass


#: Each fault name and the record of its parameters.
FAULT_TYPES: dict[str, type[_Fault]] = {
    "rate_limit": RateLimit,
    "ingress_error": IngressError,
    "drop_connection": RoutedFault,
    "slow": Slow,
    "fail_request": FailRequest,
    "expire_result": Plain,
    "truncate_media": TruncateMedia,
    "no_range": Plain,
    "break_stream": Plain,
    "moderate": Plain,
    "auth": RoutedFault,
    "echo_key": Plain,
}


def check_params(name: str, params: dict[str, Any]) -> dict[str, Any]:
    """``params`` of fault ``name`` checked and completed with the defaults, ``routes`` as a
    frozenset (or None). Raises ``ValueError`` with a sentence naming the fault and the
    parameter."""
    try:
        record = msgspec.convert(params, FAULT_TYPES[name], strict=True)
    except msgspec.ValidationError as exc:
        raise ValueError(f"fault {name!r}: {exc}") from exc
    settings = msgspec.structs.asdict(record)
    if "routes" in settings and settings["routes"] is not None:
        routes = settings["routes"]
        if isinstance(routes, str):
            routes = [r for r in routes.replace("+", ",").split(",") if r]
        bad = sorted(set(routes) - ROUTES)
        if bad:
            raise ValueError(f"fault {name!r}: unknown routes {', '.join(bad)[:200]}")
        settings["routes"] = frozenset(routes)
    return settings
