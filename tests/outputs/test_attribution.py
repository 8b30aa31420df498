"""Lever attribution: wedges add up to the reduction exactly, and go to the right lever."""

from __future__ import annotations

import itertools

import pytest
from builders import Dataset, steel_and_hydrogen, write_scenario
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from optimizer.runner import solve_scenario

_counter = itertools.count()


def assert_wedges_add_up(run) -> None:
    abatement = run.tables["abatement"]
    emissions = run.summary["emissions"]
    first = run.data.years[0]
    for year in run.data.years:
        total = abatement.query("year == @year")["abatement"].sum()
        assert total == pytest.approx(emissions[str(first)] - emissions[str(year)], abs=1e-6)


def test_wedges_add_up_and_name_the_levers(solve):
    run = solve(steel_and_hydrogen(), end=2035, extra="cap = { 2035 = 3 }")
    assert run.status == "optimal"
    assert_wedges_add_up(run)
    wedges = run.tables["abatement"].query("year == 2035").set_index("lever")["abatement"]
    assert wedges["demand"] == pytest.approx(2 * 2.0)  # 2 Mt less steel at 2 t/t in 2025
    captured = run.tables["emissions"].query("scope == 'captured' and year == 2035")["value"].sum()
    assert wedges["ccus"] == pytest.approx(-captured)
    assert wedges["hydrogen"] > 0
    assert set(run.tables["abatement"]["lever"]) == {
        "feedstock_substitution",
        "electrification",
        "clean_power",
        "hydrogen",
        "ccus",
        "efficiency",
        "demand",
        "other",
    }
    assert run.summary["levers"]["year"] == 2035


def test_grid_decarbonisation_counts_as_clean_power(solve):
    """An all-electric route at 2 GJ/t; the grid factor falls 0.15 → 0.05 t/GJ: 10 Mt × 2 × 0.1 = 2 Mt,
    all of it clean power (the route was already electric: no switching, no electrification)."""
    data = Dataset()
    data.commodity("steel").commodity("electricity", "PJ", "energy", role="grid_electricity")
    data.technology("eaf", variable_om=100, inputs={"electricity": 2.0}, lever="electrification")
    data.demand({2025: 10})
    data.price("electricity", 20, emission_factor=0.15).price("electricity", 20, year=2035, emission_factor=0.05)
    run = solve(data, end=2035)
    wedges = run.tables["abatement"].query("year == 2035").set_index("lever")["abatement"]
    assert wedges["clean_power"] == pytest.approx(2.0)
    assert wedges.drop("clean_power").abs().max() == pytest.approx(0, abs=1e-9)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    cap=st.floats(0.5, 15),
    fall=st.floats(0.3, 1.2),
    grid=st.floats(0.0, 0.2),
    scope=st.sampled_from(["direct", "direct+indirect"]),
)
def test_wedges_add_up_on_random_data(tmp_path, cap, fall, grid, scope):
    data = steel_and_hydrogen()
    data.rows["demand"] = []
    data.demand({2025: 10, 2035: 10 * fall})
    data.rows["commodity_prices"] = [r for r in data.rows["commodity_prices"] if r["commodity"] != "electricity"]
    data.price("electricity", 20, emission_factor=0.15).price("electricity", 20, year=2035, emission_factor=grid)
    n = next(_counter)
    folder = data.write(tmp_path / f"d{n}")
    run = solve_scenario(
        write_scenario(tmp_path, folder, name=f"a{n}", end=2035, scope=scope, extra=f"cap = {{ 2035 = {cap} }}")
    )
    assume(run.status == "optimal")  # a tight cap on a dirty grid can be out of reach
    assert_wedges_add_up(run)


def test_wedges_add_up_when_a_final_product_is_also_a_by_product(solve):
    """bf makes steel and 0.5 t slag per t; a slag route makes slag too; both are demanded.
    The by-product slag reaching demand has no emissions of its own, and the sum stays exact."""
    data = Dataset()
    data.commodity("steel").commodity("slag", kind="material")
    data.technology("bf", variable_om=100, co2=2.0)
    data.add("tech_flows", technology="bf", commodity="slag", direction="out", vintage="", value=0.5)
    data.technology("eaf", variable_om=180, lever="electrification")
    data.technology("slagmaker", output="slag", variable_om=10, co2=0.3, sector="cement")
    data.demand({2025: 10}).demand({2025: 8}, commodity="slag")
    run = solve(data, end=2030, extra="cap = { 2030 = 12 }")
    assert run.status == "optimal"
    assert_wedges_add_up(run)


def _ammonia(extra_2025: float, demand_2035: float, electrolysis_cost: float) -> Dataset:
    """Ammonia from a coal route with 10 Mt/yr of stock that cannot grow (3.6 t/t) or from
    hydrogen (0.18 t H2 per t) made from coal (20 t/t) or by electrolysis. In 2025 hydrogen is
    made only if demand exceeds the coal route's 10 Mt. The hydrogen user's own lever is not
    `hydrogen`, so what its hydrogen wedge takes from the rest depends on hydrogen's reference."""
    data = Dataset()
    data.commodity("ammonia").commodity("hydrogen", role="hydrogen")
    data.commodity("electricity", "PJ", "energy", role="grid_electricity")
    data.technology("nh3_coal", output="ammonia", variable_om=100, co2=3.6, sector="chemicals")
    data.technology("nh3_h2", output="ammonia", variable_om=50, inputs={"hydrogen": 0.18},
                    lever="feedstock_substitution", sector="chemicals")  # fmt: skip
    data.technology("h2_coal", output="hydrogen", variable_om=500, co2=20.0, sector="hydrogen_supply")
    data.technology("electrolysis", output="hydrogen", variable_om=electrolysis_cost, inputs={"electricity": 200},
                    lever="hydrogen", sector="hydrogen_supply")  # fmt: skip
    data.add("stock", region="R1", technology="nh3_coal", year=2025, capacity=10)
    data.add("bounds", region="R1", technology="nh3_coal", year=2025, bound="max_new_capacity", value=0)
    data.demand({2025: 10 + extra_2025, 2035: demand_2035}, commodity="ammonia")
    data.price("electricity", 20, emission_factor=0.15).price("electricity", 20, year=2035, emission_factor=0.02)
    return data


@settings(max_examples=5, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(demand_2035=st.floats(8, 14), electrolysis_cost=st.floats(200, 1500), cap=st.floats(5, 20))
def test_wedges_are_continuous_when_an_intermediate_first_appears(tmp_path, demand_2035, electrolysis_cost, cap):
    """1e-6 Mt more ammonia in 2025 makes 1.8e-7 Mt of hydrogen appear that year. Hydrogen's 2025
    reference intensity is then coal hydrogen's, and it must already be that without it (the
    least-cost route for the first unit), so no 2035 wedge moves by more than a proportionate
    amount: here 1e-4 MtCO2 (the whole 2025 change is 1e-6 × 3.6 t/t)."""
    wedges = []
    for extra in (0.0, 1e-6):
        n = next(_counter)
        folder = _ammonia(extra, demand_2035, electrolysis_cost).write(tmp_path / f"c{n}")
        run = solve_scenario(write_scenario(tmp_path, folder, name=f"c{n}", end=2035, extra=f"cap = {{ 2035 = {cap} }}"))
        assume(run.status == "optimal")
        assert_wedges_add_up(run)
        wedges.append(run.tables["abatement"].query("year == 2035").set_index("lever")["abatement"])
    assert (wedges[1] - wedges[0]).abs().max() <= 1e-4
