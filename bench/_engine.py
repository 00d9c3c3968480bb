"""The offline engine in the foreground with a benchmark renderer (``python -m bench._engine``).

Like ``wan-desktop emulator`` (prints ``listening on http://HOST:PORT`` first, serves until
SIGTERM), but renders with :func:`bench._common.fast_render` (a real 1 s clip, no encoding
cost), or writes ``--media-bytes`` bytes of filler per request (the download benchmark).
"""

from __future__ import annotations

import argparse
import os
import signal
import struct
import sys
import threading
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench._common import fast_render, tiny_mp4
from wan_desktop.emulator import EmulatorServer


def filler_render(size: int):
    """A renderer writing ``size`` bytes (1 MiB blocks of a fixed random pattern) behind an MP4
    ``ftyp`` box: the client recognises a result's video by its content, and refuses a file
    of an unknown kind before saving anything."""
    ftyp = struct.pack(">I", 24) + b"ftypisom" + struct.pack(">I", 0x200) + b"isomiso2"
    block = ftyp + os.urandom((1 << 20) - len(ftyp))

    def render(image_bytes, *, dest, progress=None, **kwargs) -> None:
        if progress is not None:
            progress(1, 1)
        with open(dest, "wb") as out:
            left = size
            while left > 0:
                out.write(block[: min(left, len(block))])
                left -= len(block)

    return render


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--min-run-seconds", type=float, default=0.0)
    parser.add_argument("--keepalive-seconds", type=float, default=15.0)
    parser.add_argument("--media-bytes", type=int, default=0)
    parser.add_argument("--key", default=os.environ.get("FAL_KEY"), help="default: FAL_KEY")
    args = parser.parse_args(argv)
    render = filler_render(args.media_bytes) if args.media_bytes else fast_render
    if not args.media_bytes:
        tiny_mp4()  # make the clip now, not during the first job
    engine = EmulatorServer(
        port=args.port,
        workers=args.workers,
        min_run_s=args.min_run_seconds,
        keepalive_s=args.keepalive_seconds,
        render=render,
        api_key=args.key,
    )
    done = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: done.set())
    engine.start()
    print(f"listening on {engine.base_url}", flush=True)
    try:
        while not done.wait(0.5):
            pass
    finally:
        engine.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
