"""The app's log file: rotating, private to the user, and never holding the fal key.

:func:`setup_logging` installs one :class:`RotatingFileHandler` (1 MB × 5 files) writing
``<paths.logs>/wan-desktop.log`` with mode 0600 on the root logger, so every library the app
uses (httpx included) logs there too. Each handler it installs carries a
:class:`RedactingFilter` that rewrites the record before any formatter sees it: the message
with its arguments merged, the exception text and the stack text all go through
:func:`scrub`, which hides

- anything shaped like an ``Authorization: Key …`` header, a ``FAL_KEY=…`` assignment, or a
  fal key (``<uuid>:<hex>``, also URL-encoded ``<uuid>%3A<hex>`` and cut short after a few
  characters of the secret), known or not;
- every secret given to :func:`register_secret` (and the key from the environment, read at
  set-up), through the app's one :class:`wan_desktop.core.redact.KeyRedactor`: whole, its
  ``id`` and ``secret`` halves alone, URL-encoded, in any letter case.

The log is appended to in place (a log cannot be renamed into place line by line); rotated
files keep their 0600 mode because rotation only renames them.

Thread safety: :func:`register_secret` and :func:`scrub` may be called from any thread.
"""

from __future__ import annotations

import logging
import logging.handlers
import os
import re
import sys
import threading
from pathlib import Path

from .atomic import ensure_dir
from .paths import AppPaths
from .redact import HIDDEN, MIN_KEY_CHARS, KeyRedactor
from .secrets import env_key

__all__ = [
    "HIDDEN",
    "LOG_BACKUPS",
    "LOG_FILE_NAME",
    "LOG_MAX_BYTES",
    "RedactingFilter",
    "forget_secrets",
    "log_file",
    "register_secret",
    "scrub",
    "setup_logging",
    "shutdown_logging",
]

LOG_FILE_NAME = "wan-desktop.log"
#: Size of one log file, in bytes, before it rotates.
LOG_MAX_BYTES = 1_000_000
#: Rotated files kept next to the live one (``wan-desktop.log.1`` … ``.5``).
LOG_BACKUPS = 5

_FORMAT = "%(asctime)s %(levelname)-7s %(name)s [%(threadName)s] %(message)s"
_MARK = "_wan_desktop_handler"

_lock = threading.Lock()
_secrets: set[str] = set()
# One redactor for every registered secret, rebuilt when the set changes (under _lock).
_redactor = KeyRedactor(None)
# Filters added to handlers that setup_logging() found on the root logger (undone at shutdown).
_guarded: list[tuple[logging.Handler, logging.Filter]] = []

# Secrets nobody registered still have recognisable shapes. Each pattern keeps group 1 (the
# label) and hides what follows it.
_PATTERNS = (
    # "Authorization: Key abc", "'Authorization': 'Key abc'", "authorization=Key abc"
    re.compile(r"""(?i)(authorization['"]?\s*[:=]\s*['"]?\s*key\s+)[^\s'",;)}\]«]+"""),
    # "FAL_KEY=abc", "FAL_KEY: abc", "'FAL_KEY': 'abc'", "export FAL_KEY='abc'"
    re.compile(r"""(?i)(\bFAL_KEY['"]?\s*[:=]\s*['"]?)[^\s'",;)}\]«]+"""),
    # A fal key itself: "<uuid>:<32 hex>", URL-encoded ("%3A") or cut short after a few hex
    # digits of the secret (a request id alone is a uuid and stays visible).
    re.compile(
        r"(?i)()\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}(?::|%3a)[0-9a-f]{4,}"
    ),
)


def register_secret(value: str | None) -> None:
    """Hide ``value`` (and its ``id`` / ``secret`` halves) in every log record from now on.

    Call it whenever a key is loaded or entered. Empty and very short values (under
    ``MIN_KEY_CHARS``, which the redactor ignores too) are skipped.
    """
    global _redactor
    if not value:
        return
    value = value.strip()
    if len(value) < MIN_KEY_CHARS:
        return
    with _lock:
        if value not in _secrets:
            _secrets.add(value)
            _redactor = KeyRedactor(*_secrets)


def forget_secrets() -> None:
    """Drop every registered secret (for tests; the patterns still apply)."""
    global _redactor
    with _lock:
        _secrets.clear()
        _redactor = KeyRedactor(None)


def scrub(text: str) -> str:
    """``text`` with anything key-shaped and every registered secret hidden."""
    if not text:
        return text
    # The shapes first: a fal key cut short is caught whole, before the redactor hides only
    # its id half and leaves the first digits of the secret beside the mark.
    for pattern in _PATTERNS:
        text = pattern.sub(lambda m: m.group(1) + HIDDEN, text)
    with _lock:
        redactor = _redactor
    return redactor.text(text)


class RedactingFilter(logging.Filter):
    """Rewrites each record in place so no handler or formatter can see a key.

    The message is formatted once with its arguments (so a key passed as an argument, or
    inside an object's ``repr``, is caught), the exception and stack texts are formatted and
    scrubbed ahead of the formatter, which then reuses them.
    """

    def __init__(self) -> None:
        super().__init__()
        self._formatter = logging.Formatter()

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "_wan_desktop_scrubbed", False):  # another handler's filter did it
            return True
        try:
            message = record.getMessage()
        except Exception:  # a bad format string still deserves a (scrubbed) line
            message = f"{record.msg!r} % {record.args!r}"
        record.msg = scrub(message)
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = self._formatter.formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = scrub(record.exc_text)
        if record.stack_info:
            record.stack_info = scrub(record.stack_info)
        record._wan_desktop_scrubbed = True
        return True


class _PrivateRotatingFileHandler(logging.handlers.RotatingFileHandler):
    """A rotating file handler whose files are created readable by the user only (0600)."""

    def _open(self):
        fd = os.open(self.baseFilename, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        try:
            os.fchmod(fd, 0o600)  # a file left by an older build may be wider
        except OSError:  # pragma: no cover - e.g. a file system without modes
            pass
        return os.fdopen(fd, "a", encoding=self.encoding, errors=self.errors)


def log_file(paths: AppPaths) -> Path:
    """The live log file (``Help → Open logs folder`` opens its folder, ``paths.logs``)."""
    return paths.logs / LOG_FILE_NAME


def _ours(root: logging.Logger) -> list[logging.Handler]:
    return [h for h in root.handlers if getattr(h, _MARK, False)]


def _lower_root_level(root: logging.Logger, level: int) -> None:
    # The root's own level gates every record before any handler sees it (default WARNING).
    if root.level > level:
        root.setLevel(level)


def setup_logging(
    paths: AppPaths,
    *,
    level: int = logging.INFO,
    console: bool = False,
    console_level: int = logging.WARNING,
) -> Path:
    """Send the app's log records to the rotating, redacted log file; returns its path.

    Call once at start-up (GUI thread, before anything logs), instead of
    ``logging.basicConfig``. Calling it again with the same folder changes nothing but the
    levels; with another folder the old handlers are replaced. ``level`` gates the file;
    ``console`` adds a stderr handler showing ``console_level`` and above, with the same
    filter. Handlers someone else already put on the root logger get the filter too, so they
    cannot print a key either. The key from the environment (``FAL_KEY``, else
    ``FAL_KEY_ID:FAL_KEY_SECRET``) is registered as a secret here; keys loaded later go
    through :func:`register_secret`.
    """
    register_secret(os.environ.get("FAL_KEY"))
    register_secret(env_key(os.environ))
    path = log_file(paths)
    root = logging.getLogger()
    with _lock:
        for handler in root.handlers:
            if not any(isinstance(f, RedactingFilter) for f in handler.filters):
                guard = RedactingFilter()
                handler.addFilter(guard)
                _guarded.append((handler, guard))
        current = _ours(root)
        files = [h for h in current if isinstance(h, logging.FileHandler)]
        has_console = any(not isinstance(h, logging.FileHandler) for h in current)
        if files and Path(files[0].baseFilename) == path and has_console == console:
            for handler in current:
                is_file = isinstance(handler, logging.FileHandler)
                handler.setLevel(level if is_file else console_level)
            _lower_root_level(root, level)
            return path
        for handler in current:
            root.removeHandler(handler)
            handler.close()
        ensure_dir(path.parent, 0o700)
        formatter = logging.Formatter(_FORMAT)
        handlers: list[logging.Handler] = [
            _PrivateRotatingFileHandler(
                path, maxBytes=LOG_MAX_BYTES, backupCount=LOG_BACKUPS, encoding="utf-8"
            )
        ]
        handlers[0].setLevel(level)
        if console:
            handlers.append(logging.StreamHandler(sys.stderr))
            handlers[-1].setLevel(console_level)
        for handler in handlers:
            setattr(handler, _MARK, True)
            handler.setFormatter(formatter)
            handler.addFilter(RedactingFilter())
            root.addHandler(handler)
        _lower_root_level(root, level)
    logging.getLogger(__name__).info("logging to %s", path)
    return path


def shutdown_logging() -> None:
    """Remove and close the handlers :func:`setup_logging` installed (tests, app exit)."""
    root = logging.getLogger()
    with _lock:
        for handler in _ours(root):
            root.removeHandler(handler)
            handler.close()
        for handler, guard in _guarded:
            handler.removeFilter(guard)
        _guarded.clear()
