"""media.sequence_export with a part's sound taken from another file (``audio_path``): the
pictures of a silent proxy, the sound of its original, over the same in/out times, crossfaded
like the pictures; a bad sound file is refused naming the clip and the field."""

from __future__ import annotations

import math
from pathlib import Path

import av
import pytest
from PIL import Image
from wan_testkit import mono_sound, rms, write_clip

from wan_desktop.media.sequence_export import (
    ExportPart,
    SequenceExportError,
    export_sequence,
    plan_export,
)

PER_FRAME = 2000  # samples of 48 kHz sound in one frame at 24 fps
TONE_RMS = 0.2 / math.sqrt(2)  # the test tone: 0.2 peak


def flat(colour: tuple[int, int, int], size: tuple[int, int]):
    def paint(_i: int, _frames: int) -> Image.Image:
        return Image.new("RGB", size, colour)

    return paint


@pytest.fixture(scope="module")
def files(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("sound-source")
    return {
        # Originals: 256x144, 48 frames; "toned" has a tone for its first second only.
        "original": write_clip(
            folder / "original.mp4", flat((200, 40, 40), (256, 144)), frames=48, audio_s=2.0
        ),
        "toned": write_clip(
            folder / "toned.mp4", flat((40, 200, 40), (256, 144)), frames=48, audio_s=1.0
        ),
        # Their "proxies": the same frames, smaller, no sound.
        "proxy": write_clip(folder / "proxy.mp4", flat((200, 40, 40), (128, 72)), frames=48),
        "proxy2": write_clip(folder / "proxy2.mp4", flat((40, 200, 40), (128, 72)), frames=48),
    }


def test_pictures_from_the_proxy_sound_from_the_original(files, tmp_path):
    dest = tmp_path / "out.mp4"
    plan = export_sequence([ExportPart(files["proxy"], 0, None, 0, files["original"])], dest)
    assert (plan.width, plan.height) == (128, 72) and plan.has_audio
    with av.open(str(dest)) as container:
        video, audio = container.streams.video[0], container.streams.audio[0]
        assert (video.codec_context.width, video.codec_context.height) == (128, 72)
        assert float(audio.duration * audio.time_base) == pytest.approx(2.0, abs=0.03)
    tone = rms(mono_sound(dest)[10 * PER_FRAME : 40 * PER_FRAME])
    assert tone == pytest.approx(TONE_RMS, rel=0.15)
    # Without audio_path the proxy is silent: no sound track at all.
    export_sequence([(files["proxy"], 0, None, 0)], tmp_path / "silent.mp4")
    with av.open(str(tmp_path / "silent.mp4")) as container:
        assert not container.streams.audio


def test_the_sound_follows_the_in_and_out_points_of_the_pictures(files, tmp_path):
    # "toned" sounds for its first second (frames 0-23) only. The part from frame 12 to 36
    # holds half a second of tone, then half a second of silence.
    dest = tmp_path / "out.mp4"
    export_sequence([(files["proxy2"], 12, 36, 0, files["toned"])], dest)
    samples = mono_sound(dest)
    assert len(samples) == pytest.approx(24 * PER_FRAME, abs=2048)
    assert rms(samples[1 * PER_FRAME : 10 * PER_FRAME]) == pytest.approx(TONE_RMS, rel=0.15)
    assert rms(samples[14 * PER_FRAME : 23 * PER_FRAME]) < 0.005
    export_sequence([(files["proxy2"], 24, None, 0, files["toned"])], tmp_path / "late.mp4")
    assert rms(mono_sound(tmp_path / "late.mp4")) < 0.005


def test_the_crossfade_applies_to_the_borrowed_sound(files, tmp_path):
    # Sounding A (2 s of tone) then B whose sound ends after 1 s, from frame 30: silent.
    parts = [
        ExportPart(files["proxy"], 0, None, 0, files["original"]),
        ExportPart(files["proxy2"], 30, None, 12, files["toned"]),
    ]
    dest = tmp_path / "out.mp4"
    plan = export_sequence(parts, dest)
    assert plan.total_frames == 48 + 18 - 12
    samples = mono_sound(dest)
    assert len(samples) == pytest.approx(plan.total_frames * PER_FRAME, abs=2048)
    fade = [rms(samples[(36 + k) * PER_FRAME : (37 + k) * PER_FRAME]) for k in range(12)]
    assert fade[0] > fade[4] > fade[8] > fade[11]  # A's tone fades out over the 12 frames
    assert fade[0] == pytest.approx(TONE_RMS * 23.5 / 24, rel=0.2)
    assert fade[11] < TONE_RMS * 0.15
    assert rms(samples[49 * PER_FRAME : 53 * PER_FRAME]) < 0.005  # B alone: silent


def test_a_bad_sound_file_is_refused_naming_the_clip_and_field(files, tmp_path):
    junk = tmp_path / "junk.wav"
    junk.write_bytes(b"not sound at all")
    with pytest.raises(SequenceExportError, match=r"clip 2: audio_path junk\.wav is not a file"):
        plan_export([(files["proxy"], 0, None, 0), (files["proxy2"], 0, None, 0, junk)])
    with pytest.raises(SequenceExportError, match=r"clip 1: audio_path gone\.m4a is not a file"):
        plan_export([(files["proxy"], 0, None, 0, tmp_path / "gone.m4a")])
    # A sound file with no sound: the part is silent, the plan says there is none.
    assert not plan_export([(files["proxy"], 0, None, 0, files["proxy2"])]).has_audio
