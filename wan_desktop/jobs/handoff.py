"""Handing a job to the process that owns the library's job queue, and following it there.

While the window owns a library's queue (:mod:`.queue_lock`), ``generate`` from a shell does
not wait for the window to quit: it hands its request to the window's runner and follows the
job to its end, printing what it would have printed had it run the job itself.

The owner serves a loopback TCP port whose address and secret token are in the lock file
(private to the user). The protocol is JSON lines: the caller sends one :class:`Call`, the owner
answers with :class:`Reply` lines — ``accepted`` (the job as queued), then ``event`` lines
(the job's events), then ``finished`` (its final state and, when done, what ``generate
--json`` prints) — or with one ``refused`` (invalid input, nothing kept or sent) or ``error``
line. A caller that goes away leaves the job running in the owner. Everything here runs on
the event loop of its process (the qasync loop in the window).
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import logging
import secrets
from collections.abc import Callable
from typing import Any, Literal

import msgspec

from ..core.problems import InvalidInputError, Problem
from ..core.request import GenerationRequest
from ..library import Library
from .filing import result_summary
from .model import JobEvent, JobEventKind, JobSnapshot, JobState
from .queue_lock import Endpoint, QueueLock
from .runner import JobRunner

__all__ = ["Call", "HandoffError", "HandoffServer", "Reply", "call_owner"]

log = logging.getLogger(__name__)

#: The longest line either side accepts (a request is a few kilobytes).
_LINE_MAX = 1 << 20
_CALL_TIMEOUT_S = 10.0


class Call(msgspec.Struct, frozen=True, kw_only=True):
    """What a caller asks of the owner: ``enqueue`` a request, ``retry``, ``cancel`` or
    ``remove`` a job, ``edit`` a waiting job (its new ``request``) or ``move`` it to
    ``index`` among the waiting jobs. ``backend`` (``fal``/``offline``), when given, must
    be the owner's: a job meant for the offline engine is never sent to fal (nor the
    reverse). ``group_id``, ``variant`` and ``take``: the take group, label and place in the
    group's queue order of an enqueued take (``generate --variants``)."""

    token: str = ""
    op: Literal["enqueue", "retry", "cancel", "remove", "edit", "move"]
    backend: str | None = None
    request: GenerationRequest | None = None
    parent_id: str | None = None
    group_id: str | None = None
    variant: str = ""
    take: int = 0
    job_id: str | None = None
    new_seed: bool = False
    index: int | None = None

    def __repr__(self) -> str:  # the token stays out of logs
        return f"Call(op={self.op!r}, job_id={self.job_id!r})"


class Reply(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    """One line from the owner (see the module docstring for the order)."""

    type: Literal["accepted", "event", "finished", "refused", "error"]
    job: JobSnapshot | None = None
    kind: JobEventKind | None = None
    line: str | None = None
    result: dict[str, Any] | None = None
    problems: list[Problem] = msgspec.field(default_factory=list)
    message: str | None = None


class HandoffError(RuntimeError):
    """The owner could not be reached (``reached`` False: nothing was handed over), or the
    connection ended before the job did (``reached`` True: the job goes on in the owner)."""

    def __init__(self, message: str, *, reached: bool):
        super().__init__(message)
        self.reached = reached


class HandoffServer:
    """The owner's side: takes calls for ``runner`` and advertises itself in ``lock``.

    ``library`` is the runner's (for the summary of a finished job). Loop thread.
    """

    def __init__(self, runner: JobRunner, lock: QueueLock, library: Library):
        self._runner = runner
        self._lock = lock
        self._library = library
        self._token = secrets.token_urlsafe(32)
        self._server: asyncio.Server | None = None
        self._connections: set[asyncio.Task[Any]] = set()

    async def start(self) -> None:
        """Listen on a free loopback port and record it (with the token) in the lock file."""
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0, limit=_LINE_MAX)
        port = self._server.sockets[0].getsockname()[1]
        self._lock.advertise(Endpoint(host="127.0.0.1", port=port, token=self._token))

    async def close(self) -> None:
        """Withdraw the endpoint, stop listening, drop the callers (their jobs go on)."""
        if self._lock.owned:
            self._lock.advertise(None)
        server, self._server = self._server, None
        if server is None:
            return
        server.close()
        for task in list(self._connections):
            task.cancel()
        for task in list(self._connections):
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        await server.wait_closed()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._connections.add(task)
        try:
            line = await asyncio.wait_for(reader.readline(), _CALL_TIMEOUT_S)
            call = msgspec.json.decode(line, type=Call)
            if not hmac.compare_digest(call.token.encode(), self._token.encode()):
                return
            await self._answer(call, writer)
        except (msgspec.DecodeError, msgspec.ValidationError, ValueError):
            log.warning("a hand-off call was refused: not a call")
        except (ConnectionError, TimeoutError, asyncio.IncompleteReadError):
            pass  # the caller went away; its job (if any) goes on here
        finally:
            self._connections.discard(task)
            writer.close()
            with contextlib.suppress(Exception):
                await writer.wait_closed()

    async def _answer(self, call: Call, writer: asyncio.StreamWriter) -> None:
        events: asyncio.Queue[JobEvent] = asyncio.Queue()
        unsubscribe = self._runner.subscribe(events.put_nowait)
        try:
            try:
                job = await self._perform(call)
            except InvalidInputError as exc:
                await _send(writer, Reply(type="refused", problems=list(exc.problems)))
                return
            except KeyError:
                message = f"no job with id {call.job_id!r} (see `wan-desktop jobs list`)"
                await _send(writer, Reply(type="error", message=message))
                return
            except ValueError as exc:
                await _send(writer, Reply(type="error", message=str(exc)))
                return
            await _send(writer, Reply(type="accepted", job=job))
            if call.op in ("enqueue", "retry"):
                await self._follow(job.id, events, writer)
        finally:
            unsubscribe()

    async def _perform(self, call: Call) -> JobSnapshot:
        backend = self._runner.backend.name
        if call.backend is not None and call.backend != backend:
            where = "the offline engine" if backend == "offline" else "fal"
            raise ValueError(f"it sends jobs to {where}, and this job is meant for the other one.")
        if call.op == "enqueue":
            if call.request is None:
                raise ValueError("No request to run.")
            return await self._runner.enqueue(
                call.request,
                parent_id=call.parent_id,
                group_id=call.group_id,
                variant=call.variant,
                take=call.take,
            )
        if call.job_id is None:
            raise ValueError("No job named.")
        if call.op == "retry":
            return await self._runner.retry(call.job_id, new_seed=call.new_seed)
        if call.op == "remove":
            job = self._runner.get(call.job_id)
            self._runner.remove(call.job_id)
            return job
        if call.op == "edit":
            if call.request is None:
                raise ValueError("No request to edit the job with.")
            return await self._runner.edit(call.job_id, call.request)
        if call.op == "move":
            if call.index is None:
                raise ValueError("No place in line to move the job to.")
            self._runner.move(call.job_id, call.index)
            return self._runner.get(call.job_id)
        return await self._runner.cancel(call.job_id)

    async def _follow(
        self, job_id: str, events: asyncio.Queue[JobEvent], writer: asyncio.StreamWriter
    ) -> None:
        current = self._runner.get(job_id)
        if current.state.is_final:  # it ended before the events were read
            await self._finish(current, writer)
            return
        while True:
            event = await events.get()
            if event.job.id != job_id:
                continue
            if event.kind is JobEventKind.FINISHED:
                await self._finish(event.job, writer)
                return
            reply = Reply(type="event", job=event.job, kind=event.kind, line=event.line)
            await _send(writer, reply)

    async def _finish(self, job: JobSnapshot, writer: asyncio.StreamWriter) -> None:
        result = None
        if job.state is JobState.DONE:
            loop = asyncio.get_running_loop()
            result = await loop.run_in_executor(None, result_summary, job, self._library)
        await _send(writer, Reply(type="finished", job=job, result=result))


async def _send(writer: asyncio.StreamWriter, reply: Reply) -> None:
    writer.write(msgspec.json.encode(reply) + b"\n")
    await writer.drain()


async def call_owner(
    endpoint: Endpoint,
    call: Call,
    *,
    on_accepted: Callable[[JobSnapshot], None] | None = None,
    on_event: Callable[[JobEvent], None] | None = None,
) -> Reply:
    """Make ``call`` to the owner at ``endpoint`` and follow the job to its last reply.

    ``on_accepted(job)`` runs once the owner took the job; ``on_event(event)`` for each of its
    events. Returns the ``finished`` reply (the ``accepted`` one for ``cancel``, ``remove``,
    ``edit`` and ``move``). Raises
    ``InvalidInputError`` when the owner refused the input, ``ValueError`` with the owner's
    message on an ``error`` reply, :class:`HandoffError` when it cannot be reached or the
    connection ends early. On the loop.
    """
    try:
        reader, writer = await asyncio.open_connection(
            endpoint.host, endpoint.port, limit=_LINE_MAX
        )
    except OSError as exc:
        raise HandoffError(f"could not reach the owner: {exc}", reached=False) from None
    signed = msgspec.structs.replace(call, token=endpoint.token)
    try:
        writer.write(msgspec.json.encode(signed) + b"\n")
        await writer.drain()
        return await _read_replies(reader, call, on_accepted, on_event)
    except (ConnectionError, asyncio.IncompleteReadError) as exc:
        raise HandoffError(f"the connection to the owner broke: {exc}", reached=True) from None
    finally:
        writer.close()
        with contextlib.suppress(Exception):
            await writer.wait_closed()


async def _read_replies(
    reader: asyncio.StreamReader,
    call: Call,
    on_accepted: Callable[[JobSnapshot], None] | None,
    on_event: Callable[[JobEvent], None] | None,
) -> Reply:
    accepted = False
    while True:
        line = await reader.readline()
        if not line:
            raise HandoffError("the owner closed the connection", reached=accepted)
        reply = msgspec.json.decode(line, type=Reply)
        if reply.type == "refused":
            raise InvalidInputError(reply.problems)
        if reply.type == "error":
            raise ValueError(reply.message or "The owner refused the call.")
        assert reply.job is not None
        if reply.type == "accepted":
            accepted = True
            if on_accepted is not None:
                on_accepted(reply.job)
            if call.op in ("cancel", "remove", "edit", "move"):
                return reply
        elif reply.type == "event" and on_event is not None and reply.kind is not None:
            on_event(JobEvent(reply.job, reply.kind, reply.line))
        elif reply.type == "finished":
            return reply
