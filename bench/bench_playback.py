"""GUI-thread CPU per second of 1080p playback: the media engine ÷ ``toImage`` on the GUI thread.

Both play the same 1920×1080 24 fps H.264 clip into the player's own ``VideoCanvas``
(960×540, shown offscreen) in one process, interleaved, so the machine's load falls on both
alike:

- reference: the sink's frames converted by ``QVideoFrame.toImage`` on the GUI thread and
  painted scaled (how the player worked before frames were converted in a worker);
- engine: ``MediaEngine`` as the player wires it (frames shrunk to the canvas's device size in
  a worker thread, the GUI only hands frames over and copies the picture).

The figure is ``time.thread_time()`` of the GUI thread around the event loop while each plays
for :data:`PLAY_S` seconds, per second of playback; the ratio engine ÷ reference has a target
of ≤ 0.5 (halved at least). Pictures painted per second are shown beside it for both, so a
path that "wins" by showing nothing would be seen, and the whole process's CPU per second
(Qt's decoding, the worker's conversion), so work moved rather than removed would be seen
too. ``--runs N`` (default 3) pairs.
"""

from __future__ import annotations

import argparse
import faulthandler
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

from bench._common import encode_clip, result_line

PLAY_S = 2.0
RATIO_TARGET = 0.5
CANVAS = (960, 540)


def make_clip(path: Path, seconds: float = 3.0, size: tuple[int, int] = (1920, 1080)) -> Path:
    """A 1080p 24 fps H.264 clip with motion (a square crossing a changing background)."""
    from PIL import Image, ImageDraw

    frames = round(seconds * 24)
    width = size[0]

    def paint(i: int):
        image = Image.new("RGB", size, (40 + i * 3 % 200, 60, 120))
        x = int((width - 200) * i / max(1, frames - 1))
        ImageDraw.Draw(image).rectangle([x, 400, x + 200, 600], fill=(255, 220, 0))
        return image

    return encode_clip(path, paint, frames=frames)


class _Counted:
    """Counts the canvas's paints (pictures that reached the screen)."""

    def __init__(self, canvas):
        from PySide6.QtCore import QEvent, QObject

        class Filter(QObject):
            def eventFilter(inner, obj, event):
                if event.type() == QEvent.Type.Paint:
                    self.paints += 1
                return False

        self.paints = 0
        self._filter = Filter()
        canvas.installEventFilter(self._filter)


class _Reference:
    """The sink's frames converted by ``toImage`` on the GUI thread, painted scaled."""

    def __init__(self, canvas, path: Path):
        from PySide6.QtCore import QUrl
        from PySide6.QtMultimedia import QMediaPlayer, QVideoSink

        self.canvas = canvas
        self.player = QMediaPlayer()
        self.sink = QVideoSink()
        self.player.setVideoSink(self.sink)
        self.sink.videoFrameChanged.connect(self._on_frame)
        self.player.setSource(QUrl.fromLocalFile(str(path)))

    def _on_frame(self, frame) -> None:
        if frame.isValid():
            self.canvas.set_image(frame.toImage())

    def play(self) -> None:
        self.player.setPosition(0)
        self.player.play()

    def pause(self) -> None:
        self.player.pause()


class _Engine:
    """``MediaEngine`` wired to the canvas as the player wires it."""

    def __init__(self, canvas, path: Path):
        from wan_desktop.ui.media_engine import create_engine

        engine, reason = create_engine()
        if engine is None:
            raise SystemExit(f"no playback here: {reason}")
        self.engine = engine
        engine.set_frame_size(canvas.device_size())
        canvas.device_size_changed.connect(engine.set_frame_size)
        engine.frame_ready.connect(canvas.set_image)
        engine.set_loop(False)
        engine.load(str(path))

    def play(self) -> None:
        self.engine.seek_ms(0)
        self.engine.play()

    def pause(self) -> None:
        self.engine.pause()


def _spin(app, seconds: float) -> None:
    """Run the event loop for ``seconds`` of wall time."""
    from PySide6.QtCore import QEventLoop, QTimer

    loop = QEventLoop()
    QTimer.singleShot(round(seconds * 1000), loop.quit)
    loop.exec()


def _measure(app, path, counted: _Counted) -> tuple[float, float, float]:
    """Per second of playback: GUI-thread CPU ms, pictures painted, whole-process CPU ms."""
    paints = counted.paints
    cpu, process = time.thread_time(), time.process_time()
    path.play()
    _spin(app, PLAY_S)
    cpu, process = time.thread_time() - cpu, time.process_time() - process
    path.pause()
    shown = counted.paints - paints
    _spin(app, 0.3)  # let the pause settle before the other path plays
    return cpu * 1000 / PLAY_S, shown / PLAY_S, process * 1000 / PLAY_S


def run(runs: int) -> bool:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    from wan_desktop.ui.video_canvas import VideoCanvas

    app = QApplication.instance() or QApplication(sys.argv[:1])
    with tempfile.TemporaryDirectory(prefix="wan-bench-playback-") as folder:
        clip = make_clip(Path(folder) / "clip1080.mp4")
        canvases, paths = [], {}
        for name, kind in (("reference", _Reference), ("engine", _Engine)):
            canvas = VideoCanvas()
            canvas.resize(*CANVAS)
            canvas.show()
            canvases.append((canvas, _Counted(canvas)))
            paths[name] = (kind(canvas, clip), canvases[-1][1])
        _spin(app, 1.0)  # both loaded, first frames shown (not playback)
        figures: dict[str, list[tuple[float, float, float]]] = {"reference": [], "engine": []}
        for i in range(runs):
            order = ("reference", "engine") if i % 2 == 0 else ("engine", "reference")
            for name in order:
                figures[name].append(_measure(app, *paths[name]))
        for name, _ in paths.items():
            paths[name][0].pause()
    ref_cpu, ref_fps, ref_all = _medians(figures["reference"])
    new_cpu, new_fps, new_all = _medians(figures["engine"])
    ratio = new_cpu / ref_cpu if ref_cpu else float("inf")
    ok = ratio <= RATIO_TARGET and new_fps >= 0.8 * min(ref_fps, 24)
    result_line(
        "playback_1080p_gui_cpu_vs_gui_toimage",
        "ratio",
        ratio,
        f"target ≤ {RATIO_TARGET}; GUI-thread CPU per s of playback: engine {new_cpu:.0f} ms, "
        f"toImage on the GUI thread {ref_cpu:.0f} ms; pictures painted per s "
        f"{new_fps:.1f} vs {ref_fps:.1f}; whole process CPU per s {new_all:.0f} vs "
        f"{ref_all:.0f} ms (decoding included); median of {runs} interleaved pairs",
        ok,
    )
    return ok


def _medians(rows: list[tuple[float, ...]]) -> list[float]:
    """The median of each column of ``rows``."""
    return [statistics.median(column) for column in zip(*rows, strict=True)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)
    # A hang (Qt's video thread against the interpreter lock) ends the bench with stacks.
    faulthandler.dump_traceback_later(120 + 10 * args.runs, exit=True)
    return 0 if run(args.runs) else 1


if __name__ == "__main__":
    sys.exit(main())
