"""A child process's output read as it comes, with deadlines (``ChildOutput``).

For the tests that wait for a line a helper process prints ("ready", "services up"): a bare
``proc.stdout.readline()`` waits forever on a child that is slow or stuck, and the test then
dies at its own timeout saying nothing about the child. Here every wait has a deadline, a
failure carries the tail of what the child wrote on both streams, and the child is always
killed on the way out.

Importable from every test module: ``tests/`` is on ``sys.path`` (its conftest.py lives here).
"""

from __future__ import annotations

import subprocess
import threading
from typing import IO

__all__ = ["ChildOutput"]

# How long to wait for the reading threads once the child has exited: they end at the end of
# the pipes, which comes at once unless a grandchild still holds them open.
_JOIN_S = 10.0


class ChildOutput:
    """Reads a child's stdout and stderr lines as they come, in two daemon threads.

    ``process`` must be started with ``stdout=PIPE, stderr=PIPE, text=True``. Both pipes are
    drained all the time, so a child that writes a lot to stderr never blocks on a full pipe
    while the test waits for a line on stdout. Use it as a context manager: leaving the block
    kills the child if it still runs, waits for it and closes the pipes.
    """

    def __init__(self, process: subprocess.Popen[str]) -> None:
        if process.stdout is None or process.stderr is None:
            raise ValueError("process: start it with stdout=PIPE and stderr=PIPE")
        self.process = process
        self._stdout: list[str] = []
        self._stderr: list[str] = []
        self._stdout_closed = False
        self._next = 0  # the index of the stdout line next_line returns next
        self._changed = threading.Condition()
        self._threads = [
            threading.Thread(
                target=self._drain, args=(stream, lines), name=f"child-{name}", daemon=True
            )
            for name, stream, lines in (
                ("stdout", process.stdout, self._stdout),
                ("stderr", process.stderr, self._stderr),
            )
        ]
        for thread in self._threads:
            thread.start()

    def __enter__(self) -> ChildOutput:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def _drain(self, stream: IO[str], lines: list[str]) -> None:
        try:
            for line in stream:
                with self._changed:
                    lines.append(line.rstrip("\n"))
                    self._changed.notify_all()
        finally:
            if lines is self._stdout:
                with self._changed:
                    self._stdout_closed = True
                    self._changed.notify_all()

    def next_line(self, timeout_s: float) -> str:
        """The next stdout line not returned before, without its line end.

        Fails (``AssertionError`` with the child's exit code and output tail) if no line comes
        within ``timeout_s`` seconds, or at once if the child closes its stdout first.
        """
        with self._changed:
            came = self._changed.wait_for(
                lambda: len(self._stdout) > self._next or self._stdout_closed, timeout_s
            )
            if len(self._stdout) > self._next:
                line = self._stdout[self._next]
                self._next += 1
                return line
        why = "closed its stdout" if came else f"printed no line within {timeout_s:g} s"
        raise AssertionError(f"the child {why}\n{self.tail()}")

    def wait(self, timeout_s: float) -> int:
        """Waits for the child to exit and for its output to be read; returns its exit code.

        Fails (``AssertionError`` with the output tail) if it still runs after ``timeout_s``.
        """
        try:
            code = self.process.wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            raise AssertionError(
                f"the child still runs after {timeout_s:g} s\n{self.tail()}"
            ) from None
        for thread in self._threads:
            thread.join(_JOIN_S)
        return code

    def stop(self) -> None:
        """Kills the child if it still runs, waits for it and closes its pipes (idempotent)."""
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()
        for thread in self._threads:
            thread.join(_JOIN_S)
        # A pipe still being read (a grandchild holds it open) is left to its daemon thread:
        # closing it under the reader would raise in that thread.
        for thread, stream in zip(
            self._threads, (self.process.stdout, self.process.stderr), strict=True
        ):
            if not thread.is_alive() and stream is not None:
                stream.close()

    @property
    def lines(self) -> list[str]:
        """Every stdout line read so far (all of them once ``wait`` or ``stop`` returned)."""
        with self._changed:
            return list(self._stdout)

    @property
    def stderr(self) -> str:
        """Everything read from stderr so far."""
        with self._changed:
            return "\n".join(self._stderr)

    def tail(self, count: int = 30) -> str:
        """The exit code (if any) and the last ``count`` lines of each stream, for a message."""
        with self._changed:
            out, err = self._stdout[-count:], self._stderr[-count:]
        code = self.process.poll()
        state = "still running" if code is None else f"exit code {code}"
        return (
            f"child {state}\n--- stdout (last {count} lines) ---\n"
            + "\n".join(out)
            + f"\n--- stderr (last {count} lines) ---\n"
            + "\n".join(err)
        )
