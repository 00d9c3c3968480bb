"""Where the fal key lives: ``FAL_KEY``, else the system keyring, else a private file.

The key is never logged, never part of an exception message or a repr. Headless machines often
have no keyring (keyring's fail backend); then the key goes to ``<config>/fal-key`` readable
only by the user (mode 0600), and :meth:`KeyStore.describe` says so plainly.
"""

from __future__ import annotations

import contextlib
import logging
import os
from dataclasses import dataclass, field

from .atomic import atomic_write_text
from .paths import AppPaths

__all__ = ["KeySource", "KeyStore", "redact"]

log = logging.getLogger(__name__)

SERVICE = "wan-desktop"
USERNAME = "fal"


@dataclass(frozen=True, slots=True)
class KeySource:
    """A key and where it came from: ``env`` (FAL_KEY), ``keyring`` or ``file``."""

    key: str = field(repr=False)
    origin: str

    def __repr__(self) -> str:
        return f"KeySource(key=<hidden>, origin={self.origin!r})"


def redact(text: str, key: str | None) -> str:
    """``text`` with every occurrence of ``key`` (and of its parts ``id:secret``) hidden."""
    if not key:
        return text
    for part in {key, *key.split(":")}:
        if len(part) >= 6:
            text = text.replace(part, "«key hidden»")
    return text


class KeyStore:
    """Reads and writes the fal key. Keyring calls may block briefly: call off the GUI thread."""

    def __init__(self, paths: AppPaths, environ: dict[str, str] | None = None):
        self._paths = paths
        self._environ = os.environ if environ is None else environ

    def __repr__(self) -> str:
        return f"KeyStore(config={str(self._paths.config)!r})"

    @property
    def fallback_file(self):
        """The private file used when the system has no keyring."""
        return self._paths.config / "fal-key"

    def _keyring(self):
        """The keyring module when a real backend exists, else ``None``."""
        try:
            import keyring
            from keyring.backends import fail
        except ImportError:
            return None
        try:
            backend = keyring.get_keyring()
        except Exception:  # a broken keyring configuration must not stop the app
            return None
        if isinstance(backend, fail.Keyring) or getattr(backend, "priority", 1) <= 0:
            return None
        return keyring

    def get(self) -> KeySource | None:
        """The key to use, or ``None`` when none is set anywhere."""
        env_key = self._environ.get("FAL_KEY", "").strip()
        if env_key:
            return KeySource(env_key, "env")
        kr = self._keyring()
        if kr is not None:
            try:
                stored = kr.get_password(SERVICE, USERNAME)
            except Exception as exc:
                log.warning("keyring read failed: %s", type(exc).__name__)
                stored = None
            if stored:
                return KeySource(stored, "keyring")
        try:
            text = self.fallback_file.read_text(encoding="utf-8").strip()
        except OSError:
            return None
        return KeySource(text, "file") if text else None

    def set(self, key: str) -> str:
        """Store ``key``; returns a sentence saying where it went."""
        key = key.strip()
        if not key:
            raise ValueError("The key is empty.")
        kr = self._keyring()
        if kr is not None:
            try:
                kr.set_password(SERVICE, USERNAME, key)
            except Exception as exc:
                log.warning("keyring write failed: %s; using the private file", type(exc).__name__)
            else:
                with contextlib.suppress(FileNotFoundError):
                    self.fallback_file.unlink()
                return f"Saved in the system keyring ({self._backend_name()})."
        self._paths.ensure()
        atomic_write_text(self.fallback_file, key + "\n", mode=0o600)
        return (
            f"No system keyring is available, so the key was saved in {self.fallback_file}, "
            "readable only by you."
        )

    def clear(self) -> None:
        """Forget the stored key (``FAL_KEY`` in the environment is not touched)."""
        kr = self._keyring()
        if kr is not None:
            with contextlib.suppress(Exception):
                kr.delete_password(SERVICE, USERNAME)
        with contextlib.suppress(FileNotFoundError):
            self.fallback_file.unlink()

    def describe(self) -> str:
        """Where keys are kept on this machine, for the settings dialog."""
        if self._keyring() is not None:
            where = f"the system keyring ({self._backend_name()})"
        else:
            where = f"{self.fallback_file} (no system keyring found; the file is private to you)"
        env = (
            " FAL_KEY is set in the environment and takes precedence."
            if self._environ.get("FAL_KEY", "").strip()
            else ""
        )
        return f"The key is stored in {where}.{env}"

    def _backend_name(self) -> str:
        kr = self._keyring()
        if kr is None:
            return "none"
        backend = kr.get_keyring()
        return getattr(backend, "name", type(backend).__name__)
