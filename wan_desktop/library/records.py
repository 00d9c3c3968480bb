"""The sidecar of a new entry: a finished generation (:func:`generated_sidecar`) or a video
made elsewhere (:func:`imported_sidecar`), built through :func:`.schema.new_sidecar`.

What comes from outside is cleaned here. A generation's local paths and data URIs become the
entry's file names. An imported video's metadata is checked field by field: when any field
is of the wrong type, unknown, or the metadata is not whole, the video is taken as a foreign
one and the bad fields are kept aside (``rejected_metadata``); when it is sound, every path
and link in it is reduced to a plain file name or dropped, so nothing read later can point
outside the entry folder or at a remote server. Pure (no I/O); any thread.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import PurePosixPath
from typing import Any

from .. import __version__
from . import clock
from .errors import SidecarError
from .files import LAST_FRAME_NAME, POSTER_NAME, VIDEO_NAME
from .ids import new_id
from .models import NewEntry
from .paths import PathEscapeError, check_file_name
from .schema import SIDECAR_SCHEMA, new_sidecar, split_fields
from .sidecar import salvage
from .takes import check_group_id, check_take, clean_variant

__all__ = ["generated_sidecar", "imported_sidecar"]

_MAX_TITLE_CHARS = 200


def _clean_reference(value: Any, stored: str | None, original: str | None) -> Any:
    """A reference to sent media, made safe to keep: data URIs and local paths become the
    entry's file name; web URLs stay (they are not paths)."""
    if not isinstance(value, str):
        return value
    if value.startswith(("http://", "https://")):
        return value
    if value.startswith("data:") or value == original or stored is not None:
        return stored
    return PurePosixPath(value.replace("\\", "/")).name or None


def generated_sidecar(
    new: NewEntry,
    entry_id: str,
    created: datetime,
    files: dict[str, str | None],
    video_facts: dict[str, Any],
    media: tuple[dict[str, Any] | None, dict[str, Any] | None],
) -> dict[str, Any]:
    """The sidecar of the generation ``new`` stored under ``files`` (``media``: the image and
    audio infos written beside it). Raises :class:`~.errors.FieldError` for a take group id,
    variant label or take number outside its limits."""
    image_name = new.image.file_name if new.image is not None else None
    audio_name = new.audio.file_name if new.audio is not None else None
    request = new.request.to_dict()
    request["image"] = _clean_reference(request.get("image"), files["image"], image_name)
    request["audio"] = _clean_reference(request.get("audio"), files["audio"], audio_name)
    arguments = dict(new.arguments)
    for key, stored, original in (
        ("image_url", files["image"], image_name),
        ("audio_url", files["audio"], audio_name),
    ):
        if key in arguments:
            arguments[key] = _clean_reference(arguments[key], stored, original)
    response = new.response or {}
    seed = response.get("seed", new.request.seed)
    actual_prompt = response.get("actual_prompt")
    return new_sidecar(
        schema=SIDECAR_SCHEMA,
        id=entry_id,
        created_at=clock.iso_utc(created),
        app_version=__version__,
        parent_id=new.parent_id,
        group_id=check_group_id(new.group_id),
        variant=clean_variant(new.variant),
        take=check_take(new.take),
        request=request,
        arguments=arguments,
        response=response,
        seed=seed if isinstance(seed, int) and not isinstance(seed, bool) else None,
        actual_prompt=actual_prompt if isinstance(actual_prompt, str) else "",
        request_id=new.request_id,
        endpoint=new.endpoint,
        timings=dict(new.timings),
        cost_usd=new.cost_usd,
        cost_source=new.cost_source,
        remote=dict(new.remote),
        files=files,
        video=video_facts,
        image=media[0],
        audio=media[1],
    )


def _plain_name(value: Any) -> str | None:
    """The file name at the end of a local path, or ``None`` for a link, a data URI or
    anything that is not a plain name."""
    if not isinstance(value, str) or "://" in value or value.startswith("data:"):
        return None
    name = PurePosixPath(value.replace("\\", "/")).name
    try:
        return check_file_name(name)
    except PathEscapeError:
        return None


def _drop_links(value: Any) -> Any:
    """``value`` with every ``url``/``*_url`` entry reduced to a plain file name, or dropped
    when it is a link or a path that cannot be reduced."""
    if isinstance(value, list):
        return [_drop_links(v) for v in value]
    if not isinstance(value, dict):
        return value
    out = {}
    for key, item in value.items():
        if isinstance(key, str) and (key == "url" or key.endswith("_url")):
            item = _plain_name(item)
            if item is None:
                continue
        out[key] = _drop_links(item)
    return out


def _clean_carried(data: dict[str, Any]) -> dict[str, Any]:
    """Metadata carried by an imported video, with paths and links made harmless."""
    request = data["request"]
    if request is not None:
        request["image"] = _plain_name(request["image"]) or ""
        request["audio"] = _plain_name(request["audio"])
    for key in ("arguments", "response", "remote"):
        data[key] = _drop_links(data[key])
    for key in ("image", "audio"):
        if data[key] is not None:
            data[key]["file"] = None
            data[key]["original_name"] = _plain_name(data[key]["original_name"]) or ""
    return data


def _sound_metadata(raw: dict[str, Any] | None) -> tuple[dict[str, Any] | None, dict[str, str]]:
    """``(metadata, set_aside)``: the carried metadata when every field is sound, else
    ``None`` and the fields that are not."""
    if raw is None:
        return None, {}
    try:
        data, aside = salvage(raw)
    except SidecarError:
        return None, split_fields(raw)[1]
    return (None, aside) if aside else (data, {})


def imported_sidecar(
    name: str,
    video_facts: dict[str, Any],
    source_sha256: str,
    raw: dict[str, Any] | None,
    taken: Callable[[str], bool],
) -> dict[str, Any]:
    """The sidecar of an imported video named ``name`` (its file name as given) carrying the
    unchecked metadata ``raw`` (``None``: none of ours). ``taken(id)`` says whether this
    library already has that id (the import then gets a new one). The rating and flag a sound
    comment carries are kept (they travel with the video); the library's own edits (favourite,
    tags, notes, title) start empty."""
    imported: dict[str, Any] = {
        "source_name": name,
        "source_sha256": source_sha256,
        "imported_at": clock.iso_utc(clock.now()),
    }
    carried, aside = _sound_metadata(raw)
    if carried is not None:
        data = _clean_carried(carried)
        if taken(data["id"]):
            imported["original_id"] = data["id"]
            data["id"] = new_id()
        title = ""
    else:
        data = new_sidecar(
            schema=SIDECAR_SCHEMA,
            id=new_id(),
            created_at=clock.iso_utc(clock.now()),
            app_version=__version__,
            files={"video": VIDEO_NAME},
        )
        title = PurePosixPath(name).stem[:_MAX_TITLE_CHARS]
    files = {"video": VIDEO_NAME, "image": None, "audio": None}  # the inputs did not travel
    data.update(
        files={**files, "poster": POSTER_NAME, "last_frame": LAST_FRAME_NAME},
        video=video_facts,
        favourite=False,
        tags=[],
        notes="",
        title=title,
        trashed_at=None,
        rejected_metadata=aside,
    )
    data["import"] = imported
    return data
