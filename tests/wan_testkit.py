"""Helpers shared by several test folders: the one test-clip encoder (``write_clip``), a tiny
real MP4, a small input image, a clip's sound as samples (``mono_sound``, ``rms``), a
``wan-desktop`` subcommand run in this process (``run_command``), polling with a deadline
(``wait_until``), a child process that cannot outlive its test (``reaped``), the paths a
function was called with (``record_calls``), and the offline engine as a separate process (as
an outside server would be).

Importable from every test module: ``tests/`` is on ``sys.path`` (its conftest.py lives here).
"""

from __future__ import annotations

import array
import contextlib
import fractions
import functools
import math
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import av
from PIL import Image, ImageDraw

from bench._common import EngineProcess  # the same engine process the benchmarks start

ROOT = Path(__file__).resolve().parents[1]

__all__ = [
    "ROOT",
    "EngineProcess",
    "encode_tone",
    "engine_process",
    "make_image",
    "mono_sound",
    "reaped",
    "record_calls",
    "rms",
    "run_command",
    "tiny_mp4",
    "wait_until",
    "write_clip",
]


def encode_tone(out, astream, seconds: float, rate: int = 44100) -> None:
    """Mux ``seconds`` of a 440 Hz tone into ``astream`` (mono AAC at ``rate``) of ``out``."""
    total, t = int(seconds * rate), 0
    while t < total:
        n = min(1024, total - t)
        tone = array.array(
            "f", (0.2 * math.sin(2 * math.pi * 440 * (t + k) / rate) for k in range(n))
        )
        aframe = av.AudioFrame(format="fltp", layout="mono", samples=n)
        aframe.planes[0].update(tone.tobytes())
        aframe.sample_rate = rate
        aframe.pts = t
        for packet in astream.encode(aframe):
            out.mux(packet)
        t += n
    for packet in astream.encode():
        out.mux(packet)


def mono_sound(path: Path) -> array.array:
    """The first channel of ``path``'s sound as 32-bit floats resampled to 48 kHz."""
    samples = array.array("f")
    with av.open(str(path)) as container:
        resampler = av.AudioResampler(format="flt", layout="mono", rate=48_000)
        for frame in container.decode(audio=0):
            for out in resampler.resample(frame):
                samples.frombytes(bytes(out.planes[0])[: out.samples * 4])
    return samples


@contextlib.contextmanager
def reaped(child):
    """``child`` (a ``subprocess.Popen``) for the block; killed and waited for on leaving if it
    still runs, so a failing test leaves no process behind."""
    try:
        yield child
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()


def record_calls(monkeypatch, owner, name: str) -> list[Path]:
    """Wrap ``owner.name`` (a function taking a path first) for the test: each call still runs
    and its path is appended to the returned list (as a ``Path``)."""
    calls: list[Path] = []
    real = getattr(owner, name)

    def recorded(path, *args, **kwargs):
        calls.append(Path(path))
        return real(path, *args, **kwargs)

    monkeypatch.setattr(owner, name, recorded)
    return calls


def rms(samples) -> float:
    """The root mean square of ``samples`` (0 for none)."""
    return math.sqrt(sum(x * x for x in samples) / max(1, len(samples)))


def run_command(cli, *argv: str) -> tuple[int, str, str]:
    """``(exit code, stdout, stderr)`` of ``wan-desktop ARGV`` where ``cli`` is the module that
    adds the subcommand (its ``add_parser``), run in this process."""
    import argparse
    import io

    parser = argparse.ArgumentParser(prog="wan-desktop")
    cli.add_parser(parser.add_subparsers(dest="command"))
    args = parser.parse_args(list(argv))
    out, err = io.StringIO(), io.StringIO()
    code = args.run(args, stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def wait_until(predicate: Callable[[], object], timeout: float = 30.0) -> None:
    """Poll ``predicate`` every 5 ms until it is true; fail the test after ``timeout`` s."""
    import time

    end = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < end, "timed out"
        time.sleep(0.005)


def write_clip(
    path: Path,
    paint: Callable[[int, int], Image.Image],
    *,
    frames: int,
    fps: int = 24,
    audio_s: float | None = None,
    codec_options: dict[str, str] | None = None,
    comment: str | None = None,
    faststart: bool = True,
) -> Path:
    """The suite's one test-clip encoder: H.264 yuv420p (x264 ``ultrafast``), frame ``i`` of
    ``frames`` painted by ``paint(i, frames)``, and ``audio_s`` seconds of a tone in AAC when
    given. ``codec_options`` add to x264's options; ``comment`` is the MP4 comment tag."""
    first = paint(0, frames)
    with av.open(
        str(path), "w", format="mp4", options={"movflags": "+faststart"} if faststart else {}
    ) as out:
        if comment is not None:
            out.metadata["comment"] = comment
        video = out.add_stream("libx264", rate=fps)
        video.width, video.height, video.pix_fmt = first.width, first.height, "yuv420p"
        video.options = {"preset": "ultrafast"} | (codec_options or {})
        astream = out.add_stream("aac", rate=44100, layout="mono") if audio_s else None
        for i in range(frames):
            frame = av.VideoFrame.from_image(first if i == 0 else paint(i, frames))
            frame.pts = i
            frame.time_base = fractions.Fraction(1, fps)
            for packet in video.encode(frame):
                out.mux(packet)
        for packet in video.encode():
            out.mux(packet)
        if astream is not None:
            encode_tone(out, astream, audio_s)
    return path


@functools.cache
def tiny_mp4(size: tuple[int, int] = (256, 144), frames: int = 24) -> bytes:
    """A real H.264 clip, ``frames`` frames at 24 fps (made once per session and size)."""
    path = Path(tempfile.mkdtemp(prefix="wan-test-")) / "tiny.mp4"

    def paint(i: int, _frames: int) -> Image.Image:
        return Image.new("RGB", size, ((i * 10) % 256, 80, 160))

    return write_clip(path, paint, frames=frames).read_bytes()


def make_image(path: Path, width: int = 480, height: int = 320) -> Path:
    """A small PNG with some structure, so a camera move is visible."""
    image = Image.new("RGB", (width, height), (30, 60, 120))
    draw = ImageDraw.Draw(image)
    for x in range(0, width, 24):
        draw.line([(x, 0), (width - x, height)], fill=(240, 200, 0), width=2)
    draw.ellipse([width // 3, height // 3, 2 * width // 3, 2 * height // 3], fill=(220, 40, 40))
    image.save(path)
    return path


@contextlib.contextmanager
def engine_process(*args: str, key: str | None = None) -> Iterator[EngineProcess]:
    """The product's own engine (``wan-desktop emulator ARGS``) in its own process, with its
    control endpoint at hand, for the duration of a ``with`` block. It takes ``key`` (a
    random one when None), as ``engine.key``."""
    engine = EngineProcess(*args, real=True, key=key)
    try:
        yield engine
    finally:
        engine.stop()
