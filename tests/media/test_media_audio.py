"""media.audio: WAV/MP3 by content, the size and duration limits, and the notes."""

from __future__ import annotations

import pytest
from media_samples import image_bytes, mp3_bytes, wav_bytes, wav_of_size

from wan_desktop.core import limits
from wan_desktop.core.problems import InvalidInputError
from wan_desktop.media.audio import audio_notes, prepare_audio_bytes, prepare_audio_file


def refused(data: bytes, name: str = "song.wav") -> str:
    with pytest.raises(InvalidInputError) as caught:
        prepare_audio_bytes(data, name)
    assert caught.value.fields == ["audio_url"]
    return str(caught.value)


@pytest.fixture(scope="module")
def mp3_4s() -> bytes:
    return mp3_bytes(4.0)


@pytest.mark.parametrize("seconds", [limits.AUDIO_MIN_S, 12.0, limits.AUDIO_MAX_S])
def test_wav_inside_the_limits_is_sent_untouched(seconds):
    data = wav_bytes(seconds)
    result = prepare_audio_bytes(data, "Voice Over.WAV")
    assert result.data == data and not result.converted
    assert (result.format, result.mime, result.file_name) == ("WAV", "audio/wav", "Voice_Over.wav")
    assert result.duration_s == pytest.approx(seconds, abs=1e-9)
    assert result.width is None and result.height is None


@pytest.mark.parametrize(
    ("seconds", "shown"),
    [(limits.AUDIO_MIN_S - 0.1, "2.9"), (limits.AUDIO_MAX_S + 0.1, "30.1"), (30.004, "30.004")],
)
def test_wav_outside_the_limits_is_refused_naming_the_limit(seconds, shown):
    message = refused(wav_bytes(seconds, rate=8000 if seconds != 30.004 else 48000))
    assert message == f"Audio is {shown} s; it must be between 3 and 30 seconds."


def test_mp3_is_recognised_and_measured(mp3_4s):
    result = prepare_audio_bytes(mp3_4s, "track.mp3")
    assert (result.format, result.mime, result.file_name) == ("MP3", "audio/mpeg", "track.mp3")
    assert result.duration_s == pytest.approx(4.0, abs=0.03)
    assert result.data == mp3_4s


def test_mp3_named_wav_is_accepted_as_mp3(mp3_4s):
    result = prepare_audio_bytes(mp3_4s, "mislabelled.wav")
    assert result.format == "MP3" and result.file_name == "mislabelled.mp3"


def test_mp3_without_id3_tag_is_found_by_frame_sync(mp3_4s):
    size = 10 + int.from_bytes(bytes(b & 0x7F for b in mp3_4s[6:10]), "big")  # syncsafe
    bare = mp3_4s[size:]
    assert bare[0] == 0xFF
    assert prepare_audio_bytes(bare, "bare.mp3").format == "MP3"


def test_text_named_wav_is_refused_saying_what_it_is():
    message = refused(b"this is not audio at all\n" * 10, "notes.wav")
    assert (
        message == "Audio “notes.wav” is not WAV or MP3 audio: it is text. Use a WAV or MP3 file."
    )


def test_image_named_mp3_is_refused_saying_what_it_is():
    assert "it is a PNG image" in refused(image_bytes((300, 300)), "cover.mp3")


def test_flac_behind_an_id3_tag_is_refused():
    fake = b"ID3\x04\x00\x00\x00\x00\x00\x00" + b"fLaC" + b"\x00" * 200
    message = refused(fake, "x.mp3")
    assert message.startswith("Audio “x.mp3”")


def test_empty_and_damaged_files_are_refused(mp3_4s):
    assert refused(b"", "a.wav") == "Audio “a.wav” is empty (0 bytes)."
    assert "damaged or incomplete" in refused(mp3_4s[:120], "cut.mp3")
    assert "damaged or incomplete" in refused(b"RIFF\x10\x00\x00\x00WAVEfmt ", "cut.wav")


def test_truncated_wav_counts_only_what_is_there():
    data = wav_bytes(10.0)
    result = prepare_audio_bytes(data[: len(data) // 2], "half.wav")
    assert result.duration_s == pytest.approx(5.0, abs=0.01)


def test_size_limit_is_inclusive():
    at_limit = wav_of_size(limits.AUDIO_MAX_BYTES)
    assert prepare_audio_bytes(at_limit, "big.wav").size_bytes == 15_000_000
    over = wav_of_size(limits.AUDIO_MAX_BYTES + 1)
    assert refused(over) == "Audio is 15,000,001 bytes; the limit is 15 MB."


def test_oversized_file_is_refused_before_reading(tmp_path):
    path = tmp_path / "huge.wav"
    with path.open("wb") as f:
        f.truncate(20_000_000)
    with pytest.raises(InvalidInputError, match=r"Audio is 20\.0 MB; the limit is 15 MB\."):
        prepare_audio_file(path)


def test_prepare_audio_file(tmp_path):
    path = tmp_path / "a.wav"
    path.write_bytes(wav_bytes(3.5))
    result = prepare_audio_file(path, video_duration_s=5)
    assert result.duration_s == pytest.approx(3.5)
    with pytest.raises(InvalidInputError, match="no file at"):
        prepare_audio_file(tmp_path / "missing.wav")


def test_notes_say_what_is_cut_and_what_is_silent():
    long = prepare_audio_bytes(wav_bytes(12.0), "a.wav", video_duration_s=5)
    assert long.notes == ("Audio is 12.0 s; the video is 5 s, so only the first 5 s is used.",)
    short = prepare_audio_bytes(wav_bytes(3.0), "a.wav", video_duration_s=5)
    assert short.notes == ("Audio is 3.0 s; the video is 5 s, so the last 2.0 s is silent.",)
    same = prepare_audio_bytes(wav_bytes(10.0), "a.wav", video_duration_s=10)
    assert same.notes == ()
    assert prepare_audio_bytes(wav_bytes(10.0), "a.wav").notes == ()


def test_audio_notes_is_the_same_rule():
    assert audio_notes(15.0, 15) == []
    assert audio_notes(20.0, 15) == [
        "Audio is 20.0 s; the video is 15 s, so only the first 15 s is used."
    ]
    assert audio_notes(4.96, 5) == [
        "Audio is 4.96 s; the video is 5 s, so the last 0.04 s is silent."
    ]
