# wan-desktop — the README's two commands are `make run` and `make test`.
# Both set up everything first: system libraries Qt needs (as root), a virtual environment,
# the Python packages.

PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
export QT_MEDIA_BACKEND ?= ffmpeg

.PHONY: run test lint bench reliability sysdeps venv clean

run: $(STAMP)
	@$(PY) -m compileall -q wan_desktop > /dev/null  # only what changed since the last run
	$(PY) -m wan_desktop $(ARGS)

test: $(STAMP)
	@sh packaging/linux/install-system-deps.sh --test-tools
	$(VENV)/bin/ruff check wan_desktop tests bench
	QT_QPA_PLATFORM=offscreen $(PY) -m pytest -q $(PYTEST_ARGS)

lint: $(STAMP)
	$(VENV)/bin/ruff check wan_desktop tests bench
	$(VENV)/bin/ruff format --check wan_desktop tests bench

bench: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(PY) -m bench

reliability: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(PY) -m bench.reliability

sysdeps:
	@sh packaging/linux/install-system-deps.sh

$(STAMP): pyproject.toml
	@$(MAKE) --no-print-directory sysdeps
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	@# Byte-compile the app as a wheel install would: with PYTHONDONTWRITEBYTECODE set, every
	@# start would otherwise compile its sources again (~60 ms of the window's start-up).
	$(PY) -m compileall -q wan_desktop > /dev/null
	touch $(STAMP)

venv: $(STAMP)

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache .ruff_cache

# --- packaging (packaging/README.md) -----------------------------------------------------------
.PHONY: package install-desktop

# The one-folder bundle dist/wan-desktop/ (PyInstaller, packaging/pyinstaller/wan-desktop.spec).
# `pip install -e` again so the copied dist-info metadata carries pyproject.toml's version.
# check_bundle.py then runs the bundle as a user would (no venv, offscreen): the plugin and
# FFmpeg files, --version, emulator --help, an offline generate, --smoke, --screenshot.
package: $(STAMP)
	$(PY) -m pip install --quiet -e '.[package]'
	$(PY) -m PyInstaller --noconfirm --clean --log-level WARN \
		--distpath dist --workpath build/pyinstaller packaging/pyinstaller/wan-desktop.spec
	@du -sh dist/wan-desktop
	$(PY) packaging/pyinstaller/check_bundle.py dist/wan-desktop

# The desktop entry, AppStream metainfo and icons for the current user (~/.local/share).
# Exec points at the bundle when dist/wan-desktop exists, else at the venv's wan-desktop.
install-desktop:
	@sh packaging/linux/install-desktop.sh
