"""Qt-free async client for fal's queue: submit, follow, result, cancel, upload, download.

``FalClient`` (``client``) is the entry point; everything it returns or raises has the key
hidden (``redact``). Behind it: ``transport`` (the one retry loop, the key header, where the
key may go), ``submit`` (headers, body, handle), ``watch`` (stream and polling), ``uploads``
(CDN token and storage upload), ``download`` (resumable, a small state object). ``output``
types the model's result (the ``video`` fields), ``content`` tells a video by its first bytes,
``status`` holds the request states, ``errors`` the exception hierarchy (written out in its
docstring), ``retry`` the retry rules as pure functions, ``mapping`` error answers to
errors, ``platform`` fal's Platform API (schema and price).
"""

from __future__ import annotations

from wan_desktop.fal.client import DEFAULT_QUEUE_URL, CancelOutcome, FalClient
from wan_desktop.fal.download import DownloadResult
from wan_desktop.fal.errors import (
    BILLING_URL,
    AccountLockedError,
    AuthError,
    CancelledByUserError,
    ContentPolicyError,
    DownloadError,
    FalError,
    FieldError,
    NetworkError,
    ProtocolError,
    RequestFailedError,
    RequestTimeoutError,
    ResultExpiredError,
    ServiceError,
    StartTimeoutError,
    ValidationError,
)
from wan_desktop.fal.handle import RequestHandle
from wan_desktop.fal.output import ModelOutput, VideoFile, parse_output
from wan_desktop.fal.retry import RetryPolicy, backoff_delay, should_retry
from wan_desktop.fal.status import (
    Completed,
    InProgress,
    LogDeduper,
    LogEntry,
    Queued,
    Status,
    parse_status,
)

__all__ = [
    "BILLING_URL",
    "DEFAULT_QUEUE_URL",
    "AccountLockedError",
    "AuthError",
    "CancelOutcome",
    "CancelledByUserError",
    "Completed",
    "ContentPolicyError",
    "DownloadError",
    "DownloadResult",
    "FalClient",
    "FalError",
    "FieldError",
    "InProgress",
    "LogDeduper",
    "LogEntry",
    "ModelOutput",
    "NetworkError",
    "ProtocolError",
    "Queued",
    "RequestFailedError",
    "RequestHandle",
    "RequestTimeoutError",
    "ResultExpiredError",
    "RetryPolicy",
    "ServiceError",
    "StartTimeoutError",
    "Status",
    "ValidationError",
    "VideoFile",
    "backoff_delay",
    "parse_output",
    "parse_status",
    "should_retry",
]
