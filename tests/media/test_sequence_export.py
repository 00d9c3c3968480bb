"""media.sequence_export: one MP4 from parts of clips (duration, frame-exact seams checked by
PSNR against PyAV decodes of the sources, crossfades, letterbox, sound, cancel, kill, errors)."""

from __future__ import annotations

import math
import os
import random
import signal
import subprocess
import sys
import threading
from pathlib import Path

import av
import pytest
from PIL import Image, ImageChops, ImageStat
from wan_testkit import ROOT, mono_sound, reaped, rms, write_clip

from wan_desktop.media.mp4meta import read_comment
from wan_desktop.media.sequence_export import (
    ExportCancelled,
    SequenceExportError,
    export_sequence,
    plan_export,
)

SIZE = (256, 144)


def blocks(tag: int, size: tuple[int, int] = SIZE):
    """A painter: frame ``i`` is a grid of 16 px blocks of random colours seeded by (tag, i),
    so every frame differs from its neighbours by far more than the encoder's loss."""

    def paint(i: int, _frames: int) -> Image.Image:
        rng = random.Random(tag * 10_000 + i)
        small = Image.new("RGB", (size[0] // 16, size[1] // 16))
        small.putdata(
            [tuple(rng.randrange(256) for _ in range(3)) for _ in range(small.width * small.height)]
        )
        return small.resize(size, Image.Resampling.NEAREST)

    return paint


def psnr(a: Image.Image, b: Image.Image) -> float:
    """Peak signal-to-noise ratio of two RGB images, in dB (inf when equal)."""
    diff = ImageStat.Stat(ImageChops.difference(a, b))
    mse = sum(diff.sum2) / (3 * a.width * a.height)
    return math.inf if mse == 0 else 10 * math.log10(255**2 / mse)


def decoded(path: Path) -> list[Image.Image]:
    with av.open(str(path)) as container:
        return [frame.to_image() for frame in container.decode(video=0)]


@pytest.fixture(scope="module")
def clips(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("seq")
    return {
        "a": write_clip(folder / "a.mp4", blocks(1), frames=48, audio_s=2.0),
        "b": write_clip(folder / "b.mp4", blocks(2), frames=36),
        "c": write_clip(folder / "c.mp4", blocks(3), frames=30, audio_s=2.0),
        "square15": write_clip(folder / "sq.mp4", blocks(4, (128, 128)), frames=30, fps=15),
    }


def test_duration_is_the_parts_minus_the_crossfades(clips, tmp_path):
    parts = [(clips["a"], 0, None, 0), (clips["b"], 1, None, 6), (clips["c"], 2, 26, 4)]
    plan = export_sequence(parts, tmp_path / "out.mp4")
    expected = 48 + (36 - 1) + (26 - 2) - 6 - 4
    assert plan.total_frames == expected
    assert plan.duration_s == pytest.approx(expected / 24)
    assert len(decoded(tmp_path / "out.mp4")) == expected
    with av.open(str(tmp_path / "out.mp4")) as container:
        video, audio = container.streams.video[0], container.streams.audio[0]
        assert float(video.duration * video.time_base) == pytest.approx(expected / 24, abs=1e-3)
        # The sound lasts as long as the pictures (within one AAC frame).
        assert float(audio.duration * audio.time_base) == pytest.approx(expected / 24, abs=0.03)
        assert audio.rate == 48_000 and audio.codec_context.name == "aac"


def test_seams_without_crossfade_are_exactly_the_chosen_frames(clips, tmp_path):
    a, b = decoded(clips["a"]), decoded(clips["b"])
    # A ends early (out-point 40), B starts at 1 (its first frame repeats A's last one).
    export_sequence([(clips["a"], 3, 40, 0), (clips["b"], 1, None, 0)], tmp_path / "out.mp4")
    out = decoded(tmp_path / "out.mp4")
    assert len(out) == 37 + 35
    chosen = [*a[3:40], *b[1:]]
    for k in (0, 35, 36, 37, 38, len(out) - 1):
        assert psnr(out[k], chosen[k]) > 35, k
    # …and not their neighbours: a seam one frame off would show here.
    assert psnr(out[36], a[40]) < 20 and psnr(out[37], b[0]) < 20 and psnr(out[37], b[2]) < 20


def test_crossfade_blends_the_tail_and_the_head_linearly(clips, tmp_path):
    a, b = decoded(clips["a"]), decoded(clips["b"])
    export_sequence([(clips["a"], 0, None, 0), (clips["b"], 0, None, 5)], tmp_path / "out.mp4")
    out = decoded(tmp_path / "out.mp4")
    assert len(out) == 48 + 36 - 5
    for k in range(5):  # output 43..47: A's 43..47 with B's 0..4, B weighing (k + 1) / 6
        expected = Image.blend(a[43 + k], b[k], (k + 1) / 6)
        assert psnr(out[43 + k], expected) > 33, k
    assert psnr(out[42], a[42]) > 35 and psnr(out[48], b[5]) > 35


def test_sound_crossfades_and_a_silent_clip_is_silence(clips, tmp_path):
    parts = [(clips["a"], 0, None, 0), (clips["b"], 0, None, 12), (clips["c"], 0, None, 0)]
    export_sequence(parts, tmp_path / "out.mp4")
    samples = mono_sound(tmp_path / "out.mp4")
    per_frame = 2000
    tone = rms(samples[10 * per_frame : 30 * per_frame])
    assert tone == pytest.approx(0.2 / math.sqrt(2), rel=0.15)  # the test tone: 0.2 peak
    # A: output frames 0–47; B: 36–71 (12 shared with A); C: 72–101.
    silent = rms(samples[(48 + 2) * per_frame : (72 - 2) * per_frame])  # B alone
    assert silent < 0.005
    fade = [rms(samples[(36 + k) * per_frame : (37 + k) * per_frame]) for k in range(12)]
    assert fade[0] > fade[6] > fade[11]  # A's tone fades out across the 12 frames
    assert rms(samples[(72 + 2) * per_frame : (100) * per_frame]) == pytest.approx(tone, rel=0.2)


def test_no_sound_track_when_no_clip_has_sound(clips, tmp_path):
    export_sequence([(clips["b"], 0, None, 0), (clips["b"], 0, 10, 0)], tmp_path / "out.mp4")
    with av.open(str(tmp_path / "out.mp4")) as container:
        assert not container.streams.audio


def test_letterbox_and_resampling_by_time(clips, tmp_path):
    # A 128x128 clip at 15 fps in a 256x144 sequence: scaled to 144x144, centred on black;
    # 30 frames at 15 fps last 2 s, so 48 frames at 24 fps.
    plan = export_sequence(
        [(clips["a"], 0, 10, 0), (clips["square15"], 0, None, 0)], tmp_path / "out.mp4"
    )
    assert (plan.width, plan.height) == SIZE and plan.total_frames == 10 + 48
    out = decoded(tmp_path / "out.mp4")
    square = decoded(clips["square15"])
    frame = out[10 + 24]  # 1 s in: the source's frame 15
    assert max(frame.getpixel((5, 72))) < 20 and max(frame.getpixel((250, 72))) < 20  # bars
    inner = frame.crop((56, 0, 200, 144))
    assert psnr(inner, square[15].resize((144, 144), Image.Resampling.BICUBIC)) > 25
    assert psnr(inner, square[14].resize((144, 144), Image.Resampling.BICUBIC)) < 20


def test_provenance_comment_and_progress(clips, tmp_path):
    seen: list[tuple[int, int]] = []
    comment = '{"sequence": "s-1", "clips": [{"id": "é", "seed": 7}]}'
    plan = export_sequence(
        [(clips["a"], 0, None, 0)], tmp_path / "out.mp4", comment=comment,
        progress=lambda done, total: seen.append((done, total)),
    )  # fmt: skip
    assert read_comment(tmp_path / "out.mp4") == comment
    assert seen[0] == (0, plan.total_frames) and seen[-1] == (plan.total_frames,) * 2
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)
    assert len(seen) <= 102  # about once a percent, not once a frame
    assert (tmp_path / "out.mp4").stat().st_mode & 0o777 == 0o644


def test_cancel_leaves_nothing_and_keeps_an_older_file(clips, tmp_path):
    (tmp_path / "films").mkdir()
    dest = tmp_path / "films" / "out.mp4"
    dest.write_bytes(b"the previous export")
    cancel = threading.Event()

    def progress(done: int, total: int) -> None:
        if done >= 20:
            cancel.set()

    with pytest.raises(ExportCancelled):
        export_sequence([(clips["a"], 0, None, 0)] * 3, dest, progress=progress, cancel=cancel)
    assert dest.read_bytes() == b"the previous export"
    assert sorted(p.name for p in dest.parent.iterdir()) == ["out.mp4"]


_CHILD = """
import sys
from pathlib import Path
from wan_desktop.media.sequence_export import export_sequence
clip, dest = Path(sys.argv[1]), Path(sys.argv[2])
def progress(done, total):
    print(done, flush=True)
export_sequence([(clip, 0, None, 0)] * 40, dest, progress=progress)
print("finished", flush=True)
"""


@pytest.mark.skipif(os.name == "nt", reason="SIGKILL is POSIX")
def test_a_killed_export_leaves_no_partial_file(clips, tmp_path):
    dest = tmp_path / "films" / "film.mp4"
    child = subprocess.Popen(
        [sys.executable, "-c", _CHILD, str(clips["a"]), str(dest)],
        cwd=ROOT, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    with reaped(child):
        assert child.stdout is not None
        for line in child.stdout:
            if line.strip().isdigit() and int(line) >= 200:  # well into the encoding
                break
        named = list(dest.parent.glob(".film.mp4.*.part.mp4"))
        # Linux: the file has no name until it is whole (O_TMPFILE); elsewhere a hidden one.
        assert not named if sys.platform == "linux" else named
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=10)
    assert not dest.exists()
    if sys.platform == "linux":
        assert list(dest.parent.iterdir()) == []  # nothing at all: the kernel freed it
    # The next export to that name finishes, and sweeps the dead process's temporary file.
    export_sequence([(clips["b"], 0, 5, 0)], dest)
    assert len(decoded(dest)) == 5
    assert sorted(p.name for p in dest.parent.iterdir()) == ["film.mp4"]


@pytest.mark.parametrize(
    ("parts", "message"),
    [
        ([], "at least 1"),
        ([("missing.mp4", 0, None, 0)], "clip 1: missing.mp4"),
        ([("a", 48, None, 0)], "clip 1: start_frame is 48; it must be 0–47"),
        ([("a", -1, None, 0)], "start_frame is -1"),
        ([("a", 10, 10, 0)], "clip 1: end_frame is 10; it must be 11–48"),
        ([("a", 0, 49, 0)], "end_frame is 49"),
        (
            [("a", 0, None, 0), ("b", 0, None, 13)],
            "clip 2: crossfade_frames is 13; it must be 0–12",
        ),
        (
            [("a", 0, None, 0), ("b", 0, 4, 6)],
            "clip 2: crossfade_frames is 6; it must be at most 4",
        ),
        (
            [("a", 0, 5, 0), ("b", 0, None, 6)],
            "clip 2: crossfade_frames is 6; it must be at most 5",
        ),
        (
            [("a", 0, 10, 0), ("b", 0, 10, 6), ("c", 0, None, 6)],
            "clip 3: crossfade_frames is 6; it must be at most 4",
        ),
        ([("a", 0.5, None, 0)], "clip 1: start_frame is 0.5; it must be a whole number"),
    ],
)
def test_bad_parts_are_refused_naming_the_clip_field_and_limit(clips, tmp_path, parts, message):
    resolved = [(clips.get(p[0], tmp_path / p[0]), *p[1:]) for p in parts]
    with pytest.raises(SequenceExportError, match=message.replace("(", r"\(")):
        export_sequence(resolved, tmp_path / "out.mp4")
    assert not (tmp_path / "out.mp4").exists()


def test_first_crossfade_is_ignored_and_fps_is_checked(clips):
    assert plan_export([(clips["a"], 0, None, 9)]).total_frames == 48
    assert plan_export([(clips["a"], 0, None, 0)], fps=12).total_frames == 24
    with pytest.raises(
        SequenceExportError, match="fps is 0; it must be a whole number from 1 to 60"
    ):
        plan_export([(clips["a"], 0, None, 0)], fps=0)


def test_leftovers_of_dead_exports_are_swept_live_ones_kept(clips, tmp_path):
    folder = tmp_path / "films"
    folder.mkdir()
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)  # fmt: skip
    name = "film [1].mp4"  # glob characters in the name are taken literally
    gone = folder / f".{name}.x1y2.{int(dead.stdout)}.part.mp4"
    alive = folder / f".{name}.z3w4.{os.getpid()}.part.mp4"
    other = folder / f".other.mp4.q5.{int(dead.stdout)}.part.mp4"
    for path in (gone, alive, other):
        path.write_bytes(b"half a film")
    export_sequence([(clips["b"], 0, 4, 0)], folder / name)
    assert sorted(p.name for p in folder.iterdir()) == sorted([name, alive.name, other.name])


@pytest.mark.parametrize("options", [{"g": "6", "keyint_min": "6"}, {"g": "8", "bf": "2"}])
def test_in_points_after_a_seek_are_exact(tmp_path, options):
    """An in-point deep in a clip with short groups of pictures (and B-frames) is reached by
    seeking to the keyframe before it: the frames out are exactly the chosen ones."""
    clip = write_clip(tmp_path / "gop.mp4", blocks(7), frames=48, codec_options=options)
    source = decoded(clip)
    export_sequence([(clip, 13, 30, 0)], tmp_path / "out.mp4")
    out = decoded(tmp_path / "out.mp4")
    assert len(out) == 17
    for k, frame in enumerate(out):
        assert psnr(frame, source[13 + k]) > 35, k
