"""Variants: one request expanded into a take group (seeds mode, prompts mode, the limits)."""

from __future__ import annotations

import random

import pytest

from wan_desktop.core import limits
from wan_desktop.core.pricing import PriceQuote, estimate_usd
from wan_desktop.core.problems import InvalidInputError
from wan_desktop.core.request import GenerationRequest
from wan_desktop.core.variants import (
    MAX_TAKES,
    VariantPlan,
    expand,
    group_price_usd,
    plan_problems,
    take_count,
)

REQUEST = GenerationRequest(prompt="a cat walks", image="/tmp/cat.png", seed=100)


def test_seeds_count_up_from_the_chosen_seed():
    takes = expand(REQUEST, VariantPlan(count=4))
    assert [t.request.seed for t in takes] == [100, 101, 102, 103]
    assert [t.label for t in takes] == ["seed 100", "seed 101", "seed 102", "seed 103"]
    assert {t.request.prompt for t in takes} == {"a cat walks"}
    assert all(t.request.replace(seed=100) == REQUEST for t in takes)


def test_a_random_seed_starts_at_a_random_point_and_still_counts_up():
    request = REQUEST.replace(seed=None)
    takes = expand(request, VariantPlan(count=3), rng=random.Random(7))
    seeds = [t.request.seed for t in takes]
    assert None not in seeds
    span = limits.SEED_MAX - limits.SEED_MIN + 1
    assert seeds == [(seeds[0] + i) % span for i in range(3)]
    other = expand(request, VariantPlan(count=3), rng=random.Random(8))
    assert other[0].request.seed != seeds[0]


def test_consecutive_seeds_wrap_at_the_top():
    takes = expand(REQUEST.replace(seed=limits.SEED_MAX - 1), VariantPlan(count=3))
    assert [t.request.seed for t in takes] == [limits.SEED_MAX - 1, limits.SEED_MAX, 0]


def test_random_seeds_are_distinct_and_reproducible_with_a_seeded_rng():
    plan = VariantPlan(count=8, random_seeds=True)
    first = [t.request.seed for t in expand(REQUEST, plan, rng=random.Random(1))]
    again = [t.request.seed for t in expand(REQUEST, plan, rng=random.Random(1))]
    assert first == again
    assert len(set(first)) == 8
    assert all(limits.SEED_MIN <= s <= limits.SEED_MAX for s in first)
    assert first != list(range(first[0], first[0] + 8))


def test_one_seed_is_a_lone_take_unchanged():
    (take,) = expand(REQUEST.replace(seed=None), VariantPlan(count=1))
    assert take.request == REQUEST.replace(seed=None)
    assert take.label == ""


def test_prompts_mode_is_a_matrix_of_prompts_by_the_same_seeds():
    plan = VariantPlan(mode="prompts", count=2, prompts=("a cat walks", "a cat runs", "a cat sits"))
    takes = expand(REQUEST, plan)
    assert [(t.request.prompt, t.request.seed) for t in takes] == [
        ("a cat walks", 100),
        ("a cat walks", 101),
        ("a cat runs", 100),
        ("a cat runs", 101),
        ("a cat sits", 100),
        ("a cat sits", 101),
    ]
    assert takes[0].label == "prompt A · seed 100"
    assert takes[5].label == "prompt C · seed 101"


def test_takes_are_numbered_from_one_in_queue_order():
    seeds = expand(REQUEST, VariantPlan(count=3))
    assert [t.take for t in seeds] == [1, 2, 3]
    plan = VariantPlan(mode="prompts", count=2, prompts=("a cat walks", "a cat runs"))
    assert [(t.take, t.label) for t in expand(REQUEST, plan)] == [
        (1, "prompt A · seed 100"),
        (2, "prompt A · seed 101"),
        (3, "prompt B · seed 100"),
        (4, "prompt B · seed 101"),
    ]
    (lone,) = expand(REQUEST, VariantPlan(count=1))
    assert lone.take == 0  # a lone take is not a group


def test_prompts_mode_with_one_seed_still_labels_each_take():
    plan = VariantPlan(mode="prompts", count=1, prompts=("one", "two"))
    takes = expand(REQUEST, plan)
    assert [t.label for t in takes] == ["prompt A · seed 100", "prompt B · seed 100"]


@pytest.mark.parametrize(
    ("plan", "words"),
    [
        (VariantPlan(count=0), ["count", "1 to 8", "0"]),
        (VariantPlan(count=9), ["count", "1 to 8", "9"]),
        (VariantPlan(mode="grid"), ["mode", "'grid'"]),
        (VariantPlan(mode="prompts", count=2, prompts=("only one",)), ["2 to 4", "got 1"]),
        (VariantPlan(mode="prompts", count=1, prompts=tuple("abcde")), ["2 to 4", "got 5"]),
        (VariantPlan(mode="prompts", count=3, prompts=("a", "b", "c")), ["9 takes", "at most 8"]),
        (VariantPlan(mode="prompts", count=1, prompts=("a", "  ")), ["prompt B is empty"]),
    ],
)
def test_bad_plans_name_the_field_and_the_limit(plan, words):
    problems = plan_problems(plan)
    assert problems
    text = " ".join(problems)
    for word in words:
        assert word in text
    with pytest.raises(InvalidInputError) as caught:
        expand(REQUEST, plan)
    assert caught.value.fields == ["variants"]


def test_the_limits_hold_at_the_edges():
    assert plan_problems(VariantPlan(count=MAX_TAKES)) == []
    assert len(expand(REQUEST, VariantPlan(count=MAX_TAKES))) == MAX_TAKES
    plan = VariantPlan(mode="prompts", count=2, prompts=("a", "b", "c", "d"))
    assert plan_problems(plan) == []
    assert take_count(plan) == 8
    assert len(expand(REQUEST, plan)) == 8
    # Seeds mode ignores the alternatives (they are the composer's, kept while switching).
    assert take_count(VariantPlan(count=3, prompts=("a", "b"))) == 3


def test_the_group_price_is_the_sum_of_each_take():
    price = PriceQuote.bundled()
    takes = expand(REQUEST.replace(resolution="1080p", duration=5), VariantPlan(count=3))
    one = estimate_usd("1080p", 5, price=price)
    assert group_price_usd(takes, price=price) == pytest.approx(3 * one)
    silent = expand(REQUEST.replace(generate_audio=False), VariantPlan(count=2))
    assert group_price_usd(silent, price=price) == pytest.approx(
        2 * estimate_usd(REQUEST.resolution, REQUEST.duration, generate_audio=False, price=price)
    )
    assert group_price_usd(takes, price=PriceQuote.offline()) == 0.0
