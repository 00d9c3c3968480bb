"""media.image: the image checks, what passes untouched and what is converted (and why)."""

from __future__ import annotations

import io

import pytest
from media_samples import (
    exif_with_orientation,
    image_bytes,
    noise_png,
    png_header_only,
    png_padded_to,
)
from PIL import Image

from wan_desktop.core import limits
from wan_desktop.core.problems import InvalidInputError
from wan_desktop.media.image import prepare_image_bytes, prepare_image_file

LOW, HIGH = limits.IMAGE_MIN_SIDE_PX, limits.IMAGE_MAX_SIDE_PX


def refused(data: bytes, name: str = "photo.png") -> str:
    with pytest.raises(InvalidInputError) as caught:
        prepare_image_bytes(data, name)
    assert caught.value.fields == ["image_url"]
    return str(caught.value)


def decoded(data: bytes) -> Image.Image:
    img = Image.open(io.BytesIO(data))
    img.load()
    return img


# ---- sides ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "size",
    [(LOW, 1000), (1000, LOW), (HIGH, LOW), (LOW, HIGH), (LOW, LOW)],
    ids=["w=min", "h=min", "w=max", "h=max", "both=min"],
)
def test_sides_on_the_limits_pass(size):
    data = image_bytes(size, "PNG", color=(20, 40, 60))
    result = prepare_image_bytes(data, "edge.png")
    assert (result.width, result.height) == size
    assert result.data == data and not result.converted


@pytest.mark.parametrize(
    "size",
    [(LOW - 1, 1000), (1000, LOW - 1), (HIGH + 1, LOW), (LOW, HIGH + 1)],
    ids=["w=min-1", "h=min-1", "w=max+1", "h=max+1"],
)
def test_sides_one_pixel_outside_are_refused(size):
    message = refused(image_bytes(size, "PNG", color=(20, 40, 60)))
    w, h = size
    assert message == f"Image is {w} × {h} px; each side must be between {LOW} and {HIGH} px."


def test_exif_rotated_jpeg_is_measured_after_rotation():
    # Stored 7700 wide and 300 high; orientation 6 (a quarter turn) shows it 300 × 7700.
    data = image_bytes((7700, 300), "JPEG", color=(1, 2, 3), exif=exif_with_orientation(6))
    assert "Image is 300 × 7700 px" in refused(data, "tall.jpg")


def test_exif_rotated_jpeg_is_turned_upright_as_png():
    data = image_bytes((400, 300), "JPEG", color=(200, 10, 10), exif=exif_with_orientation(6))
    result = prepare_image_bytes(data, "phone.jpg")
    assert (result.width, result.height) == (300, 400)
    assert result.converted and result.format == "PNG" and result.file_name == "phone.png"
    assert "EXIF orientation" in result.notes[0]
    out = decoded(result.data)
    assert out.format == "PNG" and out.size == (300, 400)
    assert not out.getexif().get(0x0112)  # nothing left for a reader to rotate again


def test_exif_orientation_in_png_is_applied():
    data = image_bytes((500, 260), "PNG", color=(0, 90, 0), exif=exif_with_orientation(8))
    result = prepare_image_bytes(data, "x.png")
    assert (result.width, result.height) == (260, 500) and result.converted


def test_upright_orientation_tag_is_left_alone():
    data = image_bytes((400, 300), "JPEG", exif=exif_with_orientation(1))
    result = prepare_image_bytes(data, "flat.jpg")
    assert result.data == data and not result.converted


# ---- sent untouched ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fmt", "mode", "mime", "extension"),
    [
        ("JPEG", "RGB", "image/jpeg", "jpg"),
        ("JPEG", "L", "image/jpeg", "jpg"),
        ("PNG", "RGB", "image/png", "png"),
        ("PNG", "L", "image/png", "png"),
        ("PNG", "P", "image/png", "png"),
        ("PNG", "I;16", "image/png", "png"),
        ("WEBP", "RGB", "image/webp", "webp"),
        ("BMP", "RGB", "image/bmp", "bmp"),
    ],
)
def test_acceptable_files_are_sent_byte_for_byte(fmt, mode, mime, extension):
    data = image_bytes((320, 250), fmt, mode=mode)
    result = prepare_image_bytes(data, "My Photo (1).bin")
    assert result.data == data
    assert not result.converted and result.notes == ()
    assert (result.format, result.mime) == (fmt, mime)
    assert (result.width, result.height, result.size_bytes) == (320, 250, len(data))
    assert result.file_name == f"My_Photo_1.{extension}"


def test_format_is_decided_by_content_not_extension():
    data = image_bytes((300, 300), "JPEG")
    result = prepare_image_bytes(data, "really-a-jpeg.png")
    assert result.format == "JPEG" and result.file_name == "really-a-jpeg.jpg"


def test_prepare_image_file_reads_the_file(tmp_path):
    data = image_bytes((300, 300), "WEBP")
    path = tmp_path / "pic.webp"
    path.write_bytes(data)
    result = prepare_image_file(path)
    assert result.data == data and result.format == "WEBP"


# ---- converted -----------------------------------------------------------------------------


def test_alpha_png_is_flattened_onto_white():
    img = Image.new("RGBA", (300, 300), (255, 0, 0, 255))
    img.putpixel((0, 0), (0, 0, 0, 0))
    buffer = io.BytesIO()
    img.save(buffer, format="PNG")
    result = prepare_image_bytes(buffer.getvalue(), "logo.png")
    assert result.converted and result.format == "PNG"
    assert result.notes == (
        "Converted to PNG: removed the transparency (the service does not accept it; "
        "transparent areas are now white).",
    )
    out = decoded(result.data)
    assert out.mode == "RGB" and "transparency" not in out.info
    assert out.getpixel((0, 0)) == (255, 255, 255)
    assert out.getpixel((5, 5)) == (255, 0, 0)


@pytest.mark.parametrize(
    ("fmt", "mode", "extra"),
    [
        ("PNG", "LA", {}),
        ("PNG", "P", {"transparency": 0}),
        ("PNG", "RGB", {"transparency": (0, 0, 0)}),
        ("WEBP", "RGBA", {"lossless": True}),
    ],
)
def test_every_kind_of_transparency_is_removed(fmt, mode, extra):
    img = Image.linear_gradient("L").resize((300, 260)).convert(mode)
    if "A" in mode:
        img.putalpha(Image.linear_gradient("L").resize((300, 260)))  # really see-through
    buffer = io.BytesIO()
    img.save(buffer, format=fmt, **extra)
    data = buffer.getvalue()
    result = prepare_image_bytes(data, "t")
    assert result.converted and "transparency" in result.notes[0]
    out = decoded(result.data)
    assert out.mode in ("RGB", "L") and "transparency" not in out.info


@pytest.mark.parametrize("fmt", ["GIF", "TIFF", "PPM", "TGA"])
def test_other_still_formats_are_converted_once_to_png(fmt):
    data = image_bytes((300, 280), fmt, mode="RGB")
    result = prepare_image_bytes(data, f"art.{fmt.lower()}")
    assert result.converted and result.format == "PNG" and result.mime == "image/png"
    assert result.notes == (f"Converted to PNG: the service does not accept {fmt} images.",)
    assert decoded(result.data).size == (300, 280)


def test_animated_gif_keeps_its_first_frame():
    frames = [Image.new("RGB", (300, 300), c) for c in ((255, 0, 0), (0, 0, 255))]
    buffer = io.BytesIO()
    frames[0].save(buffer, format="GIF", save_all=True, append_images=frames[1:])
    result = prepare_image_bytes(buffer.getvalue(), "anim.gif")
    assert "only the first is used" in result.notes[0]
    assert decoded(result.data).convert("RGB").getpixel((10, 10)) == (255, 0, 0)


def test_cmyk_jpeg_becomes_rgb_png():
    data = image_bytes((300, 300), "JPEG", mode="CMYK", color=(0, 255, 255, 0))
    result = prepare_image_bytes(data, "print.jpg")
    assert result.converted and "CMYK" in result.notes[0]
    out = decoded(result.data)
    assert out.mode == "RGB"
    r, g, b = out.getpixel((10, 10))
    assert r > 200 and g < 60 and b < 60  # cyan-free, magenta+yellow: red


# ---- refused -------------------------------------------------------------------------------


def test_empty_file_is_refused():
    assert refused(b"", "empty.png") == "Image “empty.png” is empty (0 bytes)."


def test_text_file_named_png_is_refused_saying_what_it_is():
    message = refused(b"just some notes\nnothing to see\n", "notes.png")
    assert "not a usable image" in message and "it is text" in message
    assert "JPEG, PNG, WEBP or BMP" in message


@pytest.mark.parametrize("cut", [12, 100, 0.5, 40])
def test_truncated_png_is_refused(cut):
    data = noise_png()
    keep = int(len(data) * cut) if isinstance(cut, float) else len(data) - cut
    if cut == 40:
        keep = 40  # inside the header
    assert "damaged or incomplete" in refused(data[:keep])


@pytest.mark.parametrize("cut", [2, 500])
def test_truncated_jpeg_is_refused(cut):
    data = image_bytes((400, 300), "JPEG")
    assert "damaged or incomplete" in refused(data[:-cut], "cut.jpg")


def test_flipped_bit_in_png_pixels_is_caught():
    data = bytearray(noise_png())
    data[len(data) // 2] ^= 0x10
    assert "damaged or incomplete" in refused(bytes(data))


def test_decompression_bomb_is_refused_before_decoding():
    bomb = png_header_only(100_000, 100_000)
    assert len(bomb) < 200
    message = refused(bomb, "bomb.png")
    assert "decompression bomb" in message and f"{LOW} and {HIGH} px" in message


def test_large_claimed_size_below_pillows_error_is_refused_with_its_size(recwarn):
    # 10000 × 10000 is where Pillow only warns; the side check refuses it by its size.
    message = refused(png_header_only(10_000, 10_000))
    assert message.startswith("Image is 10000 × 10000 px")
    assert not [w for w in recwarn if issubclass(w.category, Image.DecompressionBombWarning)]


def test_guard_holds_even_when_pillows_global_guard_is_off(monkeypatch):
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", None)
    assert "Image is 50000 × 50000 px" in refused(png_header_only(50_000, 50_000))
    assert Image.MAX_IMAGE_PIXELS is None  # and we did not change it


def test_pillows_global_limit_is_left_unchanged():
    before = Image.MAX_IMAGE_PIXELS
    refused(png_header_only(100_000, 100_000))
    prepare_image_bytes(image_bytes((300, 300)), "ok.png")
    assert before == Image.MAX_IMAGE_PIXELS


def test_size_limit_is_inclusive():
    small = image_bytes((300, 300), "PNG")
    at_limit = png_padded_to(small, limits.IMAGE_MAX_BYTES)
    result = prepare_image_bytes(at_limit, "big.png")
    assert result.size_bytes == limits.IMAGE_MAX_BYTES and result.data == at_limit
    over = png_padded_to(small, limits.IMAGE_MAX_BYTES + 1)
    assert refused(over) == "Image is 25,000,001 bytes; the limit is 25 MB."


def test_oversized_file_is_refused_before_reading(tmp_path):
    path = tmp_path / "huge.png"
    with path.open("wb") as f:
        f.truncate(limits.IMAGE_MAX_BYTES + 5_000_000)  # sparse: nothing is written
    with pytest.raises(InvalidInputError, match=r"Image is 30\.0 MB; the limit is 25 MB\."):
        prepare_image_file(path)


def test_missing_file_and_folder_are_refused(tmp_path):
    with pytest.raises(InvalidInputError, match="no file at"):
        prepare_image_file(tmp_path / "nope.png")
    with pytest.raises(InvalidInputError, match="is a folder"):
        prepare_image_file(tmp_path)


def test_unreadable_kind_is_named():
    heic = b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + b"\x00" * 64
    assert "HEIC image" in refused(heic, "IMG_0001.HEIC")
