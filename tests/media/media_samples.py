"""Small media made on the fly for the media tests (Pillow, wave, PyAV): nothing checked in."""

from __future__ import annotations

import io
import math
import struct
import wave
import zlib

import av
from PIL import Image


def image_bytes(size=(300, 400), fmt="PNG", mode="RGB", color=None, **save) -> bytes:
    """An image of ``size`` encoded as ``fmt``; a gradient so encoders have something to do."""
    if color is None:
        img = Image.linear_gradient("L").resize(size).convert(mode)
    else:
        img = Image.new(mode, size, color)
    buffer = io.BytesIO()
    img.save(buffer, format=fmt, **save)
    return buffer.getvalue()


def noise_png(size=(400, 300)) -> bytes:
    img = Image.merge("RGB", [Image.effect_noise(size, 64).convert("L") for _ in range(3)])
    buffer = io.BytesIO()
    img.save(buffer, format="PNG")
    return buffer.getvalue()


def exif_with_orientation(orientation: int) -> bytes:
    exif = Image.Exif()
    exif[0x0112] = orientation
    return exif.tobytes()


def png_chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def png_header_only(width: int, height: int) -> bytes:
    """A PNG that claims ``width`` × ``height`` with a valid IHDR and almost no pixel data:
    the shape of a decompression bomb, a few dozen bytes long."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"\x00" * 64)
    return (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", ihdr)
        + png_chunk(b"IDAT", idat)
        + png_chunk(b"IEND", b"")
    )


def png_padded_to(data: bytes, total: int) -> bytes:
    """``data`` (a PNG) grown to exactly ``total`` bytes with a private ancillary chunk."""
    end = data.rindex(b"IEND") - 4
    padding = total - len(data) - 12
    assert padding >= 0
    out = data[:end] + png_chunk(b"prVt", b"\x00" * padding) + data[end:]
    assert len(out) == total
    return out


def wav_bytes(seconds: float, *, rate=8000, channels=1, sample_width=2) -> bytes:
    """Silence of ``seconds`` as a PCM WAV (8 kHz mono by default: 16 kB a second)."""
    frames = round(seconds * rate)
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(channels)
        out.setsampwidth(sample_width)
        out.setframerate(rate)
        out.writeframes(b"\x00" * (frames * channels * sample_width))
    return buffer.getvalue()


def wav_of_size(total: int) -> bytes:
    """A valid WAV of exactly ``total`` bytes: 192 kHz stereo 16-bit (768 kB a second, so
    15 MB is about 19.5 s, inside the duration limits) plus a small ``junk`` chunk after the
    samples to make up the bytes a whole frame cannot (readers skip unknown chunks)."""
    rate, channels, width = 192_000, 2, 2
    header = len(wav_bytes(0, rate=rate, channels=channels, sample_width=width))
    frame = channels * width
    frames = (total - header - 8) // frame
    pad = total - header - 8 - frames * frame
    data = wav_bytes(frames / rate, rate=rate, channels=channels, sample_width=width)
    data += b"junk" + struct.pack("<I", pad) + b"\x00" * pad
    data = data[:4] + struct.pack("<I", len(data) - 8) + data[8:]
    assert len(data) == total
    return data


def mp3_bytes(seconds: float, *, rate=22050) -> bytes:
    """A mono sine tone of ``seconds`` encoded with libmp3lame (PyAV's wheels carry it)."""
    buffer = io.BytesIO()
    with av.open(buffer, "w", format="mp3") as container:
        stream = container.add_stream("libmp3lame", rate=rate, layout="mono")
        block = 1152
        tone = b"".join(
            struct.pack("<h", int(8000 * math.sin(2 * math.pi * 440 * i / rate)))
            for i in range(block)
        )
        total, pts = round(seconds * rate), 0
        while pts < total:
            n = min(block, total - pts)
            frame = av.AudioFrame(format="s16", layout="mono", samples=n)
            frame.planes[0].update(tone[: 2 * n])
            frame.sample_rate = rate
            frame.pts = pts
            pts += n
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode(None):
            container.mux(packet)
    return buffer.getvalue()
