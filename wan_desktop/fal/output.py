"""The model's output, typed (pure; any thread).

fal's result for this model is ``{"video": File, "seed": int, "actual_prompt": str?}``; the
``video`` File must carry ``url`` and may carry ``content_type``, ``file_name``,
``file_size``, ``width``, ``height``, ``fps``, ``duration`` and ``num_frames``. Every field is
optional here and read on its own through msgspec: a field of the wrong type or out of
range (a negative width, ``NaN`` fps, a boolean frame count) is dropped alone, the rest kept.
"""

from __future__ import annotations

from typing import Annotated, Any

import msgspec

__all__ = ["ModelOutput", "VideoFile", "parse_output", "parse_video"]

_Name = Annotated[str, msgspec.Meta(min_length=1, max_length=512)]
_Count = Annotated[int, msgspec.Meta(gt=0, le=10**9)]
_Bytes = Annotated[int, msgspec.Meta(ge=0, le=10**13)]
_Pixels = Annotated[int, msgspec.Meta(gt=0, le=100_000)]
_Rate = Annotated[float, msgspec.Meta(gt=0, le=10_000)]
_Seconds = Annotated[float, msgspec.Meta(ge=0, le=10**7)]


class VideoFile(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    """The ``video`` of a result. Sizes in bytes, ``width``/``height`` in pixels, ``fps``
    frames per second, ``duration`` seconds; ``None`` where fal sent nothing usable."""

    url: str | None = None
    content_type: _Name | None = None
    file_name: _Name | None = None
    file_size: _Bytes | None = None
    width: _Pixels | None = None
    height: _Pixels | None = None
    fps: _Rate | None = None
    duration: _Seconds | None = None
    num_frames: _Count | None = None

    def stored(self) -> dict[str, Any]:
        """The fields fal told about the file (all but ``url``), for the job and library to
        keep: only those present."""
        fields = msgspec.to_builtins(self)
        fields.pop("url", None)
        return fields


class ModelOutput(msgspec.Struct, frozen=True, kw_only=True):
    """A result: its ``video`` (None when there is none), ``seed`` and ``actual_prompt``
    (the prompt as rewritten by prompt expansion, when it was)."""

    video: VideoFile | None = None
    seed: int | None = None
    actual_prompt: str | None = None


def _fields(struct: type[msgspec.Struct], raw: dict[Any, Any]) -> dict[str, Any]:
    """Each field of ``struct`` that ``raw`` holds in a valid form, converted alone."""
    hints = msgspec.structs.fields(struct)
    kept = {}
    for field in hints:
        if field.name not in raw:
            continue
        try:
            kept[field.name] = msgspec.convert(raw[field.name], type=field.type)
        except msgspec.ValidationError:
            continue
    return kept


def parse_video(value: Any) -> VideoFile | None:
    """The ``video`` File from a result's ``video`` value; None unless it is an object."""
    if not isinstance(value, dict):
        return None
    return VideoFile(**_fields(VideoFile, value))


def parse_output(result: Any) -> ModelOutput:
    """The typed output of a result (what ``FalClient.result`` returns). Never raises."""
    if not isinstance(result, dict):
        return ModelOutput()
    top = _fields(ModelOutput, {k: v for k, v in result.items() if k != "video"})
    return ModelOutput(video=parse_video(result.get("video")), **top)
