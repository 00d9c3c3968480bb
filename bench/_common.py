"""Shared pieces of the benchmarks and the fault matrix: the result line every script prints,
a fast stand-in renderer that still writes a real MP4, a small input image, and the offline
engine in its own process (``python -m bench._engine``).

Result lines (parsed by ``python -m bench`` into one table)::

    name  ratio=0.42  (target ≤ 0.5; details)  ok
    name  ms=12.3  (target ≤ 50 ms; details)  FAIL

The figure is ``key=value``; the details start with the target; the verdict is ``ok``,
``FAIL`` or ``info`` (a reference figure with no target of its own).
"""

from __future__ import annotations

import fractions
import functools
import io
import itertools
import os
import re
import secrets
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

__all__ = [
    "LINE_RE",
    "ROOT",
    "EngineProcess",
    "encode_clip",
    "fast_render",
    "hwm_kib",
    "job_states",
    "library_pane",
    "result_line",
    "small_png",
    "tiny_mp4",
]

#: One result line: name, figure key and value, details (target first), verdict.
LINE_RE = re.compile(
    r"^(?P<name>[A-Za-z0-9_.-]+)\s+(?P<key>[A-Za-z_%]+)=(?P<value>\S+)\s+"
    r"\((?P<details>.*)\)\s+(?P<verdict>ok|FAIL|info)\s*$"
)


def result_line(name: str, key: str, value: float, details: str, ok: bool | None) -> str:
    """Print and return one result line (``ok`` None: an informational figure)."""
    verdict = "info" if ok is None else ("ok" if ok else "FAIL")
    text = f"{name:36s} {key}={value:.3g}  ({details})  {verdict}"
    if abs(value) >= 1000:
        text = f"{name:36s} {key}={value:.0f}  ({details})  {verdict}"
    print(text, flush=True)
    return text


@functools.cache
def tiny_mp4() -> bytes:
    """A real 1 s 256×144 H.264 clip (made once per process)."""
    import av
    from PIL import Image

    path = Path(tempfile.mkdtemp(prefix="wan-bench-")) / "tiny.mp4"
    with av.open(str(path), "w", format="mp4", options={"movflags": "+faststart"}) as out:
        stream = out.add_stream("libx264", rate=24)
        stream.width, stream.height, stream.pix_fmt = 256, 144, "yuv420p"
        stream.options = {"preset": "ultrafast"}
        for i in range(24):
            frame = av.VideoFrame.from_image(Image.new("RGB", (256, 144), (i * 10, 80, 160)))
            frame.pts = i
            frame.time_base = fractions.Fraction(1, 24)
            out.mux(stream.encode(frame))
        out.mux(stream.encode(None))
    data = path.read_bytes()
    path.unlink()
    path.parent.rmdir()
    return data


def encode_clip(path: Path, paint, *, frames: int, fps: int = 24) -> Path:
    """Write ``frames`` pictures to ``path`` as H.264 yuv420p (x264 ``ultrafast``, the size of
    the first picture): frame ``i`` is the PIL image ``paint(i)``."""
    import av

    first = paint(0)
    with av.open(str(path), "w", format="mp4") as out:
        stream = out.add_stream("libx264", rate=fps)
        stream.width, stream.height, stream.pix_fmt = first.width, first.height, "yuv420p"
        stream.options = {"preset": "ultrafast"}
        for i in range(frames):
            picture = first if i == 0 else paint(i)
            for packet in stream.encode(av.VideoFrame.from_image(picture)):
                out.mux(packet)
        for packet in stream.encode():
            out.mux(packet)
    return path


def library_pane(size: tuple[int, int] = (900, 800)):
    """``(tasks, actions, pane)``: a shown library pane of ``size`` with no library yet, its
    task failures printed (a benchmark reports them rather than raising)."""
    from wan_desktop.ui.async_bridge import TaskKeeper
    from wan_desktop.ui.library_actions import LibraryActions
    from wan_desktop.ui.library_pane import LibraryPane

    tasks = TaskKeeper()
    tasks.failed.connect(lambda what, msg: print(f"  task failed: {what}: {msg}"))
    actions = LibraryActions()
    pane = LibraryPane(tasks, actions)
    pane.resize(*size)
    pane.show()
    return tasks, actions, pane


def fast_render(image_bytes, *, dest, progress=None, **kwargs) -> None:
    """Stands in for the engine's renderer: reports progress, writes a real tiny MP4."""
    if progress is not None:
        progress(1, 1)
    Path(dest).parent.mkdir(parents=True, exist_ok=True)
    Path(dest).write_bytes(tiny_mp4())


def small_png(width: int = 480, height: int = 320) -> bytes:
    """A small PNG with some structure (an acceptable input image)."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (width, height), (30, 60, 120))
    draw = ImageDraw.Draw(image)
    for x in range(0, width, 24):
        draw.line([(x, 0), (width - x, height)], fill=(240, 200, 0), width=2)
    draw.ellipse([width // 3, height // 3, 2 * width // 3, 2 * height // 3], fill=(220, 40, 40))
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def hwm_kib() -> int:
    """This process's peak resident memory so far (``VmHWM`` of /proc/self/status), KiB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    raise RuntimeError("no VmHWM in /proc/self/status")


class EngineProcess:
    """The offline engine in its own process.

    ``real=True`` runs the product's own ``python -m wan_desktop emulator ARGS``; otherwise
    ``python -m bench._engine ARGS`` (the same server with the fast renderer, or one writing
    ``--media-bytes`` bytes). ``key`` is the engine's key (a random one when None; a
    ``--key`` in ``args`` wins): every request must carry it, as :attr:`key`.
    """

    def __init__(
        self,
        *args: str,
        real: bool = False,
        env: dict[str, str] | None = None,
        key: str | None = None,
    ):
        module = ["-m", "wan_desktop", "emulator"] if real else ["-m", "bench._engine"]
        self.key = _key_in(args) or key or secrets.token_urlsafe(24)
        # Through the environment, like the app gives its engine the key: never on a command
        # line, which every local user can read.
        environment = {**os.environ, **(env or {}), "FAL_KEY": self.key}
        self.proc = subprocess.Popen(
            [sys.executable, *module, "--port", "0", *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
            cwd=ROOT,
            env=environment,
        )
        line = self.proc.stdout.readline().strip() if self.proc.stdout else ""
        if not line.startswith("listening on "):
            self.proc.kill()
            raise RuntimeError(f"engine did not start: {line!r}")
        self.base_url = line.removeprefix("listening on ")
        self.pid = self.proc.pid

    def _http(self):
        import httpx

        return httpx.Client(
            base_url=self.base_url,
            headers={"Authorization": f"Key {self.key}"},
            timeout=10,
            trust_env=False,
        )

    def stats(self) -> dict:
        with self._http() as c:
            return c.get("/_emulator/stats").json()

    def set_fault(self, name: str, **params) -> None:
        with self._http() as c:
            c.post("/_emulator/faults", json={name: params}).raise_for_status()

    def clear_faults(self) -> None:
        with self._http() as c:
            c.delete("/_emulator/faults")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self.proc.stdout:
            self.proc.stdout.close()

    def __enter__(self) -> EngineProcess:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _key_in(args: tuple[str, ...]) -> str | None:
    """The value of a ``--key`` among ``args``, if any."""
    for flag, value in itertools.pairwise(args):
        if flag == "--key":
            return value
    return None


def job_states(home: Path) -> list[str]:
    """The states in the job table under ``home``, read as another process would (no runner):
    ``[]`` while the table does not exist or cannot be read yet."""
    from wan_desktop.jobs.store import JobStore

    db = home / "library" / "library.db"
    if not db.exists():
        return []
    try:
        store = JobStore(db)
    except Exception:
        return []
    try:
        return [r.state.value for r in store.load()]
    except Exception:
        return []
    finally:
        store.close()
