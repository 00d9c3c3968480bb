"""Where the fal key lives, first found wins:

1. ``FAL_KEY`` in the environment;
2. ``FAL_KEY_ID`` and ``FAL_KEY_SECRET`` in the environment, both set, joined as
   ``ID:SECRET`` (as fal's own client reads them; one without the other is ignored);
3. the system keyring;
4. a private file.

The key is never logged, never part of an exception message or a repr. Headless machines often
have no keyring (keyring's fail backend); then the key goes to ``<config>/fal-key`` readable
only by the user (mode 0600), and :meth:`KeyStore.describe` says so plainly.
"""

from __future__ import annotations

import contextlib
import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass, field

from .atomic import atomic_write_text
from .paths import AppPaths
from .redact import KeyRedactor

__all__ = ["KeySource", "KeyStore", "env_key", "redact"]

log = logging.getLogger(__name__)

SERVICE = "wan-desktop"
USERNAME = "fal"


@dataclass(frozen=True, slots=True)
class KeySource:
    """A key and where it came from: ``env`` (``FAL_KEY``, or ``FAL_KEY_ID`` with
    ``FAL_KEY_SECRET``), ``keyring`` or ``file``."""

    key: str = field(repr=False)
    origin: str

    def __repr__(self) -> str:
        return f"KeySource(key=<hidden>, origin={self.origin!r})"


def env_key(environ: Mapping[str, str]) -> str | None:
    """The key the environment names: ``FAL_KEY``, else ``FAL_KEY_ID:FAL_KEY_SECRET`` when
    both are set (fal-client's rule); ``None`` when neither is. Values are stripped."""
    whole = (environ.get("FAL_KEY") or "").strip()
    if whole:
        return whole
    key_id = (environ.get("FAL_KEY_ID") or "").strip()
    secret = (environ.get("FAL_KEY_SECRET") or "").strip()
    return f"{key_id}:{secret}" if key_id and secret else None


def redact(text: str, key: str | None) -> str:
    """``text`` with ``key`` hidden: whole, its ``id`` and ``secret`` halves, URL-encoded, in
    any letter case (the app's one ``KeyRedactor``)."""
    return KeyRedactor(key).text(text)


class KeyStore:
    """Reads and writes the fal key. Keyring calls may block briefly: call off the GUI thread."""

    def __init__(self, paths: AppPaths, environ: Mapping[str, str] | None = None):
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
        from_env = env_key(self._environ)
        if from_env:
            return KeySource(from_env, "env")
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
        """Forget the stored key (a key in the environment is not touched)."""
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
        if (self._environ.get("FAL_KEY") or "").strip():
            env = " FAL_KEY is set in the environment and takes precedence."
        elif env_key(self._environ):
            env = " FAL_KEY_ID and FAL_KEY_SECRET are set in the environment and take precedence."
        else:
            env = ""
        return f"The key is stored in {where}.{env}"

    def _backend_name(self) -> str:
        kr = self._keyring()
        if kr is None:
            return "none"
        backend = kr.get_keyring()
        return getattr(backend, "name", type(backend).__name__)
