"""Checking and preparing the input image (Pillow).

The image is refused, with one sentence naming the problem and the limit, when it is empty,
larger than ``limits.IMAGE_MAX_BYTES``, not an image, damaged or truncated, or has a side
outside ``limits.IMAGE_MIN_SIDE_PX``..``limits.IMAGE_MAX_SIDE_PX`` after EXIF orientation.

An acceptable file (JPEG, PNG, WEBP or BMP by content, no transparency, upright, one frame)
is sent byte for byte as the user gave it. Anything else Pillow can read is converted once,
losslessly, to PNG and the reason is said in ``PreparedMedia.notes``: transparency filled
with white, EXIF rotation applied, CMYK turned into RGB, another format (TIFF, GIF, ...), the
first frame of an animation.

Cost: one full decode of the pixels, which also proves the file is whole (a truncated or
damaged file fails there); a conversion reuses that decoded image. The pixels are decoded
into memory that is freed without holding the interpreter lock (:mod:`.pillow_memory`). The
last few accepted images are remembered by content hash, so the same bytes checked again (the
drop zone's check, then the job's copy of that file) are not decoded again; the drop zone's
preview is made from the same decode (``on_decoded``, :func:`fitted_preview`). Once prepared,
the bytes are trusted: :func:`read_prepared_image` reads them back with their header only.
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
import threading
import warnings
import zlib
from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path

from PIL import ExifTags, Image, ImageFile, ImageOps, UnidentifiedImageError

from wan_desktop.core import limits
from wan_desktop.core.problems import InvalidInputError, Problem

from ._text import format_megabytes, format_number
from .files import check_size, read_input_file
from .pillow_memory import MappedPixels, allocate_large_images_lazily
from .prepared import PreparedMedia, safe_file_name
from .sniff import describe_content

__all__ = [
    "MAX_DECODE_PIXELS",
    "fitted_preview",
    "prepare_image_bytes",
    "prepare_image_file",
    "read_prepared_image",
]

FIELD = "image_url"

#: No image with more pixels than this is ever decoded, whatever ``Image.MAX_IMAGE_PIXELS``
#: the rest of the process uses (another library may even set it to ``None``). Both sides are
#: checked against ``limits.IMAGE_MAX_SIDE_PX`` from the header first, so this is the same
#: bound written as a pixel count: a second line of defence against decompression bombs.
MAX_DECODE_PIXELS = limits.IMAGE_MAX_SIDE_PX * limits.IMAGE_MAX_SIDE_PX

_MIME = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp", "BMP": "image/bmp"}
_EXTENSION = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp", "BMP": "bmp"}
# Multi-Picture JPEG (phone cameras, 3D photos) is a plain JPEG followed by extra pictures:
# every JPEG reader sees the first one, so it passes as JPEG.
_FORMAT_ALIASES = {"MPO": "JPEG"}
# Modes that carry transparency by themselves; P/L/RGB may carry it in info["transparency"].
_ALPHA_MODES = {"RGBA", "LA", "PA", "La", "RGBa"}
# Modes Pillow writes to PNG as they are (16-bit greyscale included).
_PNG_MODES = {"1", "L", "P", "RGB", "I;16", "I;16B", "I;16L", "I"}
_READABLE_KINDS = {
    "a PNG image",
    "a JPEG image",
    "a GIF image",
    "a BMP image",
    "a TIFF image",
    "a WEBP image",
}
_LIMIT_MB = format_number(limits.IMAGE_MAX_BYTES / 1_000_000)
_LIMIT_SIDES = (
    f"each side must be between {limits.IMAGE_MIN_SIDE_PX} and {limits.IMAGE_MAX_SIDE_PX} px"
)
# warnings.catch_warnings() swaps process-wide state; this keeps our own worker threads from
# interleaving their enter/exit (which could leave a filter installed for good).
_WARNINGS_LOCK = threading.Lock()
#: Accepted images by the SHA-256 of their bytes: a decode of a large photo holds the
#: interpreter lock for long stretches, so the same bytes are never decoded twice.
_ACCEPTED: OrderedDict[str, PreparedMedia] = OrderedDict()
_ACCEPTED_KEPT = 2
_ACCEPTED_LOCK = threading.Lock()
#: What turns a picture upright for each EXIF orientation (2–8; 1 is upright already).
_TRANSPOSES = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}


# Process-wide, before any image is made (see pillow_memory).
allocate_large_images_lazily()


def prepare_image_file(
    path: str | Path, *, on_decoded: Callable[[Image.Image], None] | None = None
) -> PreparedMedia:
    """Check and prepare the image file at ``path`` (see :func:`prepare_image_bytes`).

    Only a regular file within the limit is read (see :func:`~.files.read_input_file`).
    Synchronous and CPU-bound: call in an executor, never on the GUI thread.
    """
    path = Path(path)
    data = read_input_file(path, field=FIELD, label="Image")
    return prepare_image_bytes(data, path.name, on_decoded=on_decoded)


def prepare_image_bytes(
    data: bytes, name: str, *, on_decoded: Callable[[Image.Image], None] | None = None
) -> PreparedMedia:
    """Check the image ``data`` (named ``name`` by the user) and make it ready to send.

    Returns a :class:`PreparedMedia` whose ``data`` is ``data`` itself when it is already
    acceptable, or one lossless PNG conversion otherwise (``converted`` true, the reasons in
    ``notes``). Raises :class:`~wan_desktop.core.problems.InvalidInputError` on field
    ``image_url`` with one sentence naming the problem and the limit.
    The format is decided by the content, never by ``name``'s extension.

    ``on_decoded(image)`` is called with the decoded pixels of an accepted image (as the file
    holds them: EXIF orientation not applied), before they are freed, so whoever also needs
    a picture of them (the drop zone's preview, see :func:`fitted_preview`) does not decode
    the file a second time. It is not called when nothing was decoded (the same bytes were
    checked moments before) or the image was refused; it must not change the image.
    Synchronous and CPU-bound (one full decode): call in an executor, never on the GUI thread.
    """
    data = bytes(data)
    if not data:
        raise _refuse(f"Image “{name}” is empty (0 bytes).")
    _check_size(len(data))

    key = hashlib.sha256(data).hexdigest()  # releases the interpreter lock while it hashes
    with _ACCEPTED_LOCK:
        known = _ACCEPTED.get(key)
    if known is not None:
        return _renamed(known, data, name)
    img = _open(data, name)
    # The decoded pixels live in a mapping freed without holding the interpreter lock, after
    # the image is closed (see pillow_memory): 130 MB for a 7680 x 4320 photo.
    with MappedPixels() as pixels:
        try:
            prepared = _prepare(img, data, name, pixels)
            if on_decoded is not None:
                on_decoded(img)
        finally:
            img.close()
    with _ACCEPTED_LOCK:
        _ACCEPTED[key] = prepared
        while len(_ACCEPTED) > _ACCEPTED_KEPT:
            _ACCEPTED.popitem(last=False)
    return prepared


def read_prepared_image(path: str | Path) -> PreparedMedia:
    """The image prepared before and saved at ``path`` (by :func:`prepare_image_bytes`), as
    it will be sent: its bytes as they are, its format and size read from the header only.

    Nothing is decoded: the bytes passed every check when they were prepared. Raises
    ``InvalidInputError`` when the file is gone or is not an image a check could have passed.
    Synchronous file I/O: call in an executor.
    """
    path = Path(path)
    data = read_input_file(path, field=FIELD, label="Image")
    img = _open(data, path.name)
    try:
        api_format = _FORMAT_ALIASES.get(img.format or "", img.format or "")
        if api_format not in _MIME:
            raise _damaged(path.name)
        width, height = img.size
    finally:
        img.close()
    return PreparedMedia(
        data=data,
        mime=_MIME[api_format],
        file_name=safe_file_name(path.name, _EXTENSION[api_format], "input"),
        format=api_format,
        size_bytes=len(data),
        width=width,
        height=height,
    )


def fitted_preview(image: Image.Image, max_side: int) -> Image.Image | None:
    """A picture of the decoded ``image`` (as :func:`prepare_image_bytes` hands it to
    ``on_decoded``) for showing: upright as its EXIF orientation says, at most ``max_side``
    pixels a side, in ``RGB``, ``RGBA`` or ``L``. ``None`` for other pixel modes (CMYK,
    16-bit, palettes), which a caller shows by other means.

    Shrinking a 33-megapixel photo first by whole factors (a box average), then smoothly,
    costs a few per cent of its decode, and Pillow does both without holding the interpreter
    lock. Any thread.
    """
    if image.mode not in ("RGB", "RGBA", "L"):
        return None
    width, height = image.size
    scale = min(1.0, max_side / max(width, height))
    small = image
    if scale < 1.0:
        size = (max(1, round(width * scale)), max(1, round(height * scale)))
        small = image.resize(size, Image.Resampling.BILINEAR, reducing_gap=2.0)
    turn = _TRANSPOSES.get(_orientation(image))
    if turn is not None:
        small = small.transpose(turn)
    return small if small is not image else image.copy()


def _renamed(known: PreparedMedia, data: bytes, name: str) -> PreparedMedia:
    """An earlier result for the same bytes, named for ``name`` (and holding ``data`` itself
    when it is sent as it is)."""
    return dataclasses.replace(
        known,
        data=known.data if known.converted else data,
        file_name=safe_file_name(name, _EXTENSION[known.format], "input"),
    )


# ---- steps -----------------------------------------------------------------------------------


def _check_size(size: int) -> None:
    check_size(size, field=FIELD, label="Image")


def _open(data: bytes, name: str) -> ImageFile.ImageFile:
    """Read the header only; no pixel is decoded here."""
    try:
        with _WARNINGS_LOCK, warnings.catch_warnings():
            # Between MAX_IMAGE_PIXELS and twice that Pillow only warns; the side check right
            # after refuses such an image with its real size, so the warning adds nothing.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            return Image.open(io.BytesIO(data))
    except Image.DecompressionBombError as exc:
        raise _refuse(
            f"Image “{name}” claims far more pixels than can be opened safely "
            f"(a possible decompression bomb); {_LIMIT_SIDES}."
        ) from exc
    except UnidentifiedImageError as exc:
        what = describe_content(data)
        if what in _READABLE_KINDS:
            # The signature says it is a kind Pillow reads, yet Pillow could not: damaged.
            raise _damaged(name) from exc
        if what is not None and what.endswith("image"):
            detail = f"it looks like {what}, a kind this app cannot read"
        elif what is not None:
            detail = f"it is {what}"
        else:
            detail = "its content is not a format this app can read"
        raise _refuse(
            f"Image “{name}” is not a usable image: {detail}. Use JPEG, PNG, WEBP or BMP."
        ) from exc
    except Exception as exc:  # Pillow's parsers raise many types on hostile headers.
        raise _damaged(name) from exc


def _prepare(
    img: ImageFile.ImageFile, data: bytes, name: str, pixels: MappedPixels
) -> PreparedMedia:
    raw_w, raw_h = img.size
    # A quarter turn only swaps the sides, so the check holds before orientation is known;
    # refusing here means an oversized image (or a bomb) is never decoded.
    if not _sides_ok(raw_w, raw_h) or raw_w * raw_h > MAX_DECODE_PIXELS:
        w, h = _oriented(raw_w, raw_h, _header_orientation(img))
        raise _refuse(f"Image is {w} × {h} px; {_LIMIT_SIDES}.")

    source_format = img.format or "unknown"
    api_format = _FORMAT_ALIASES.get(source_format, source_format)
    try:
        # GIF finds out by seeking to the second frame, which can fail on a damaged file.
        animated = api_format != "JPEG" and bool(getattr(img, "is_animated", False))
        pixels.load(img)  # the one full decode: proves the file is whole
    except Image.DecompressionBombError as exc:
        raise _refuse(f"Image “{name}” is too large to decode safely; {_LIMIT_SIDES}.") from exc
    except Exception as exc:
        raise _damaged(name) from exc

    if source_format == "PNG" and not _png_chunks_intact(data):
        # Pillow neither checks the pixel chunks' CRCs nor minds a missing IEND; a stricter
        # reader at the service may, and a flipped bit can decode into plausible garbage.
        raise _damaged(name)

    orientation = _orientation(img)
    reasons: list[str] = []
    if api_format not in limits.IMAGE_FORMATS:
        reasons.append(f"the service does not accept {source_format} images")
    if animated:
        reasons.append("it holds several frames (an animation or pages); only the first is used")
    if orientation != 1:
        reasons.append("turned it the way its EXIF orientation says")
    if img.mode == "CMYK":
        reasons.append("turned its CMYK colours into RGB")
    if _has_alpha(img):
        reasons.append(
            "removed the transparency (the service does not accept it; "
            "transparent areas are now white)"
        )
    elif img.mode not in _PNG_MODES and img.mode != "CMYK":
        reasons.append(f"turned its {img.mode} pixels into RGB")

    if not reasons:
        return PreparedMedia(
            data=data,
            mime=_MIME[api_format],
            file_name=safe_file_name(name, _EXTENSION[api_format], "input"),
            format=api_format,
            size_bytes=len(data),
            width=raw_w,
            height=raw_h,
        )
    return _convert(img, name, reasons)


def _convert(img: Image.Image, name: str, reasons: list[str]) -> PreparedMedia:
    """Write the decoded image once as PNG: upright, opaque, RGB/greyscale."""
    try:
        out = _flatten(ImageOps.exif_transpose(img) if _orientation(img) != 1 else img)
        buffer = io.BytesIO()
        icc = out.info.get("icc_profile") if img.mode != "CMYK" else None
        # Level 3 is several times faster than the default 6 on large photos and only a few
        # percent bigger; EXIF is dropped (its orientation is now applied to the pixels).
        out.save(buffer, format="PNG", compress_level=3, icc_profile=icc)
    except Exception as exc:
        raise _refuse(
            f"Image “{name}” could not be converted to PNG ({type(exc).__name__}); "
            "save it as JPEG or PNG and try again."
        ) from exc
    png = buffer.getvalue()
    if len(png) > limits.IMAGE_MAX_BYTES:
        raise _refuse(
            f"Image “{name}” needs converting to PNG ({'; '.join(reasons)}), but the PNG is "
            f"{format_megabytes(len(png), limits.IMAGE_MAX_BYTES)}, over the "
            f"{_LIMIT_MB} MB limit; "
            "save it as an upright JPEG without transparency instead."
        )
    return PreparedMedia(
        data=png,
        mime=_MIME["PNG"],
        file_name=safe_file_name(name, _EXTENSION["PNG"], "input"),
        format="PNG",
        size_bytes=len(png),
        width=out.width,
        height=out.height,
        converted=True,
        notes=(f"Converted to PNG: {'; '.join(reasons)}.",),
    )


def _flatten(img: Image.Image) -> Image.Image:
    """An opaque image in a mode PNG stores as is; transparency composited onto white."""
    if _has_alpha(img):
        grey = img.mode in ("LA", "La") or (img.mode == "L" and "transparency" in img.info)
        rgba = img.convert("LA" if grey else "RGBA")
        background = Image.new(rgba.mode, rgba.size, (255, 255) if grey else (255, 255, 255, 255))
        background.alpha_composite(rgba)
        return background.convert("L" if grey else "RGB")
    if img.mode in _PNG_MODES:
        return img
    return img.convert("RGB")


# ---- helpers ---------------------------------------------------------------------------------


def _sides_ok(w: int, h: int) -> bool:
    low, high = limits.IMAGE_MIN_SIDE_PX, limits.IMAGE_MAX_SIDE_PX
    return low <= w <= high and low <= h <= high


def _has_alpha(img: Image.Image) -> bool:
    return img.mode in _ALPHA_MODES or "transparency" in img.info


def _oriented(w: int, h: int, orientation: int) -> tuple[int, int]:
    # EXIF orientations 5-8 include a quarter turn.
    return (h, w) if orientation in (5, 6, 7, 8) else (w, h)


def _header_orientation(img: ImageFile.ImageFile) -> int:
    """The EXIF orientation when it is known without decoding (for a PNG whose eXIf chunk
    follows the pixels, Pillow would decode everything first: take 1 then)."""
    if img.format == "PNG" and "exif" not in img.info:
        return 1
    return _orientation(img)


def _orientation(img: Image.Image) -> int:
    try:
        value = img.getexif().get(ExifTags.Base.Orientation, 1)
    except Exception:
        return 1  # damaged EXIF: the pixels are fine, treat it as upright
    return value if isinstance(value, int) and 1 <= value <= 8 else 1


def _png_chunks_intact(data: bytes) -> bool:
    """Every chunk of a PNG is complete with a matching CRC, up to IEND (CRC-32 runs at
    gigabytes per second: a few per cent of one decode)."""
    view = memoryview(data)
    pos = 8  # after the signature, which Pillow has already matched
    while pos + 12 <= len(view):
        length = int.from_bytes(view[pos : pos + 4], "big")
        end = pos + 8 + length
        if end + 4 > len(view):
            return False
        crc = int.from_bytes(view[end : end + 4], "big")
        if zlib.crc32(view[pos + 4 : end]) != crc:
            return False
        if view[pos + 4 : pos + 8] == b"IEND":
            return True
        pos = end + 4
    return False


def _refuse(message: str) -> InvalidInputError:
    return InvalidInputError(Problem(FIELD, message))


def _damaged(name: str) -> InvalidInputError:
    return _refuse(
        f"Image “{name}” could not be read: the file is damaged or incomplete "
        "(it may have been cut off while copying or downloading)."
    )
