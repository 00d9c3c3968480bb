"""The parameters of each fault switch as typed records: the one place their types, defaults
and ranges are written (any thread; pure).

A value reaches a response header (``Retry-After``, ``X-Fal-Error-Type``), a timer or a
byte count, so each is checked by type and range here: a ``retry_after_s`` holding CR/LF, a
``delay_s`` of ``1e308`` or a status of ``10**30`` is refused, never passed on.
"""

from __future__ import annotations

from typing import Annotated, Any

import msgspec

from wan_desktop.core import limits

__all__ = [
    "DEFAULT_ROUTES",
    "FAULT_TYPES",
    "PLATFORM_ROUTES",
    "QUEUE_ROUTES",
    "ROUTES",
    "STORAGE_ROUTES",
    "ChangedSchema",
    "check_params",
]

#: The queue's routes: where a fault fires when it names no ``routes``.
QUEUE_ROUTES = frozenset({"submit", "status", "stream", "result", "cancel", "media"})
#: The Platform API's routes (``/v1/models``, ``/v1/models/pricing``).
PLATFORM_ROUTES = frozenset({"models", "pricing"})
#: The storage API's routes: the token, the CDN upload, the storage upload (initiate, then
#: the signed PUT) and the uploaded file.
STORAGE_ROUTES = frozenset({"token", "upload", "initiate", "upload_put", "upload_file"})
#: Every route a fault can be limited to (the others only when named: an app that reads the
#: schema first must not use up a fault meant for its submit).
ROUTES = QUEUE_ROUTES | PLATFORM_ROUTES | STORAGE_ROUTES

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


class LockedAccount(_Fault):
    routes: _Routes = None


class Retryable(_Fault):
    retryable: bool = False
    routes: _Routes = None


class ChangedSchema(_Fault):
    """fal publishes another schema: ``prompt_max_chars`` and one more boolean input,
    ``extra_field`` (its default ``extra_default``). Until cleared by default (``count``
    -1): each ``/v1/models`` answer and each submit uses up one firing."""

    count: _Count = -1
    prompt_max_chars: Annotated[int, msgspec.Meta(ge=1, le=100_000)] = 1200
    # An API-style name the bundled table does not use (checked in check_params).
    extra_field: Annotated[str, msgspec.Meta(pattern=r"^[a-z_][a-z0-9_]{0,63}$")] = "camera_fixed"
    extra_default: bool = False


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
    "locked_account": LockedAccount,
    "octet_stream": Plain,
    "retryable": Retryable,
    "changed_schema": ChangedSchema,
}

#: Where a fault that names no ``routes`` fires, when that is not :data:`QUEUE_ROUTES`.
DEFAULT_ROUTES: dict[str, frozenset[str]] = {"locked_account": frozenset({"submit"})}


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
    if name == "changed_schema" and settings["extra_field"] in limits.INPUTS:
        raise ValueError(f"fault {name!r}: extra_field must be a new input, not an existing one")
    return settings
