"""``generate``'s request, built from its options and the resolved table.

Before anything is checked, the table and price are resolved (:func:`.live_service.
resolve_for_cli`: the live schema when fal answers within about a second, see
:func:`platform_wait_s`; else the cache, else the bundled table; it never fails). The
limits, the defaults of unset options and the types of ``--param NAME=VALUE`` all come from
that table, so ``generate`` follows fal's current schema. Event-loop coroutines (the key
and settings are read in worker threads).
"""

from __future__ import annotations

import argparse
import asyncio
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ..core.model_schema import ModelSchema, parse_params
from ..core.paths import AppPaths, app_paths
from ..core.pricing import PriceQuote
from ..core.problems import InvalidInputError, Problem
from ..core.request import GenerationRequest
from ..core.secrets import KeyStore
from ..core.settings import load_settings
from ..core.variants import MAX_PROMPTS, VariantPlan, plan_problems
from .live_service import CLI_TIMEOUT_S, ServiceInfo, resolve_for_cli

__all__ = [
    "WAIT_VARIABLE",
    "build_request",
    "platform_wait_s",
    "resolve_service",
    "variant_plan",
]

#: The environment variable that sets how long ``generate`` waits for the Platform API.
WAIT_VARIABLE = "WAN_DESKTOP_PLATFORM_WAIT_S"


async def resolve_service(paths: AppPaths, *, offline: bool) -> ServiceInfo:
    """Resolve and apply the table and price ``generate`` uses (at most about a second).

    The offline engine publishes the bundled table and is free, so nothing is asked for it.
    """
    if offline:
        info = ServiceInfo(ModelSchema.bundled(), PriceQuote.offline())
        info.apply()
        return info
    source = await asyncio.to_thread(KeyStore(paths).get)
    return await resolve_for_cli(
        paths, key=source.key if source else None, timeout_s=platform_wait_s()
    )


def platform_wait_s(environ: Mapping[str, str] | None = None) -> float:
    """How long ``generate`` waits for fal's Platform API, in seconds: ``CLI_TIMEOUT_S``, or
    ``WAN_DESKTOP_PLATFORM_WAIT_S`` when it holds a number (clamped to 0.1–30: a slow link,
    or tests on a loaded machine, may need longer; a bad value is ignored)."""
    text = (os.environ if environ is None else environ).get(WAIT_VARIABLE, "")
    try:
        seconds = float(text)
    except ValueError:
        return CLI_TIMEOUT_S
    if seconds != seconds:  # NaN
        return CLI_TIMEOUT_S
    return min(max(seconds, 0.1), 30.0)


async def build_request(
    args: argparse.Namespace, *, image: str | None = None
) -> tuple[GenerationRequest, ServiceInfo]:
    """The request ``generate`` sends, checked against the resolved table. ``image``, when
    given, replaces ``args.image`` (``--continue-from``: the entry's last frame).

    Raises :class:`InvalidInputError` naming every refused field (an unknown ``--param``,
    a value the schema refuses, a prompt over the live limit); then nothing is sent.
    """
    paths = app_paths()
    settings = await asyncio.to_thread(load_settings, paths)
    offline = bool(args.offline) or settings.backend == "offline"
    info = await resolve_service(paths, offline=offline)
    extra = parse_params(args.param or (), info.schema)
    request = GenerationRequest.with_defaults(
        args.prompt,
        _image(image if image is not None else args.image),
        schema=info.schema,
        **_chosen(args, settings.defaults),
        extra_params=extra,
    )
    problems = request.validate(info.schema)
    if problems:
        raise InvalidInputError(problems)
    return request, info


def variant_plan(args: argparse.Namespace) -> VariantPlan:
    """The takes ``generate`` asks for: ``--variants N`` seeds (``--random-seeds``: drawn at
    random), and in ``prompts`` mode ``--prompt`` with each ``--alt-prompt`` run with those
    seeds. ``--alt-prompt`` alone means ``prompts`` mode. Raises :class:`InvalidInputError`
    (field ``variants``) naming the option and the limit."""
    alternatives = tuple(args.alt_prompt or ())
    mode = args.variant_mode or ("prompts" if alternatives else "seeds")
    if mode == "seeds" and alternatives:
        raise InvalidInputError(
            Problem("variants", "--alt-prompt needs --variant-mode prompts (or no --variant-mode).")
        )
    if mode == "prompts" and not 1 <= len(alternatives) <= MAX_PROMPTS - 1:
        raise InvalidInputError(
            Problem(
                "variants",
                f"--variant-mode prompts: give 1 to {MAX_PROMPTS - 1} --alt-prompt besides "
                f"--prompt (got {len(alternatives)}).",
            )
        )
    prompts = (args.prompt, *alternatives) if mode == "prompts" else ()
    plan = VariantPlan(
        mode=mode, count=args.variants, prompts=prompts, random_seeds=args.random_seeds
    )
    problems = plan_problems(plan)
    if problems:
        raise InvalidInputError([Problem("variants", message) for message in problems])
    return plan


def _image(text: str) -> str:
    if text.startswith(("https://", "http://")):
        return text
    return str(Path(text).expanduser().resolve())


def _chosen(args: argparse.Namespace, settings_defaults: dict[str, Any]) -> dict[str, Any]:
    """The options set on the command line or in the settings; the rest take the table's
    defaults."""
    chosen: dict[str, Any] = {
        "audio": str(Path(args.audio).expanduser().resolve()) if args.audio else None,
        "negative_prompt": args.negative_prompt,
        "seed": args.seed,
    }
    resolution = args.resolution or settings_defaults.get("resolution")
    if resolution:
        chosen["resolution"] = resolution
    duration = args.duration if args.duration is not None else settings_defaults.get("duration")
    if duration is not None:
        chosen["duration"] = int(duration)
    # Flags that only ever turn something off: left out, the table's default holds.
    for flag, name in (
        ("no_prompt_expansion", "enable_prompt_expansion"),
        ("no_safety_checker", "enable_safety_checker"),
        ("silent", "generate_audio"),
    ):
        if getattr(args, flag):
            chosen[name] = False
    if args.multi_shots:
        chosen["multi_shots"] = True
    return chosen
