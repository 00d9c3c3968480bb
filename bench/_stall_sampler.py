"""Naming GUI stalls: a watchdog thread samples every thread's stack and CPU time every ~2 ms;
each heartbeat gap over the threshold is put down to the thread that ran during it, at the
place it was sampled most often.

Why every thread: in this app a long gap is rarely the GUI thread's own work. Usually the GUI
thread is waiting for the interpreter lock, held by a worker thread inside one long C call
(Pillow, PyAV, base64), or for a core, taken by a worker or the engine process. The thread
that used the most CPU time during the gap (``time.pthread_getcpuclockid``, nanoseconds) is
taken as the culprit; its most frequent sampled frame during the gap, plus the nearest frame in
the app's own code, names the place.

The sampler needs the lock too: while a C call holds it, no sample is taken, so the first
sample after the gap (where the holder is right after its call returned) counts as well.
Sampling costs the GUI thread a little (one short lock hand-over every ~2 ms).
"""

from __future__ import annotations

import collections
import os
import sys
import threading
import time
from dataclasses import dataclass

__all__ = ["Gap", "StackSampler", "summarize"]

_APP_MARK = os.sep + "wan_desktop" + os.sep
#: Samples kept: about 4 s at 2 ms, far more than a gap needs.
_KEEP = 2000
#: Under this share of the gap in CPU, the thread that used most was not what held things up.
_BUSY_SHARE = 0.25
_IDLE = "no thread of this process busy"


@dataclass
class Gap:
    """One heartbeat gap over the threshold and what ran during it."""

    start: float  # perf_counter seconds
    end: float
    phase: str
    thread: str = "?"
    where: str = "no sample"
    cpu_ms: float = 0.0  # the culprit's CPU time during the gap
    gui_cpu_ms: float = 0.0

    @property
    def ms(self) -> float:
        return (self.end - self.start) * 1000

    def as_dict(self) -> dict:
        return {
            "ms": round(self.ms, 1),
            "phase": self.phase,
            "thread": self.thread,
            "where": self.where,
            "cpu_ms": round(self.cpu_ms, 1),
            "gui_cpu_ms": round(self.gui_cpu_ms, 1),
        }


class StackSampler:
    """The watchdog thread. :meth:`gap` is called on the GUI thread by the heartbeat; gaps are
    named by the watchdog a few samples later (so the sample after the gap exists)."""

    def __init__(self, gui_ident: int, interval_s: float = 0.002):
        self.gui = gui_ident
        self.interval = interval_s
        self.gaps: list[Gap] = []
        self._pending: list[Gap] = []
        self._samples: collections.deque = collections.deque(maxlen=_KEEP)
        self._clocks: dict[int, int] = {}
        self._outermost: dict[int, str] = {}
        self._running = False
        self._thread = threading.Thread(target=self._watch, name="stall-sampler", daemon=True)
        self.samples_taken = 0
        self.cpu_s = 0.0
        """The watchdog's own CPU time, seconds (most of it with the interpreter lock held)."""

    def start(self) -> None:
        self._running = True
        self._thread.start()

    def stop(self) -> None:
        """Stop sampling, after naming the gaps still pending."""
        time.sleep(5 * self.interval)
        self._running = False
        self._thread.join(timeout=2)

    def gap(self, start: float, end: float, phase: str) -> None:
        """A heartbeat gap from ``start`` to ``end`` (perf_counter seconds)."""
        self._pending.append(Gap(start, end, phase))

    # ---- the watchdog --------------------------------------------------------------------

    def _watch(self) -> None:
        me = threading.get_ident()
        while self._running:
            frames = sys._current_frames()
            now = time.perf_counter()
            stacks = {ident: self._stack_of(ident, frame) for ident, frame in frames.items()}
            stacks.pop(me, None)
            # Holding a frame past its return keeps its locals alive (a QPainter left open):
            # let go of them at once.
            del frames
            cpu = {ident: self._cpu_ns(ident) for ident in stacks}
            self._samples.append((now, stacks, cpu))
            self.samples_taken += 1
            while self._pending and self._pending[0].end < now:
                self._name(self._pending.pop(0))
            time.sleep(self.interval)
        for gap in self._pending:
            self._name(gap)
        self.cpu_s = time.thread_time()

    def _stack_of(self, ident: int, frame, depth: int = 10) -> tuple:
        """``(inner, outermost)``: the innermost ``depth`` frames as (code, line), innermost
        first (formatted only for the few samples that name a gap), and the thread's outermost
        function, which names threads Python did not start (looked up once per thread)."""
        inner = []
        while frame is not None and len(inner) < depth:
            inner.append((frame.f_code, frame.f_lineno))
            frame = frame.f_back
        outermost = self._outermost.get(ident)
        if outermost is None:
            while frame is not None and frame.f_back is not None:
                frame = frame.f_back
            code = frame.f_code if frame is not None else inner[-1][0] if inner else None
            outermost = self._outermost[ident] = code.co_qualname if code else "?"
        return tuple(inner), outermost

    def _cpu_ns(self, ident: int) -> int | None:
        try:
            clock = self._clocks.get(ident)
            if clock is None:
                clock = self._clocks[ident] = time.pthread_getcpuclockid(ident)
            return time.clock_gettime_ns(clock)
        except OSError:  # the thread ended
            self._clocks.pop(ident, None)
            return None

    def _name(self, gap: Gap) -> None:
        # From the newest back to the last sample before the gap: a gap is named soon after it
        # ends, so that is a few dozen samples, not the whole buffer.
        base, inside, last = None, [], None
        for sample in reversed(self._samples):
            if sample[0] <= gap.start:
                base = sample
                break
            if sample[0] <= gap.end:
                inside.append(sample)
            else:
                last = sample
        if base is None or last is None:
            self.gaps.append(gap)
            return
        spent = {
            ident: (last[2][ident] - base[2][ident]) / 1e6
            for ident in last[2]
            if last[2][ident] is not None and base[2].get(ident) is not None
        }
        gap.gui_cpu_ms = spent.get(self.gui, 0.0)
        if spent:
            culprit = max(spent, key=spent.__getitem__)
            gap.cpu_ms = spent[culprit]
            stacks = [s[1][culprit] for s in [*inside, last] if culprit in s[1]]
            gap.thread = _thread_name(culprit, self.gui, stacks)
            if gap.cpu_ms < _BUSY_SHARE * gap.ms:
                # Where the least idle thread was says nothing then: one cause for all.
                gap.thread, gap.where = _IDLE, "the machine (both cores busy elsewhere?)"
            elif stacks:
                inner = collections.Counter(stack[0] for stack in stacks)
                gap.where = _describe(_named(inner.most_common(1)[0][0]))
        self.gaps.append(gap)


def _named(stack: tuple) -> list[tuple[str, int, str]]:
    """A sampled stack of (code, line) as (file, line, function)."""
    return [(code.co_filename, line, code.co_name) for code, line in stack]


def _short(path: str) -> str:
    """``path`` from the package it is in (``wan_desktop/…``, ``PIL/…``, ``asyncio/…``)."""
    if _APP_MARK in path:
        return "wan_desktop/" + path.split(_APP_MARK, 1)[1]
    for mark in (os.sep + "site-packages" + os.sep, os.sep + "python3."):
        if mark in path:
            rest = path.split(mark, 1)[1]
            return rest.split(os.sep, 1)[1] if mark.endswith("3.") else rest
    return os.path.basename(path)


def _describe(stack: tuple) -> str:
    """``file:line function`` of the innermost frame, and the nearest app frame after ``←``."""
    if not stack:
        return "no Python frame"
    path, line, name = stack[0]
    text = f"{_short(path)}:{line} {name}"
    if _APP_MARK not in path:
        for path, line, name in stack[1:]:
            if _APP_MARK in path:
                return f"{text} ← {_short(path)}:{line} {name}"
    return text


def _thread_name(ident: int, gui: int, stacks: list[tuple]) -> str:
    if ident == gui:
        return "GUI thread"
    for thread in threading.enumerate():
        if thread.ident == ident:
            return thread.name
    outer = stacks[-1][1] if stacks else "?"
    return f"a Qt thread running {outer}"


def summarize(gaps: list[dict], top: int = 5) -> list[str]:
    """The top causes among ``gaps`` (``Gap.as_dict`` rows), worst total first: one line each,
    ``total ms in N gaps (worst W ms): thread at place; culprit CPU c ms, GUI CPU g ms``."""
    groups: dict[tuple[str, str], list[dict]] = collections.defaultdict(list)
    for gap in gaps:
        groups[(_pool_name(gap["thread"]), gap["where"])].append(gap)
    ranked = sorted(groups.items(), key=lambda item: -sum(g["ms"] for g in item[1]))
    lines = []
    for (thread, where), rows in ranked[:top]:
        total = sum(g["ms"] for g in rows)
        worst = max(g["ms"] for g in rows)
        cpu = sum(g["cpu_ms"] for g in rows) / len(rows)
        gui = sum(g["gui_cpu_ms"] for g in rows) / len(rows)
        lines.append(
            f"{total:6.0f} ms in {len(rows):2d} gaps (worst {worst:3.0f} ms): {thread} at {where}"
            f"; its CPU {cpu:.0f} ms, GUI thread's {gui:.0f} ms per gap"
        )
    return lines


def _pool_name(name: str) -> str:
    """``ThreadPoolExecutor-0_3`` → ``ThreadPoolExecutor-0``: the workers of a pool as one."""
    head, _, tail = name.rpartition("_")
    return head if head and tail.isdigit() else name
