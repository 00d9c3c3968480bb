"""Sequences: named, ordered lists of library clips that become one film (issue 18).

Each sequence is a JSON file, ``<library>/sequences/<id>.json``, written atomically: the source
of truth, as an entry's sidecar is. The index keeps a row per sequence (its JSON and the
columns a list needs) so listing reads no file, and ``library rebuild`` makes the rows again
from the files. A file that is not a sound sequence (bad JSON, a field of the wrong type or
out of range, a name that is not its id, a symbolic link, a newer schema) is reported and
skipped, never fatal.

An item uses frames ``start_frame`` (inclusive) to ``end_frame`` (exclusive; ``None``: to the
clip's end) of its clip, in the clip's own frames, and crossfades ``crossfade_frames`` (0..12)
with the item before it (ignored on the first item). Whether the frames exist is checked when
the sequence is exported, which opens the videos; saving checks the shape and that every clip
is in the library.

Default seams (:func:`default_items`): a clip continued from the previous clip's last frame
starts at frame 1, because its frame 0 repeats that last frame.

Threads: :class:`SequenceStore` may be used from any thread (the index lock serializes it).
The structs are plain data; :meth:`SequenceStore.save` returns a new one rather than changing
the one it was given.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

import msgspec

from ..core.atomic import atomic_write_json, ensure_dir
from . import clock
from .errors import (
    EntryNotFoundError,
    FieldError,
    LibraryError,
    SequenceNotFoundError,
    UnsafeFileError,
)
from .files import read_regular
from .ids import SEQUENCE_ID_PATTERN, is_valid_sequence_id, new_sequence_id
from .index import Index
from .paths import DIR_MODE, LibraryPaths
from .schema import EntryId, Time

__all__ = [
    "MAX_CROSSFADE_FRAMES",
    "MAX_ITEMS",
    "MAX_NAME_CHARS",
    "SEQUENCE_SCHEMA",
    "Sequence",
    "SequenceItem",
    "SequenceRebuild",
    "SequenceStore",
    "clean_name",
    "default_items",
    "problems",
    "read_sequence_file",
]

SEQUENCE_SCHEMA = 1
MAX_CROSSFADE_FRAMES = 12
#: Far more clips than a film made of 5-15 s takes needs; keeps a hostile file small to hold.
MAX_ITEMS = 1000
MAX_NAME_CHARS = 200
#: A sequence file is a few kilobytes; a bigger one is not ours and is not read whole.
_MAX_FILE_BYTES = 4 << 20
_FRAME_LIMIT = 2**31 - 1

Frame = Annotated[int, msgspec.Meta(ge=0, le=_FRAME_LIMIT)]
EndFrame = Annotated[int, msgspec.Meta(ge=1, le=_FRAME_LIMIT)]
Crossfade = Annotated[int, msgspec.Meta(ge=0, le=MAX_CROSSFADE_FRAMES)]
SequenceId = Annotated[str, msgspec.Meta(pattern=SEQUENCE_ID_PATTERN)]
Name = Annotated[str, msgspec.Meta(min_length=1, max_length=MAX_NAME_CHARS)]
Schema = Annotated[int, msgspec.Meta(ge=1)]


class SequenceItem(msgspec.Struct, kw_only=True):
    """One clip of a sequence: frames ``start_frame`` to ``end_frame`` (exclusive; ``None``:
    to the clip's end) of entry ``entry_id``, in the clip's own frames, crossfading
    ``crossfade_frames`` (0..12) with the item before it (ignored on the first item)."""

    entry_id: EntryId
    start_frame: Frame = 0
    end_frame: EndFrame | None = None
    crossfade_frames: Crossfade = 0


class Sequence(msgspec.Struct, kw_only=True):
    """A named, ordered list of clips. ``id`` is ``s-`` and an entry-style id (sortable by
    creation); ``created_at``/``updated_at`` ISO 8601 UTC."""

    schema: Schema = SEQUENCE_SCHEMA
    id: SequenceId
    name: Name
    created_at: Time
    updated_at: Time
    items: Annotated[list[SequenceItem], msgspec.Meta(max_length=MAX_ITEMS)] = []


def default_items(
    entry_ids: Iterable[str], parents: Mapping[str, str | None]
) -> list[SequenceItem]:
    """Items for ``entry_ids`` in order, with the default seams: a clip whose parent (from
    ``parents``: entry id -> parent id) is the previous item's clip starts at frame 1 (its
    frame 0 repeats the parent's last frame); any other starts at 0. No crossfades."""
    items: list[SequenceItem] = []
    previous: str | None = None
    for entry_id in entry_ids:
        continues = previous is not None and parents.get(entry_id) == previous
        items.append(SequenceItem(entry_id=entry_id, start_frame=1 if continues else 0))
        previous = entry_id
    return items


def clean_name(name: Any) -> str:
    """``name`` as stored: one line, whitespace collapsed, 1..200 characters; raises
    :class:`FieldError` naming the field and the limit."""
    if not isinstance(name, str):
        raise FieldError(f"name must be text; got {type(name).__name__}")
    text = " ".join(name.split())
    if not text:
        raise FieldError("name must not be empty")
    if len(text) > MAX_NAME_CHARS:
        raise FieldError(f"name must be at most {MAX_NAME_CHARS} characters; got {len(text)}")
    return text


def _int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _item_problems(index: int, item: Any) -> list[str]:
    at = f"items[{index}]"
    if not isinstance(item, SequenceItem):
        return [f"{at} must be a SequenceItem; got {type(item).__name__}"]
    out = []
    if not isinstance(item.entry_id, str) or not _valid(item.entry_id, EntryId):
        out.append(f"{at}.entry_id is not an entry id: {str(item.entry_id)[:40]!r}")
    start, end, fade = item.start_frame, item.end_frame, item.crossfade_frames
    if not _int(start) or not 0 <= start <= _FRAME_LIMIT:
        out.append(f"{at}.start_frame must be a whole number of frames, 0 or more; got {start!r}")
    if end is not None and (not _int(end) or not 1 <= end <= _FRAME_LIMIT):
        out.append(f"{at}.end_frame must be a whole number of frames, 1 or more; got {end!r}")
    elif end is not None and _int(start) and end <= start:
        out.append(f"{at}.end_frame ({end}) must be after start_frame ({start})")
    if not _int(fade) or not 0 <= fade <= MAX_CROSSFADE_FRAMES:
        out.append(f"{at}.crossfade_frames must be from 0 to {MAX_CROSSFADE_FRAMES}; got {fade!r}")
    return out


def _valid(value: Any, kind: Any) -> bool:
    """Whether ``value`` passes the msgspec type ``kind`` (constraints included)."""
    try:
        msgspec.convert(value, kind)
    except msgspec.ValidationError:
        return False
    return True


def problems(sequence: Any) -> list[str]:
    """What is wrong with ``sequence``'s shape (id, name, item count, each item's fields), one
    sentence each naming the field and the limit; empty when it can be saved."""
    if not isinstance(sequence, Sequence):
        return [f"not a Sequence: {type(sequence).__name__}"]
    out = []
    if not is_valid_sequence_id(sequence.id):
        out.append(f"id is not a sequence id: {str(sequence.id)[:40]!r}")
    try:
        clean_name(sequence.name)
    except FieldError as exc:
        out.append(str(exc))
    items = sequence.items
    if not isinstance(items, list):
        return [*out, "items must be a list of SequenceItem"]
    if len(items) > MAX_ITEMS:
        out.append(f"items must hold at most {MAX_ITEMS} clips; got {len(items)}")
    for index, item in enumerate(items[:MAX_ITEMS]):
        out.extend(_item_problems(index, item))
    return out


def read_sequence_file(path: Path) -> Sequence:
    """The sequence in the file ``path`` (named ``<id>.json``); raises :class:`LibraryError`
    saying why it cannot be used."""
    if not is_valid_sequence_id(path.stem) or path.suffix != ".json":
        raise LibraryError("the name is not a sequence id followed by .json")
    try:
        data = read_regular(path, _MAX_FILE_BYTES)
    except (OSError, UnsafeFileError) as exc:
        raise LibraryError(f"it cannot be read: {exc}") from exc
    try:
        raw = msgspec.json.decode(data)
    except (msgspec.DecodeError, RecursionError) as exc:
        raise LibraryError(f"it is not valid JSON: {exc}") from exc
    if not isinstance(raw, dict):
        raise LibraryError("it is not a JSON object")
    schema = raw.get("schema", SEQUENCE_SCHEMA)
    if _int(schema) and schema > SEQUENCE_SCHEMA:
        raise LibraryError(f"its schema {schema} is newer than this wan-desktop's")
    try:
        sequence = msgspec.convert(raw, Sequence)
    except (msgspec.ValidationError, RecursionError) as exc:
        raise LibraryError(f"it is not a sequence: {exc}") from exc
    if sequence.id != path.stem:
        raise LibraryError(f"it holds sequence {sequence.id}, not {path.stem}")
    return sequence


@dataclass(frozen=True, slots=True)
class SequenceRebuild:
    """What :meth:`SequenceStore.rebuild_rows` found: sound sequences, and files skipped as
    ``(path relative to the library, reason)``."""

    sequences: tuple[Sequence, ...]
    skipped: tuple[tuple[str, str], ...]


def _row(sequence: Sequence) -> tuple[str, str, str, str, str]:
    data = msgspec.json.encode(sequence).decode("utf-8")
    return sequence.id, sequence.name, sequence.created_at, sequence.updated_at, data


_INSERT = (
    "INSERT OR REPLACE INTO sequences (id, name, created_at, updated_at, data) "
    "VALUES (?, ?, ?, ?, ?)"
)


class SequenceStore:
    """The sequences of one library: files under ``sequences/`` and their index rows."""

    def __init__(self, index: Index, paths: LibraryPaths):
        self._index = index
        self.paths = paths

    # ---- reading ------------------------------------------------------------------------------

    def get(self, sequence_id: str) -> Sequence:
        """The sequence ``sequence_id``; raises :class:`SequenceNotFoundError`."""
        rows = self._index.query("SELECT data FROM sequences WHERE id = ?", (sequence_id,))
        if not rows:
            raise SequenceNotFoundError(f"no sequence with id {sequence_id!r} in the library")
        return msgspec.json.decode(rows[0][0], type=Sequence)

    def list(self) -> list[Sequence]:
        """Every sequence, the most recently changed first."""
        rows = self._index.query("SELECT data FROM sequences ORDER BY updated_at DESC, id DESC")
        decode = msgspec.json.Decoder(Sequence).decode
        return [decode(data) for (data,) in rows]

    def _parents(self, entry_ids: list[str]) -> dict[str, str | None]:
        """``entry id -> parent id`` for the entries of ``entry_ids`` in the index."""
        unique = sorted(set(entry_ids))
        found: dict[str, str | None] = {}
        for start in range(0, len(unique), 500):  # SQLite's bound-parameter limit
            chunk = unique[start : start + 500]
            marks = ", ".join("?" for _ in chunk)
            rows = self._index.query(
                f"SELECT id, parent_id FROM entries WHERE id IN ({marks})", chunk
            )
            found.update(rows)
        return found

    def _check_entries(self, entry_ids: list[str]) -> dict[str, str | None]:
        parents = self._parents(entry_ids)
        for index, entry_id in enumerate(entry_ids):
            if entry_id not in parents:
                raise EntryNotFoundError(
                    f"items[{index}]: no entry with id {entry_id!r} in the library"
                )
        return parents

    # ---- writing ------------------------------------------------------------------------------

    def new(self, name: str, entry_ids: Iterable[str]) -> Sequence:
        """A new sequence named ``name`` of the clips ``entry_ids`` in order, with the default
        seams (:func:`default_items`), saved. Raises :class:`FieldError` for a bad name or
        too many clips, :class:`EntryNotFoundError` for a clip not in the library."""
        ids = list(entry_ids)
        now = clock.iso_utc(clock.now())
        bad = [f"items[{i}].entry_id" for i, e in enumerate(ids) if not _valid(e, EntryId)]
        if bad:
            raise FieldError(f"{bad[0]} is not an entry id")
        if len(ids) > MAX_ITEMS:
            raise FieldError(f"items must hold at most {MAX_ITEMS} clips; got {len(ids)}")
        parents = self._check_entries(ids)
        sequence = Sequence(
            id=new_sequence_id(),
            name=clean_name(name),
            created_at=now,
            updated_at=now,
            items=default_items(ids, parents),
        )
        return self._write(sequence)

    def save(self, sequence: Sequence) -> Sequence:
        """Store ``sequence`` (new or changed) with its name cleaned and ``updated_at`` now;
        returns what was stored. Raises :class:`FieldError` listing what is wrong with its
        shape (crossfade 0..12, frames, name, id), :class:`EntryNotFoundError` for a clip
        not in the library."""
        found = problems(sequence)
        if found:
            raise FieldError("; ".join(found[:5]))
        self._check_entries([item.entry_id for item in sequence.items])
        now = clock.iso_utc(clock.now())
        stored = msgspec.structs.replace(
            sequence,
            schema=SEQUENCE_SCHEMA,
            name=clean_name(sequence.name),
            created_at=sequence.created_at or now,
            updated_at=now,
            items=[msgspec.structs.replace(item) for item in sequence.items],
        )
        return self._write(stored)

    def _write(self, sequence: Sequence) -> Sequence:
        """The file (atomically), then the row, under the index lock: two saves of one
        sequence never interleave."""
        path = self.paths.sequence_file(sequence.id)
        with self._index.transaction() as conn:
            ensure_dir(self.paths.sequences, DIR_MODE)
            atomic_write_json(path, msgspec.to_builtins(sequence))
            conn.execute(_INSERT, _row(sequence))
        return sequence

    def delete(self, sequence_id: str) -> None:
        """Delete the sequence ``sequence_id`` (its file and row; the clips stay). Raises
        :class:`SequenceNotFoundError`."""
        path = self.paths.sequence_file(sequence_id) if is_valid_sequence_id(sequence_id) else None
        with self._index.transaction() as conn:
            gone = conn.execute("DELETE FROM sequences WHERE id = ?", (sequence_id,)).rowcount
            if not gone or path is None:
                raise SequenceNotFoundError(f"no sequence with id {sequence_id!r} in the library")
            path.unlink(missing_ok=True)

    # ---- rebuild ------------------------------------------------------------------------------

    def read_files(self) -> SequenceRebuild:
        """Every sound sequence file under ``sequences/``, and the files skipped (with why).
        Reads files: worker thread."""
        folder = self.paths.sequences
        found: list[Sequence] = []
        skipped: list[tuple[str, str]] = []
        if not folder.is_dir() or folder.is_symlink():
            return SequenceRebuild((), ())
        for path in sorted(folder.iterdir()):
            if path.name.startswith("."):
                continue  # an atomic write in flight (".<name>.<random>.part")
            rel = f"{folder.name}/{path.name}"
            try:
                found.append(read_sequence_file(path))
            except LibraryError as exc:
                skipped.append((rel, str(exc)))
        return SequenceRebuild(tuple(found), tuple(skipped))

    @staticmethod
    def replace_rows(conn: Any, sequences: Iterable[Sequence]) -> None:
        """Replace every sequence row with ``sequences``, in the caller's transaction."""
        conn.execute("DELETE FROM sequences")
        conn.executemany(_INSERT, [_row(s) for s in sequences])
