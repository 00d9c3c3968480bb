"""Turning an error answer from the queue into the right ``FalError`` (pure functions)."""

from __future__ import annotations

import json
from typing import Any

import httpx

from wan_desktop.fal.errors import (
    CONTENT_POLICY_TYPE,
    KEY_HINT,
    REQUEST_TIMEOUT_TYPE,
    AuthError,
    ContentPolicyError,
    FalError,
    ProtocolError,
    RequestTimeoutError,
    ResultExpiredError,
    ServiceError,
    ValidationError,
    field_errors_from_detail,
)
from wan_desktop.fal.retry import TIMEOUT_TYPE_HEADER

__all__ = ["error_from_response", "json_body", "protocol_error", "validation_error"]

ERROR_TYPE_HEADER = "x-fal-error-type"

# Words for what the client was doing, used in messages ("while checking the status").
DOING = {
    "submit": "sending the request",
    "status": "checking the request's status",
    "stream": "following the request's status",
    "result": "fetching the result",
    "cancel": "cancelling the request",
    "upload": "uploading a file",
    "token": "asking for an upload token",
}


def json_body(response: httpx.Response) -> Any:
    """The decoded JSON of a (read) response, or None when it is not JSON."""
    try:
        return json.loads(response.content)
    except (ValueError, UnicodeDecodeError):
        return None


def validation_error(body: Any, *, status_code: int = 422) -> ValidationError:
    """A ``ValidationError`` (or ``ContentPolicyError``) for a 422 body. Never raises."""
    detail = body.get("detail") if isinstance(body, dict) else body
    field_errors = field_errors_from_detail(detail)
    moderated = any(e.type == CONTENT_POLICY_TYPE for e in field_errors) or (
        isinstance(body, dict) and body.get("error_type") == CONTENT_POLICY_TYPE
    )
    parts = [f"{e.field}: {e.message}" if e.field else e.message for e in field_errors]
    reason = "; ".join(parts) or "no reason was given"
    if moderated:
        return ContentPolicyError(
            f"The content checker refused the request: {reason}",
            field_errors,
            status_code=status_code,
        )
    return ValidationError(
        f"The service refused the inputs: {reason}", field_errors, status_code=status_code
    )


def error_from_response(response: httpx.Response, *, during: str) -> FalError:
    """The error for a non-2xx answer to a call of kind ``during`` (a key of ``DOING``).

    The response must have been read. Pure; never raises.
    """
    code = response.status_code
    body = json_body(response)
    doing = DOING.get(during, during)
    detail = _detail_text(body)
    error_type = _error_type(body, response)
    request_id = response.headers.get("x-fal-request-id")
    if code in (401, 403):
        why = "is missing or invalid" if code == 401 else "is not allowed to do this"
        return AuthError(
            f"The service refused the key while {doing} (HTTP {code}): the key {why}. {KEY_HINT}",
            status_code=code,
        )
    if code == 422:
        return validation_error(body)
    if (code == 504 and response.headers.get(TIMEOUT_TYPE_HEADER)) or (
        error_type == REQUEST_TIMEOUT_TYPE
    ):
        return RequestTimeoutError(
            "The request did not start before its deadline (the service answered "
            f"HTTP {code}). Try again later or allow it more time.",
            error_type=error_type,
            status_code=code,
            request_id=request_id,
        )
    if code == 404 and during == "result":
        return ResultExpiredError(
            "The service no longer keeps this result (HTTP 404): results are kept for a "
            "short time after a request finishes.",
            status_code=code,
        )
    if code == 404:
        return ServiceError(
            f"The service does not know this request (HTTP 404) while {doing}; "
            "it may have expired.",
            status_code=code,
            error_type=error_type,
        )
    kind = f", {error_type}" if error_type else ""
    said = f": {detail}" if detail else "."
    if code == 429:
        text = f"The service is too busy (HTTP 429{kind}) while {doing}; try again later{said}"
    elif code >= 500:
        text = f"The service had a problem (HTTP {code}{kind}) while {doing}{said}"
    else:
        text = f"The service refused {doing} (HTTP {code}{kind}){said}"
    return ServiceError(text, status_code=code, error_type=error_type, request_id=request_id)


def protocol_error(response: httpx.Response, *, during: str, what: str) -> ProtocolError:
    """A ``ProtocolError`` for an answer to ``during`` that is not what was expected."""
    return ProtocolError(
        f"The service's answer while {DOING.get(during, during)} was not understood "
        f"(HTTP {response.status_code}): {what}."
    )


def _detail_text(body: Any) -> str:
    if isinstance(body, dict):
        detail = body.get("detail", body.get("error", body.get("message")))
        if isinstance(detail, str):
            return _clip(detail.strip())
        if detail is not None:
            return _clip(json.dumps(detail, ensure_ascii=False, default=str))
    return ""


def _error_type(body: Any, response: httpx.Response) -> str | None:
    if isinstance(body, dict) and isinstance(body.get("error_type"), str):
        return body["error_type"]
    return response.headers.get(ERROR_TYPE_HEADER)


def _clip(text: str, limit: int = 400) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
