"""The house rule of DESIGN.md: the Qt-free packages never import PySide6, qasync or the ui.

Checked two ways: statically (every import statement in the source) and at run time (importing
every module of those packages in a fresh interpreter loads no Qt module).
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import wan_desktop

PACKAGE = Path(wan_desktop.__file__).parent
QT_FREE = ("core", "fal", "media", "library", "jobs", "emulator")
FORBIDDEN = ("PySide6", "qasync", "wan_desktop.ui", "shiboken6")
# Data flows one way: ui → jobs → (fal, media, library) → core.
ALLOWED_INTERNAL = {
    "core": {"core"},
    "fal": {"core", "fal"},
    "media": {"core", "media"},
    "library": {"core", "media", "library"},
    "emulator": {"core", "media", "emulator"},
    "jobs": {"core", "fal", "media", "library", "jobs", "emulator"},
}


def _imports(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    package_parts = path.relative_to(PACKAGE.parent).with_suffix("").parts[:-1]
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package_parts[: len(package_parts) - node.level + 1]
                module = ".".join([*base, node.module] if node.module else base)
            else:
                module = node.module or ""
            found.append((node.lineno, module))
    return found


def test_qt_free_packages_import_no_qt_statically():
    offenders = []
    for layer in QT_FREE:
        for path in sorted((PACKAGE / layer).rglob("*.py")):
            for lineno, module in _imports(path):
                if module.startswith(FORBIDDEN):
                    offenders.append(f"{path.relative_to(PACKAGE)}:{lineno} imports {module}")
                if module.startswith("wan_desktop."):
                    target = module.split(".")[1]
                    if target in ALLOWED_INTERNAL and target not in ALLOWED_INTERNAL[layer]:
                        offenders.append(
                            f"{path.relative_to(PACKAGE)}:{lineno} imports {module} "
                            f"(layer {layer} may not depend on {target})"
                        )
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


def test_the_check_can_fail(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text("from PySide6 import QtCore\nimport qasync\n")
    modules = [m for _, m in ast_imports_of(bad)]
    assert any(m.startswith(FORBIDDEN) for m in modules)


def ast_imports_of(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text())
    return [
        (n.lineno, a.name) for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names
    ]
