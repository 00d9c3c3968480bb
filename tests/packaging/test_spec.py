"""The PyInstaller spec, run with PyInstaller's build classes replaced by recorders (building
for real takes minutes: `make package` does that)."""

from __future__ import annotations

import ast
import sys
import types
from pathlib import Path
from typing import ClassVar

import pytest
from packaging_helpers import ROOT, SPEC, project


class _Recorder:
    made: ClassVar[list[_Recorder]] = []

    def __init__(self, *args, **kwargs):
        self.args, self.kwargs = args, kwargs
        self.scripts = self.pure = self.binaries = self.datas = []
        _Recorder.made.append(self)


def _kind(name):
    return type(name, (_Recorder,), {})


@pytest.fixture
def spec_run(monkeypatch):
    """Execute the spec; returns its globals, with the recorded build steps under ``made``."""
    calls: dict[str, list] = {"copy_metadata": [], "collect_submodules": []}

    def copy_metadata(dist):
        calls["copy_metadata"].append(dist)
        return [(f"/site-packages/{dist}.dist-info", f"{dist}.dist-info")]

    def collect_submodules(package, filter=None):
        calls["collect_submodules"].append(package)
        if package != "wan_desktop":
            return [package]
        names = []
        for path in (ROOT / "wan_desktop").rglob("*.py"):
            parts = path.relative_to(ROOT).with_suffix("").parts
            if parts[-1] == "__init__":
                parts = parts[:-1]
            names.append(".".join(parts))
        return [n for n in names if filter is None or filter(n)]

    def collect_data_files(package, includes=None):
        return [(f"/site-packages/{package}/data", package)]

    hooks = types.ModuleType("PyInstaller.utils.hooks")
    hooks.copy_metadata = copy_metadata
    hooks.collect_submodules = collect_submodules
    hooks.collect_data_files = collect_data_files
    for name in ("PyInstaller", "PyInstaller.utils"):
        monkeypatch.setitem(sys.modules, name, types.ModuleType(name))
    monkeypatch.setitem(sys.modules, "PyInstaller.utils.hooks", hooks)
    _Recorder.made = []
    namespace = {
        "SPECPATH": str(SPEC.parent),
        "__file__": str(SPEC),
        **{k: _kind(k) for k in ("Analysis", "PYZ", "EXE", "COLLECT", "BUNDLE")},
    }
    exec(compile(SPEC.read_text(encoding="utf-8"), str(SPEC), "exec"), namespace)
    namespace["made"] = list(_Recorder.made)
    namespace["calls"] = calls
    return namespace


def _one(spec_run, kind):
    found = [r for r in spec_run["made"] if type(r).__name__ == kind]
    assert found, kind
    return found


def test_spec_is_python():
    ast.parse(SPEC.read_text(encoding="utf-8"), filename=str(SPEC))


def test_name_and_version_come_from_pyproject(spec_run):
    assert spec_run["NAME"] == project()["name"] == "wan-desktop"
    assert spec_run["VERSION"] == project()["version"]
    (collect,) = _one(spec_run, "COLLECT")
    assert collect.kwargs["name"] == "wan-desktop"
    exe = _one(spec_run, "EXE")[0]
    assert exe.kwargs["name"] == "wan-desktop"
    assert exe.kwargs["exclude_binaries"] is True  # one-folder, not one-file


def test_the_version_metadata_is_copied(spec_run):
    # Without the dist-info, importlib.metadata (and so --version) fails inside the bundle.
    assert spec_run["calls"]["copy_metadata"][0] == "wan-desktop"
    for dist in ("PySide6-Essentials", "PySide6-Addons", "av", "Pillow", "httpx", "certifi"):
        assert dist in spec_run["calls"]["copy_metadata"]
    from wan_desktop.core.diagnostics import PACKAGES

    assert set(PACKAGES) <= set(spec_run["calls"]["copy_metadata"])


def test_resources_certifi_and_the_sub_commands_are_carried(spec_run):
    (analysis,) = _one(spec_run, "Analysis")
    datas = analysis.kwargs["datas"]
    assert (str(ROOT / "resources"), "resources") in datas
    assert any(dest == "certifi" for _, dest in datas)
    hidden = analysis.kwargs["hiddenimports"]
    for module in ("wan_desktop.jobs.cli", "wan_desktop.library.cli", "wan_desktop.emulator.cli"):
        assert module in hidden  # cli.py imports them by name
    assert "wan_desktop.app" in hidden
    assert "PySide6.QtMultimedia" in hidden
    assert "av" in spec_run["calls"]["collect_submodules"]
    assert str(ROOT) in analysis.kwargs["pathex"]
    (script,) = analysis.args[0]
    assert Path(script) == SPEC.parent / "launch.py"
    launch = (SPEC.parent / "launch.py").read_text(encoding="utf-8")
    assert "from wan_desktop.__main__ import main" in launch


def test_where_the_app_looks_for_its_resources_is_where_the_bundle_puts_them():
    # ui/resources.py: RESOURCES = <package folder>/../resources; in the bundle the package
    # folder is _internal/wan_desktop, so resources must land in _internal/resources.
    import wan_desktop
    from wan_desktop.ui.resources import RESOURCES

    assert Path(wan_desktop.__file__).resolve().parent.parent / "resources" == RESOURCES
    assert (RESOURCES / "icons" / "wan-desktop.svg").is_file()


def test_make_package_builds_this_spec():
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    target = makefile.split("\npackage:", 1)[1].split("\n\n", 1)[0]
    assert "packaging/pyinstaller/wan-desktop.spec" in target
    assert ".[package]" in target
    assert "--distpath dist" in target
    assert "check_bundle.py" in target
    extras = project()["optional-dependencies"]["package"]
    assert any(req.lower().startswith("pyinstaller") for req in extras)
