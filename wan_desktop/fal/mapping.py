"""Turning an error answer from the queue into the right ``FalError`` (pure functions).

A 401 says the key is wrong; a 403 whose ``detail`` says the account is locked or out of
balance is an ``AccountLockedError`` (not a bad key); every other refusal quotes fal's
``detail`` (a string, or the list of ``{loc, msg}`` items rendered as ``field: msg; …``).
``X-Fal-Retryable`` sets the error's ``retryable`` flag where fal sends it.
"""

from __future__ import annotations

import json
import re
from typing import Any

import httpx

from wan_desktop.fal.errors import (
    CONTENT_POLICY_TYPE,
    KEY_HINT,
    REQUEST_TIMEOUT_TYPE,
    AccountLockedError,
    AuthError,
    ContentPolicyError,
    FalError,
    FieldError,
    ProtocolError,
    RequestTimeoutError,
    ResultExpiredError,
    ServiceError,
    StartTimeoutError,
    ValidationError,
    field_errors_from_detail,
)
from wan_desktop.fal.retry import TIMEOUT_TYPE_HEADER, fal_retryable

__all__ = ["error_from_response", "json_body", "protocol_error", "validation_error"]

ERROR_TYPE_HEADER = "x-fal-error-type"
# fal's words for an account that may not run anything ("User is locked. Reason: Exhausted
# balance."): a 403 saying one of these is about the account, not the key.
_LOCKED_WORDS = re.compile(
    r"\b(locked|exhausted|balance|insufficient (?:funds|credits?)|out of credits?|billing)\b",
    re.IGNORECASE,
)

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
    reason = _readable(field_errors) or "no reason was given"
    if moderated:
        return ContentPolicyError(
            f"The content checker refused the request: {reason}",
            field_errors,
            status_code=status_code,
        )
    return ValidationError(
        f"The service refused the inputs: {reason}", field_errors, status_code=status_code
    )


def error_from_response(
    response: httpx.Response, *, during: str, start_timeout_s: float | None = None
) -> FalError:
    """The error for a non-2xx answer to a call of kind ``during`` (a key of ``DOING``).

    ``start_timeout_s``: the start deadline the request was sent with, to name it when the
    answer says that deadline passed. The response must have been read. Pure; never raises.
    """
    error = _error_for(response, during, start_timeout_s)
    said = fal_retryable(response.headers)
    if said is not None and not isinstance(error, AuthError | ValidationError):
        error.retryable = said
    return error


def _error_for(response: httpx.Response, during: str, start_timeout_s: float | None) -> FalError:
    code = response.status_code
    body = json_body(response)
    doing = DOING.get(during, during)
    detail = _detail_text(body)
    error_type = _error_type(body, response)
    request_id = response.headers.get("x-fal-request-id")
    said = f": {detail}" if detail else "."
    if code in (401, 403):
        return _refused(code, doing, detail)
    if code == 422:
        return validation_error(body)
    if code == 504 and response.headers.get(TIMEOUT_TYPE_HEADER, "").strip().lower() == "user":
        return StartTimeoutError(start_timeout_s, status_code=code, request_id=request_id)
    if (code == 504 and response.headers.get(TIMEOUT_TYPE_HEADER)) or (
        error_type == REQUEST_TIMEOUT_TYPE
    ):
        return RequestTimeoutError(
            "The request did not start before its deadline (the service answered "
            f"HTTP {code}{said.rstrip('.')}). Try again later or allow it more time.",
            error_type=error_type,
            status_code=code,
            request_id=request_id,
        )
    if code == 404 and during == "result":
        return ResultExpiredError(
            "The service no longer keeps this result (HTTP 404): results are kept for a "
            f"short time after a request finishes{said}",
            status_code=code,
        )
    if code == 404:
        return ServiceError(
            f"The service does not know this request (HTTP 404) while {doing}; "
            f"it may have expired{said}",
            status_code=code,
            error_type=error_type,
        )
    kind = f", {error_type}" if error_type else ""
    if code == 429:
        text = f"The service is too busy (HTTP 429{kind}) while {doing}; try again later{said}"
    elif code >= 500:
        text = f"The service had a problem (HTTP {code}{kind}) while {doing}{said}"
    else:
        text = f"The service refused {doing} (HTTP {code}{kind}){said}"
    return ServiceError(text, status_code=code, error_type=error_type, request_id=request_id)


def _refused(code: int, doing: str, detail: str) -> FalError:
    """A 401/403: the account locked (fal's reason), else the key refused."""
    if code == 403 and _LOCKED_WORDS.search(detail):
        return AccountLockedError(detail, status_code=code)
    why = "the key is missing or wrong" if code == 401 else "the key may not do this"
    said = f" fal said: {_sentence(detail)}" if detail else ""
    return AuthError(
        f"The service refused the key while {doing} (HTTP {code}): {why}.{said} {KEY_HINT}",
        status_code=code,
    )


def protocol_error(response: httpx.Response, *, during: str, what: str) -> ProtocolError:
    """A ``ProtocolError`` for an answer to ``during`` that is not what was expected."""
    return ProtocolError(
        f"The service's answer while {DOING.get(during, during)} was not understood "
        f"(HTTP {response.status_code}): {what}."
    )


def _detail_text(body: Any) -> str:
    """fal's ``detail`` (or ``error`` / ``message``) as one readable line: a string as is,
    a list of ``{loc, msg}`` items as ``field: msg; …``; ``""`` when there is none."""
    if isinstance(body, dict):
        detail = body.get("detail", body.get("error", body.get("message")))
        if isinstance(detail, str):
            return _clip(detail.strip())
        if isinstance(detail, list | dict) and detail:
            return _clip(_readable(field_errors_from_detail(detail)))
        if detail is not None:
            return _clip(json.dumps(detail, ensure_ascii=False, default=str))
    return ""


def _readable(field_errors: list[FieldError]) -> str:
    """``field: message; …`` (a message alone where no field is named)."""
    return "; ".join(f"{e.field}: {e.message}" if e.field else e.message for e in field_errors)


def _sentence(text: str) -> str:
    return text if text.endswith((".", "!", "?")) else text + "."


def _error_type(body: Any, response: httpx.Response) -> str | None:
    if isinstance(body, dict) and isinstance(body.get("error_type"), str):
        return body["error_type"]
    return response.headers.get(ERROR_TYPE_HEADER)


def _clip(text: str, limit: int = 400) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
