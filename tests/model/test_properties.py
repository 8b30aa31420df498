"""Invariants on small random datasets (hypothesis): they must hold for any data."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest
from builders import Dataset, write_scenario
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from optimizer.runner import solve_scenario

_counter = itertools.count()

routes = st.lists(
    st.tuples(
        st.floats(10, 500),  # variable O&M, CNY/t
        st.floats(0, 3),  # direct CO2, t/t
        st.floats(0, 3),  # electricity, GJ/t
        st.floats(0, 2000),  # capex, CNY/(t/yr)
    ),
    min_size=1,
    max_size=3,
)
cases = st.fixed_dictionaries(
    {
        "routes": routes,
        "demand": st.floats(1, 20),
        "growth": st.floats(0.5, 2.0),
        "power_price": st.floats(5, 60),
        "grid_factor": st.floats(0, 0.2),
        "rate": st.sampled_from([0.0, 0.05]),
        "cap_share": st.floats(0.0, 1.0),
    }
)
PROPERTY = settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def _dataset(case: dict, scale: float = 1.0) -> Dataset:
    """Random dirty routes plus one clean, dear route so every cap ≥ 0 is feasible."""
    data = Dataset(discount_rate=case["rate"])
    data.commodity("steel").commodity("electricity", "PJ", "energy", role="grid_electricity")
    for number, (vom, co2, power, capex) in enumerate(case["routes"]):
        data.technology(
            f"route{number}",
            variable_om=vom * scale,
            co2=co2,
            capex=capex * scale,
            life=20,
            inputs={"electricity": power} if power else None,
        )
    data.technology("clean", variable_om=900 * scale, fixed_om=5 * scale, lever="hydrogen")
    data.demand({2025: case["demand"], 2035: case["demand"] * case["growth"]})
    data.price("electricity", case["power_price"] * scale, emission_factor=case["grid_factor"])
    return data


def _solve(tmp_path: Path, data: Dataset, extra: str = ""):
    n = next(_counter)
    folder = data.write(tmp_path / f"d{n}")
    return solve_scenario(write_scenario(tmp_path, folder, name=f"p{n}", end=2035, extra=extra))


def _uncapped_2035(tmp_path: Path, case: dict) -> float:
    run = _solve(tmp_path, _dataset(case))
    return run.summary["emissions"]["2035"]


@PROPERTY
@given(case=cases, loosen=st.floats(0.0, 5.0))
def test_looser_cap_never_costs_more(tmp_path, case, loosen):
    cap = case["cap_share"] * _uncapped_2035(tmp_path, case)
    tight = _solve(tmp_path, _dataset(case), f"cap = {{ 2035 = {cap} }}")
    loose = _solve(tmp_path, _dataset(case), f"cap = {{ 2035 = {cap + loosen} }}")
    assert tight.status == loose.status == "optimal"
    assert loose.result.objective <= tight.result.objective * (1 + 1e-7) + 1e-6
    tight_price = tight.tables["carbon_price"].set_index("year")["price"][2035]
    loose_price = loose.tables["carbon_price"].set_index("year")["price"][2035]
    assert loose_price <= tight_price + 1e-5


@PROPERTY
@given(case=cases, scale=st.floats(0.1, 10.0))
def test_scaling_every_cost_scales_the_objective(tmp_path, case, scale):
    cap = case["cap_share"] * _uncapped_2035(tmp_path, case)
    base = _solve(tmp_path, _dataset(case), f"cap = {{ 2035 = {cap} }}")
    scaled = _solve(tmp_path, _dataset(case, scale), f"cap = {{ 2035 = {cap} }}")
    assert scaled.result.objective == pytest.approx(base.result.objective * scale, rel=1e-6, abs=1e-6)


@PROPERTY
@given(case=cases)
def test_emissions_never_exceed_the_cap_and_demand_is_met(tmp_path, case):
    cap = case["cap_share"] * _uncapped_2035(tmp_path, case)
    run = _solve(tmp_path, _dataset(case), f"cap = {{ 2030 = {cap * 1.5}, 2035 = {cap} }}")
    assert run.status == "optimal"
    emissions = run.summary["emissions"]
    assert emissions["2035"] <= cap + 1e-6
    assert emissions["2030"] <= max(cap * 1.5, cap) + 1e-6
    made = run.tables["production"].query("commodity == 'steel'").groupby("year")["value"].sum()
    for year in run.data.years:
        assert made[year] >= run.data.demand[("R1", "steel", year)] - 1e-6
    costs = run.tables["costs"]["discounted"].sum()
    assert costs == pytest.approx(run.result.objective, rel=1e-7, abs=1e-6)
