"""media.cuts and media.cut_cache: hard cuts found where a clip was cut, and nowhere else
(steady and fast motion, a dissolve, a one-frame flash, the offline engine's camera moves);
the proxy read when fresh; progress, cancel, refusals; the cache beside the clip."""

from __future__ import annotations

import io
import json
import os
import random
import sys
import threading
from pathlib import Path

import av
import msgspec
import pytest
from PIL import Image, ImageDraw, ImageFilter
from wan_testkit import record_calls, write_clip

from wan_desktop.core.hashing import sha256_file
from wan_desktop.emulator.render import render_video
from wan_desktop.media import cut_cache, cuts
from wan_desktop.media.proxy import ensure_proxy
from wan_desktop.media.stream_stamp import stamp_of
from wan_desktop.media.video import VideoError

FPS = 24
SIZE = (320, 180)


def _scene(seed: int, size=(960, 180)) -> Image.Image:
    """A busy picture (blobs of colour on a coloured ground), different for each seed."""
    rng = random.Random(seed)
    image = Image.new("RGB", size, tuple(rng.randrange(256) for _ in range(3)))
    draw = ImageDraw.Draw(image)
    for _ in range(60):
        x, y = rng.randrange(size[0]), rng.randrange(size[1])
        w, h = rng.randrange(10, 70), rng.randrange(10, 70)
        draw.ellipse([x, y, x + w, y + h], fill=tuple(rng.randrange(256) for _ in range(3)))
    return image.filter(ImageFilter.GaussianBlur(1))


SCENES = [_scene(seed) for seed in range(5)]


def _view(scene: int, x: int) -> Image.Image:
    return SCENES[scene].crop((x, 0, x + SIZE[0], SIZE[1]))


def _cut_clip(path: Path) -> Path:
    """Five shots: a slow pan (frames 0-39), a cut to a still (40-69), a cut to a fast pan
    (70-109, 8 px a frame), a 12-frame dissolve into a still (110-139), a one-frame white flash
    (frame 150) and a cut to a drifting view (160-199). Cuts: frames 40, 70 and 160."""

    def paint(i: int, _n: int) -> Image.Image:
        if i < 40:
            return _view(0, 2 * i)
        if i < 70:
            return _view(1, 100)
        if i < 110:
            return _view(2, 8 * (i - 70))
        if i < 122:
            return Image.blend(_view(2, 320), _view(3, 0), (i - 109) / 13)
        if i == 150:
            return Image.new("RGB", SIZE, (255, 255, 255))
        if i < 160:
            return _view(3, 0)
        return _view(4, 3 * (i - 160))

    return write_clip(path, paint, frames=200, fps=FPS)


@pytest.fixture(scope="module")
def cut_clip(tmp_path_factory) -> Path:
    return _cut_clip(tmp_path_factory.mktemp("cuts") / "shots.mp4")


def test_finds_the_hard_cuts_and_nothing_else(cut_clip):
    found = cuts.detect_cuts(cut_clip)
    assert found == pytest.approx([40 / FPS, 70 / FPS, 160 / FPS], abs=0.5 / FPS)


def test_a_clip_of_one_shot_has_no_cuts(tmp_path):
    clip = write_clip(tmp_path / "pan.mp4", lambda i, _n: _view(0, 4 * i), frames=96)
    assert cuts.detect_cuts(clip) == []


def _png(seed: int) -> bytes:
    buffer = io.BytesIO()
    _scene(seed, (800, 450)).save(buffer, "PNG")
    return buffer.getvalue()


def test_offline_engine_clips_have_no_cuts_and_their_joins_do(tmp_path):
    """The offline engine's camera moves (push in, pull back, drift) are one shot each; two
    of its clips played one after the other have one cut, where the second starts."""
    parts = []
    for seed in (1, 2):  # two moves, two pictures
        dest = tmp_path / f"engine-{seed}.mp4"
        render_video(_png(seed), resolution="360p", duration_s=5, seed=seed, dest=dest)
        assert cuts.detect_cuts(dest) == []
        with av.open(str(dest)) as container:
            parts += [frame.to_image() for frame in container.decode(video=0)]
    joined = write_clip(tmp_path / "joined.mp4", lambda i, _n: parts[i], frames=len(parts))
    assert cuts.detect_cuts(joined) == pytest.approx([120 / FPS], abs=0.5 / FPS)


def test_reads_the_fresh_proxy_with_the_same_result(cut_clip, tmp_path, monkeypatch):
    clip = tmp_path / "entry" / "video.mp4"
    clip.parent.mkdir()
    clip.write_bytes(cut_clip.read_bytes())
    without = cuts.detect_cuts(clip)
    proxy = ensure_proxy(clip)
    read: list[Path] = []
    score = cuts._score_file
    monkeypatch.setattr(cuts, "_score_file", lambda p, *a: (read.append(p), score(p, *a))[1])
    assert cuts.detect_cuts(clip) == pytest.approx(without, abs=0.5 / FPS)
    assert read == [proxy]


def test_progress_then_cancel(cut_clip):
    seen: list[tuple[int, int]] = []
    cuts.detect_cuts(cut_clip, progress=lambda done, total: seen.append((done, total)))
    assert seen[-1] == (200, 200)
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)
    stop = threading.Event()

    def stop_half_way(done: int, _total: int) -> None:
        if done >= 100:
            stop.set()

    with pytest.raises(cuts.CutDetectionCancelled):
        cuts.detect_cuts(cut_clip, progress=stop_half_way, cancel=stop)


def test_refusals_name_the_problem(tmp_path, cut_clip):
    with pytest.raises(VideoError, match="no such video file"):
        cuts.detect_cuts(tmp_path / "missing.mp4")
    (tmp_path / "not.mp4").write_bytes(b"not a video at all")
    with pytest.raises(VideoError, match=r"not\.mp4"):
        cuts.detect_cuts(tmp_path / "not.mp4")
    for bad in (0.0, 1.5, -0.1):
        with pytest.raises(ValueError, match="threshold must be above 0 and at most 1"):
            cuts.detect_cuts(cut_clip, threshold=bad)


def test_a_higher_threshold_keeps_only_the_strong_cuts(cut_clip):
    scores = cuts._score_file(cut_clip, None, None)
    strength = {i: scores.step[i] for i in (40, 70, 160)}
    strongest = max(strength, key=strength.__getitem__)
    assert cuts.pick_cuts(scores, threshold=strength[strongest] - 0.001) == [strongest]
    assert cuts.pick_cuts(scores, threshold=min(1.0, strength[strongest] + 0.01)) == []


# ---- the decision, on scores made by hand ------------------------------------------------


def _scores(step, skip=None, span=None) -> cuts.CutScores:
    n = len(step)
    skip = skip if skip is not None else [None, *step[1:-1], None]
    return cuts.CutScores(list(step), list(skip), list(span or step), [i / FPS for i in range(n)])


def test_pick_cuts_rules():
    quiet = [0.0] + [0.004] * 39
    one = quiet.copy()
    one[20] = 0.3
    assert cuts.pick_cuts(_scores(one)) == [20]
    # Fast steady motion: every frame changes a lot, none far above the others.
    assert cuts.pick_cuts(_scores([0.0] + [0.2, 0.22, 0.19, 0.21] * 10)) == []
    # A flash: frame 20 differs, frame 21 is back to frame 19 (skip small, span small).
    flash = quiet.copy()
    flash[20] = flash[21] = 0.5
    skip = [None, *[0.004] * 38, None]
    skip[20] = 0.004
    skip[21] = 0.5
    span = [0.01] * 40
    assert cuts.pick_cuts(_scores(flash, skip, span)) == []
    # A dissolve: the span around the frame holds far more change than the frame itself.
    fade = quiet.copy()
    fade[20] = 0.1
    span = [0.01] * 40
    span[20] = 0.4
    assert cuts.pick_cuts(_scores(fade, span=span)) == []
    # Two changes closer than MIN_SHOT_FRAMES: the stronger one.
    near = quiet.copy()
    near[20], near[22] = 0.3, 0.5
    assert cuts.pick_cuts(_scores(near)) == [22]


def test_scores_of_pictures_without_a_video():
    """score_frames on thumbnails made in memory: a dissolve and a flash pass, a cut is found."""
    a, b = _view(1, 0), _view(3, 0)
    pictures = [a] * 20 + [Image.blend(a, b, k / 13) for k in range(1, 13)] + [b] * 20
    pictures += [Image.new("RGB", SIZE, (255, 255, 255))] + [b] * 10 + [_view(0, 0)] * 10
    thumbs = [cuts.thumb_of(p.resize((64, 36), Image.Resampling.BOX)) for p in pictures]
    scores = cuts.score_frames(thumbs)
    assert len(scores.step) == len(pictures) and scores.times_s[24] == 1.0
    assert cuts.pick_cuts(scores) == [len(pictures) - 10]


# ---- the cache beside the clip --------------------------------------------------------------


@pytest.fixture
def entry_clip(tmp_path, cut_clip) -> Path:
    clip = tmp_path / "e-1" / "video.mp4"
    clip.parent.mkdir()
    clip.write_bytes(cut_clip.read_bytes())
    return clip


def test_cache_detects_once_per_video(entry_clip, monkeypatch):
    calls = record_calls(monkeypatch, cut_cache, "detect_cuts")
    first = cut_cache.cuts_for(entry_clip)
    assert cut_cache.cache_path(entry_clip).is_file()
    assert cut_cache.cuts_for(entry_clip) == first
    assert len(calls) == 1
    # Another video in the same place (other pictures): detected again.
    write_clip(entry_clip, lambda i, _n: _view(0, 2 * i), frames=48)
    assert cut_cache.cuts_for(entry_clip) == []
    assert len(calls) == 2


def _record(clip: Path, **changes) -> dict:
    """A cache record for ``clip`` as cut_cache writes it, with ``changes``; its file is
    another one (time 0), so reading it compares the stamps."""
    record = {
        "schema": 2,
        "detector": cuts.DETECTOR_VERSION,
        "stream": msgspec.to_builtins(stamp_of(clip)),
        "file": {"size_bytes": clip.stat().st_size, "mtime_ns": 0},
        "cuts_s": [1.0],
    }
    record.update(changes)
    return record


def _another_stream(clip: Path) -> dict:
    stream = msgspec.to_builtins(stamp_of(clip))
    stream["packets_sha256"] = "0" * 64
    return stream


@pytest.mark.parametrize(
    "damage",
    [
        lambda clip: b"{",
        lambda clip: b"[]",
        lambda clip: _record(clip, cuts_s="no"),
        lambda clip: _record(clip, cuts_s=[-1.0]),
        lambda clip: _record(clip, cuts_s=[float("nan")]),
        lambda clip: _record(clip, x=1),
        lambda clip: _record(clip, stream=_another_stream(clip)),
        lambda clip: _record(clip, stream={"packets_sha256": "0" * 64}),
        lambda clip: _record(clip, file={"size_bytes": "big", "mtime_ns": 0}),
        lambda clip: _record(clip, detector=0),
        lambda clip: _record(clip, schema=3),
        # What the previous version wrote: keyed by the file's hash.
        lambda clip: {
            "schema": 1,
            "detector": cuts.DETECTOR_VERSION,
            "video_sha256": sha256_file(clip),
            "cuts_s": [1.0],
        },
        lambda clip: b" " * (70 * 1024),
    ],
)
def test_a_damaged_or_foreign_cache_counts_as_missing(entry_clip, monkeypatch, damage):
    content = damage(entry_clip)
    if isinstance(content, dict):
        content = json.dumps(content, allow_nan=True).encode()
    cut_cache.cache_path(entry_clip).write_bytes(content)
    assert cut_cache.read_cached(entry_clip) is None
    calls = record_calls(monkeypatch, cut_cache, "detect_cuts")
    assert cut_cache.cuts_for(entry_clip) == pytest.approx(
        [40 / FPS, 70 / FPS, 160 / FPS], abs=0.05
    )
    assert len(calls) == 1
    assert cut_cache.read_cached(entry_clip) is not None  # replaced by a good one


def test_a_read_only_folder_still_gives_the_cuts(entry_clip, monkeypatch):
    def refuse(*_args, **_kwargs):
        raise PermissionError("read-only")

    monkeypatch.setattr(cut_cache, "atomic_write_bytes", refuse)
    assert len(cut_cache.cuts_for(entry_clip)) == 3
    assert not cut_cache.cache_path(entry_clip).exists()


def _library_clip(lib, cut_clip, tmp_path):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "library"))
    from library_entries import new_entry

    new = new_entry(tmp_path / "incoming", prompt="Shot 1 [0-2s] a\nShot 2 [2-5s] b")
    Path(new.video_path).write_bytes(cut_clip.read_bytes())
    return lib.add(new)


def test_the_library_passes_the_cache_by(lib, cut_clip, tmp_path):
    """cuts.json sits in the entry's folder: a rebuild, a trash and restore and an export
    neither trip on it nor carry it."""
    entry = _library_clip(lib, cut_clip, tmp_path)
    assert len(cut_cache.cuts_for(entry.video_path)) == 3
    report = lib.rebuild()
    assert report.indexed == 1 and report.skipped == ()
    lib.trash(entry.id)
    restored = lib.restore(entry.id)
    assert cut_cache.read_cached(restored.video_path) is not None
    out = tmp_path / "out"
    out.mkdir()
    lib.export(entry.id, out, with_sidecar=True)
    assert not any(p.name == cut_cache.CACHE_NAME for p in out.iterdir())


def test_a_comment_sync_keeps_the_cached_cuts(lib, cut_clip, tmp_path, monkeypatch):
    """A rating written into the video is a new file (new hash, new time) with the same
    packets: the cuts are not detected again, and after one stamp the look is two stats."""
    entry = _library_clip(lib, cut_clip, tmp_path)
    first = cut_cache.cuts_for(entry.video_path)
    assert len(first) == 3
    lib.set_rating(entry.id, 4)
    assert lib.sync_comment(entry.id) is True
    assert lib.get(entry.id).video_sha256 != entry.video_sha256
    detections = record_calls(monkeypatch, cut_cache, "detect_cuts")
    stamps = record_calls(monkeypatch, cut_cache, "stamp_of")
    assert cut_cache.cuts_for(entry.video_path) == first
    assert detections == [] and stamps == [entry.video_path]
    assert cut_cache.cuts_for(entry.video_path) == first
    assert cut_cache.read_cached(entry.video_path) == first
    assert detections == [] and len(stamps) == 1


def test_a_matching_cache_is_trusted(entry_clip, monkeypatch):
    cut_cache.cache_path(entry_clip).write_text(json.dumps(_record(entry_clip, cuts_s=[1.5, 0.5])))
    calls = record_calls(monkeypatch, cut_cache, "detect_cuts")
    stamps = record_calls(monkeypatch, cut_cache, "stamp_of")
    assert cut_cache.cuts_for(entry_clip) == [0.5, 1.5]
    assert calls == [] and len(stamps) == 1
    # It now names this very file: the next look is two stats.
    assert cut_cache.read_cached(entry_clip) == [0.5, 1.5]
    assert len(stamps) == 1


def test_the_same_file_is_not_demuxed_and_a_changed_one_is(entry_clip, monkeypatch):
    cut_cache.cuts_for(entry_clip)
    stamps = record_calls(monkeypatch, cut_cache, "stamp_of")
    assert cut_cache.read_cached(entry_clip) is not None
    assert stamps == []
    # The same bytes with another time (a copy, a restore from a backup): one stamp.
    os.utime(entry_clip, ns=(1_000_000_000, 1_000_000_000))
    assert cut_cache.read_cached(entry_clip) is not None
    assert len(stamps) == 1


def test_a_missing_clip_has_no_cached_cuts(entry_clip):
    cut_cache.cuts_for(entry_clip)
    entry_clip.unlink()
    assert cut_cache.read_cached(entry_clip) is None
    with pytest.raises(VideoError):
        cut_cache.cuts_for(entry_clip)


def test_a_cut_to_a_closer_view_of_the_same_scene(tmp_path):
    """What a multi-shot prompt often asks for: the same subject, closer, in the same light
    (little change of colour, the picture's layout changes)."""
    scene = _scene(7, (800, 450)).filter(ImageFilter.GaussianBlur(6))

    def paint(i: int, _n: int) -> Image.Image:
        if i < 48:  # the wide shot drifts slowly
            return scene.crop((i, 0, 640 + i, 360)).resize(SIZE)
        return scene.crop((250, 95, 250 + 490, 95 + 276)).resize(SIZE)  # 1.3× closer

    clip = write_clip(tmp_path / "closer.mp4", paint, frames=96)
    assert cuts.detect_cuts(clip) == pytest.approx([48 / FPS], abs=0.5 / FPS)
