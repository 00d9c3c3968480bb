"""``wan-desktop emulator``: run the offline engine in the foreground.

Prints ``listening on http://ADDRESS:PORT`` (the address actually bound) as the first line on
stdout, then ``key: TOKEN`` when it made the key itself (both flushed, so a parent process can
read them); serves until SIGINT or SIGTERM, and exits 0. The key is ``--key``, else
``FAL_KEY``, else a random one: every request must carry it as ``Authorization: Key TOKEN``.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading
from pathlib import Path

from wan_desktop.core.model_schema import ModelSchema
from wan_desktop.core.net import is_loopback_host
from wan_desktop.core.openapi import SchemaError

from .faults import FaultError, parse_fault_spec
from .json_input import JsonInputError, decode_json
from .server import EmulatorServer

__all__ = ["add_parser", "build_parser", "main", "run"]


def _configure(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=0, help="port (default 0: a free one)")
    parser.add_argument("--workers", type=int, default=2, help="jobs rendered at once")
    parser.add_argument(
        "--state-dir",
        type=Path,
        default=None,
        help="keep requests and videos here across restarts (default: a temporary folder)",
    )
    parser.add_argument(
        "--min-run-seconds",
        type=float,
        default=0.0,
        help="keep each job IN_PROGRESS at least this long",
    )
    parser.add_argument(
        "--key",
        "--api-key",
        dest="key",
        default=None,
        help="the key every request must carry (default: FAL_KEY, else a random one, printed); "
        "a command line is visible to other local users, so FAL_KEY is the safer way",
    )
    parser.add_argument(
        "--schema",
        type=Path,
        default=None,
        metavar="FILE",
        help="the model's schema to publish on /v1/models and validate submits with: an "
        "OpenAPI document as fal publishes it, or fal's /v1/models answer holding one "
        "(default: the table this version ships)",
    )
    parser.add_argument(
        "--fault",
        action="append",
        default=[],
        metavar="NAME[:k=v,...]",
        help="switch a fault on, e.g. rate_limit:count=2,retry_after_s=1 (repeatable)",
    )
    parser.add_argument(
        "--exit-with-parent",
        action="store_true",
        help="stop when standard input closes (the app that started the engine has exited, "
        "even if it was killed)",
    )
    parser.add_argument(
        "--low-priority",
        action="store_true",
        help="run at a lower CPU priority (the app's own engine: the window stays responsive "
        "while it renders)",
    )
    parser.set_defaults(func=run)
    return parser


DESCRIPTION = (
    "Run the offline engine: a fal-compatible queue server on this machine that animates an "
    "image with a slow camera move (it is not the AI model). Prints 'listening on "
    "http://HOST:PORT' first (then 'key: TOKEN' when it made the key), serves until Ctrl+C or "
    "SIGTERM, then exits 0. Point a fal client at it with FAL_QUEUE_URL=http://HOST:PORT and "
    "FAL_KEY=TOKEN."
)


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Add the ``emulator`` subcommand to ``subparsers``; its ``func`` default is :func:`run`."""
    parser = subparsers.add_parser(
        "emulator",
        help="run the offline engine (a fal-compatible queue server on loopback)",
        description=DESCRIPTION,
    )
    return _configure(parser)


def build_parser() -> argparse.ArgumentParser:
    """A stand-alone parser with the same options (for ``python -m wan_desktop.emulator.cli``)."""
    return _configure(argparse.ArgumentParser(prog="wan-desktop emulator", description=DESCRIPTION))


def run(args: argparse.Namespace) -> int:
    """Serve until SIGINT/SIGTERM. Main thread only (it installs signal handlers)."""
    if getattr(args, "low_priority", False) and hasattr(os, "nice"):
        os.nice(10)
    given_key = getattr(args, "key", None) or os.environ.get("FAL_KEY") or None
    schema = _schema_from(getattr(args, "schema", None))
    if isinstance(schema, str):
        print(f"wan-desktop emulator: {schema}", file=sys.stderr)
        return 2
    engine = EmulatorServer(
        schema=schema,
        host=args.host,
        port=args.port,
        workers=args.workers,
        state_dir=args.state_dir,
        min_run_s=args.min_run_seconds,
        api_key=given_key,
    )
    try:
        for spec in args.fault:
            name, params = parse_fault_spec(spec)
            engine.faults.set(name, **params)
    except FaultError as exc:
        print(f"wan-desktop emulator: {exc}", file=sys.stderr)
        engine.stop()
        return 2
    done = threading.Event()

    def on_signal(signum: int, frame: object) -> None:
        done.set()

    previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}
    if getattr(args, "exit_with_parent", False):
        threading.Thread(target=_wait_for_eof, args=(done,), daemon=True).start()
    try:
        engine.start()
        _announce(engine, printed_key=given_key is None)
        while not done.wait(0.5):  # a timed wait so the signal handler gets to run
            pass
    finally:
        engine.stop()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return 0


def _schema_from(path: Path | None) -> ModelSchema | str | None:
    """The table in ``path`` (None: none given), or a sentence saying why it cannot be read."""
    if path is None:
        return None
    try:
        doc = decode_json(path.read_bytes())
        models = doc.get("models") if isinstance(doc, dict) else None
        if isinstance(models, list):  # fal's /v1/models answer: the first model's document
            doc = next((m.get("openapi") for m in models if isinstance(m, dict)), None)
        return ModelSchema.from_openapi(doc)
    except OSError as exc:
        return f"--schema {path}: cannot read it ({exc.strerror or type(exc).__name__})."
    except (JsonInputError, SchemaError) as exc:
        return f"--schema {path}: not a schema this engine can serve: {exc}"


def _announce(engine: EmulatorServer, *, printed_key: bool) -> None:
    """The address line, the key line when the engine made the key, a warning when the
    address is not loopback."""
    print(f"listening on {engine.bound_url}", flush=True)
    if printed_key:
        print(f"key: {engine.api_key}", flush=True)
    if not is_loopback_host(engine.host):
        print(
            f"wan-desktop emulator: warning: listening on {engine.host}, which is not loopback: "
            "other machines can connect (requests still need the key and a loopback Host).",
            file=sys.stderr,
            flush=True,
        )


def _wait_for_eof(done: threading.Event) -> None:
    """Set ``done`` when standard input reaches its end (the parent closed its pipe or died)."""
    try:
        while sys.stdin.buffer.read(4096):
            pass
    except (OSError, ValueError):
        pass
    done.set()


def main(argv: list[str] | None = None) -> int:
    """Entry point for ``python -m wan_desktop.emulator.cli``."""
    return run(build_parser().parse_args(argv))


if __name__ == "__main__":
    raise SystemExit(main())
