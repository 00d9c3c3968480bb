"""A/B compare: step 100 frames through two 5 s 1080p clips; both sides on the same frame every
time, and how long each step takes to reach the screen.

Two 1920×1080 24 fps H.264 clips (x264 ``veryfast``: B-frames, x264's long keyframe interval,
as generated clips have) paint their frame number as a row of black and white squares, each
clip in its own colours. The compare view (``compareView``, 960×540 of pictures, offscreen)
opens them; each step is the view's Right key, and the step ends when the picture for that
position has been painted. Then the squares are read back from the pictures the canvas painted
(A's and B's), so "the same frame" is what the pixels say, not what the code says it asked for.

Figures: steps with both sides on the asked frame (target: all 100), and the step latency
median and maximum in ms (the median's target: within one frame at 24 fps, 41.7 ms; the
maximum is shown for reference), and, for reference, the median of 20 steps back from there.
Then it plays 3 s side by side: every picture painted must show one position on both sides
(read from the pixels), and the pictures painted per second are shown for reference.
``--steps N`` (default 100).
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

from bench._common import result_line

FPS = 24
FRAMES = 5 * FPS
SIZE = (1920, 1080)
BITS = 7  # frame numbers up to 127
SQUARE = 160
LATENCY_TARGET_MS = 1000 / FPS
BACK_STEPS = 20
PLAY_S = 3.0


def make_clip(path: Path, tint: tuple[int, int, int]) -> Path:
    """A 5 s 1080p clip whose frame ``i`` shows ``i`` in binary: :data:`BITS` squares along
    the middle, white for 1, black for 0, on a ``tint`` background with a moving bar."""
    import av
    from PIL import Image, ImageDraw

    with av.open(str(path), "w", format="mp4") as out:
        stream = out.add_stream("libx264", rate=FPS)
        stream.width, stream.height, stream.pix_fmt = SIZE[0], SIZE[1], "yuv420p"
        stream.options = {"preset": "veryfast"}
        for i in range(FRAMES):
            image = Image.new("RGB", SIZE, tint)
            draw = ImageDraw.Draw(image)
            x = (i * 13) % (SIZE[0] - 100)
            draw.rectangle([x, 100, x + 100, 250], fill=(250, 200, 30))
            for bit in range(BITS):
                left, top = _square(bit)
                on = (i >> bit) & 1
                draw.rectangle([left, top, left + SQUARE - 1, top + SQUARE - 1],
                               fill=(255, 255, 255) if on else (0, 0, 0))  # fmt: skip
            for packet in stream.encode(av.VideoFrame.from_image(image)):
                out.mux(packet)
        for packet in stream.encode():
            out.mux(packet)
    return path


def _square(bit: int) -> tuple[int, int]:
    """The top-left corner of the square for ``bit`` in the 1080p frame."""
    gap = (SIZE[0] - BITS * SQUARE) // (BITS + 1)
    return gap + bit * (SQUARE + gap), (SIZE[1] - SQUARE) // 2 + 100


def read_number(image) -> int:
    """The frame number a picture (a ``QImage`` of any size) shows in its squares."""
    sx, sy = image.width() / SIZE[0], image.height() / SIZE[1]
    number = 0
    for bit in range(BITS):
        left, top = _square(bit)
        colour = image.pixelColor(round((left + SQUARE / 2) * sx), round((top + SQUARE / 2) * sy))
        if colour.lightness() > 128:
            number |= 1 << bit
    return number


def run(steps: int) -> bool:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    os.environ.setdefault("WAN_DESKTOP_NO_MULTIMEDIA", "1")  # pictures only: no sound device
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication

    from wan_desktop.ui.compare_view import CompareClip, CompareView

    app = QApplication.instance() or QApplication(sys.argv[:1])
    with tempfile.TemporaryDirectory(prefix="wan-bench-compare-") as folder:
        a = make_clip(Path(folder) / "a.mp4", (40, 70, 140))
        b = make_clip(Path(folder) / "b.mp4", (120, 50, 60))
        view = CompareView(CompareClip(a, "A"), CompareClip(b, "B"))
        view.resize(1000, 660)
        view.show()
        _wait(app, lambda: view.picture() is not None, 20)
        view.setFocus()
        same, latencies, wrong = 0, [], []
        for k in range(1, steps + 1):
            start = time.perf_counter()
            QTest.keyClick(view, Qt.Key.Key_Right)
            if not _wait(app, lambda k=k: view.picture().position == k, 10):
                wrong.append((k, "no picture"))
                continue
            app.processEvents()  # the paint that follows the picture
            latencies.append((time.perf_counter() - start) * 1000)
            picture = view.picture()
            shown = (read_number(picture.a), read_number(picture.b))
            if shown == (k, k) and (picture.a_index, picture.b_index) == (k, k):
                same += 1
            else:
                wrong.append((k, shown))
        back = []
        for k in range(steps - 1, max(0, steps - 1 - BACK_STEPS), -1):
            start = time.perf_counter()
            QTest.keyClick(view, Qt.Key.Key_Left)
            if _wait(app, lambda k=k: view.picture().position == k, 10):
                app.processEvents()
                back.append((time.perf_counter() - start) * 1000)
        played, unlocked = _play(app, view)
        view.close()
        view.feed.wait_closed()
    median, worst = statistics.median(latencies), max(latencies)
    ok_same = same == steps
    result_line(
        "compare_step_both_sides_same_frame",
        "count",
        same,
        f"target {steps} of {steps}; two 5 s 1080p clips, the frame read from the pictures' "
        f"squares{'; wrong: ' + str(wrong[:5]) if wrong else ''}",
        ok_same,
    )
    ok_median = median <= LATENCY_TARGET_MS
    result_line(
        "compare_step_latency_median",
        "ms",
        median,
        f"target ≤ {LATENCY_TARGET_MS:.1f} ms (a frame at 24 fps); key press to the picture "
        f"painted, {len(latencies)} steps",
        ok_median,
    )
    result_line("compare_step_latency_max", "ms", worst,
                "reference; the slowest of the steps", None)  # fmt: skip
    if back:
        result_line("compare_step_back_latency_median", "ms", statistics.median(back),
                    f"reference; {len(back)} steps back from frame {steps}, max "
                    f"{max(back):.0f} ms (one GOP: a seek decodes from the start, so the view "
                    "prepares the frames before it after a step back)",
                    None)  # fmt: skip
    ok_locked = played > 0 and unlocked == 0
    result_line("compare_play_pictures_locked", "count", played - unlocked,
                f"target all {played}: pictures painted while playing {PLAY_S:g} s whose two "
                "sides show the same position's frames (read from their pixels)",
                ok_locked)  # fmt: skip
    result_line("compare_play_displayed_fps", "fps", played / PLAY_S,
                "reference; pictures painted per second while playing side by side (the "
                "clips are 24 fps; the machine's other load counts)", None)  # fmt: skip
    return ok_same and ok_median and ok_locked


def _play(app, view) -> tuple[int, int]:
    """Play from the start for :data:`PLAY_S` seconds: the pictures painted, and how many of
    them had a side on another frame than its position asks for."""
    view.seek_frame(0)
    _wait(app, lambda: view.picture().position == 0, 10)
    seen, unlocked, last = 0, 0, view.picture()
    view.transport.play()
    end = time.monotonic() + PLAY_S
    while time.monotonic() < end:
        app.processEvents()
        time.sleep(0.001)
        picture = view.picture()
        if picture is last:
            continue
        last, seen = picture, seen + 1
        expected = (view.timeline.a_index(picture.position), picture.b_index)
        if (read_number(picture.a), read_number(picture.b)) != expected or (
            picture.b_index != picture.a_index  # the clips share a rate: the same frame
        ):
            unlocked += 1
    view.transport.pause()
    return seen, unlocked


def _wait(app, condition, seconds: float) -> bool:
    end = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > end:
            return False
        app.processEvents()
        time.sleep(0.0005)
    return True


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=100)
    args = parser.parse_args(argv)
    if not 1 <= args.steps < FRAMES:
        parser.error(f"--steps must be 1 to {FRAMES - 1} (the clips have {FRAMES} frames)")
    faulthandler.dump_traceback_later(300, exit=True)
    return 0 if run(args.steps) else 1


if __name__ == "__main__":
    sys.exit(main())
