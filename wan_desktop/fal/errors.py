"""The errors the fal client raises, each a full sentence for people.

Hierarchy::

    FalError                      anything that went wrong talking to fal (or the local engine)
    ├── AuthError                 the key is missing or was refused            (refused)
    ├── AccountLockedError        the key is fine, the account is locked or out of credit
    │                             (403 "User is locked. Reason: Exhausted balance")
    │                                                                (refused, resumable)
    ├── ValidationError           the service refused the inputs (422)         (refused)
    │   └── ContentPolicyError    ... because of content moderation            (refused)
    ├── RequestFailedError        the request ended COMPLETED with an error
    │   └── CancelledByUserError  ... because it was cancelled (client_cancelled)
    ├── RequestTimeoutError       the request did not start before its deadline (retryable)
    │   └── StartTimeoutError     ... the caller's own start deadline (X-Fal-Request-Timeout)
    ├── ResultExpiredError        the result of a finished request is gone (404)
    ├── ServiceError              any other HTTP error answer from the service
    ├── NetworkError              no answer: connection refused, dropped, timed out (retryable)
    ├── ProtocolError             an answer the client cannot understand
    └── DownloadError             the output media could not be downloaded

Every error has three flags the callers decide on:

- ``refused``: the service said no to this key, these inputs or this account; trying again
  unchanged will not help now (the CLI exits with 3).
- ``retryable``: trying the same operation again later may work (network trouble, overload).
  Where fal sends ``X-Fal-Retryable: true|false`` with an error answer, that header sets it.
- ``resumable``: the job should be kept so it can go again later without the user changing
  anything: True when ``retryable``, and for ``AccountLockedError`` (refused until credit is
  back, then it can be sent or followed as it is). Never True for a bad key or bad inputs.

``maybe_submitted`` is True on a submit error after which the request may still have reached
the queue (and may be billed): the caller should tell the user rather than submit again.

No message, repr or attribute of these errors ever holds the API key: the client hides its key
(whole, its halves, URL-encoded: ``core.redact.KeyRedactor``) in every error it raises, in the
errors those were raised from, and in everything else it returns; it never puts request
headers in one.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from wan_desktop.core.redact import KeyRedactor

__all__ = [
    "BILLING_URL",
    "AccountLockedError",
    "AuthError",
    "CancelledByUserError",
    "ContentPolicyError",
    "DownloadError",
    "FalError",
    "FieldError",
    "NetworkError",
    "ProtocolError",
    "RequestFailedError",
    "RequestTimeoutError",
    "ResultExpiredError",
    "ServiceError",
    "StartTimeoutError",
    "ValidationError",
    "field_errors_from_detail",
    "request_failed",
]

CONTENT_POLICY_TYPE = "content_policy_violation"
CLIENT_CANCELLED_TYPE = "client_cancelled"
REQUEST_TIMEOUT_TYPE = "request_timeout"

# How the key is told to the user, in one place.
KEY_HINT = "Set the key in the FAL_KEY environment variable or in the app's settings."
#: Where a fal account's credit is topped up.
BILLING_URL = "https://fal.ai/dashboard/billing"


class FalError(Exception):
    """Base of every error of the fal client. ``str(err)`` is a sentence for people."""

    refused: bool = False
    retryable: bool = False

    def __init__(
        self,
        message: str,
        *,
        status_code: int | None = None,
        request_id: str | None = None,
        retryable: bool | None = None,
        maybe_submitted: bool = False,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status_code = status_code
        self.request_id = request_id
        self.maybe_submitted = maybe_submitted
        if retryable is not None:
            self.retryable = retryable

    def __str__(self) -> str:
        return self.message

    @property
    def resumable(self) -> bool:
        """Whether the job should stay resumable (see the module docstring): by default the
        same as ``retryable``."""
        return self.retryable

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.message!r})"

    def scrub(self, secret: str | None) -> FalError:
        """Hide ``secret`` in the message and every attribute (see ``KeyRedactor``); returns
        ``self``. The client does this with its key on every error it raises, so text echoed by
        a server (a ``detail`` that quotes the Authorization header, say) cannot leak the key.
        """
        return KeyRedactor(secret).error(self)


class AuthError(FalError):
    """The key is missing, malformed, or refused (HTTP 401/403)."""

    refused = True

    def __init__(self, message: str | None = None, **kwargs: Any) -> None:
        super().__init__(message or f"No fal key is set. {KEY_HINT}", **kwargs)


class AccountLockedError(FalError):
    """The key was accepted but the account may not run anything: it is locked, most often
    because its balance is exhausted (HTTP 403 with fal's reason). Not a bad key.

    ``reason`` is fal's own words (the client hides its key in them); the message says where
    credit is topped up (``BILLING_URL``). ``refused`` (nothing will work until credit is
    back) yet ``resumable``: the job is kept and can go as it is once the account is open.
    """

    refused = True

    def __init__(self, reason: str, **kwargs: Any) -> None:
        said = _sentence(reason) if reason.strip() else "no reason was given."
        super().__init__(
            f"The account is locked, so the service will not run anything: {said} This is "
            f"not a problem with the key. Top up the account's credit at {BILLING_URL}, "
            "then resume the job.",
            **kwargs,
        )
        self.reason = reason

    @property
    def resumable(self) -> bool:
        """Always True: the same job can go once the account has credit again."""
        return True


@dataclass(frozen=True, slots=True)
class FieldError:
    """One input the service refused: ``field`` is the API input name (``prompt``,
    ``image_url``, ...) or ``""`` when the service did not say which; ``type`` is the
    service's error type (``value_error``, ``content_policy_violation``, ...)."""

    field: str
    message: str
    type: str = ""


class ValidationError(FalError):
    """The service refused the inputs (HTTP 422); ``field_errors`` names each input."""

    refused = True

    def __init__(self, message: str, field_errors: list[FieldError], **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.field_errors = list(field_errors)

    @property
    def fields(self) -> list[str]:
        """The input names refused, in order, without repeats or blanks."""
        return list(dict.fromkeys(e.field for e in self.field_errors if e.field))


class ContentPolicyError(ValidationError):
    """The content moderation refused the inputs (``content_policy_violation``)."""


class RequestFailedError(FalError):
    """The request ran (or was cancelled) and ended COMPLETED with ``error`` set."""

    def __init__(
        self, message: str, *, error: str | None, error_type: str | None, **kwargs: Any
    ) -> None:
        super().__init__(message, **kwargs)
        self.error = error
        self.error_type = error_type


class CancelledByUserError(RequestFailedError):
    """The request ended because it was cancelled (``client_cancelled``)."""


class RequestTimeoutError(FalError):
    """The request did not start (or finish) before its deadline; submitting again may work."""

    retryable = True

    def __init__(self, message: str, *, error_type: str | None = None, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.error_type = error_type or REQUEST_TIMEOUT_TYPE


class StartTimeoutError(RequestTimeoutError):
    """The caller's own start deadline (``X-Fal-Request-Timeout``) passed before the request
    started: the service dropped it without running it, so nothing was billed.
    ``timeout_s``: that deadline in seconds, when known."""

    def __init__(self, timeout_s: float | None, **kwargs: Any) -> None:
        within = f"within {_duration(timeout_s)}" if timeout_s else "before its deadline"
        super().__init__(
            f"The service did not start the job {within}; nothing was billed. Send it again "
            "later, or allow it more time in Settings → Advanced.",
            **kwargs,
        )
        self.timeout_s = timeout_s


def _duration(seconds: float) -> str:
    """``90`` → ``"1.5 minutes"``, ``60`` → ``"1 minute"``, ``45`` → ``"45 seconds"``."""
    if seconds < 60:
        amount, unit = seconds, "second"
    else:
        amount, unit = seconds / 60, "minute"
    text = f"{amount:.1f}".rstrip("0").rstrip(".")
    return f"{text} {unit}{'' if text == '1' else 's'}"


class ResultExpiredError(FalError):
    """The request finished but its result is no longer kept by the service (HTTP 404)."""


class ServiceError(FalError):
    """Any other error answer from the service: ``status_code`` and ``error_type`` say which."""

    def __init__(
        self, message: str, *, status_code: int, error_type: str | None = None, **kwargs: Any
    ) -> None:
        kwargs.setdefault("retryable", status_code == 429 or status_code >= 500)
        super().__init__(message, status_code=status_code, **kwargs)
        self.error_type = error_type


class NetworkError(FalError):
    """No usable answer: the connection was refused, dropped or timed out."""

    retryable = True


class ProtocolError(FalError):
    """An answer the client cannot understand (not JSON, unknown state, missing field)."""


class DownloadError(FalError):
    """The output media could not be downloaded, or was not what was expected."""


def request_failed(
    error: str | None, error_type: str | None, *, request_id: str | None = None
) -> FalError:
    """The error for a request that ended COMPLETED with ``error`` / ``error_type`` set."""
    detail = (error or "").strip() or "no reason was given"
    if error_type == CLIENT_CANCELLED_TYPE:
        return CancelledByUserError(
            "The request was cancelled before it finished.",
            error=error,
            error_type=error_type,
            request_id=request_id,
        )
    if error_type == REQUEST_TIMEOUT_TYPE:
        return RequestTimeoutError(
            f"The request ran out of time on the service: {_sentence(detail)}",
            error_type=error_type,
            request_id=request_id,
        )
    kind = f" ({error_type})" if error_type else ""
    return RequestFailedError(
        f"The generation failed on the service{kind}: {_sentence(detail)}",
        error=error,
        error_type=error_type,
        request_id=request_id,
    )


def _sentence(text: str) -> str:
    text = text.strip()
    return text if text.endswith((".", "!", "?")) else text + "."


def field_errors_from_detail(detail: Any) -> list[FieldError]:
    """Map a 422 body's ``detail`` (a list of pydantic-style items, or a plain string, or
    anything else a server may send) to field errors. Never raises.

    ``loc`` ``["body", "prompt"]`` → field ``prompt``; a nested ``["body", "a", 0]`` → ``a``;
    a ``loc`` without a body field → field ``""``.
    """
    if detail is None:
        return []
    if isinstance(detail, str):
        return [FieldError("", detail.strip() or "The inputs were refused.", "")]
    if isinstance(detail, dict):
        detail = [detail]
    if not isinstance(detail, list):
        return [FieldError("", _short_json(detail), "")]
    errors = []
    for item in detail:
        if not isinstance(item, dict):
            errors.append(FieldError("", _short_json(item), ""))
            continue
        msg = item.get("msg", item.get("message"))
        message = msg.strip() if isinstance(msg, str) and msg.strip() else "Refused."
        type_ = item.get("type")
        errors.append(
            FieldError(_field_of(item.get("loc")), message, type_ if isinstance(type_, str) else "")
        )
    return errors


def _field_of(loc: Any) -> str:
    if isinstance(loc, str):
        return loc
    if not isinstance(loc, list | tuple):
        return ""
    parts = [p for p in loc if isinstance(p, str)]
    if parts and parts[0] in ("body", "query", "input"):
        parts = parts[1:]
    return parts[0] if parts else ""


def _short_json(value: Any, limit: int = 300) -> str:
    try:
        text = json.dumps(value, ensure_ascii=False, default=str)
    except (TypeError, ValueError):  # pragma: no cover - default=str handles the rest
        text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"
