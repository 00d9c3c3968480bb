"""``wan-desktop generate`` end to end, as a user runs it: a separate process, real sockets.

Against the offline engine started by ``--offline``, and against ``wan-desktop emulator`` in
its own process standing in for fal (FAL_QUEUE_URL + FAL_KEY), where the tests can count what
the server received.
"""

from __future__ import annotations

import json
import wave
from pathlib import Path

import av
import pytest
from jobs_helpers import KEY, cli_env, fal_engine, parse_json_line, wan
from wan_testkit import make_image

from wan_desktop.library import Library
from wan_desktop.media.mp4meta import read_comment


def test_offline_generate_json_keeps_the_result_in_the_library(tmp_path, image):
    home = tmp_path / "home"
    out = wan(
        "generate",
        str(image),
        "--prompt",
        "the red ball rolls 🎈",
        "--resolution",
        "720p",
        "--seed",
        "1234",
        "--offline",
        "--json",
        env=cli_env(home, key=None),
    )
    assert out.returncode == 0, out.stderr
    result = parse_json_line(out.stdout)
    assert set(result) == {"id", "video", "seed", "actual_prompt", "request_id"}
    assert result["seed"] == 1234
    assert result["actual_prompt"].startswith("the red ball rolls 🎈")
    video = Path(result["video"])
    assert video.is_absolute() and video.exists()
    assert "Offline engine" in out.stderr and "queued" in out.stderr and "log:" in out.stderr
    with av.open(str(video)) as container:
        stream = container.streams.video[0]
        assert stream.codec_context.name == "h264"
        assert stream.frames == 5 * 24
        # 480×320 is 3:2; about 1280×720 pixels, both sides even.
        assert stream.width % 2 == 0 and stream.height % 2 == 0
        assert abs(stream.width / stream.height - 1.5) < 0.02
    comment = json.loads(read_comment(video))
    assert comment["request"]["seed"] == 1234 or comment.get("seed") == 1234
    with Library.open(home / "library") as lib:
        entry = lib.get(result["id"])
        assert entry.request_id == result["request_id"]
        assert [s.id for s in lib.search("rolls")] == [result["id"]]


def test_without_a_key_exit_3_and_say_how_to_set_it(tmp_path, image):
    out = wan("generate", str(image), "--prompt", "x", env=cli_env(tmp_path / "h", key=None))
    assert out.returncode == 3
    assert "FAL_KEY" in out.stderr and "--offline" in out.stderr


@pytest.mark.parametrize(
    ("extra", "field_words"),
    [
        (["--prompt", "a" * 1501], ["Prompt", "1500"]),
        (["--prompt", "ok", "--negative-prompt", "n" * 501], ["Negative prompt", "500"]),
        (["--prompt", "ok", "--duration", "7"], ["Duration", "5, 10 or 15"]),
        (["--prompt", "ok", "--seed", "2147483648"], ["Seed", "2147483647"]),
        (["--prompt", "   "], ["Prompt", "required"]),
    ],
)
def test_invalid_request_exit_2_nothing_sent(tmp_path, image, extra, field_words):
    with fal_engine() as engine:
        out = wan("generate", str(image), *extra, env=cli_env(tmp_path / "h", engine.base_url))
        assert out.returncode == 2, out.stderr
        for word in field_words:
            assert word in out.stderr
        assert "Nothing was sent" in out.stderr
        assert engine.stats()["submits"] == 0


def test_invalid_media_exit_2_nothing_sent(tmp_path):
    small = make_image(tmp_path / "small.png", 239, 400)
    not_audio = tmp_path / "music.mp3"
    not_audio.write_text("this is not audio")
    short = tmp_path / "short.wav"
    with wave.open(str(short), "wb") as w:
        w.setnchannels(1), w.setsampwidth(2), w.setframerate(8000)
        w.writeframes(b"\0\0" * int(8000 * 2.9))
    big = make_image(tmp_path / "ok.png")
    with fal_engine() as engine:
        env = cli_env(tmp_path / "h", engine.base_url)
        out = wan("generate", str(small), "--prompt", "ok", env=env)
        assert out.returncode == 2 and "239" in out.stderr and "240" in out.stderr
        out = wan("generate", str(big), "--prompt", "ok", "--audio", str(not_audio), env=env)
        assert out.returncode == 2 and "Audio" in out.stderr
        out = wan("generate", str(big), "--prompt", "ok", "--audio", str(short), env=env)
        assert out.returncode == 2 and "3" in out.stderr and "30" in out.stderr
        out = wan("generate", str(tmp_path / "missing.png"), "--prompt", "ok", env=env)
        assert out.returncode == 2
        assert engine.stats()["submits"] == 0


@pytest.mark.parametrize(
    ("fault", "code", "words"),
    [
        ("moderate", 3, ["prompt"]),
        ("auth", 3, ["key"]),
        ("fail_request", 4, []),
    ],
)
def test_service_refusals_and_failures_exit_codes(tmp_path, image, fault, code, words):
    with fal_engine("--fault", f"{fault}:count=-1") as engine:
        out = wan(
            "generate",
            str(image),
            "--prompt",
            "a slow pan",
            "--resolution",
            "720p",
            env=cli_env(tmp_path / "h", engine.base_url),
        )
        assert out.returncode == code, out.stderr
        for word in words:
            assert word.lower() in out.stderr.lower()
        assert KEY not in out.stderr and KEY not in out.stdout
