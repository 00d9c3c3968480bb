"""fal's queue routes: submit, status, the SSE status stream, result and cancel (the handler's
thread; each function answers one admitted request).

A submit may carry ``X-Fal-Request-Timeout: SECONDS``: a request not started by then is
dropped unrun, COMPLETED with ``request_timeout``, and its result answers 504 with
``X-Fal-Request-Timeout-Type: user``, as fal's queue does.
"""

from __future__ import annotations

import json
import math
from typing import Any

from wan_desktop.core import limits

from . import jobs
from .exchange import Exchange
from .json_input import JsonInputError, decode_json
from .model_table import schema_in_force
from .validate import FieldError, validate_arguments

__all__ = [
    "APP_PATH",
    "MAX_START_TIMEOUT_S",
    "START_TIMEOUT_HEADER",
    "cancel",
    "result",
    "status",
    "stream",
    "submit",
]

#: ``/wan/v2.6``: the owner/alias part of the endpoint, under which requests live.
APP_PATH = "/" + "/".join(limits.ENDPOINT_ID.split("/")[:2])
_TRUE = {"1", "true", "True", "yes"}
#: fal's start deadline for a submit (seconds); past it the request is dropped unrun.
START_TIMEOUT_HEADER = "X-Fal-Request-Timeout"
#: The longest start deadline taken (seconds): a day.
MAX_START_TIMEOUT_S = 86_400


def submit(ex: Exchange, body: bytes) -> None:
    """Validate and queue a request: 200 with its URLs, or 422 with every problem."""
    engine = ex.engine
    start_timeout_s = _start_timeout(ex)
    if isinstance(start_timeout_s, str):
        ex.json(400, {"detail": start_timeout_s})
        return
    echo = ex.key if engine.faults.take("echo_key", "submit") is not None else None
    try:
        arguments = decode_json(body or b"null")
    except JsonInputError as exc:
        _refuse(ex, [{"loc": ["body"], "msg": str(exc), "type": "json_invalid"}], echo)
        return
    checked = validate_arguments(arguments, schema_in_force(engine.faults, engine.schema, "submit"))
    if isinstance(checked, list):
        _refuse(ex, [error.to_json() for error in checked], echo)
        return
    if engine.faults.take("moderate", "submit") is not None:
        flagged = FieldError(
            "prompt",
            "The content checker flagged this prompt; it was not run.",
            "content_policy_violation",
        )
        _refuse(ex, [flagged.to_json()], echo)
        return
    fail = engine.faults.take("fail_request", "submit")
    queued = engine.store.submit(checked, fail=fail, echo_key=echo, start_timeout_s=start_timeout_s)
    engine.count_submit()
    request_id = queued["request_id"]
    answer = {
        "request_id": request_id,
        **_urls(ex, request_id),
        "status": jobs.IN_QUEUE,
        "queue_position": queued["position"],
        "gateway_request_id": queued["gateway_request_id"],
    }
    ex.json(200, answer, request_id=request_id)


def _start_timeout(ex: Exchange) -> float | str | None:
    """The start deadline of ``X-Fal-Request-Timeout`` (seconds), None when not sent, or a
    sentence refusing a value that is not one."""
    text = ex.headers.get(START_TIMEOUT_HEADER)
    if text is None:
        return None
    try:
        seconds = float(text)
    except ValueError:
        seconds = math.nan
    if not 0 < seconds <= MAX_START_TIMEOUT_S:  # NaN fails too
        return (
            f"{START_TIMEOUT_HEADER} must be a number of seconds above 0 and at most "
            f"{MAX_START_TIMEOUT_S}."
        )
    return seconds


def _refuse(ex: Exchange, detail: list[dict[str, Any]], echo: str | None) -> None:
    if echo is not None:
        detail[0]["msg"] += f" (request key: {echo})"
    ex.json(422, {"detail": detail})


def _urls(ex: Exchange, request_id: str) -> dict[str, str]:
    base = f"{ex.engine.base_url}{APP_PATH}/requests/{request_id}"
    return {"response_url": base, "status_url": base + "/status", "cancel_url": base + "/cancel"}


def _wants_logs(ex: Exchange) -> bool:
    return ex.query.get("logs", ["0"])[-1] in _TRUE


def _status_body(ex: Exchange, request_id: str, logs: bool) -> dict[str, Any] | None:
    snapshot = ex.engine.store.snapshot(request_id, logs=logs)
    if snapshot is None:
        return None
    snapshot["request_id"] = request_id
    snapshot["response_url"] = _urls(ex, request_id)["response_url"]
    return snapshot


def _not_found(ex: Exchange, request_id: str) -> None:
    ex.json(404, {"detail": f"Request {request_id} not found."})


def status(ex: Exchange, request_id: str) -> None:
    """202 while queued or running, 200 once COMPLETED; ``?logs=1`` adds the log lines."""
    body = _status_body(ex, request_id, _wants_logs(ex))
    if body is None:
        _not_found(ex, request_id)
        return
    code = 200 if body["status"] == jobs.COMPLETED else 202
    ex.json(code, body, request_id=request_id)


def stream(ex: Exchange, request_id: str) -> None:
    """SSE: a ``data:`` event per change, a comment every ``keepalive_s``, closed after
    COMPLETED (or at once after the first event under the ``break_stream`` fault)."""
    logs = _wants_logs(ex)
    version = ex.engine.store.version
    first = _status_body(ex, request_id, logs)
    if first is None:
        _not_found(ex, request_id)
        return
    broken = ex.engine.faults.take("break_stream", "stream") is not None
    ex.close_after()  # the body ends when the connection does
    ex.start(
        200,
        {
            "Content-Type": "text/event-stream; charset=utf-8",
            "Cache-Control": "no-cache",
            "Connection": "close",
            "x-fal-request-id": request_id,
        },
    )
    if broken and first["status"] == jobs.COMPLETED:
        return  # closes with no event: the client must fall back to polling
    _stream_events(ex, request_id, first, version, logs=logs, broken=broken)


def _stream_events(
    ex: Exchange,
    request_id: str,
    body: dict[str, Any] | None,
    version: int,
    *,
    logs: bool,
    broken: bool,
) -> None:
    """Write an event per change (a comment when quiet) until COMPLETED or the engine stops."""
    engine = ex.engine
    keepalive_s = engine.keepalive_s
    last: str | None = None
    quiet_since = engine.clock()
    while body is not None and not engine.stopping:
        text = json.dumps(body, ensure_ascii=False)
        if text != last:
            ex.write(f"data: {text}\n\n".encode())
            last = text
            quiet_since = engine.clock()
            if broken or body["status"] == jobs.COMPLETED:
                return
        elif engine.clock() - quiet_since >= keepalive_s:
            ex.write(b": keep-alive\n\n")
            quiet_since = engine.clock()
        wait = max(0.0, keepalive_s - (engine.clock() - quiet_since))
        version = engine.store.wait_for_change(version, wait)
        body = _status_body(ex, request_id, logs)


def result(ex: Exchange, request_id: str) -> None:
    """The result of a COMPLETED request: the video's signed URL and the seed, or the
    request's error with its status."""
    job = ex.engine.store.get(request_id)
    if job is None:
        _not_found(ex, request_id)
        return
    if job["state"] != jobs.COMPLETED:
        ex.json(400, {"detail": "Request is still in progress"}, request_id=request_id)
        return
    if ex.engine.faults.take("expire_result", "result") is not None:
        expired = {"detail": "Result not found: it has expired.", "error_type": "result_expired"}
        ex.json(404, expired, request_id=request_id)
        return
    echo = job.get("echo_key")
    if job["error"] is not None:
        error_type = job["error_type"] or "runner_error"
        detail = job["error"] if echo is None else f"{job['error']} (request key: {echo})"
        headers = {"X-Fal-Error-Type": error_type}
        if error_type == "request_timeout":  # the caller's own start deadline passed
            headers["X-Fal-Request-Timeout-Type"] = "user"
        ex.json(
            job["error_status"] or 500,
            {"detail": detail, "error_type": error_type},
            headers,
            request_id=request_id,
        )
        return
    ex.json(200, _result_body(ex, request_id, job), request_id=request_id)


def _result_body(ex: Exchange, request_id: str, job: dict[str, Any]) -> dict[str, Any]:
    body: dict[str, Any] = {
        "video": {
            "url": ex.engine.media_url(request_id),
            "content_type": "video/mp4",
            "file_name": f"{request_id}.mp4",
            "file_size": job["file_size"],
            **(job.get("video_fields") or {}),
        },
        "seed": job["seed"],
    }
    if job["actual_prompt"] is not None:
        body["actual_prompt"] = job["actual_prompt"]
    if job.get("echo_key") is not None:
        body["received_key"] = job["echo_key"]
    return body


def cancel(ex: Exchange, request_id: str) -> None:
    """Cancel: 200 when it was queued, 202 when running, 400 when done, 404 unknown."""
    outcome = ex.engine.store.cancel(request_id)
    ex.engine.count_cancel()
    code = {
        jobs.CANCEL_OK: 200,
        jobs.CANCEL_REQUESTED: 202,
        jobs.CANCEL_ALREADY_COMPLETED: 400,
        jobs.CANCEL_NOT_FOUND: 404,
    }[outcome]
    ex.json(code, {"status": outcome}, request_id=request_id)
