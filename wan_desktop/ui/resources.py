"""Where the app's own files are: ``resources/`` (icons, the desktop entry) beside the
package, in a source tree and in the PyInstaller bundle alike. A module of its own so the
window can find its icon without loading the icon machinery (QtSvg) before its first paint."""

from __future__ import annotations

from pathlib import Path

__all__ = ["RESOURCES"]

RESOURCES = Path(__file__).resolve().parents[2] / "resources"
