"""How a prepared input travels to the service: inline as a data URI, or uploaded to the CDN."""

from __future__ import annotations

__all__ = ["DEFAULT_UPLOAD_THRESHOLD_BYTES", "needs_upload"]

#: Inputs larger than this are uploaded to fal's CDN instead of sent inline. A data URI adds a
#: third (base64) to the submit body, and the body is sent again on every retried submit, so
#: past about 10 MB a separate upload is the cheaper and more robust way. The app setting
#: overrides it.
DEFAULT_UPLOAD_THRESHOLD_BYTES = 10_000_000


def needs_upload(size_bytes: int, threshold_bytes: int = DEFAULT_UPLOAD_THRESHOLD_BYTES) -> bool:
    """True when an input of ``size_bytes`` should be uploaded rather than sent as a data URI.

    ``threshold_bytes`` is the largest size still sent inline (inclusive); ``0`` uploads every
    input. Pure function, any thread.
    """
    if size_bytes < 0 or threshold_bytes < 0:
        raise ValueError("sizes must not be negative")
    return size_bytes > threshold_bytes
