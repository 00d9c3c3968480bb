"""422 answers at the API document's limits, read from core.limits."""

from __future__ import annotations

import io
import threading
import time
import tracemalloc
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import av
import pytest
from emulator_helpers import (
    SMALL_PNG,
    SUBMIT,
    body,
    client_for,
    data_uri,
    fake_render,
    png_bytes,
    wav_bytes,
)
from PIL import Image

from wan_desktop.core import limits
from wan_desktop.emulator import EmulatorServer, validate
from wan_desktop.emulator.validate import validate_arguments


@pytest.fixture(scope="module")
def client():
    """One engine and client for the module: validation is stateless, and a fresh httpx
    client per test (its TLS context) would cost more than the tests."""
    with EmulatorServer(workers=2, render=fake_render) as server, client_for(server) as c:
        yield c


def submit(client, payload):
    return client.post(SUBMIT, json=payload)


def errors_of(response) -> dict[str, dict]:
    assert response.status_code == 422, response.text
    detail = response.json()["detail"]
    assert isinstance(detail, list)
    out = {}
    for entry in detail:
        assert entry["loc"][0] == "body"
        assert isinstance(entry["msg"], str) and entry["msg"]
        assert isinstance(entry["type"], str) and entry["type"]
        out[entry["loc"][1]] = entry
    return out


def test_limits_come_from_the_one_table():
    assert limits.PROMPT_MAX_CHARS == 1500  # fal's current schema (it was 800)
    assert limits.NEGATIVE_PROMPT_MAX_CHARS == 500


# ---- text -----------------------------------------------------------------------------------

EMOJI = "👩‍👩‍👧"  # 5 code points (3 people joined by 2 ZWJ)
COMBINING = "e\u0301"  # é as 2 code points


@pytest.mark.parametrize(
    "prompt",
    [
        "x" * limits.PROMPT_MAX_CHARS,
        EMOJI * (limits.PROMPT_MAX_CHARS // 5),
        COMBINING * (limits.PROMPT_MAX_CHARS // 2),
    ],
)
def test_prompt_at_the_limit_is_accepted(client, prompt):
    assert len(prompt) == limits.PROMPT_MAX_CHARS
    assert submit(client, body(prompt=prompt)).status_code == 200


@pytest.mark.parametrize(
    "prompt",
    [
        "x" * (limits.PROMPT_MAX_CHARS + 1),
        EMOJI * (limits.PROMPT_MAX_CHARS // 5) + "a",
        COMBINING * (limits.PROMPT_MAX_CHARS // 2) + "\u0301",
    ],
)
def test_prompt_over_the_limit_is_422(client, prompt):
    assert len(prompt) == limits.PROMPT_MAX_CHARS + 1
    entry = errors_of(submit(client, body(prompt=prompt)))["prompt"]
    assert "1500" in entry["msg"] and "1501" in entry["msg"]
    assert entry["type"] == "string_too_long"


@pytest.mark.parametrize("prompt", ["", "   \n", None])
def test_blank_or_null_prompt_is_422(client, prompt):
    assert "prompt" in errors_of(submit(client, body(prompt=prompt)))


def test_missing_prompt_is_422_missing(client):
    payload = body()
    del payload["prompt"]
    assert errors_of(submit(client, payload))["prompt"]["type"] == "missing"


def test_prompt_of_wrong_type_is_422(client):
    assert errors_of(submit(client, body(prompt=5)))["prompt"]["type"] == "string_type"


def test_negative_prompt_boundary(client):
    assert submit(client, body(negative_prompt="n" * 500)).status_code == 200
    entry = errors_of(submit(client, body(negative_prompt="n" * 501)))["negative_prompt"]
    assert "500" in entry["msg"]


# ---- enums, seed, booleans ------------------------------------------------------------------


@pytest.mark.parametrize("value", ["720p", "1080p"])
def test_resolutions_accepted(client, value):
    assert submit(client, body(resolution=value)).status_code == 200


@pytest.mark.parametrize("value", ["480p", "720", 720, None, "1080P"])
def test_other_resolutions_422(client, value):
    entry = errors_of(submit(client, body(resolution=value)))["resolution"]
    assert "720p" in entry["msg"] and "1080p" in entry["msg"]


@pytest.mark.parametrize("value", ["5", "10", "15", 5, 10, 15])
def test_durations_accepted_as_strings_and_ints(client, value):
    assert submit(client, body(duration=value)).status_code == 200


@pytest.mark.parametrize("value", ["7", 7, "5s", 5.0, True, None, "", 0, 20])
def test_other_durations_422(client, value):
    entry = errors_of(submit(client, body(duration=value)))["duration"]
    assert "5, 10 or 15" in entry["msg"]


@pytest.mark.parametrize("value", [0, 2_147_483_647, None])
def test_seed_boundaries_accepted(client, value):
    assert submit(client, body(seed=value)).status_code == 200


@pytest.mark.parametrize("value", [-1, 2_147_483_648, 1.5, "42", True])
def test_seed_out_of_range_or_not_int_422(client, value):
    entry = errors_of(submit(client, body(seed=value)))["seed"]
    assert "2147483647" in entry["msg"]


@pytest.mark.parametrize(
    "name", ["enable_prompt_expansion", "multi_shots", "enable_safety_checker"]
)
@pytest.mark.parametrize("value", [1, 0, "true", None])
def test_booleans_must_be_booleans(client, name, value):
    assert errors_of(submit(client, body(**{name: value})))[name]["type"] == "bool_type"


def test_unknown_fields_are_ignored(client):
    assert submit(client, body(some_future_flag=True)).status_code == 200


def test_every_problem_is_reported_at_once(client):
    found = errors_of(
        submit(client, body(prompt="", resolution="4k", duration="3", seed=-5, multi_shots="y"))
    )
    assert set(found) == {"prompt", "resolution", "duration", "seed", "multi_shots"}


def test_body_not_json_or_not_object(client):
    response = client.post(SUBMIT, content=b"{nope", headers={"Content-Type": "application/json"})
    assert response.status_code == 422
    assert response.json()["detail"][0]["type"] == "json_invalid"
    assert errors_of(client.post(SUBMIT, json=[1, 2]))


# ---- image ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("width", "height"),
    [(240, 240), (7680, 240), (240, 7680), (241, 300)],
)
def test_image_sides_at_the_limits_accepted(client, width, height):
    uri = data_uri(png_bytes(width, height), "image/png")
    assert submit(client, body(image_url=uri)).status_code == 200


@pytest.mark.parametrize(
    ("width", "height", "side", "px"),
    [
        (239, 240, "width", 239),
        (240, 239, "height", 239),
        (7681, 240, "width", 7681),
        (240, 7681, "height", 7681),
    ],
)
def test_image_sides_outside_the_limits_422(client, width, height, side, px):
    uri = data_uri(png_bytes(width, height), "image/png")
    entry = errors_of(submit(client, body(image_url=uri)))["image_url"]
    assert side in entry["msg"] and str(px) in entry["msg"]
    assert "240" in entry["msg"] and "7680" in entry["msg"]


def test_image_size_uses_exif_orientation(client):
    # Stored 7681×300 but rotated a quarter turn by EXIF: shown 300×7681 → the height is wrong.
    image = Image.new("RGB", (7681, 300))
    exif = image.getexif()
    exif[0x0112] = 6
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif, quality=50)
    entry = errors_of(submit(client, body(image_url=data_uri(out.getvalue(), "image/jpeg"))))
    assert "height is 7681" in entry["image_url"]["msg"]


@pytest.mark.parametrize(
    "value",
    [
        data_uri(b"not an image at all", "image/png"),
        "data:image/png;base64,@@@",
        data_uri(SMALL_PNG[: len(SMALL_PNG) // 2], "image/png"),
        "",
        42,
    ],
)
def test_undecodable_or_malformed_image_422(client, value):
    assert "image_url" in errors_of(submit(client, body(image_url=value)))


def test_missing_image_422(client):
    payload = body()
    del payload["image_url"]
    assert errors_of(submit(client, payload))["image_url"]["type"] == "missing"


@pytest.mark.parametrize(
    "url",
    ["https://v3b.fal.media/files/x.png", "http://example.com/x.png", "http://10.0.0.1/x.png"],
)
def test_internet_urls_are_refused_offline(client, url):
    entry = errors_of(submit(client, body(image_url=url)))["image_url"]
    assert "cannot reach the internet" in entry["msg"]


@pytest.fixture
def file_server():
    """A loopback HTTP server with files the engine may fetch: {path: bytes}."""
    files: dict[str, bytes] = {}

    class Files(BaseHTTPRequestHandler):
        def do_GET(self):
            data = files.get(self.path)
            self.send_response(200 if data is not None else 404)
            self.send_header("Content-Length", str(len(data or b"")))
            self.end_headers()
            self.wfile.write(data or b"")

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Files)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    yield base, files
    server.shutdown()
    server.server_close()


def test_loopback_urls_are_fetched(client, file_server):
    base, files = file_server
    files["/img.png"] = png_bytes(300, 300)
    files["/tone.wav"] = wav_bytes(3.0)
    ok = submit(client, body(image_url=f"{base}/img.png", audio_url=f"{base}/tone.wav"))
    assert ok.status_code == 200
    localhost = base.replace("127.0.0.1", "localhost")
    assert submit(client, body(image_url=f"{localhost}/img.png")).status_code == 200
    missing = errors_of(submit(client, body(image_url=f"{base}/missing.png")))
    assert "404" in missing["image_url"]["msg"]


def test_big_loopback_audio_is_cut_off_while_fetching(client, file_server):
    base, files = file_server
    files["/big.wav"] = b"\0" * (limits.AUDIO_MAX_BYTES + 10)
    entry = errors_of(submit(client, body(audio_url=f"{base}/big.wav")))["audio_url"]
    assert "15 MB" in entry["msg"]


@pytest.fixture
def hostile_server():
    """A loopback server sending a gzip bomb (``/bomb``: 200 MB of zeros) or dripping one
    byte every 0.2 s (``/drip``)."""
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)
    bomb = b"".join(packer.compress(b"\0" * 1_000_000) for _ in range(200)) + packer.flush()

    class Hostile(BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200)
            if self.path == "/bomb":
                self.send_header("Content-Encoding", "gzip")
                self.send_header("Content-Length", str(len(bomb)))
            self.end_headers()
            try:
                if self.path == "/bomb":
                    self.wfile.write(bomb)
                while self.path == "/drip":
                    self.wfile.write(b"\0")
                    self.wfile.flush()
                    time.sleep(0.2)
            except OSError:
                pass

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Hostile)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_a_gzip_bomb_from_loopback_stops_at_the_cap(hostile_server):
    tracemalloc.start()
    try:
        errors = validate_arguments(body(image_url=f"{hostile_server}/bomb"))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    (error,) = errors
    assert error.type == "file_too_large" and "25 MB" in error.msg
    assert peak < limits.IMAGE_MAX_BYTES + 8_000_000, peak


def test_a_dripping_loopback_url_stops_at_the_deadline(hostile_server, monkeypatch):
    monkeypatch.setattr(validate, "FETCH_DEADLINE_S", 1.0)
    start = time.monotonic()
    (error,) = validate_arguments(body(image_url=f"{hostile_server}/drip"))
    assert time.monotonic() - start < 4.0
    assert error.type == "file_download_error" and "1 s" in error.msg


# ---- audio ----------------------------------------------------------------------------------


@pytest.mark.parametrize("seconds", [3.0, 30.0])
def test_audio_duration_at_the_limits_accepted(client, seconds):
    uri = data_uri(wav_bytes(seconds), "audio/wav")
    assert submit(client, body(audio_url=uri)).status_code == 200


@pytest.mark.parametrize("seconds", [2.9, 30.1])
def test_audio_duration_outside_the_limits_422(client, seconds):
    uri = data_uri(wav_bytes(seconds), "audio/wav")
    entry = errors_of(submit(client, body(audio_url=uri)))["audio_url"]
    assert entry["type"] == "audio_duration"
    assert "3" in entry["msg"] and "30" in entry["msg"] and f"{seconds:.2f}" in entry["msg"]


def test_audio_over_15_mb_is_422(client):
    # 15 MB + 1 byte of WAV (48 kHz stereo: about 78 s, but the size is what is checked first).
    data = wav_bytes(0.0, rate=48_000, channels=2)
    data = data + b"\0" * (limits.AUDIO_MAX_BYTES + 1 - len(data))
    assert len(data) == limits.AUDIO_MAX_BYTES + 1
    entry = errors_of(submit(client, body(audio_url=data_uri(data, "audio/wav"))))["audio_url"]
    assert "15 MB" in entry["msg"] and entry["type"] == "file_too_large"


def test_mp3_is_accepted(client):
    assert submit(client, body(audio_url=data_uri(mp3_bytes(4.0), "audio/mpeg"))).status_code == 200


@pytest.mark.parametrize(
    "data",
    [b"RIFF....WAVEjunk", b"plain text, not audio", None],
)
def test_undecodable_or_other_format_audio_422(client, data):
    if data is None:
        data = flac_bytes(4.0)  # decodable, but not WAV or MP3
    entry = errors_of(submit(client, body(audio_url=data_uri(data, "audio/wav"))))["audio_url"]
    assert "WAV" in entry["msg"] and "MP3" in entry["msg"]


def test_null_audio_is_no_audio(client):
    assert submit(client, body(audio_url=None)).status_code == 200


def _encode_audio(codec: str, fmt: str, seconds: float) -> bytes:
    out = io.BytesIO()
    with av.open(out, "w", format=fmt) as container:
        stream = container.add_stream(codec, rate=44_100, layout="mono")
        pcm = wav_bytes(seconds, rate=44_100)[44:]
        samples = len(pcm) // 2
        frame = av.AudioFrame(format="s16", layout="mono", samples=samples)
        frame.planes[0].update(pcm + bytes(frame.planes[0].buffer_size - len(pcm)))
        frame.sample_rate = 44_100
        frame.pts = 0
        container.mux(stream.encode(frame))
        container.mux(stream.encode(None))
    return out.getvalue()


def mp3_bytes(seconds: float) -> bytes:
    return _encode_audio("libmp3lame", "mp3", seconds)


def flac_bytes(seconds: float) -> bytes:
    return _encode_audio("flac", "flac", seconds)


def test_image_over_the_byte_limit_is_422(client, file_server):
    base, files = file_server
    files["/huge.png"] = b"\0" * (limits.IMAGE_MAX_BYTES + 1)
    entry = errors_of(submit(client, body(image_url=f"{base}/huge.png")))["image_url"]
    assert entry["type"] == "file_too_large" and "25 MB" in entry["msg"]
