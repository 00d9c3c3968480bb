"""Variants: one click (or one ``generate --variants N``) expanded into a take group.

Two modes. ``seeds``: the same request with N seeds, consecutive from the chosen seed (a random
start when the seed is random) or N random ones. ``prompts``: 2–4 prompt alternatives, each run
with the same N seeds, so a take differs from its neighbour by the prompt alone; at most
:data:`MAX_TAKES` jobs in all. Every take carries a short label (``seed 1234``,
``prompt B · seed 1234``) that the library keeps as the entry's ``variant``, and its 1-based
place in the queue order (``take``), which the library keeps so a contact sheet shows the
takes in that order however they finish; the runner gives all takes of one click one group id
(``library.ids.new_group_id``).

Pure functions of plain data: any thread, no I/O.
"""

from __future__ import annotations

import random
import secrets
from dataclasses import dataclass

from . import limits, pricing
from .problems import InvalidInputError, Problem
from .request import GenerationRequest

__all__ = [
    "MAX_PROMPTS",
    "MAX_TAKES",
    "MIN_PROMPTS",
    "MODES",
    "Variant",
    "VariantPlan",
    "expand",
    "group_price_usd",
    "plan_problems",
    "take_count",
]

#: The most jobs one click queues (a contact sheet shows at most 3×3 with room to spare).
MAX_TAKES = 8
MIN_PROMPTS = 2
MAX_PROMPTS = 4
MODES = ("seeds", "prompts")
_SEED_SPAN = limits.SEED_MAX - limits.SEED_MIN + 1


@dataclass(frozen=True, slots=True)
class VariantPlan:
    """How to expand one request into takes.

    ``mode`` is ``"seeds"`` or ``"prompts"``; ``count`` is the number of seeds per prompt
    (1–:data:`MAX_TAKES`); ``prompts`` holds the alternatives in ``prompts`` mode
    (:data:`MIN_PROMPTS`–:data:`MAX_PROMPTS`, ignored in ``seeds`` mode); ``random_seeds``
    draws each seed at random instead of counting up from the request's seed.
    """

    mode: str = "seeds"
    count: int = 1
    prompts: tuple[str, ...] = ()
    random_seeds: bool = False


@dataclass(frozen=True, slots=True)
class Variant:
    """One take of a group: the request to send, its label (``seed 1234``,
    ``prompt B · seed 1234``; empty for a lone take) and its 1-based place in the group's
    queue order (0 for a lone take)."""

    request: GenerationRequest
    label: str
    take: int = 0


def take_count(plan: VariantPlan) -> int:
    """How many jobs ``plan`` makes (whether or not it is valid)."""
    if plan.mode == "prompts":
        return max(plan.count, 0) * len(plan.prompts)
    return max(plan.count, 0)


def plan_problems(plan: VariantPlan) -> list[str]:
    """Every problem with ``plan`` (empty when it can be expanded). Each message names the
    field and the limit."""
    problems: list[str] = []
    if plan.mode not in MODES:
        problems.append(f"Variant mode must be 'seeds' or 'prompts' (got {plan.mode!r}).")
        return problems
    count = plan.count
    if isinstance(count, bool) or not isinstance(count, int) or not 1 <= count <= MAX_TAKES:
        problems.append(f"Variants: the count must be 1 to {MAX_TAKES} (got {count!r}).")
        return problems
    if plan.mode == "prompts":
        problems += _prompt_problems(plan)
    return problems


def _prompt_problems(plan: VariantPlan) -> list[str]:
    problems: list[str] = []
    n = len(plan.prompts)
    if not MIN_PROMPTS <= n <= MAX_PROMPTS:
        problems.append(
            f"Prompt alternatives: write {MIN_PROMPTS} to {MAX_PROMPTS} prompts (got {n})."
        )
    for letter, text in zip(_letters(n), plan.prompts, strict=True):
        if not isinstance(text, str) or not text.strip():
            problems.append(f"Prompt alternatives: prompt {letter} is empty.")
    if n and plan.count * n > MAX_TAKES:
        problems.append(
            f"Variants: {n} prompts × {plan.count} seeds make {n * plan.count} takes; "
            f"at most {MAX_TAKES}."
        )
    return problems


def expand(
    request: GenerationRequest, plan: VariantPlan, *, rng: random.Random | None = None
) -> list[Variant]:
    """The takes of ``plan`` applied to ``request``, in queue order (prompt by prompt, seed by
    seed), numbered from 1 in that order (``Variant.take``). At most :data:`MAX_TAKES`.

    A plan of one seed in ``seeds`` mode returns ``request`` unchanged with an empty label: a
    lone take is not a group. Consecutive seeds wrap from ``SEED_MAX`` to ``SEED_MIN``.
    ``rng`` draws the random seeds (tests pass a seeded one; default: the OS's randomness).
    Raises :class:`InvalidInputError` (field ``variants``) when the plan has problems.
    """
    problems = plan_problems(plan)
    if problems:
        raise InvalidInputError([Problem("variants", message) for message in problems])
    if plan.mode == "seeds" and plan.count == 1 and not plan.random_seeds:
        return [Variant(request, "")]
    seeds = _seeds(request.seed, plan.count, plan.random_seeds, rng)
    if plan.mode == "seeds":
        return [
            Variant(request.replace(seed=s), f"seed {s}", take)
            for take, s in enumerate(seeds, start=1)
        ]
    takes = []
    for letter, prompt in zip(_letters(len(plan.prompts)), plan.prompts, strict=True):
        for s in seeds:
            takes.append(
                Variant(
                    request.replace(prompt=prompt, seed=s),
                    f"prompt {letter} · seed {s}",
                    len(takes) + 1,
                )
            )
    return takes


def group_price_usd(variants: list[Variant], *, price: pricing.PriceQuote | None = None) -> float:
    """The price of all takes: the sum of each job's estimate (``price``: the current one)."""
    total = sum(
        pricing.estimate_usd(
            v.request.resolution,
            v.request.duration,
            generate_audio=v.request.generate_audio,
            price=price,
        )
        for v in variants
    )
    return round(total, 4)


def _seeds(start: int | None, count: int, at_random: bool, rng: random.Random | None) -> list[int]:
    draw = rng.randrange if rng is not None else secrets.randbelow
    if at_random:
        chosen: list[int] = []
        while len(chosen) < count:  # distinct: two takes of one seed would be one take twice
            seed = limits.SEED_MIN + draw(_SEED_SPAN)
            if seed not in chosen:
                chosen.append(seed)
        return chosen
    first = limits.SEED_MIN + draw(_SEED_SPAN) if start is None else start
    return [limits.SEED_MIN + (first - limits.SEED_MIN + i) % _SEED_SPAN for i in range(count)]


def _letters(n: int) -> list[str]:
    return [chr(ord("A") + i) for i in range(n)]
