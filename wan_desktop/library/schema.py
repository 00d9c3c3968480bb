"""The shape of ``entry.json`` (and of the JSON in a video's comment), written once.

:class:`Sidecar` lists every key with its type and default; building a new sidecar
(:func:`new_sidecar`) and checking one that was read (:func:`split_fields`) both go through it,
so a key and its default live in one place. Checking is by type, key by key, so a sidecar with
one bad field can keep the others: the bad ones come back separately, as short JSON text, and
callers keep them aside under :data:`SET_ASIDE_KEY` instead of interpreting them.

Three keys make a sidecar ours: ``schema`` (1 up to :data:`SIDECAR_SCHEMA`), ``id`` (an entry
id) and ``files`` (plain file names, ``video`` required). Ids and parent ids must have the
shape of an entry id; file names must be plain names (no folder part, no ``..``); integers
fit SQLite's 64 bits; floats are finite. Everything here is pure and thread-safe.
"""

from __future__ import annotations

import dataclasses
from typing import Annotated, Any, Literal, get_type_hints

import msgspec

from ..core.request import GenerationRequest
from .errors import SidecarError
from .ids import GROUP_ID_PATTERN, ID_PATTERN
from .paths import FILE_NAME_PATTERN
from .takes import MAX_RATING, MAX_TAKES, MAX_VARIANT_CHARS

__all__ = [
    "MAX_DEPTH",
    "SET_ASIDE_KEY",
    "SIDECAR_SCHEMA",
    "Files",
    "ImportInfo",
    "MediaInfo",
    "Sidecar",
    "VideoFacts",
    "nested_too_deep",
    "new_sidecar",
    "salvage",
    "split_fields",
    "to_data",
]

SIDECAR_SCHEMA = 1
#: Where fields that failed their type check are kept (as JSON text), never interpreted.
SET_ASIDE_KEY = "rejected_metadata"
#: How much of a set-aside value is kept (characters of its JSON text).
_SET_ASIDE_CHARS = 1000
#: Deeper JSON is not ours (ours nests 3 levels); it would exhaust the recursion of every
#: encoder and decoder downstream.
MAX_DEPTH = 32

EntryId = Annotated[str, msgspec.Meta(pattern=ID_PATTERN)]
FileName = Annotated[str, msgspec.Meta(pattern=FILE_NAME_PATTERN)]
Int64 = Annotated[int, msgspec.Meta(ge=-(2**63), le=2**63 - 1)]
Count = Annotated[int, msgspec.Meta(ge=0, le=2**63 - 1)]
Real = Annotated[float, msgspec.Meta(ge=-1e300, le=1e300)]  # finite: JSON has no inf/NaN
Schema = Annotated[int, msgspec.Meta(ge=1)]
GroupId = Annotated[str, msgspec.Meta(pattern=GROUP_ID_PATTERN)]
VariantLabel = Annotated[str, msgspec.Meta(max_length=MAX_VARIANT_CHARS)]
Rating = Annotated[int, msgspec.Meta(ge=0, le=MAX_RATING)]
TakeNumber = Annotated[int, msgspec.Meta(ge=0, le=MAX_TAKES)]
Flag = Literal["", "picked", "rejected"]  # takes.FLAGS
#: ISO 8601 as the library writes it (date, time, optional fraction and offset).
_TIME_PATTERN = r"\A(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})?)?\Z"
#: A time, or "" (unknown).
Time = Annotated[str, msgspec.Meta(pattern=_TIME_PATTERN)]


class Files(msgspec.Struct, kw_only=True):
    """The entry's files: plain names inside its folder (``None``: the entry has none)."""

    video: FileName
    image: FileName | None = None
    audio: FileName | None = None
    poster: FileName | None = None
    last_frame: FileName | None = None


class VideoFacts(msgspec.Struct, kw_only=True):
    """The probe of the video (:class:`wan_desktop.media.video.VideoInfo` without its size):
    pixels, frames per second, seconds."""

    width: Count = 0
    height: Count = 0
    fps: Real = 0.0
    duration_s: Real = 0.0
    frame_count: Count = 0
    has_audio: bool = False
    video_codec: str = ""
    pix_fmt: str = ""


class MediaInfo(msgspec.Struct, kw_only=True):
    """An input as it was sent: its stored file name, original name, bytes, pixels, seconds."""

    file: FileName | None = None
    original_name: str = ""
    mime: str = ""
    format: str = ""
    size_bytes: Count = 0
    sha256: str = ""
    width: Count | None = None
    height: Count | None = None
    duration_s: Real | None = None
    converted: bool = False
    notes: list[str] = []


class ImportInfo(msgspec.Struct, kw_only=True, omit_defaults=True):
    """Where an imported video came from (``original_id``: its id in the library it left,
    when this library already had an entry with that id)."""

    source_name: str = ""
    source_sha256: str = ""
    imported_at: str = ""
    original_id: EntryId | None = None


def _request_record() -> Any:
    """A struct with the fields and types of :class:`GenerationRequest` (the one definition of
    a request); prompt and image may be missing in a record (imports, index-only rows)."""
    hints = get_type_hints(GenerationRequest)
    fields = []
    for field in dataclasses.fields(GenerationRequest):
        default: Any = field.default
        if field.default_factory is not dataclasses.MISSING:
            default = msgspec.field(default_factory=field.default_factory)
        elif default is dataclasses.MISSING:
            default = ""
        fields.append((field.name, hints[field.name], default))
    return msgspec.defstruct("RequestRecord", fields, kw_only=True)


RequestRecord = _request_record()


class Sidecar(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """``entry.json``, schema 1 (see :mod:`.sidecar` for what each key means)."""

    schema: Schema
    id: EntryId
    files: Files
    created_at: Time = ""
    app_version: str = ""
    parent_id: EntryId | None = None
    group_id: GroupId | None = None
    variant: VariantLabel = ""
    take: TakeNumber = 0
    request: RequestRecord | None = None  # type: ignore[valid-type]
    arguments: dict[str, Any] = {}
    response: dict[str, Any] = {}
    seed: Int64 | None = None
    actual_prompt: str = ""
    request_id: str = ""
    endpoint: str = ""
    timings: dict[str, Any] = {}
    cost_usd: Real | None = None
    cost_source: str = ""
    remote: dict[str, Any] = {}
    video: VideoFacts = msgspec.field(default_factory=VideoFacts)
    image: MediaInfo | None = None
    audio: MediaInfo | None = None
    import_: ImportInfo | None = msgspec.field(default=None, name="import")
    video_sha256: str = ""
    size_bytes: Count = 0
    favourite: bool = False
    rating: Rating = 0
    flag: Flag = ""
    tags: list[str] = []
    notes: str = ""
    title: str = ""
    trashed_at: Time | None = None
    rejected_metadata: dict[str, str] = {}


#: key in the JSON -> (attribute name, type)
_FIELDS = {f.encode_name: (f.name, f.type) for f in msgspec.structs.fields(Sidecar)}


def _as_text(value: Any) -> str:
    try:
        text = msgspec.json.encode(value).decode("utf-8")
    except (TypeError, ValueError, OverflowError, RecursionError):
        text = "(not JSON)"
    return text[:_SET_ASIDE_CHARS]


def nested_too_deep(value: Any, limit: int = MAX_DEPTH) -> bool:
    """Whether ``value`` (plain JSON data) nests lists and objects more than ``limit`` levels
    (checked without recursion)."""
    level = [value]
    for _ in range(limit + 1):
        level = [
            child
            for item in level
            if isinstance(item, dict | list)
            for child in (item.values() if isinstance(item, dict) else item)
            if isinstance(child, dict | list)
        ]
        if not level:
            return False
    return True


def split_fields(raw: dict[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    """Check every key of ``raw`` against :class:`Sidecar`: ``(good, bad)`` where ``good``
    maps attribute names to converted values and ``bad`` maps each key that is unknown or of
    the wrong type to its value as JSON text (cut to 1000 characters)."""
    good: dict[str, Any] = {}
    bad: dict[str, str] = {}
    for key, value in raw.items():
        known = _FIELDS.get(key) if isinstance(key, str) else None
        if known is None:
            bad[str(key)] = _as_text(value)
            continue
        name, kind = known
        if nested_too_deep(value):
            bad[key] = _as_text(value)
            continue
        try:
            good[name] = msgspec.convert(value, kind)
        except (msgspec.ValidationError, RecursionError):
            bad[key] = _as_text(value)
    return good, bad


def to_data(record: Sidecar) -> dict[str, Any]:
    """The plain JSON data of ``record`` (what is written and indexed)."""
    return msgspec.to_builtins(record)


def _identity_problem(raw: dict[str, Any], bad: dict[str, str]) -> str | None:
    """Why ``raw`` is not ours at all (its id, schema or files), or ``None``."""
    if "id" in bad or "id" not in raw:
        return f"the sidecar has no valid id ({str(raw.get('id'))[:40]!r})"
    schema = raw.get("schema")
    if "schema" in bad or "schema" not in raw:
        return f"the sidecar has no schema number ({str(schema)[:20]!r})"
    if schema > SIDECAR_SCHEMA:
        return f"the sidecar's schema {schema} is newer than this wan-desktop's"
    if "files" in bad or "files" not in raw:
        return "the sidecar names no video file, or a file outside its folder"
    return None


def salvage(raw: Any) -> tuple[dict[str, Any], dict[str, str]]:
    """``(data, set_aside)``: the sidecar ``raw`` with every field checked by type, and the
    fields that failed (as JSON text), which ``data`` also keeps under ``rejected_metadata``.
    Raises :class:`SidecarError` when ``raw`` is not ours at all (no valid id, schema or
    files)."""
    if not isinstance(raw, dict):
        raise SidecarError("the sidecar is not a JSON object")
    if not nested_too_deep(raw, MAX_DEPTH + 1):
        try:
            # The common case, a sound sidecar, in one call; key by key only when it is not.
            record = msgspec.convert(raw, Sidecar)
        except (msgspec.ValidationError, RecursionError):
            pass
        else:
            if record.schema <= SIDECAR_SCHEMA:
                return to_data(record), {}
    good, bad = split_fields(raw)
    problem = _identity_problem(raw, bad)
    if problem is not None:
        raise SidecarError(problem)
    if bad:
        good["rejected_metadata"] = {**good.get("rejected_metadata", {}), **bad}
    return to_data(Sidecar(**good)), bad


def new_sidecar(**fields: Any) -> dict[str, Any]:
    """A sidecar's data from keyword fields (attribute names, ``import_`` for ``import``),
    every other key at its default. A field of the wrong type (a service's answer that is
    not what it should be) is set aside rather than losing the entry; raises
    :class:`SidecarError` when the id, schema or files are wrong."""
    return salvage({_encode_name(k): v for k, v in fields.items()})[0]


def _encode_name(name: str) -> str:
    return "import" if name == "import_" else name
