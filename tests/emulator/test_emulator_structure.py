"""The engine's HTTP side depends on the Engine protocol, not on the server that implements it."""

from __future__ import annotations

import ast
from pathlib import Path

import wan_desktop.emulator as emulator_package

PACKAGE = Path(emulator_package.__file__).parent


def imported_modules(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.ImportFrom):
            names.add("." * node.level + (node.module or ""))
        elif isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
    return names


def test_nothing_but_the_package_entry_points_imports_the_server():
    for path in PACKAGE.glob("*.py"):
        if path.name in ("server.py", "__init__.py", "cli.py"):
            continue
        assert ".server" not in imported_modules(path), path.name


def test_no_type_ignores_left_in_the_engine():
    for path in PACKAGE.glob("*.py"):
        assert "type: ignore" not in path.read_text("utf-8"), path.name


def test_the_server_is_an_engine_for_the_handler():
    from wan_desktop.emulator.engine_protocol import Engine
    from wan_desktop.emulator.server import EmulatorServer

    members = {name for name in dir(Engine) if not name.startswith("_")}
    missing = {name for name in members if not hasattr(EmulatorServer, name)}
    # Plain attributes set in __init__ are checked on an instance.
    server = EmulatorServer(workers=1)
    try:
        assert {name for name in missing if not hasattr(server, name)} == set()
    finally:
        server.stop()
