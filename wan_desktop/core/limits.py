"""The one table of the model's inputs, limits and defaults.

This is the *bundled* table: fal's schema as this version knows it (``fal-platform-api.md``:
prompt ≤ 1500 characters, ``generate_audio`` default true; the rest as on the model's page,
and, for the image formats and size, fal's standard Wan 2.6 image-to-video page quoted in
``fal-queue-protocol.md``). fal publishes the live schema through its Platform API;
``core.model_schema.ModelSchema`` lays that over this table, and validation, the widgets
(maxima, counters, defaults) and the offline engine read the resolved result. Nothing else
spells out a limit.

Sizes are in bytes, durations in seconds, lengths in Unicode code points.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "AUDIO_FORMATS",
    "AUDIO_MAX_BYTES",
    "AUDIO_MAX_S",
    "AUDIO_MIN_S",
    "DURATIONS_S",
    "ENDPOINT_ID",
    "IMAGE_FORMATS",
    "IMAGE_MAX_BYTES",
    "IMAGE_MAX_SIDE_PX",
    "IMAGE_MIN_SIDE_PX",
    "INPUTS",
    "NEGATIVE_PROMPT_MAX_CHARS",
    "OUTPUT_FPS",
    "PROMPT_MAX_CHARS",
    "RESOLUTIONS",
    "RESOLUTION_PIXELS",
    "SEED_MAX",
    "SEED_MIN",
    "InputSpec",
    "default_of",
]

ENDPOINT_ID = "wan/v2.6/image-to-video/flash"

#: fal's current schema (it was 800 until mid-2026: the live schema wins over this number).
PROMPT_MAX_CHARS = 1500
NEGATIVE_PROMPT_MAX_CHARS = 500

IMAGE_MIN_SIDE_PX = 240
IMAGE_MAX_SIDE_PX = 7680
#: fal's Wan 2.6 image-to-video page: "at most 25 MB". Decimal megabytes: the stricter reading.
IMAGE_MAX_BYTES = 25_000_000
#: Pillow format names accepted as they are (JPEG, PNG without alpha, BMP, WEBP).
IMAGE_FORMATS = ("JPEG", "PNG", "WEBP", "BMP")

AUDIO_MIN_S = 3.0
AUDIO_MAX_S = 30.0
#: "File size: Up to 15 MB". Decimal megabytes: the stricter reading.
AUDIO_MAX_BYTES = 15_000_000
AUDIO_FORMATS = ("WAV", "MP3")

RESOLUTIONS = ("720p", "1080p")
#: The pixel count each resolution aims at (the engine keeps the image's aspect ratio).
RESOLUTION_PIXELS = {"720p": 1280 * 720, "1080p": 1920 * 1080}
DURATIONS_S = (5, 10, 15)

SEED_MIN = 0
SEED_MAX = 2_147_483_647

#: Frame rate of the videos the offline engine renders (fal's output is 24 fps too).
OUTPUT_FPS = 24


@dataclass(frozen=True, slots=True)
class InputSpec:
    """One input of the model: its API name, type, default and limits.

    ``label`` is the name shown to people (in error messages and the window; the schema's
    ``title`` for inputs this version does not know). ``choices`` holds the API's enum values
    as the API spells them (strings here; a live schema may publish numbers). ``max_chars``
    counts Unicode code points; ``minimum``/``maximum`` bound numbers, inclusive.
    ``description`` is the schema's text for people ("" when it has none).
    """

    name: str
    label: str
    kind: str  # "string", "url", "enum", "boolean", "integer", "number"
    required: bool = False
    default: object = None
    choices: tuple[object, ...] = ()
    max_chars: int | None = None
    minimum: int | float | None = None
    maximum: int | float | None = None
    description: str = ""


INPUTS: dict[str, InputSpec] = {
    spec.name: spec
    for spec in (
        InputSpec("prompt", "Prompt", "string", required=True, max_chars=PROMPT_MAX_CHARS),
        InputSpec("image_url", "Image", "url", required=True),
        InputSpec("audio_url", "Audio", "url"),
        InputSpec("resolution", "Resolution", "enum", default="1080p", choices=RESOLUTIONS),
        InputSpec(
            "duration",
            "Duration",
            "enum",
            default="5",
            choices=tuple(str(d) for d in DURATIONS_S),
        ),
        InputSpec(
            "negative_prompt",
            "Negative prompt",
            "string",
            default="",
            max_chars=NEGATIVE_PROMPT_MAX_CHARS,
        ),
        InputSpec("enable_prompt_expansion", "Prompt expansion", "boolean", default=True),
        InputSpec("multi_shots", "Multi-shot", "boolean", default=False),
        InputSpec("seed", "Seed", "integer", minimum=SEED_MIN, maximum=SEED_MAX),
        InputSpec("enable_safety_checker", "Safety checker", "boolean", default=True),
        # On: the model makes its own soundtrack. Off: a silent clip, at half the price.
        InputSpec("generate_audio", "Generate audio", "boolean", default=True),
    )
}


def default_of(name: str) -> object:
    """The bundled default of input ``name`` (``None`` where the API has none)."""
    return INPUTS[name].default
