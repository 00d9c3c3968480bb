"""library.scrub in BGRA (what the library's Qt cards paint without converting): the frame
under the pointer comes as Format_RGB32's bytes, the same picture as in RGB24; an unknown
format is refused by name."""

from __future__ import annotations

from pathlib import Path

import pytest
from library_clips import frame_value, make_clip
from wan_testkit import wait_until

from wan_desktop.library.scrub import HoverFrame, HoverFrames
from wan_desktop.media import proxy

pytestmark = pytest.mark.timeout(60)
BOX = (128, 72)


def test_hover_frames_come_in_bgra(tmp_path):
    folder = tmp_path / "entry"
    folder.mkdir()
    clip: Path = make_clip(folder / "video.mp4", seconds=2.0, size=(426, 240))  # 48 frames
    proxy.ensure_proxy(clip)
    got: list[HoverFrame] = []
    hover = HoverFrames(on_frame=got.append, pixel_format="bgra")
    try:
        hover.show("a", clip, index=24, max_size=BOX)
        wait_until(lambda: len(got) == 1)
    finally:
        hover.close()
    frame = got[0].frame
    assert frame.pixel_format == "bgra" and (frame.width, frame.height) == (128, 72)
    middle = frame.height // 2 * frame.stride + frame.width // 2 * 4
    b, g, r, a = frame.pixels[middle : middle + 4]
    assert a == 255 and max(abs(v - frame_value(24, 48)) for v in (r, g, b)) <= 4


def test_an_unknown_pixel_format_is_refused_by_name():
    with pytest.raises(ValueError, match=r"pixel_format must be one of rgb24, bgra \(got 'rgb'\)"):
        HoverFrames(on_frame=lambda _hover: None, pixel_format="rgb")
