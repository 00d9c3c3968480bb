"""The engine's stand-in for fal's prompt expansion: a plausible, deterministic rewrite."""

from __future__ import annotations

import random

from .render import camera_move

__all__ = ["expand_prompt"]

_LIGHT = (
    "Soft golden-hour light with gentle shadows.",
    "Even, diffuse daylight keeps the colours natural.",
    "Warm key light from the side with a cool fill.",
    "Moody low-key lighting with a subtle rim light.",
    "Bright, high-key lighting with crisp detail.",
    "Cinematic contrast with a slight film grain.",
)
_MOTION = (
    "Subtle natural motion brings the scene to life while the subject stays coherent.",
    "Small, realistic movements; the composition of the first frame is kept.",
    "Fine details stir gently, with smooth and stable motion throughout.",
)


def expand_prompt(prompt: str, seed: int, *, multi_shots: bool = False) -> str:
    """``prompt`` plus sentences about the camera move (the one the seed renders), the light
    and the motion; with ``multi_shots`` a two-shot outline. Pure: same inputs, same text."""
    rng = random.Random(f"expand:{seed}")
    move = camera_move(seed)
    parts = [
        prompt.strip().rstrip(".") + ".",
        f"The camera makes a {move.name}.",
        rng.choice(_LIGHT),
        rng.choice(_MOTION),
    ]
    if multi_shots:
        parts.append(
            "Shot 1: continue from the first frame as described. "
            "Shot 2: a closer view of the same subject, matching light and colour."
        )
    return " ".join(parts)
