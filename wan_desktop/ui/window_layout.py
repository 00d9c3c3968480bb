"""The main window's layout memory: its geometry and splitter states, kept as base64 text in
the window state (``core.window_state.WindowState.layout``), and whether each of its
remembered docks (:data:`DOCK_KEYS`) was shown."""

from __future__ import annotations

import base64
import binascii
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QMainWindow, QSplitter

if TYPE_CHECKING:
    from PySide6.QtCore import QByteArray

__all__ = [
    "DEFAULT_SIZE",
    "DOCK_KEYS",
    "THUMBNAIL_KEY",
    "decode_state",
    "dock_shown",
    "encode_state",
    "layout_of",
    "reset_sizes",
    "restore",
    "thumbnail_size_of",
]

#: The window's size, px, when none is remembered. Plain numbers: the QSize and QByteArray
#: types are set up only when needed (each costs the first paint a few ms to set up).
DEFAULT_SIZE = (1280, 800)
#: The layout's key for the library cards' picture width (px, as text).
THUMBNAIL_KEY = "library_thumbnail"
#: The docks whose shown state is remembered: the dock's object name -> its layout key
#: (``"1"`` shown, ``"0"`` hidden).
DOCK_KEYS = {"sequencesDock": "sequences_visible"}


def encode_state(data: QByteArray) -> str:
    """Qt's saved state as text for the JSON file."""
    return base64.b64encode(bytes(data.data())).decode("ascii")


def decode_state(text: str | None) -> QByteArray | None:
    """The saved state back; ``None`` when absent or not base64."""
    if not text:
        return None
    from PySide6.QtCore import QByteArray

    try:
        return QByteArray(base64.b64decode(text))
    except (ValueError, binascii.Error):
        return None


def restore(window: QMainWindow, splitters: dict[str, QSplitter], layout: dict[str, str]) -> bool:
    """Put back the geometry (else :data:`DEFAULT_SIZE`) and each splitter's state; ``False``
    when a splitter had none to restore (the caller then shares the space out afresh)."""
    geometry = decode_state(layout.get("geometry"))
    if geometry is None or not window.restoreGeometry(geometry):
        window.resize(*DEFAULT_SIZE)
    restored = True
    for key, splitter in splitters.items():
        state = decode_state(layout.get(key))
        if state is None or not splitter.restoreState(state):
            restored = False
    return restored


def layout_of(
    window: QMainWindow, splitters: dict[str, QSplitter], library_shown: bool | None
) -> dict[str, str]:
    """What :func:`restore` needs next time, plus whether the library pane is shown
    (``None``: there is no library pane) and whether each dock of :data:`DOCK_KEYS` the
    window has is shown."""
    from PySide6.QtWidgets import QDockWidget  # here: the first paint does not need its type

    layout = {"geometry": encode_state(window.saveGeometry())}
    layout.update({key: encode_state(s.saveState()) for key, s in splitters.items()})
    if library_shown is not None:
        layout["library_visible"] = "1" if library_shown else "0"
    for dock in window.findChildren(QDockWidget):
        key = DOCK_KEYS.get(dock.objectName())
        if key is not None:
            # isHidden, not isVisible: a closing (or not yet shown) window hides its docks
            # from view without the user hiding them.
            layout[key] = "0" if dock.isHidden() else "1"
    return layout


def dock_shown(layout: dict[str, str], dock_name: str) -> bool:
    """Whether the dock named ``dock_name`` (a key of :data:`DOCK_KEYS`) was shown when the
    window last closed (``False`` when nothing was remembered)."""
    return layout.get(DOCK_KEYS[dock_name]) == "1"


def thumbnail_size_of(layout: dict[str, str]) -> int | None:
    """The remembered width of the library cards' pictures, px (``None``: none or not a
    number)."""
    text = layout.get(THUMBNAIL_KEY, "")
    return int(text) if text.isdigit() else None


def reset_sizes(main: QSplitter, work: QSplitter) -> None:
    """The default shares: composer 40 %, player and jobs 60 % (library panes 30 % each);
    player 60 % over jobs 40 %."""
    total = main.width()
    main.setSizes([int(total * 0.4), int(total * 0.6)] + [int(total * 0.3)] * (main.count() - 2))
    height = work.height()
    work.setSizes([int(height * 0.6), int(height * 0.4)])
