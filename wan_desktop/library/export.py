"""Copying an entry's video out of the library under a name made from a template.

Names are made safe for every OS: no path separators or characters Windows forbids
(``<>:"/\\|?*`` and controls), no trailing dots or spaces, no reserved device names (``CON``,
``NUL``, ``COM1``...), at most 200 bytes of UTF-8. A file is never overwritten (`` (2)``,
`` (3)``... is appended) and never lands outside the destination folder. A destination
folder that does not exist yet is made (with its parents), as ``sequence export`` makes the
folder of its MP4: both commands take a new folder the same way.
"""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
import string
import tempfile
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..core.atomic import ensure_dir, file_in_the_way, fsync_dir
from ..core.names import MAX_NAME_BYTES, clean_name_text, safe_name, truncate_utf8
from .errors import ExportError, PathEscapeError
from .files import open_regular
from .ids import id_datetime

if TYPE_CHECKING:
    from .models import Entry

__all__ = [
    "DEFAULT_TEMPLATE",
    "FIELDS",
    "MAX_NAME_BYTES",
    "ExportError",
    "copy_no_overwrite",
    "export_entry",
    "render_name",
    "safe_name",
]

DEFAULT_TEMPLATE = "{date}_{seed}_{prompt:40}"
FIELDS = ("id", "date", "time", "seed", "prompt", "resolution", "duration", "title")
_MAX_COPIES = 10_000


def render_name(template: str, fields: dict[str, Any]) -> str:
    """The template filled from ``fields`` (unsafe characters in values replaced), not yet
    :func:`safe_name`-d. ``{prompt:N}`` keeps at most N characters, cut after the last whole
    word that fits (mid-word only when the first word alone is longer). Raises
    :class:`ExportError` for an unknown field, a bad width, or a template whose own text holds
    a path separator or ``..``."""
    out = []
    try:
        parsed = list(string.Formatter().parse(template))
    except ValueError as exc:
        raise ExportError(f"the template {template!r} is not valid: {exc}") from exc
    for literal, name, spec, _conversion in parsed:
        if "/" in literal or "\\" in literal or ".." in literal:
            raise ExportError(f"the template may not contain folders or '..': {template!r}")
        out.append(clean_name_text(literal) if literal.strip() else literal)
        if name is None:
            continue
        if name not in FIELDS:
            raise ExportError(f"unknown field {{{name}}}; use {', '.join(FIELDS)}")
        value = "" if fields.get(name) is None else str(fields[name])
        if spec:
            if not spec.isdigit() or int(spec) <= 0:
                raise ExportError(f"{{{name}:{spec}}}: the width must be a positive number")
            value = _cut_at_word(value, int(spec))
        # A value can never add a folder level or climb: separators become "_".
        out.append(clean_name_text(value).replace("..", "_"))
    return "".join(out)


def _cut_at_word(value: str, width: int) -> str:
    """``value`` cut to at most ``width`` characters at the last space within them (and
    without punctuation left hanging); a hard cut when no space falls within the width."""
    if len(value) <= width:
        return value
    cut = value[: width + 1]  # a space just past the width still ends a whole word
    space = cut.rfind(" ")
    if space <= 0:
        return value[:width]
    return cut[:space].rstrip(" ,;:-") or value[:width]


def _numbered(stem: str, suffix: str, n: int) -> str:
    if n == 1:
        return safe_name(stem, suffix)
    tail = f" ({n})"
    base = safe_name(stem, "")
    base = truncate_utf8(base, MAX_NAME_BYTES - len((tail + suffix).encode("utf-8")))
    return base.rstrip(" .") + tail + suffix


def _link_into_place(tmp: Path, final: Path) -> None:
    """Give ``tmp`` the name ``final`` unless that name exists (FileExistsError)."""
    try:
        os.link(tmp, final)
    except FileExistsError:
        raise
    except OSError as exc:
        # File systems without hard links (FAT, some network shares): reserve the name with an
        # exclusive create, then replace the placeholder.
        if exc.errno not in {errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EXDEV, None} and (
            os.name != "nt"
        ):
            raise
        with open(final, "xb"):
            pass
        os.replace(tmp, final)
        return
    tmp.unlink()


def _remove(paths: list[Path]) -> None:
    for path in paths:
        with contextlib.suppress(FileNotFoundError):
            path.unlink()


def copy_no_overwrite(sources: list[tuple[Path, str]], dest: Path, stem: str) -> list[Path]:
    """Copy each ``(source, suffix)`` into ``dest`` as ``stem + suffix``, adding `` (N)`` to the
    stem until no name is taken (all files share the same N). Returns the new paths.

    Each copy is written to a temporary file in ``dest`` and linked to its name only if the
    name is still free, so an existing file is never replaced, even in a race. ``dest`` is
    made (with its parents) when missing; a file in its place raises :class:`ExportError`.
    """
    dest = Path(dest)
    blocker = file_in_the_way(dest)
    if blocker is not None:
        raise ExportError(f"{blocker} is not a folder" + ("" if blocker == dest else f" ({dest})"))
    ensure_dir(dest)
    real_dest = Path(os.path.realpath(dest))
    for n in range(1, _MAX_COPIES):
        names = [_numbered(stem, suffix, n) for _, suffix in sources]
        finals = [dest / name for name in names]
        if any(os.path.lexists(p) for p in finals):
            continue
        for final in finals:
            if Path(os.path.realpath(final)).parent != real_dest:
                raise ExportError(f"refusing to write outside {dest}: {final.name!r}")
        done: list[Path] = []
        try:
            for (source, _suffix), final in zip(sources, finals, strict=True):
                fd, tmp_name = tempfile.mkstemp(prefix=".export-", suffix=".part", dir=dest)
                tmp = Path(tmp_name)
                try:
                    with os.fdopen(fd, "wb") as out, open_regular(source) as src:
                        shutil.copyfileobj(src, out, 1 << 20)
                        out.flush()
                        os.fsync(out.fileno())
                    os.chmod(tmp, 0o644)
                    _link_into_place(tmp, final)
                finally:
                    with contextlib.suppress(FileNotFoundError):
                        tmp.unlink()
                done.append(final)
        except FileExistsError:
            # Someone took the name meanwhile: undo our part and try the next number.
            _remove(done)
            continue
        except BaseException:
            _remove(done)  # a refused source: no half of a pair is left behind
            raise
        fsync_dir(dest)
        return done
    raise ExportError(f"no free file name for {stem!r} in {dest}")


def _name_fields(entry: Entry) -> dict[str, Any]:
    try:
        when = datetime.fromisoformat(entry.created_at) if entry.created_at else None
    except ValueError:
        when = None
    when = when or id_datetime(entry.id)
    return {
        "id": entry.id,
        "date": f"{when:%Y-%m-%d}",
        "time": f"{when:%H%M%S}",
        "seed": entry.seed if entry.seed is not None else "noseed",
        "prompt": entry.prompt or entry.title,
        "resolution": entry.resolution,
        "duration": f"{entry.duration_s:g}s",
        "title": entry.title,
    }


def export_entry(entry: Entry, dest_folder: Path | str, template: str, with_sidecar: bool) -> Path:
    """Copy ``entry``'s video (and with ``with_sidecar`` its sidecar, as ``.json``) into
    ``dest_folder`` under the name ``template`` makes; returns the video's new path. Raises
    :class:`ExportError`, or :class:`.errors.UnsafeFileError` for an entry file that is a
    symbolic link."""
    stem = render_name(template, _name_fields(entry))
    sources = [(entry.video_path, ".mp4")]
    if with_sidecar:
        sources.append((entry.sidecar_path, ".json"))
    try:
        written = copy_no_overwrite(sources, Path(dest_folder), stem)
    except PathEscapeError as exc:
        raise ExportError(str(exc)) from exc
    return written[0]
