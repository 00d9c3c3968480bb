"""The window: the only package that imports PySide6 / qasync.

Widgets drive the Qt-free services (``core``, ``media``, ``jobs``, ``library``) through the
qasync loop: network work is awaited, CPU work runs in an executor, only plain data and
``QImage`` come back to the GUI thread.
"""

from __future__ import annotations

import sys

import PySide6.QtCore  # noqa: F401 - loads shiboken's import hook, patched below


def _fast_feature_check() -> None:
    """Make PySide6's per-import check cheap.

    After PySide6 loads, shiboken inspects every module imported from then on for the string
    "PySide6" (for its ``__feature__`` switches) with ``inspect.getsource``, which tokenizes
    each source file: measured here at about 160 ms of start-up for the window's imports
    (asyncio, httpx, our modules). Reading the file's bytes answers the same question. Only
    the speed changes; a PySide6 without this internal keeps its own check.
    """
    feature = sys.modules.get("shibokensupport.feature")
    original = getattr(feature, "_mod_uses_pyside", None)
    if original is None or getattr(original, "_wan_fast", False):
        return

    def uses_pyside(module: object) -> bool:
        path = getattr(module, "__file__", None)
        if not isinstance(path, str) or not path.endswith(".py"):
            return original(module)
        try:
            with open(path, "rb") as handle:
                return b"PySide6" in handle.read()
        except OSError:
            return original(module)

    uses_pyside._wan_fast = True  # type: ignore[attr-defined]
    feature._mod_uses_pyside = uses_pyside  # type: ignore[union-attr]


_fast_feature_check()
