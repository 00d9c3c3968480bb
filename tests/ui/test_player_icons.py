"""The player's transport buttons are drawn in the palette's text colour, in both schemes
(the style's own media icons were black on the dark bar)."""

from __future__ import annotations

import pytest
from PySide6.QtGui import QGuiApplication, QPalette

pytestmark = pytest.mark.timeout(60)

_BUTTONS = ("play_button", "back_button", "forward_button", "mute_button")


def _ink(icon) -> tuple[float, float, float]:
    """The mean colour (0-255 per channel) of an icon's opaque pixels."""
    image = icon.pixmap(20, 20).toImage()
    pixels = [
        image.pixelColor(x, y)
        for x in range(image.width())
        for y in range(image.height())
        if image.pixelColor(x, y).alpha() > 200
    ]
    assert pixels, "the icon draws nothing"
    n = len(pixels)
    return (
        sum(p.red() for p in pixels) / n,
        sum(p.green() for p in pixels) / n,
        sum(p.blue() for p in pixels) / n,
    )


def _assert_text_coloured(button) -> None:
    text = QGuiApplication.palette().color(QPalette.ColorRole.WindowText)
    ink = _ink(button.icon())
    wanted = (text.red(), text.green(), text.blue())
    assert all(abs(a - b) < 24 for a, b in zip(ink, wanted, strict=True)), (
        button.objectName(),
        ink,
        wanted,
    )


@pytest.mark.parametrize("scheme", ["dark", "light"])
def test_transport_icons_follow_the_palette(qapp, player, scheme):
    manager = qapp._wan_theme
    try:
        manager.force(scheme)
        for name in _BUTTONS:
            _assert_text_coloured(getattr(player, name))
    finally:
        manager.force("light")


def test_the_pause_and_muted_icons_are_tinted_too(qapp, qtbot, player, clip):
    manager = qapp._wan_theme
    try:
        manager.force("dark")
        player.load(clip)
        if player.engine is None:
            pytest.skip("no video playback here")
        qtbot.waitUntil(player.is_playing, timeout=10000)
        assert player.play_button.property("svgIcon") == "pause"
        _assert_text_coloured(player.play_button)
        player.mute_button.setChecked(True)
        assert player.mute_button.property("svgIcon") == "volume_off"
        _assert_text_coloured(player.mute_button)
        manager.force("light")  # the scheme changes while it plays: re-tinted
        _assert_text_coloured(player.play_button)
        _assert_text_coloured(player.mute_button)
    finally:
        manager.force("light")
