"""``wan-desktop sequence``: new (from a chain or ids), list, show, export (MP4 + .otio), in
process through its own parser, and end to end as a user runs it: a chain made on the offline
engine with ``generate --continue-from``, then ``sequence new --chain`` and ``export --otio``."""

from __future__ import annotations

import contextlib
import dataclasses
import json
import math
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import av
import opentimelineio as otio
import pytest
from library_entries import new_entry
from PIL import Image, ImageChops, ImageStat
from wan_testkit import make_image, reaped, run_command, write_clip

from wan_desktop.library import Library, sequence_cli
from wan_desktop.library.sequence_parts import PROVENANCE_KIND
from wan_desktop.media.mp4meta import read_comment


def run(*argv: str) -> tuple[int, str, str]:
    return run_command(sequence_cli, *argv)


def blocks(tag: int):
    """Frame ``i``: 16 px blocks of colours seeded by (tag, i); neighbours differ a lot."""

    def paint(i: int, _frames: int) -> Image.Image:
        rng = random.Random(tag * 1000 + i)
        small = Image.new("RGB", (16, 9))
        small.putdata([tuple(rng.randrange(256) for _ in range(3)) for _ in range(16 * 9)])
        return small.resize((256, 144), Image.Resampling.NEAREST)

    return paint


def psnr(a: Image.Image, b: Image.Image) -> float:
    mse = sum(ImageStat.Stat(ImageChops.difference(a, b)).sum2) / (3 * a.width * a.height)
    return math.inf if mse == 0 else 10 * math.log10(255**2 / mse)


def decoded(path: Path) -> list[Image.Image]:
    with av.open(str(path)) as container:
        return [frame.to_image() for frame in container.decode(video=0)]


@pytest.fixture
def chain(lib, tmp_path) -> list:
    """Three clips of 24 frames, each continued from the one before (the middle one silent),
    and a fourth clip on its own; the library is closed for the command line."""
    entries = []
    parent = None
    for n in range(4):
        video = write_clip(tmp_path / f"clip-{n}.mp4", blocks(n), frames=24,
                           audio_s=None if n == 1 else 1.0)  # fmt: skip
        made = new_entry(tmp_path / "made", prompt=f"shot {n}", seed=100 + n)
        made = dataclasses.replace(made, video_path=video, parent_id=parent if n < 3 else None)
        entries.append(lib.add(made))
        parent = entries[-1].id
    lib.close()
    return entries


def test_new_from_a_chain_list_and_show(chain):
    a, b, c, _other = chain
    code, out, err = run("sequence", "new", "Harbour  film", "--chain", b.id, "--json")
    assert code == 0, err
    made = json.loads(out)
    assert made["id"].startswith("s-") and made["name"] == "Harbour film"
    assert [i["entry_id"] for i in made["items"]] == [a.id, b.id, c.id]
    assert [i["start_frame"] for i in made["items"]] == [0, 1, 1]  # continuations skip frame 0

    code, out, _ = run("sequence", "new", "Picked", c.id, a.id)
    assert code == 0 and out.split()[0].startswith("s-") and "(2 clips)" in out

    code, out, _ = run("sequence", "list", "--json")
    assert code == 0 and [s["name"] for s in json.loads(out)] == ["Picked", "Harbour film"]
    code, out, _ = run("sequence", "list")
    assert out.splitlines()[0].split() == ["ID", "UPDATED", "CLIPS", "NAME"]
    assert made["id"] in out

    code, out, _ = run("sequence", "show", made["id"])
    assert code == 0 and f"id: {made['id']}" in out and "clips: 3" in out
    assert f"2. {b.id}" in out and "frames 1–end" in out and "shot 1" in out
    code, out, _ = run("sequence", "show", made["id"], "--json")
    assert json.loads(out) == made


def test_export_with_crossfades_and_otio(chain, tmp_path):
    a, b, c, _ = chain
    code, out, _ = run("sequence", "new", "Film", "--chain", a.id, "--json")
    sequence_id = json.loads(out)["id"]
    dest = tmp_path / "films" / "film.mp4"
    code, out, err = run("sequence", "export", sequence_id, str(dest), "--crossfade", "4",
                         "--otio", "--json")  # fmt: skip
    assert code == 0, err
    result = json.loads(out)
    expected = 24 + 23 + 23 - 4 - 4  # each continuation drops its first frame
    assert result["frames"] == expected and result["duration_s"] == pytest.approx(
        expected / 24, abs=1e-3
    )
    assert result["path"] == str(dest.resolve()) and result["clips"] == 3
    assert result["otio"] == str(dest.with_suffix(".otio").resolve())
    assert len(decoded(dest)) == expected
    assert err == ""  # stderr is not a terminal: no progress lines

    provenance = json.loads(read_comment(dest))
    assert provenance["kind"] == PROVENANCE_KIND and provenance["id"] == sequence_id
    assert [(x["id"], x["seed"], x["prompt"]) for x in provenance["clips"]] == [
        (a.id, 100, "shot 0"), (b.id, 101, "shot 1"), (c.id, 102, "shot 2"),
    ]  # fmt: skip

    timeline = otio.adapters.read_from_file(result["otio"])
    video = timeline.video_tracks()[0]
    clips = [x for x in video if isinstance(x, otio.schema.Clip)]
    fades = [x for x in video if isinstance(x, otio.schema.Transition)]
    with Library.open() as lib:
        paths = [str(lib.get(e.id).video_path) for e in (a, b, c)]
    assert [otio.url_utils.filepath_from_url(x.media_reference.target_url) for x in clips] == paths
    assert [(x.visible_range().start_time.value, x.visible_range().end_time_exclusive().value)
            for x in clips] == [(0, 24), (1, 24), (1, 24)]  # fmt: skip
    assert [(f.in_offset + f.out_offset).value for f in fades] == [4, 4]
    assert video.duration().value == expected


def test_export_without_crossfade_keeps_the_chosen_frames_at_the_seams(chain, tmp_path):
    a, b, c, _ = chain
    code, out, _ = run("sequence", "new", "Film", "--chain", c.id, "--json")
    dest = tmp_path / "film.mp4"
    code, out, err = run("sequence", "export", json.loads(out)["id"], str(dest))
    assert code == 0, err and out.strip() == str(dest.resolve())
    frames = decoded(dest)
    assert len(frames) == 24 + 23 + 23
    sources = [decoded(Path(e.video_path)) for e in (a, b, c)]
    assert psnr(frames[23], sources[0][23]) > 35  # A's last frame…
    assert psnr(frames[24], sources[1][1]) > 35  # …then B from its frame 1
    assert psnr(frames[24], sources[1][0]) < 20
    assert psnr(frames[47], sources[2][1]) > 35
    assert not dest.with_suffix(".otio").exists()


def test_refusals_name_the_field_and_limit(chain, tmp_path):
    a, b, _c, other = chain
    code, out, _ = run("sequence", "new", "Film", a.id, b.id, "--json")
    sequence_id = json.loads(out)["id"]
    dest = str(tmp_path / "film.mp4")
    cases = [
        (("export", sequence_id, dest, "--crossfade", "13"), "--crossfade is 13; it must be 0–12"),
        (("export", sequence_id, dest, "--crossfade", "-1"), "--crossfade is -1"),
        (("export", "s-nope", dest), "no sequence with id 's-nope'"),
        (("export", sequence_id, str(tmp_path)), "is a folder"),
        (("export", sequence_id, str(tmp_path / "film.otio"), "--otio"), "another extension"),
        (("new", "Film", b.id, "--chain", a.id), "either --chain ID or the entry ids"),
        (("new", "Film", "--chain", a.id, b.id), "either --chain ID or the entry ids"),
        (("new", "Film", "--chain", a.id, b.id), "--chain takes one clip of the chain, got 2"),
        (("new", "Film", "--chain", a.id, "--chain", b.id), "got 2"),
        (("new", "Film"), "either --chain ID or the entry ids"),
        (("new", "Film", "0123456789abcdef"), "no entry with id '0123456789abcdef'"),
        (("new", "Film", "--chain", "0123456789abcdef"), "0123456789abcdef"),
        (("new", "   ", a.id), "name must not be empty"),
        (("show", "s-nope"), "no sequence with id"),
    ]
    for argv, message in cases:
        code, out, err = run("sequence", *argv)
        assert code == 2, (argv, err)
        assert message in err and err.startswith("wan-desktop sequence: "), (argv, err)
        assert "Traceback" not in err
    # In/out points are checked against the clips when exporting.
    with Library.open() as lib:
        stored = lib.get_sequence(sequence_id)
        stored.items[1].end_frame = 99
        lib.save_sequence(stored)
    code, _, err = run("sequence", "export", sequence_id, dest)
    assert code == 2 and "clip 2: end_frame is 99; it must be 2–24" in err
    assert not os.path.exists(dest)
    assert other.id  # the clip outside the chain never joined it


@pytest.mark.slow
def test_a_chain_made_on_the_offline_engine_exports_end_to_end(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("FAL_")}
    env["WAN_DESKTOP_HOME"] = str(tmp_path / "home")

    def wan(*args: str) -> subprocess.CompletedProcess:
        done = subprocess.run(
            [sys.executable, "-m", "wan_desktop", *args], env=env, capture_output=True,
            text=True, timeout=240, stdin=subprocess.DEVNULL,
        )  # fmt: skip
        assert done.returncode == 0, (args, done.stderr)
        return done

    image = make_image(tmp_path / "harbour.png", 640, 360)
    common = ("--resolution", "720p", "--duration", "5", "--offline", "--json")
    ids = [json.loads(wan("generate", str(image), "--prompt", "a harbour", *common).stdout)["id"]]
    for prompt in ("the boat leaves", "night falls"):
        made = wan("generate", "--continue-from", ids[-1], "--prompt", prompt, *common)
        ids.append(json.loads(made.stdout)["id"])
    sequence = json.loads(wan("sequence", "new", "Harbour", "--chain", ids[0], "--json").stdout)
    assert [i["entry_id"] for i in sequence["items"]] == ids
    dest = tmp_path / "out" / "harbour.mp4"
    export = ("sequence", "export", sequence["id"], str(dest), "--crossfade", "6", "--otio")
    result = json.loads(wan(*export, "--json").stdout)
    with av.open(str(dest)) as container:
        stream = container.streams.video[0]
        frames = sum(1 for _ in container.decode(stream))
        assert (stream.width, stream.height) == (1280, 720)
        assert container.streams.audio and container.streams.audio[0].codec_context.name == "aac"
    with Library.open(tmp_path / "home" / "library") as lib:
        lengths = []
        for entry_id in ids:
            with av.open(str(lib.get(entry_id).video_path)) as clip:
                lengths.append(clip.streams.video[0].frames)
    expected = sum(lengths) - 2 - 2 * 6  # two dropped first frames, two crossfades
    assert frames == result["frames"] == expected
    timeline = otio.adapters.read_from_file(str(dest.with_suffix(".otio")))
    assert len(list(timeline.video_tracks()[0].find_clips())) == 3
    assert timeline.video_tracks()[0].duration().value == expected


def _export_begun(pid: int, folder: Path) -> bool:
    """Whether process ``pid`` has its output open in ``folder``: on Linux an unnamed file
    (O_TMPFILE, listed in /proc as ``folder/#N (deleted)``), elsewhere a hidden temporary."""
    if Path(f"/proc/{pid}/fd").is_dir():
        with contextlib.suppress(OSError):  # an fd may close while we look
            for fd in Path(f"/proc/{pid}/fd").iterdir():
                if os.readlink(fd).startswith(f"{os.path.realpath(folder)}{os.sep}"):
                    return True
        return False
    return bool(list(folder.glob(".long.mp4.*.part.mp4")))


@pytest.mark.skipif(os.name == "nt", reason="POSIX signals")
def test_sigterm_stops_the_export_with_130_and_no_file(chain, tmp_path, wan_home):
    a, b, c, other = chain
    with Library.open() as lib:
        long = lib.new_sequence("Long", [a.id, b.id, c.id, other.id] * 60)
    dest = tmp_path / "films" / "long.mp4"
    env = {k: v for k, v in os.environ.items() if not k.startswith("FAL_")}
    env["WAN_DESKTOP_HOME"] = str(wan_home)
    child = subprocess.Popen(
        [sys.executable, "-m", "wan_desktop", "sequence", "export", long.id, str(dest)],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    with reaped(child):
        deadline = time.monotonic() + 60
        while not _export_begun(child.pid, dest.parent):
            assert child.poll() is None and time.monotonic() < deadline, child.communicate()
            time.sleep(0.05)
        child.send_signal(signal.SIGTERM)
        out, err = child.communicate(timeout=30)
    assert child.returncode == 130, err
    assert "interrupted; nothing was written" in err and out == ""
    assert list(dest.parent.iterdir()) == []
