"""Render the app icon's PNG sizes (and .ico / .icns) from resources/icons/wan-desktop.svg.

    python packaging/icons/render_icons.py            # writes resources/icons/hicolor/...

Uses ``rsvg-convert`` (Debian: ``librsvg2-bin``) when it is on PATH; otherwise draws the same
design with Pillow (the shapes below mirror the SVG's, on its 512 grid). Below 48 px the
elements of class ``detail`` (the film's sprocket holes) are left out: at that size they only
blur. Outputs:

- ``resources/icons/hicolor/<N>x<N>/apps/wan-desktop.png`` for N in :data:`SIZES`
  (the layout of the freedesktop icon theme, so ``make install-desktop`` copies it as is);
- ``resources/icons/wan-desktop.ico`` (Windows build) and ``wan-desktop.icns`` (macOS build).
"""

from __future__ import annotations

import argparse
import io
import re
import shutil
import subprocess
import sys
from pathlib import Path

from PIL import Image, ImageChops, ImageDraw

ROOT = Path(__file__).resolve().parents[2]
ICONS = ROOT / "resources" / "icons"
SVG = ICONS / "wan-desktop.svg"
SIZES = (16, 32, 48, 64, 128, 256, 512)
DETAIL_MIN_SIZE = 48

_DETAIL = re.compile(r'\s*<g class="detail".*?</g>', re.DOTALL)


def svg_text(size: int) -> str:
    """The SVG source for ``size`` px: without the ``detail`` group below 48 px."""
    text = SVG.read_text(encoding="utf-8")
    return text if size >= DETAIL_MIN_SIZE else _DETAIL.sub("", text)


def render_rsvg(size: int, rsvg: str) -> Image.Image:
    """``size`` px rendered by librsvg."""
    done = subprocess.run(
        [rsvg, "-w", str(size), "-h", str(size), "-f", "png"],
        input=svg_text(size).encode("utf-8"),
        capture_output=True,
        check=True,
    )
    return Image.open(io.BytesIO(done.stdout)).convert("RGBA")


# --- the same design drawn with Pillow (fallback when librsvg is not installed) ---------------


def _lerp(a: tuple[int, ...], b: tuple[int, ...], t: float) -> tuple[int, ...]:
    return tuple(round(x + (y - x) * t) for x, y in zip(a, b, strict=True))


def _hex(color: str) -> tuple[int, int, int]:
    return tuple(int(color[i : i + 2], 16) for i in (1, 3, 5))  # type: ignore[return-value]


def _cubic(p0, p1, p2, p3, steps=64):
    for i in range(steps + 1):
        t = i / steps
        u = 1 - t
        yield (
            u**3 * p0[0] + 3 * u * u * t * p1[0] + 3 * u * t * t * p2[0] + t**3 * p3[0],
            u**3 * p0[1] + 3 * u * u * t * p1[1] + 3 * u * t * t * p2[1] + t**3 * p3[1],
        )


def render_pillow(size: int) -> Image.Image:
    """``size`` px drawn with Pillow at 4× and scaled down (antialiasing)."""
    scale = size * 4 / 512
    big = size * 4

    def s(v: float) -> float:
        return v * scale

    # Background: the diagonal gradient, masked by the rounded square.
    top, bottom = _hex("#6a5cff"), _hex("#00a9c4")
    down = Image.linear_gradient("L").resize((big, big))  # 0 at the top, 255 at the bottom
    across = down.transpose(Image.Transpose.TRANSPOSE)  # 0 at the left, 255 at the right
    diagonal = ImageChops.add(down, across, scale=2.0)  # (x + y) / 2: the SVG's 0,0 → 1,1
    gradient = Image.composite(
        Image.new("RGBA", (big, big), (*bottom, 255)),
        Image.new("RGBA", (big, big), (*top, 255)),
        diagonal,
    )
    mask = Image.new("L", (big, big), 0)
    ImageDraw.Draw(mask).rounded_rectangle((s(32), s(32), s(480), s(480)), s(96), fill=255)
    image = Image.new("RGBA", (big, big), (0, 0, 0, 0))
    image.paste(gradient, (0, 0), mask)

    overlay = Image.new("RGBA", (big, big), (0, 0, 0, 0))
    draw = ImageDraw.Draw(overlay)
    if size >= DETAIL_MIN_SIZE:
        for x in (64, 416):
            for y in (64, 128, 192, 256):
                draw.rounded_rectangle(
                    (s(x), s(y), s(x + 32), s(y + 32)), s(8), fill=(255, 255, 255, 89)
                )
    image = Image.alpha_composite(image, overlay)

    draw = ImageDraw.Draw(image)
    # The play triangle with round joins: the polygon plus a circle of the stroke's radius
    # at each corner and a thick line along each edge.
    corners = [(s(200), s(88)), (s(360), s(184)), (s(200), s(280))]
    radius = s(16)
    draw.polygon(corners, fill="white")
    for i, (x, y) in enumerate(corners):
        nx, ny = corners[(i + 1) % 3]
        draw.line([(x, y), (nx, ny)], fill="white", width=max(1, round(2 * radius)))
        draw.ellipse((x - radius, y - radius, x + radius, y + radius), fill="white")
    # The wave: two cubic segments (the SVG's C and its mirrored S), stroke 48, round caps.
    first = list(_cubic((104, 384), (152, 328), (208, 328), (256, 384)))
    second = list(_cubic((256, 384), (304, 440), (360, 440), (408, 384)))
    points = [(s(x), s(y)) for x, y in first + second[1:]]
    half = s(24)
    start, end = _hex("#ffffff"), _hex("#c9f6ff")
    for x, y in points:
        t = (x / scale - 104 + 24) / (408 - 104 + 48)
        color = (*_lerp(start, end, min(1.0, max(0.0, t))), 255)
        draw.ellipse((x - half, y - half, x + half, y + half), fill=color)
    return image.resize((size, size), Image.LANCZOS)


def render(size: int, rsvg: str | None) -> Image.Image:
    """The icon at ``size`` px, by librsvg when given, else by Pillow."""
    return render_rsvg(size, rsvg) if rsvg else render_pillow(size)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ICONS, help="folder (default: %(default)s)")
    parser.add_argument(
        "--pillow", action="store_true", help="draw with Pillow even when rsvg-convert exists"
    )
    args = parser.parse_args(argv)
    rsvg = None if args.pillow else shutil.which("rsvg-convert")
    print(f"rendering with {'rsvg-convert' if rsvg else 'Pillow'}", file=sys.stderr)
    images: dict[int, Image.Image] = {}
    for size in SIZES:
        image = render(size, rsvg)
        assert image.size == (size, size), image.size
        target = args.out / "hicolor" / f"{size}x{size}" / "apps" / "wan-desktop.png"
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_suffix(".png.tmp")
        image.save(tmp, format="PNG", optimize=True)
        tmp.replace(target)
        images[size] = image
        print(target.relative_to(args.out.parent) if args.out == ICONS else target)
    largest = images[max(SIZES)]
    ico_sizes = [(n, n) for n in SIZES if n <= 256]
    largest.save(args.out / "wan-desktop.ico", format="ICO", sizes=ico_sizes)
    largest.save(
        args.out / "wan-desktop.icns",
        format="ICNS",
        append_images=[images[n] for n in SIZES if n != max(SIZES)],
    )
    print(f"{args.out / 'wan-desktop.ico'}\n{args.out / 'wan-desktop.icns'}")
    # Sanity: no size came out blank.
    for size, image in images.items():
        alpha = image.getchannel("A")
        if not alpha.getbbox():
            raise SystemExit(f"{size} px came out empty")
    return 0


if __name__ == "__main__":
    sys.exit(main())
