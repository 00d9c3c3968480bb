"""The request model: every input of one generation, its validation and its API arguments."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from . import limits
from .problems import InvalidInputError, Problem

__all__ = ["GenerationRequest"]


def _is_url(text: str) -> bool:
    return text.startswith(("http://", "https://", "data:"))


@dataclass(frozen=True, slots=True)
class GenerationRequest:
    """Every input of one generation, as the user chose it.

    ``image`` and ``audio`` are what the user picked: a local path or an ``https://`` URL.
    The media layer turns them into the ``image_url`` / ``audio_url`` actually sent (a data URI
    or an uploaded URL); :meth:`to_arguments` takes those.
    ``seed`` is ``None`` for a random seed. ``duration`` is in seconds.
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

    # ---- validation -------------------------------------------------------------------------

    def validate(self) -> list[Problem]:
        """Every problem with these inputs at once (empty when valid).

        Checks what can be checked without reading files; the media layer checks the image
        and audio contents. Each message names the field and the limit.
        """
        problems: list[Problem] = []
        problems += _check_text("prompt", self.prompt, required=True)
        problems += _check_text("negative_prompt", self.negative_prompt, required=False)
        if not isinstance(self.image, str) or not self.image.strip():
            problems.append(
                Problem("image_url", "Image: choose an image (a file or an https URL).")
            )
        elif self.image.startswith("http://") and not _is_loopback_url(self.image):
            problems.append(
                Problem("image_url", "Image: a web address must start with https:// (not http://).")
            )
        if self.audio is not None and not (isinstance(self.audio, str) and self.audio.strip()):
            problems.append(Problem("audio_url", "Audio: the audio file name is empty."))
        if self.resolution not in limits.RESOLUTIONS:
            problems.append(
                Problem(
                    "resolution",
                    f"Resolution must be one of {', '.join(limits.RESOLUTIONS)} "
                    f"(got {self.resolution!r}).",
                )
            )
        if isinstance(self.duration, bool) or self.duration not in limits.DURATIONS_S:
            allowed = (
                ", ".join(str(d) for d in limits.DURATIONS_S[:-1]) + f" or {limits.DURATIONS_S[-1]}"
            )
            problems.append(
                Problem("duration", f"Duration must be {allowed} seconds (got {self.duration!r}).")
            )
        if self.seed is not None and (
            isinstance(self.seed, bool)
            or not isinstance(self.seed, int)
            or not limits.SEED_MIN <= self.seed <= limits.SEED_MAX
        ):
            problems.append(
                Problem(
                    "seed",
                    f"Seed must be a whole number from {limits.SEED_MIN} to {limits.SEED_MAX} "
                    f"(got {self.seed!r}).",
                )
            )
        for name in ("enable_prompt_expansion", "multi_shots", "enable_safety_checker"):
            if not isinstance(getattr(self, name), bool):
                label = limits.INPUTS[name].label
                problems.append(Problem(name, f"{label} must be on or off (true or false)."))
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

    def raise_if_invalid(self) -> None:
        """Raise :class:`InvalidInputError` listing every problem, if there is any."""
        problems = self.validate()
        if problems:
            raise InvalidInputError(problems)

    # ---- API arguments ----------------------------------------------------------------------

    def to_arguments(self, image_url: str, audio_url: str | None = None) -> dict[str, Any]:
        """Exactly the JSON body the API takes for these inputs.

        ``image_url`` / ``audio_url`` are the prepared media (data URIs or uploaded URLs).
        Duration goes as the string the API's enum uses; ``seed`` is left out when random;
        ``audio_url`` only when there is audio; nothing the API does not know is included.
        """
        self.raise_if_invalid()
        arguments: dict[str, Any] = {
            "prompt": self.prompt,
            "image_url": image_url,
            "resolution": self.resolution,
            "duration": str(self.duration),
            "negative_prompt": self.negative_prompt,
            "enable_prompt_expansion": self.enable_prompt_expansion,
            "multi_shots": self.multi_shots,
            "enable_safety_checker": self.enable_safety_checker,
        }
        if audio_url is not None:
            arguments["audio_url"] = audio_url
        if self.seed is not None:
            arguments["seed"] = self.seed
        return arguments

    # ---- (de)serialisation ------------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        """Plain data for JSON (sidecars, the job table, settings)."""
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> GenerationRequest:
        """The inverse of :meth:`to_dict`; unknown keys are ignored (newer files)."""
        names = {f.name for f in dataclasses.fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in names})

    def replace(self, **changes: Any) -> GenerationRequest:
        """A copy with some inputs changed."""
        return dataclasses.replace(self, **changes)


def _check_text(name: str, value: object, *, required: bool) -> list[Problem]:
    spec = limits.INPUTS[name]
    if not isinstance(value, str):
        return [Problem(name, f"{spec.label} must be text.")]
    if required and not value.strip():
        return [Problem(name, f"{spec.label} is required: describe the motion you want.")]
    # len() of a str counts code points: emoji, ZWJ parts and combining marks each count one,
    # as the API counts them.
    count = len(value)
    assert spec.max_chars is not None
    if count > spec.max_chars:
        return [
            Problem(
                name,
                f"{spec.label} is {count} characters; the limit is {spec.max_chars} "
                f"(remove {count - spec.max_chars}).",
            )
        ]
    return []


def _is_loopback_url(url: str) -> bool:
    from urllib.parse import urlsplit

    host = (urlsplit(url).hostname or "").lower()
    return host in {"127.0.0.1", "localhost", "::1"}
