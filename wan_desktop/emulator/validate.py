"""Validation of a raw submit body, as the service answers it: 422 with pydantic-style details.

The rules are those of a resolved table (``core.model_schema.ModelSchema``: the bundled one
unless the engine publishes another); the field messages come from
``GenerationRequest.validate()`` under that table, so the app and the engine word a problem
the same way and agree on every limit.

Decisions where the document is silent (fal's pydantic models would behave the same):
- fields the table does not know are ignored; the table's extra inputs (those this version
  has no option for) are typed by it; ``null`` is accepted for the optional ``seed`` and
  ``audio_url`` only;
- ``duration`` takes the API's strings ``"5"``/``"10"``/``"15"`` and also the integers
  5/10/15 (pydantic coerces them); anything else, floats and booleans included, is refused;
- types are otherwise strict: the booleans (``generate_audio`` too) must be JSON booleans,
  the seed a JSON integer;
- images are whatever Pillow decodes, with both sides in 240..7680 px after EXIF orientation
  and at most ``IMAGE_MAX_BYTES``; audio must be WAV or MP3, 3-30 s, at most 15 MB;
- ``image_url``/``audio_url`` take ``data:`` URIs and http(s) URLs on loopback only, since
  the offline engine cannot reach the internet.
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import io
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import av
import httpx
from PIL import Image, ImageOps, UnidentifiedImageError

from wan_desktop.core import limits
from wan_desktop.core.model_schema import ModelSchema
from wan_desktop.core.net import is_loopback_host
from wan_desktop.core.request import GenerationRequest
from wan_desktop.media.decoding import UnsupportedEncodingError, decoded_pieces_sync

__all__ = ["FETCH_DEADLINE_S", "FieldError", "Inputs", "validate_arguments"]

_T = TypeVar("_T")

_FETCH_TIMEOUT_S = 10.0  # the longest wait for any one piece of a fetch (seconds)
#: Seconds a whole loopback fetch may take.
FETCH_DEADLINE_S = 30.0
# Only encodings decoded piece by piece, so that the cap holds on decoded bytes.
_ACCEPT = {"Accept-Encoding": "gzip, deflate"}
# Types of the entries, as pydantic names them.
_TYPES = {
    "prompt": "string_too_long",
    "negative_prompt": "string_too_long",
    "resolution": "enum",
    "duration": "enum",
    "seed": "int_type",
    "enable_prompt_expansion": "bool_type",
    "multi_shots": "bool_type",
    "enable_safety_checker": "bool_type",
    "generate_audio": "bool_type",
}
# The type of a problem with an extra input, by its kind.
_KIND_TYPES = {
    "boolean": "bool_type",
    "integer": "int_type",
    "number": "float_type",
    "string": "string_type",
    "enum": "enum",
}


@dataclass(frozen=True, slots=True)
class FieldError:
    """One entry of a 422 ``detail`` list."""

    field: str
    msg: str
    type: str

    def to_json(self) -> dict[str, Any]:
        return {"loc": ["body", self.field], "msg": self.msg, "type": self.type}


@dataclass(frozen=True, slots=True)
class Inputs:
    """A valid request, normalised: the API's defaults filled in, media decoded to bytes.

    ``seed`` is None when the caller left it to chance; ``duration_s`` is an int.
    ``generate_audio`` off asks for a silent clip; ``extra_inputs`` holds the table's extra
    inputs that were sent (typed by it).
    """

    prompt: str
    negative_prompt: str
    resolution: str
    duration_s: int
    seed: int | None
    enable_prompt_expansion: bool
    multi_shots: bool
    enable_safety_checker: bool
    image: bytes
    image_size: tuple[int, int]
    audio: bytes | None
    audio_duration_s: float | None
    generate_audio: bool = True
    extra_inputs: dict[str, Any] = dataclasses.field(default_factory=dict)


def validate_arguments(
    body: object, schema: ModelSchema | None = None
) -> Inputs | list[FieldError]:
    """Check a submit body against ``schema`` (the bundled table when None); return the
    normalised inputs or every problem found.

    Blocking (may decode the image and audio, or fetch them from a loopback URL): runs on the
    HTTP handler's thread.
    """
    if not isinstance(body, dict):
        return [FieldError("body", "The request body must be a JSON object.", "model_type")]
    table = ModelSchema.bundled() if schema is None else schema
    request = _request_of(body, table)
    errors = [
        FieldError(problem.field, problem.message, _type_of(problem, body, table))
        for problem in request.validate(table)
        if problem.field not in ("image_url", "audio_url")  # checked below, from the raw JSON
    ]
    image = _image_of(body, errors)
    audio = _audio_of(body, errors)
    if errors or image is None:
        return errors
    return Inputs(
        prompt=request.prompt,
        negative_prompt=request.negative_prompt,
        resolution=request.resolution,
        duration_s=int(request.duration),
        seed=request.seed,
        enable_prompt_expansion=request.enable_prompt_expansion,
        multi_shots=request.multi_shots,
        enable_safety_checker=request.enable_safety_checker,
        image=image[0],
        image_size=image[1],
        audio=None if audio is None else audio[0],
        audio_duration_s=None if audio is None else audio[1],
        generate_audio=request.generate_audio,
        extra_inputs=dict(request.extra_params),
    )


def _request_of(body: dict[str, Any], table: ModelSchema) -> GenerationRequest:
    """The body as the app's request, the table's defaults filled in (not validated yet)."""
    # Raw JSON values, typed Any on purpose: request.validate() is what checks their types.
    fields: dict[str, Any] = {name: body.get(name, table.default(name)) for name in limits.INPUTS}
    duration: Any = fields["duration"]
    if (
        isinstance(duration, str)
        and duration in table.choices("duration")
        and duration.isascii()
        and duration.isdigit()
    ):
        duration = int(duration)
    elif isinstance(duration, float):
        duration = str(duration)  # 5.0 == 5 in Python; the API's enum does not take it
    prompt = body.get("prompt", "")
    return GenerationRequest(
        prompt=prompt if prompt is not None else "",
        image="data:",  # checked from the raw JSON by _image_of
        resolution=fields["resolution"],
        duration=duration,
        negative_prompt=fields["negative_prompt"],
        enable_prompt_expansion=fields["enable_prompt_expansion"],
        multi_shots=fields["multi_shots"],
        seed=fields["seed"],
        enable_safety_checker=fields["enable_safety_checker"],
        generate_audio=fields["generate_audio"],
        extra_params={name: body[name] for name in table.extras if name in body},
    )


def _image_of(
    body: dict[str, Any], errors: list[FieldError]
) -> tuple[bytes, tuple[int, int]] | None:
    """The image's bytes and size, or None with the problem added to ``errors``."""
    value = body.get("image_url")
    if value is None:
        errors.append(FieldError("image_url", "Image is required (image_url).", "missing"))
        return None
    return _loaded("image_url", value, limits.IMAGE_MAX_BYTES, _check_image, errors)


def _audio_of(body: dict[str, Any], errors: list[FieldError]) -> tuple[bytes, float] | None:
    """The audio's bytes and duration (None when there is none, or with the problem added to
    ``errors``)."""
    if body.get("audio_url") is None:
        return None
    return _loaded("audio_url", body["audio_url"], limits.AUDIO_MAX_BYTES, _check_audio, errors)


def _loaded(
    field: str,
    value: object,
    max_bytes: int,
    check: Callable[[bytes], _T | FieldError],
    errors: list[FieldError],
) -> tuple[bytes, _T] | None:
    """``value``'s bytes (at most ``max_bytes``) and what ``check`` read from them, or None
    with the problem added to ``errors``."""
    data = _load_media(field, value, max_bytes)
    checked = data if isinstance(data, FieldError) else check(data)
    if isinstance(checked, FieldError):
        errors.append(checked)
        return None
    assert isinstance(data, bytes)
    return data, checked


def _type_of(problem, body: dict[str, Any], table: ModelSchema) -> str:
    name = problem.field
    value = body.get(name)
    extra = table.extras.get(name)
    if extra is not None:
        if name not in body:
            return "missing"
        if extra.kind == "string" and isinstance(value, str):
            return "string_too_long"
        return _KIND_TYPES.get(extra.kind, "value_error")
    if name == "prompt" and (name not in body or value is None):
        return "missing"
    if name in ("prompt", "negative_prompt"):
        if not isinstance(value, str):
            return "string_type"
        return "string_too_short" if not value.strip() else "string_too_long"
    if name == "seed" and isinstance(value, int) and not isinstance(value, bool):
        return "less_than_equal" if value > limits.SEED_MAX else "greater_than_equal"
    return _TYPES.get(name, "value_error")


def _load_media(field: str, value: object, max_bytes: int) -> bytes | FieldError:
    """The bytes behind a ``data:`` URI or a loopback URL, at most ``max_bytes``."""
    label = limits.INPUTS[field].label
    if not isinstance(value, str) or not value.strip():
        return FieldError(field, f"{label} must be a URL or a data URI.", "url_type")
    if value.startswith("data:"):
        return _decode_data_uri(field, value, max_bytes)
    parts = urllib.parse.urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return FieldError(field, f"{label} must be an http(s) URL or a data URI.", "url_parsing")
    if not is_loopback_host(parts.hostname):
        return FieldError(
            field,
            f"{label}: the offline engine cannot reach the internet; send the file as a data "
            f"URI or from 127.0.0.1 (got host {parts.hostname}).",
            "url_unreachable",
        )
    return _fetch(field, value, max_bytes)


def _decode_data_uri(field: str, value: str, max_bytes: int) -> bytes | FieldError:
    label = limits.INPUTS[field].label
    header, sep, payload = value.partition(",")
    if not sep:
        return FieldError(field, f"{label}: the data URI has no comma.", "url_parsing")
    try:
        if header.endswith(";base64"):
            # base64 grows data by 4/3: refuse early rather than decode a huge string.
            if len(payload) > (max_bytes + 2) // 3 * 4 + 4:
                return _too_big(field, max_bytes, None)
            data = base64.b64decode(payload, validate=True)
        else:
            data = urllib.parse.unquote_to_bytes(payload)
    except (binascii.Error, ValueError):
        return FieldError(field, f"{label}: the data URI is not valid base64.", "url_parsing")
    if len(data) > max_bytes:
        return _too_big(field, max_bytes, len(data))
    return data


def _too_big(field: str, max_bytes: int, size: int | None) -> FieldError:
    label = limits.INPUTS[field].label
    got = f" (got {size / 1_000_000:.1f} MB)" if size is not None else ""
    return FieldError(
        field,
        f"{label} is larger than the limit of {max_bytes / 1_000_000:g} MB{got}.",
        "file_too_large",
    )


def _fetch(field: str, url: str, max_bytes: int) -> bytes | FieldError:
    """The body at a loopback ``url``: decoded bytes counted against ``max_bytes`` as they
    come, the whole fetch within :data:`FETCH_DEADLINE_S` seconds."""
    label = limits.INPUTS[field].label
    try:
        with (
            httpx.Client(timeout=_FETCH_TIMEOUT_S, trust_env=False) as client,
            client.stream("GET", url, headers=_ACCEPT) as response,
        ):
            if response.status_code != 200:
                return FieldError(
                    field,
                    f"{label}: fetching the URL failed with HTTP {response.status_code}.",
                    "file_download_error",
                )
            return _read_capped(field, response, max_bytes)
    except (httpx.HTTPError, UnsupportedEncodingError) as exc:
        return FieldError(
            field,
            f"{label}: fetching the URL failed ({type(exc).__name__}).",
            "file_download_error",
        )


def _read_capped(field: str, response: httpx.Response, max_bytes: int) -> bytes | FieldError:
    deadline = time.monotonic() + FETCH_DEADLINE_S
    encoding = response.headers.get("content-encoding", "")
    data = bytearray()
    for piece in decoded_pieces_sync(response.iter_raw(), encoding):
        data += piece
        if len(data) > max_bytes:
            return _too_big(field, max_bytes, None)
        if time.monotonic() > deadline:
            return FieldError(
                field,
                f"{limits.INPUTS[field].label}: fetching the URL took longer than "
                f"{FETCH_DEADLINE_S:g} s; it was stopped.",
                "file_download_error",
            )
    return bytes(data)


def _check_image(data: bytes) -> tuple[int, int] | FieldError:
    """The image's size after EXIF orientation, when it decodes and fits the limits."""
    low, high = limits.IMAGE_MIN_SIDE_PX, limits.IMAGE_MAX_SIDE_PX
    try:
        with Image.open(io.BytesIO(data)) as image:
            # Check the header's size before decoding: a huge image is refused without the cost.
            width, height = image.size
            if image.getexif().get(0x0112) in (5, 6, 7, 8):  # rotated a quarter turn
                width, height = height, width
            if low <= width <= high and low <= height <= high:
                image.load()
                width, height = ImageOps.exif_transpose(image).size
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError):
        return FieldError(
            "image_url", "Image could not be decoded as a picture.", "image_load_error"
        )
    for side, px in (("width", width), ("height", height)):
        if not low <= px <= high:
            return FieldError(
                "image_url",
                f"Image {side} is {px} px; it must be between {low} and {high} px.",
                "image_too_small" if px < low else "image_too_large",
            )
    return width, height


def _check_audio(data: bytes) -> float | FieldError:
    """The audio's duration in seconds, when it is WAV or MP3 of an allowed length."""
    formats = limits.AUDIO_FORMATS
    try:
        with av.open(io.BytesIO(data), "r") as container:
            names = set(container.format.name.split(","))
            if not names & {f.lower() for f in formats}:
                return FieldError(
                    "audio_url",
                    f"Audio must be {' or '.join(formats)} (got {container.format.name}).",
                    "audio_format",
                )
            if not container.streams.audio:
                return FieldError("audio_url", "Audio has no sound track.", "audio_format")
            stream = container.streams.audio[0]
            # Count the decoded samples: exact for WAV and MP3 alike (headers may estimate).
            samples = rate = 0
            for frame in container.decode(stream):
                samples += frame.samples
                rate = frame.sample_rate
    except (av.FFmpegError, ValueError, IndexError):
        return FieldError(
            "audio_url",
            f"Audio could not be decoded; it must be {' or '.join(formats)}.",
            "audio_load_error",
        )
    duration = samples / rate if rate else 0.0
    if not limits.AUDIO_MIN_S <= duration <= limits.AUDIO_MAX_S:
        return FieldError(
            "audio_url",
            f"Audio is {duration:.2f} s long; it must be between {limits.AUDIO_MIN_S:g} and "
            f"{limits.AUDIO_MAX_S:g} seconds.",
            "audio_duration",
        )
    return duration
