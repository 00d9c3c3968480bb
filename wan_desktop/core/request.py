"""The request model: every input of one generation, its validation and its API arguments."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

from . import limits
from .input_values import check_value
from .limits import InputSpec
from .model_schema import ModelSchema, check_extras, current_schema
from .net import is_loopback_url
from .problems import InvalidInputError, Problem

__all__ = ["GenerationRequest"]

_SWITCHES = (
    "enable_prompt_expansion",
    "multi_shots",
    "enable_safety_checker",
    "generate_audio",
)


@dataclass(frozen=True, slots=True)
class GenerationRequest:
    """Every input of one generation, as the user chose it.

    ``image`` and ``audio`` are what the user picked: a local path or an ``https://`` URL.
    The media layer turns them into the ``image_url`` / ``audio_url`` actually sent (a data URI
    or an uploaded URL); :meth:`to_arguments` takes those.
    ``seed`` is ``None`` for a random seed. ``duration`` is in seconds.
    ``generate_audio`` off asks for a silent clip (half the price).
    ``extra_params`` holds the inputs of the live schema this version has no option for
    (``generate --param``, "More options"), typed as the schema says, sent as they are.
    """

    prompt: str
    image: str
    audio: str | None = None
    resolution: str = str(limits.default_of("resolution"))
    duration: int = int(str(limits.default_of("duration")))
    negative_prompt: str = str(limits.default_of("negative_prompt"))
    enable_prompt_expansion: bool = bool(limits.default_of("enable_prompt_expansion"))
    multi_shots: bool = bool(limits.default_of("multi_shots"))
    seed: int | None = None
    enable_safety_checker: bool = bool(limits.default_of("enable_safety_checker"))
    generate_audio: bool = bool(limits.default_of("generate_audio"))
    extra_params: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def with_defaults(
        cls, prompt: str, image: str, *, schema: ModelSchema | None = None, **inputs: Any
    ) -> GenerationRequest:
        """A request whose unset options take the resolved table's defaults (the current
        table when ``schema`` is ``None``), not only the bundled ones."""
        table = current_schema() if schema is None else schema
        return cls(prompt=prompt, image=image, **{**table.request_defaults(), **inputs})

    # ---- validation -------------------------------------------------------------------------

    def validate(self, schema: ModelSchema | None = None) -> list[Problem]:
        """Every problem with these inputs at once (empty when valid).

        ``schema`` is the resolved table to check against; ``None`` means the process-wide
        current one (bundled until a live or cached schema is resolved). Checks what can be
        checked without reading files; the media layer checks the image and audio contents.
        Each message names the field and the limit of that table.
        """
        table = current_schema() if schema is None else schema
        problems: list[Problem] = []
        problems += _check_text(table, "prompt", self.prompt)
        problems += _check_text(table, "negative_prompt", self.negative_prompt)
        problems += self._media_problems()
        problems += _check_choices(table, self.resolution, self.duration)
        if self.seed is not None:
            problems += _as_list(check_value(_seed_spec(table), self.seed))
        for name in _SWITCHES:
            problems += _as_list(check_value(table.spec(name), getattr(self, name)))
        if not isinstance(self.extra_params, dict):
            problems.append(Problem("extra_params", "Extra options must be NAME: VALUE pairs."))
        else:
            problems += check_extras(self.extra_params, table)
        return problems

    def _media_problems(self) -> list[Problem]:
        problems: list[Problem] = []
        if not isinstance(self.image, str) or not self.image.strip():
            problems.append(
                Problem("image_url", "Image: choose an image (a file or an https URL).")
            )
        elif self.image.startswith("http://") and not is_loopback_url(self.image):
            problems.append(
                Problem("image_url", "Image: a web address must start with https:// (not http://).")
            )
        if self.audio is not None and not (isinstance(self.audio, str) and self.audio.strip()):
            problems.append(Problem("audio_url", "Audio: the audio file name is empty."))
        return problems

    def warnings(self) -> list[Problem]:
        """Things that are allowed but probably not what the user meant."""
        notes: list[Problem] = []
        if self.multi_shots and not self.enable_prompt_expansion:
            notes.append(
                Problem(
                    "multi_shots",
                    "Multi-shot only works with prompt expansion on; the service ignores it.",
                )
            )
        return notes

    def raise_if_invalid(self, schema: ModelSchema | None = None) -> None:
        """Raise :class:`InvalidInputError` listing every problem, if there is any
        (``schema`` as in :meth:`validate`)."""
        problems = self.validate(schema)
        if problems:
            raise InvalidInputError(problems)

    # ---- API arguments ----------------------------------------------------------------------

    def to_arguments(
        self,
        image_url: str,
        audio_url: str | None = None,
        *,
        schema: ModelSchema | None = None,
    ) -> dict[str, Any]:
        """Exactly the JSON body the API takes for these inputs.

        ``image_url`` / ``audio_url`` are the prepared media (data URIs or uploaded URLs).
        Duration goes as the string the API's enum uses; ``seed`` is left out when random;
        ``audio_url`` only when there is audio; ``generate_audio`` always (explicit is cheap);
        the extra inputs as set. Nothing the schema (``schema`` as in :meth:`validate`) does
        not know is included: invalid inputs raise :class:`InvalidInputError`.
        """
        self.raise_if_invalid(schema)
        arguments: dict[str, Any] = {
            "prompt": self.prompt,
            "image_url": image_url,
            "resolution": self.resolution,
            "duration": str(self.duration),
            "negative_prompt": self.negative_prompt,
            "enable_prompt_expansion": self.enable_prompt_expansion,
            "multi_shots": self.multi_shots,
            "enable_safety_checker": self.enable_safety_checker,
            "generate_audio": self.generate_audio,
        }
        if audio_url is not None:
            arguments["audio_url"] = audio_url
        if self.seed is not None:
            arguments["seed"] = self.seed
        # Extras never replace an input the app sets itself (check_extras refuses those).
        arguments.update({k: v for k, v in self.extra_params.items() if k not in arguments})
        return arguments

    # ---- (de)serialisation ------------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        """Plain data for JSON (sidecars, the job table, settings)."""
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> GenerationRequest:
        """The inverse of :meth:`to_dict`; unknown keys are ignored (newer files), missing
        ones take their defaults (older files: no ``generate_audio``, no ``extra_params``)."""
        names = {f.name for f in dataclasses.fields(cls)}
        known = {k: v for k, v in data.items() if k in names}
        if known.get("extra_params") is None:
            known.pop("extra_params", None)
        else:
            known["extra_params"] = dict(known["extra_params"])
        return cls(**known)

    def replace(self, **changes: Any) -> GenerationRequest:
        """A copy with some inputs changed."""
        return dataclasses.replace(self, **changes)


def _check_text(table: ModelSchema, name: str, value: object) -> list[Problem]:
    spec = table.spec(name)
    if not isinstance(value, str):
        return [Problem(name, f"{spec.label} must be text.")]
    if spec.required and not value.strip():
        return [Problem(name, f"{spec.label} is required: describe the motion you want.")]
    return _as_list(check_value(spec, value))


def _check_choices(table: ModelSchema, resolution: object, duration: object) -> list[Problem]:
    problems: list[Problem] = []
    resolutions = table.choices("resolution")
    if resolution not in resolutions:
        problems.append(
            Problem(
                "resolution",
                f"Resolution must be one of {', '.join(map(str, resolutions))} "
                f"(got {resolution!r}).",
            )
        )
    durations = table.durations_s()
    if isinstance(duration, bool) or not isinstance(duration, int) or duration not in durations:
        allowed = ", ".join(str(d) for d in durations[:-1]) + f" or {durations[-1]}"
        if len(durations) == 1:
            allowed = str(durations[0])
        problems.append(
            Problem("duration", f"Duration must be {allowed} seconds (got {duration!r}).")
        )
    return problems


def _seed_spec(table: ModelSchema) -> InputSpec:
    """The seed's spec with the bundled bounds where the schema publishes none: the message
    then always says the range."""
    spec = table.spec("seed")
    return dataclasses.replace(
        spec,
        label="Seed",
        minimum=limits.SEED_MIN if spec.minimum is None else spec.minimum,
        maximum=limits.SEED_MAX if spec.maximum is None else spec.maximum,
    )


def _as_list(problem: Problem | None) -> list[Problem]:
    return [] if problem is None else [problem]
