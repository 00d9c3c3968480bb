"""What a file actually holds, from its first bytes, for error messages that say it plainly.

Only used to explain a refusal ("it is a PDF document"); acceptance is decided by Pillow and
PyAV, never by these signatures.
"""

from __future__ import annotations

__all__ = ["describe_content"]

# (offset, signature, description), most specific first.
_SIGNATURES: tuple[tuple[int, bytes, str], ...] = (
    (0, b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (0, b"\xff\xd8\xff", "a JPEG image"),
    (0, b"GIF87a", "a GIF image"),
    (0, b"GIF89a", "a GIF image"),
    (0, b"BM", "a BMP image"),
    (0, b"II*\x00", "a TIFF image"),
    (0, b"MM\x00*", "a TIFF image"),
    (0, b"%PDF", "a PDF document"),
    (0, b"PK\x03\x04", "a ZIP archive (or an Office document)"),
    (0, b"fLaC", "FLAC audio"),
    (0, b"OggS", "an Ogg file (Vorbis or Opus audio, or video)"),
    (0, b"ID3", "MP3 audio"),
    (0, b"\x1aE\xdf\xa3", "a Matroska or WebM video"),
    (0, b"#!AMR", "AMR audio"),
    (0, b"MThd", "a MIDI file"),
)
_FTYP_KINDS = {
    b"heic": "a HEIC image",
    b"heix": "a HEIC image",
    b"mif1": "a HEIF image",
    b"avif": "an AVIF image",
    b"M4A ": "M4A (AAC) audio",
    b"M4B ": "M4B (AAC) audio",
    b"qt  ": "a QuickTime video",
}


def describe_content(data: bytes) -> str | None:
    """A short description such as ``"a PDF document"`` or ``"text"``; ``None`` if unknown."""
    head = data[:64]
    if head[:4] == b"RIFF" and len(head) >= 12:
        kind = head[8:12]
        return {
            b"WAVE": "WAV audio",
            b"WEBP": "a WEBP image",
            b"AVI ": "an AVI video",
        }.get(kind, "a RIFF file")
    if head[:4] == b"FORM" and head[8:12] in (b"AIFF", b"AIFC"):
        return "AIFF audio"
    if head[4:8] == b"ftyp":
        return _FTYP_KINDS.get(head[8:12], "an MP4 file (video or AAC audio)")
    for offset, signature, description in _SIGNATURES:
        if head[offset : offset + len(signature)] == signature:
            return description
    if len(head) >= 2 and head[0] == 0xFF and head[1] & 0xF6 == 0xF0:
        return "AAC audio (ADTS)"
    stripped = head.lstrip()
    if stripped[:5].lower() in (b"<?xml", b"<svg ") or stripped[:4].lower() == b"<svg":
        return "an SVG or XML file"
    if stripped[:1] == b"<":
        return "a web page or other markup"
    if _looks_like_text(data[:4096]):
        return "text"
    return None


def _looks_like_text(sample: bytes) -> bool:
    if not sample:
        return False
    try:
        text = sample.decode("utf-8")
    except UnicodeDecodeError:
        # A multi-byte character cut at the end of the sample is still text.
        try:
            text = sample[:-3].decode("utf-8")
        except UnicodeDecodeError:
            return False
    printable = sum(ch.isprintable() or ch in "\r\n\t" for ch in text)
    return printable >= 0.95 * max(1, len(text))
