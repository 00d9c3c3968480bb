"""media.seams: A's out-points scored against the frame B starts on: the matching frame
first, its score near 1, B's repeated first frame skipped with b_start_frame, the proxies
read when fresh, limits and cancelling."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from PIL import Image, ImageDraw, ImageFilter
from wan_testkit import write_clip

from wan_desktop.media import seams
from wan_desktop.media.frame_reader import FrameReadError
from wan_desktop.media.proxy import ensure_proxy

SIZE = (320, 180)


def _landscape() -> Image.Image:
    """A wide picture whose every column differs (a ramp of colour with blobs on it)."""
    ramp = Image.linear_gradient("L").rotate(90, expand=True).resize((1200, 180))
    image = Image.merge("RGB", (ramp, Image.new("L", ramp.size, 90), ramp.transpose(0)))
    draw = ImageDraw.Draw(image)
    for k in range(40):
        x = 30 * k
        draw.ellipse(
            [x, 20 + (k * 37) % 120, x + 25, 45 + (k * 37) % 120], fill=(250, 40 * (k % 6), 20)
        )
    return image.filter(ImageFilter.GaussianBlur(1))


LAND = _landscape()


def _pan(x: int) -> Image.Image:
    return LAND.crop((x, 0, x + SIZE[0], SIZE[1]))


@pytest.fixture(scope="module")
def clips(tmp_path_factory) -> tuple[Path, Path]:
    """A pans 12 px a frame for 48 frames; B starts on A's frame 40 (and pans on)."""
    folder = tmp_path_factory.mktemp("seams")
    for name in ("a", "b"):  # each clip in a folder of its own, as in the library
        (folder / name).mkdir()
    a = write_clip(folder / "a" / "video.mp4", lambda i, _n: _pan(12 * i), frames=48)
    b = write_clip(folder / "b" / "video.mp4", lambda i, _n: _pan(12 * (40 + i)), frames=24)
    return a, b


def test_the_matching_frame_comes_first(clips):
    a, b = clips
    scored = seams.score_out_points(a, b)
    assert len(scored) == 24
    assert {frame for frame, _ in scored} == set(range(24, 48))
    best, score = scored[0]
    assert best == 40
    assert score > 0.95
    assert dict(scored)[47] < score - 0.02  # the default out-point matches worse here
    assert [s for _, s in scored] == sorted((s for _, s in scored), reverse=True)
    assert all(0.0 <= s <= 1.0 for _, s in scored)


def test_b_start_frame_skips_the_repeated_frame(tmp_path, clips):
    a, _ = clips
    # B's frame 0 repeats A's last frame (a continuation); its frame 1 is A's frame 30.
    b = write_clip(
        tmp_path / "b.mp4",
        lambda i, _n: _pan(12 * 47) if i == 0 else _pan(12 * (29 + i)),
        frames=12,
    )
    assert seams.score_out_points(a, b)[0][0] == 47
    assert seams.score_out_points(a, b, b_start_frame=1)[0][0] == 30


def test_search_frames_and_short_clips(tmp_path, clips):
    a, b = clips
    assert {f for f, _ in seams.score_out_points(a, b, search_frames=5)} == set(range(43, 48))
    short = write_clip(tmp_path / "short.mp4", lambda i, _n: _pan(12 * i), frames=6)
    assert {f for f, _ in seams.score_out_points(short, b, search_frames=24)} == set(range(6))


def test_identical_frames_score_one_and_ties_keep_more_of_a(tmp_path, monkeypatch):
    still = write_clip(tmp_path / "still.mp4", lambda _i, _n: _pan(0), frames=10)
    scored = seams.score_out_points(still, still, search_frames=4)
    assert all(s == pytest.approx(1.0, abs=0.01) for _, s in scored)
    monkeypatch.setattr(seams, "seam_score", lambda _a, _b: 0.5)
    assert [f for f, _ in seams.score_out_points(still, still, search_frames=4)] == [9, 8, 7, 6]


def test_reads_fresh_proxies(clips, monkeypatch):
    a, b = clips
    ensure_proxy(a)
    ensure_proxy(b)
    opened: list[str] = []
    reader = seams.FrameReader

    def spy(path, **kwargs):
        opened.append(Path(path).name)
        return reader(path, **kwargs)

    monkeypatch.setattr(seams, "FrameReader", spy)
    assert seams.score_out_points(a, b)[0][0] == 40
    assert opened == ["proxy.mp4", "proxy.mp4"]


def test_limits_are_named(clips, tmp_path):
    a, b = clips
    for bad in (0, seams.MAX_SEARCH_FRAMES + 1):
        with pytest.raises(ValueError, match=r"search_frames must be 1 to 120"):
            seams.score_out_points(a, b, search_frames=bad)
    with pytest.raises(ValueError, match=r"b_start_frame 24 is out of range.*0 to 23"):
        seams.score_out_points(a, b, b_start_frame=24)
    with pytest.raises(FrameReadError, match="no such video file"):
        seams.score_out_points(tmp_path / "gone.mp4", b)


def test_progress_and_cancel(clips):
    a, b = clips
    seen: list[tuple[int, int]] = []
    seams.score_out_points(a, b, search_frames=6, progress=lambda d, t: seen.append((d, t)))
    assert seen == [(d, 6) for d in range(1, 7)]
    stop = threading.Event()
    with pytest.raises(seams.SeamScoringCancelled):
        seams.score_out_points(a, b, progress=lambda d, _t: d >= 3 and stop.set(), cancel=stop)
