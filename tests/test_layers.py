"""The house rules of DESIGN.md: the Qt-free packages never import PySide6, qasync or the ui,
and data flows one way: ui → jobs → (fal, media, library) → core; emulator → (media, core).

Checked two ways: statically (every import statement in the source, relative ones resolved,
including ``from .. import jobs``) and at run time (importing every module of those packages in
a fresh interpreter loads no Qt module). The self-tests run the same rule on planted files.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

import wan_desktop

PACKAGE = Path(wan_desktop.__file__).parent
QT_FREE = ("core", "fal", "media", "library", "jobs", "emulator")
FORBIDDEN = ("PySide6", "qasync", "wan_desktop.ui", "shiboken6")
# The edges DESIGN.md names (library → media too: the library probes videos), nothing more.
ALLOWED_INTERNAL = {
    "core": {"core"},
    "fal": {"core", "fal"},
    "media": {"core", "media"},
    "library": {"core", "media", "library"},
    "emulator": {"core", "media", "emulator"},
    "jobs": {"core", "fal", "media", "library", "jobs"},
}
LAYERS = {*ALLOWED_INTERNAL, "ui"}


def imported_modules(path: Path, root: Path) -> list[tuple[int, str]]:
    """Every module ``path`` imports, as absolute dotted names, with its line.

    ``root`` is the folder holding the top package. ``from X import name`` yields ``X.name``
    too, since ``name`` may be a module (``from .. import jobs``).
    """
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    package_parts = path.relative_to(root).with_suffix("").parts[:-1]
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = list(package_parts[: len(package_parts) - node.level + 1])
                module = ".".join([*base, node.module] if node.module else base)
            else:
                module = node.module or ""
            found.append((node.lineno, module))
            found += [(node.lineno, f"{module}.{alias.name}") for alias in node.names]
    return found


def layer_violations(path: Path, layer: str, root: Path, top: str = "wan_desktop") -> list[str]:
    """What in ``path`` (a file of the Qt-free package ``layer``) breaks the house rules."""
    offenders = []
    forbidden = tuple(f.replace("wan_desktop", top) for f in FORBIDDEN)
    for lineno, module in imported_modules(path, root):
        where = f"{path.relative_to(root)}:{lineno}"
        if module.startswith(forbidden):
            offenders.append(f"{where} imports {module}")
            continue
        parts = module.split(".")
        target = parts[1] if parts[0] == top and len(parts) > 1 else None
        if target in LAYERS and target not in ALLOWED_INTERNAL[layer]:
            offenders.append(f"{where} imports {module} (layer {layer} may not use {target})")
    return offenders


def test_qt_free_packages_keep_the_layering():
    offenders = []
    for layer in QT_FREE:
        for path in sorted((PACKAGE / layer).rglob("*.py")):
            offenders += layer_violations(path, layer, PACKAGE.parent)
    assert not offenders, "\n".join(offenders)


def test_qt_free_packages_load_no_qt_at_run_time():
    modules = []
    for layer in QT_FREE:
        for path in sorted((PACKAGE / layer).rglob("*.py")):
            rel = path.relative_to(PACKAGE.parent).with_suffix("")
            parts = list(rel.parts)
            if parts[-1] == "__init__":
                parts.pop()
            modules.append(".".join(parts))
    code = (
        "import importlib, sys\n"
        f"for m in {modules!r}: importlib.import_module(m)\n"
        f"bad = sorted(k for k in sys.modules if k.startswith({FORBIDDEN!r}))\n"
        "print('\\n'.join(bad))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    assert out.stdout.strip() == ""


@pytest.mark.parametrize(
    ("layer", "source"),
    [
        ("library", "from PySide6 import QtCore\n"),
        ("core", "import qasync\n"),
        ("library", "from .. import jobs\n"),
        ("library", "from ..jobs import runner\n"),
        ("fal", "from ..ui.player import VideoPlayer\n"),
        ("media", "from .. import ui\n"),
        ("jobs", "from ..emulator import server\n"),
        ("core", "import wan_desktop.fal.client\n"),
        ("emulator", "from wan_desktop import library\n"),
    ],
)
def test_the_check_catches_a_planted_import(tmp_path, layer, source):
    planted = tmp_path / "wan_desktop" / layer / "planted.py"
    planted.parent.mkdir(parents=True)
    planted.write_text(source)
    assert layer_violations(planted, layer, tmp_path)


@pytest.mark.parametrize(
    ("layer", "source"),
    [
        ("library", "from ..media import video\nfrom ..core.atomic import atomic_open\n"),
        ("jobs", "from .. import library, fal\nfrom .store import JobStore\n"),
        ("emulator", "from ..media.image import prepare_image_bytes\n"),
        ("core", "from . import limits\nimport json\n"),
    ],
)
def test_the_check_lets_the_named_edges_through(tmp_path, layer, source):
    planted = tmp_path / "wan_desktop" / layer / "planted.py"
    planted.parent.mkdir(parents=True)
    planted.write_text(source)
    assert layer_violations(planted, layer, tmp_path) == []
