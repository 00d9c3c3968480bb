"""Queueing a generation without widgets: the plain service the window's Generate awaits
(driven on the tests' loop, as the window drives it)."""

from __future__ import annotations

from ui_fakes import FakeRunner

from wan_desktop.core.request import GenerationRequest
from wan_desktop.core.settings_store import SettingsStore
from wan_desktop.ui.generate_flow import GenerateFlow


def _flow(paths, saves: list[int]) -> GenerateFlow:
    flow = GenerateFlow(SettingsStore(paths), persist=lambda: saves.append(1))
    flow.runner = FakeRunner()
    return flow


def test_queues_remembers_the_prompt_and_asks_to_save(run, paths, good_image):
    saves: list[int] = []
    flow = _flow(paths, saves)
    outcome = run(flow.enqueue(GenerationRequest(prompt="Fog", image=str(good_image))))
    assert outcome.queued and outcome.job is not None and outcome.job.parent_id is None
    assert flow.recent_prompts() == ["Fog"] and saves == [1]
    assert "Queued" in outcome.message


def test_a_continuation_names_its_parent(run, paths, good_image):
    flow = _flow(paths, [])
    flow.parent_for = lambda request: "entry7" if request.image == str(good_image) else None
    outcome = run(flow.enqueue(GenerationRequest(prompt="On", image=str(good_image))))
    assert outcome.job is not None and outcome.job.parent_id == "entry7"


def test_a_refusal_comes_back_by_field_and_nothing_is_remembered(run, paths, good_image):
    saves: list[int] = []
    flow = _flow(paths, saves)
    outcome = run(flow.enqueue(GenerationRequest(prompt="x" * 5000, image=str(good_image))))
    assert not outcome.queued
    assert [p.field for p in outcome.problems] == ["prompt"]
    assert flow.recent_prompts() == [] and saves == []


def test_before_the_engine_runs_nothing_is_queued(run, paths, good_image):
    flow = GenerateFlow(SettingsStore(paths))
    outcome = run(flow.enqueue(GenerationRequest(prompt="a", image=str(good_image))))
    assert not outcome.queued and "still starting" in outcome.message


def test_variants_queue_one_take_group(run, paths, good_image):
    from wan_desktop.core.variants import VariantPlan

    saves: list[int] = []
    flow = _flow(paths, saves)
    request = GenerationRequest(prompt="Fog", image=str(good_image), seed=10)
    outcome = run(flow.enqueue(request, VariantPlan(count=3)))
    assert outcome.queued and len(outcome.jobs) == 3
    assert len({job.group_id for job in outcome.jobs}) == 1
    assert [job.variant for job in outcome.jobs] == ["seed 10", "seed 11", "seed 12"]
    assert outcome.job is outcome.jobs[0]
    assert "3 takes" in outcome.message
    assert flow.recent_prompts() == ["Fog"] and saves == [1]
    # One seed is a lone job, not a group.
    lone = run(flow.enqueue(request, VariantPlan(count=1)))
    assert len(lone.jobs) == 1 and lone.job.group_id is None


def test_a_spending_cap_refuses_and_says_why(run, paths, good_image):
    from wan_desktop.core.budget import BudgetRefusal

    flow = _flow(paths, [])
    refusal = BudgetRefusal("daily", 1.0, 0.9, 0.0, 0.25, 1, "Over the daily spending cap …")
    flow.runner.refusal = refusal
    assert flow.budget_refusal(0.25, 1) is refusal
    outcome = run(flow.enqueue(GenerationRequest(prompt="Fog", image=str(good_image))))
    assert not outcome.queued and outcome.refusal is refusal
    assert [p.field for p in outcome.problems] == ["budget"]
    assert outcome.message == refusal.message
    assert flow.recent_prompts() == []


def test_no_budget_answer_before_the_engine_runs(paths):
    assert GenerateFlow(SettingsStore(paths)).budget_refusal(1.0, 1) is None
