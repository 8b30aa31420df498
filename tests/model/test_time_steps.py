"""The same dataset gives the same answer at any time step (DESIGN §2): yearly growth seeds,
per-year limits, partial periods for lives that are not multiples of the step.

Set-up unless stated: one region R1, product `steel` (Mt), zero capex.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from builders import Dataset, write_scenario
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from optimizer.finance import capital_recovery_factor, discount_factor
from optimizer.runner import solve_scenario

MILESTONES = range(2025, 2046, 5)


def test_seed_is_yearly_so_step_one_and_five_agree(solve):
    """Demand 100, a cheap new route with g = 0 and a seed of 2 Mt/yr: one year's seed in 2025,
    then 2 Mt more every year: 2, 12, 22 Mt in 2025, 2030, 2035 at either step (a per-milestone
    seed gave 22 Mt at step 1 but 6 Mt at step 5)."""
    outputs = {}
    for step in (1, 5):
        data = Dataset()
        data.commodity("steel")
        data.technology("old", variable_om=200).technology("new", variable_om=100, lever="hydrogen")
        data.demand({2025: 100})
        data.add("bounds", region="R1", technology="new", year=2025, bound="max_growth", value=0.0)
        data.add("bounds", region="R1", technology="new", year=2025, bound="growth_seed", value=2.0)
        production = solve(data, end=2035, step=step).tables["production"].set_index(["technology", "year"])
        outputs[step] = [production["value"][("new", y)] for y in (2025, 2030, 2035)]
    assert outputs[1] == pytest.approx([2, 12, 22])
    assert outputs[5] == pytest.approx([2, 12, 22])


def test_a_life_that_ends_inside_a_milestone_serves_only_its_years(solve):
    """Step 10 (milestones 2025, 2035 and 2045, representing 10, 10 and 1 years), life 12,
    demand 10 Mt, capex 120 CNY per t/yr at rate 0 (annuity 10 CNY/t/yr).

    The 2025 vintage lives 2025–2036: at the 2035 milestone it serves 2 of 10 years, so it
    covers 2 Mt of the average 10 Mt and 8 Mt must be built in 2035 (rounding the life up to
    the step would let it serve all of 2035–2044 and build nothing). In 2045 the 2025 vintage
    is gone: 2 Mt more. Annuities are charged for the years each vintage lives inside the
    horizon: 10 × 10 × 12 + 8 × 10 × 11 + 2 × 10 × 1 = 2,100 million CNY.
    """
    data = Dataset()
    data.commodity("steel")
    data.technology("plant", capex=120, life=12)
    data.demand({2025: 10})
    run = solve(data, end=2045, step=10)
    new = run.tables["capacity"].set_index("year")["new"]
    assert [new[y] for y in (2025, 2035, 2045)] == pytest.approx([10, 8, 2])
    assert run.result.objective == pytest.approx(2100)
    investment = run.tables["costs"].query("component == 'investment'").set_index("year")["value"]
    assert [investment[y] for y in (2025, 2035, 2045)] == pytest.approx([100, 0.2 * 100 + 80, 80 + 20])


def test_annuity_is_charged_for_exactly_the_years_a_vintage_lives(solve):
    """Rate 10 %, life 12, capex 1,000 CNY per t/yr (annuity 146.763), 1 Mt needed in 2025–2029
    only; milestones 2025, 2035 (2035–2039) and 2040. The vintage lives 2025–2036: it is charged
    for those twelve years, each at its own discount factor, and for nothing after."""
    data = Dataset(discount_rate=0.1)
    data.commodity("steel")
    data.technology("plant", capex=1000, life=12)
    data.demand({2025: 1, 2029: 1, 2030: 0})
    run = solve(data, end=2040, step=10)
    annuity = 1000 * capital_recovery_factor(0.1, 12)
    assert annuity == pytest.approx(146.763, abs=1e-3)
    expected = sum(annuity * discount_factor(0.1, t, 2025) for t in range(2025, 2037))
    assert run.result.objective == pytest.approx(expected)


@pytest.mark.parametrize("step", [1, 5])
def test_a_stock_schedule_serves_the_same_at_any_step(solve, step):
    """Stock of 10 Mt/yr retiring linearly to 0 in 2035 serves 10 + 9 + … + 1 = 55 Mt over
    2025–2034 at step 1; at step 5 each milestone counts the schedule's average over its years
    (8 and 3 Mt/yr, × 5 years): 55 Mt again. The rest of 11 × 10 Mt comes from a dear route, so
    the cost is 100 × 55 + 200 × 55 = 16,500 at both steps."""
    data = Dataset()
    data.commodity("steel")
    data.technology("old", variable_om=100).technology("dear", variable_om=200)
    data.add("bounds", region="R1", technology="old", year=2025, bound="max_new_capacity", value=0)
    data.demand({2025: 10})
    for year, capacity in ((2025, 10), (2035, 0)):
        data.add("stock", region="R1", technology="old", year=year, capacity=capacity)
    run = solve(data, end=2035, step=step)
    assert run.result.objective == pytest.approx(16500)


def test_a_capacity_limit_counts_stock_for_the_years_it_stands(solve):
    """Stock of 10 Mt/yr retiring linearly to 0 in 2035, a cap of 10 Mt/yr on the route's
    capacity, demand 10 Mt, step 5. Over 2025–2029 the stock stands at 10, 9, …, 6 (share 0.8 of
    its 2025 value) and over 2030–2034 at 5, …, 1 (share 0.6 of 5), so 2, 5 and 3 Mt/yr are built
    in 2025, 2030 and 2035 and nothing is retired early. Counting the stock at its milestone
    value instead (10 + 2 > 10) forced the whole stock out in 2025 to make room."""
    data = Dataset()
    data.commodity("steel")
    data.technology("plant", capex=100, life=40)
    data.demand({2025: 10})
    for year, capacity in ((2025, 10), (2035, 0)):
        data.add("stock", region="R1", technology="plant", year=year, capacity=capacity)
    data.add("bounds", region="R1", technology="plant", year=2025, bound="max_capacity", value=10)
    capacity = solve(data, end=2035, step=5).tables["capacity"].set_index("year")
    assert [capacity["new"][y] for y in (2025, 2030, 2035)] == pytest.approx([2, 5, 3])
    assert capacity["retired"].sum() == pytest.approx(0)


def _bounded_case(growth: float, seed: float, life: int, build_rate: float, rate: float) -> Dataset:
    """A dear incumbent and two cheap routes held back by diffusion: `grower` by a growth limit
    and a seed (its life ends inside the horizon, and not at a milestone), `builder` by a maximum
    new build per year. Demand is large, so both run at their limits."""
    data = Dataset(discount_rate=rate)
    data.commodity("steel")
    data.technology("dear", variable_om=100)
    data.technology("grower", variable_om=10, life=life, lever="hydrogen")
    data.technology("builder", variable_om=20, life=40, lever="electrification")
    data.demand({2025: 10_000})
    data.add("bounds", region="R1", technology="grower", year=2025, bound="max_growth", value=growth)
    data.add("bounds", region="R1", technology="grower", year=2025, bound="growth_seed", value=seed)
    data.add("bounds", region="R1", technology="builder", year=2025, bound="max_new_capacity", value=build_rate)
    return data


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    growth=st.sampled_from([0.0, 0.1, 0.25]),
    seed=st.sampled_from([0.5, 2.0]),
    life=st.sampled_from([6, 7, 9, 12, 13]),
    build_rate=st.sampled_from([1.0, 3.0]),
    rate=st.sampled_from([0.0, 0.06]),
)
def test_binding_diffusion_reaches_the_same_output_at_step_one_and_five(
    tmp_path: Path, growth, seed, life, build_rate, rate
):
    """Bound asserted: each route's output at the shared milestones equal to 1e-6 (relative).
    Growth limits are yearly and act on the capacity in use, new-build limits are yearly, so a
    5-year step allows exactly what five annual steps do; a grower whose plants die inside a
    step is rebuilt within the same envelope (at step 5 it builds the replacement a little
    earlier, so installed capacity may differ while output does not). (Costs differ by more
    than discounting here: a 5-year step holds output flat over its years while the annual model
    grows it every year; see the next test for costs.)"""
    data = _bounded_case(growth, seed, life, build_rate, rate)
    folder = data.write(tmp_path / f"data-{growth}-{seed}-{life}-{build_rate}-{rate}")
    output = {}
    for step in (1, 5):
        scenario = write_scenario(tmp_path, folder, name=f"step{step}", end=2045, step=step)
        run = solve_scenario(scenario)
        assert run.status == "optimal"
        output[step] = run.tables["production"].set_index(["technology", "year"])["value"]
    for technology in ("grower", "builder"):
        annual = [output[1].get((technology, y), 0.0) for y in MILESTONES]
        five = [output[5].get((technology, y), 0.0) for y in MILESTONES]
        assert five == pytest.approx(annual, rel=1e-6, abs=1e-6)
    assert output[5][("grower", 2045)] > 0
    assert output[5][("builder", 2045)] == pytest.approx(21 * build_rate)


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    rate=st.sampled_from([0.0, 0.03, 0.08]),
    capex=st.sampled_from([0.0, 500.0, 1500.0]),
    fixed_om=st.sampled_from([0.0, 20.0]),
    demand_2040=st.sampled_from([10.0, 16.0]),
)
def test_without_diffusion_limits_cost_is_the_same_at_any_step(tmp_path: Path, rate, capex, fixed_om, demand_2040):
    """Bound asserted: objectives at step 1 and step 5 equal to 1e-9 (relative) when the pathway
    itself cannot differ (demand changes only at milestone years, plants outlive the horizon):
    each milestone's annual cost is weighted by the exact discount factors of its years, and an
    annuity by those of the years its vintage lives, so discounting granularity costs nothing."""
    data = Dataset(discount_rate=rate)
    data.commodity("steel")
    data.technology("plant", capex=capex, fixed_om=fixed_om, variable_om=30, life=45)
    data.demand({2025: 10, 2039: 10, 2040: demand_2040})
    folder = data.write(tmp_path / f"data-{rate}-{capex}-{fixed_om}-{demand_2040}")
    objectives = [
        solve_scenario(write_scenario(tmp_path, folder, name=f"s{step}", end=2045, step=step)).result.objective
        for step in (1, 5)
    ]
    assert objectives[1] == pytest.approx(objectives[0], rel=1e-9)


def test_a_tail_makes_the_last_milestone_stand_for_more_years(solve):
    """`tail = 10`: 2030, the last milestone, stands for 2030–2039 at its state. At rate 0 the cost
    is 10 Mt × 100 CNY/t × (5 + 10) years, and a cap binding in 2030 keeps its per-tonne price:
    the cap's dual is divided by the ten years it now covers (the binding-cap case: 50 CNY/t)."""
    data = Dataset()
    data.commodity("steel").commodity("electricity", "PJ", "energy", role="grid_electricity")
    data.technology("bf", variable_om=100, co2=2.0)
    data.technology("eaf", variable_om=150, inputs={"electricity": 2.0}, lever="electrification")
    data.demand({2025: 10}).price("electricity", 20, emission_factor=0.1)
    plain = solve(data, end=2030)
    tailed = solve(data, end=2030, extra="cap = { 2030 = 5 }", tail=10)
    assert plain.result.objective == pytest.approx(10 * 100 * 6)
    assert tailed.data.weight == {2025: 5, 2030: 10}
    assert tailed.result.objective == pytest.approx(10 * 100 * 5 + 10 * (5 / 3 * 100 + 25 / 3 * 190))
    assert tailed.tables["carbon_price"].set_index("year")["price"][2030] == pytest.approx(50)
    assert tailed.summary["tail"] == 10
