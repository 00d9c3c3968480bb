"""The app icon: an SVG, the PNG sizes rendered from it, and the script that renders them."""

from __future__ import annotations

import importlib.util
import xml.etree.ElementTree as ET

import pytest
from packaging_helpers import ICON_SIZES, ICONS, ROOT
from PIL import Image, ImageChops, ImageStat


@pytest.fixture(scope="module")
def render_icons():
    path = ROOT / "packaging" / "icons" / "render_icons.py"
    spec = importlib.util.spec_from_file_location("render_icons", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_svg_is_square_and_titled():
    root = ET.parse(ICONS / "wan-desktop.svg").getroot()
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert root.get("viewBox") == "0 0 512 512"
    assert root.findtext("{http://www.w3.org/2000/svg}title") == "wan-desktop"


@pytest.mark.parametrize("size", ICON_SIZES)
def test_png_sizes_exist_and_are_drawn(size):
    path = ICONS / "hicolor" / f"{size}x{size}" / "apps" / "wan-desktop.png"
    with Image.open(path) as image:
        assert image.format == "PNG"
        assert image.size == (size, size)
        assert image.mode == "RGBA"
        alpha = image.getchannel("A")
        # The rounded square covers most of the canvas; its corners stay transparent.
        assert alpha.getpixel((0, 0)) == 0
        assert alpha.getpixel((size // 2, size // 2)) == 255
        # The white play triangle sits in the upper middle.
        r, g, b, _ = image.getpixel((size * 9 // 20, size * 7 // 20))
        assert min(r, g, b) > 200, (r, g, b)


def test_ico_and_icns_for_the_other_builds():
    with Image.open(ICONS / "wan-desktop.ico") as ico:
        assert (256, 256) in ico.info["sizes"] and (16, 16) in ico.info["sizes"]
    with Image.open(ICONS / "wan-desktop.icns") as icns:
        assert {(128, 128, 1), (256, 256, 1), (512, 512, 1)} <= set(icns.info["sizes"])


def test_small_sizes_drop_the_detail(render_icons):
    assert 'class="detail"' in render_icons.svg_text(512)
    assert 'class="detail"' not in render_icons.svg_text(16)


def test_the_script_regenerates_every_size_with_pillow(render_icons, tmp_path):
    assert render_icons.main(["--pillow", "--out", str(tmp_path)]) == 0
    for size in ICON_SIZES:
        with Image.open(tmp_path / "hicolor" / f"{size}x{size}" / "apps" / "wan-desktop.png") as im:
            assert im.size == (size, size)
    # The same design as the checked-in rendering (librsvg): close, pixel for pixel, at 64 px.
    with (
        Image.open(tmp_path / "hicolor" / "64x64" / "apps" / "wan-desktop.png") as drawn,
        Image.open(ICONS / "hicolor" / "64x64" / "apps" / "wan-desktop.png") as kept,
    ):
        delta = ImageChops.difference(drawn.convert("RGBA"), kept.convert("RGBA"))
        diff = sum(ImageStat.Stat(delta).mean) / 4  # mean difference per channel, 0–255
        assert diff < 12, diff
