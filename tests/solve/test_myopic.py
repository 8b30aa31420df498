"""Myopic foresight: windows on one HiGHS session, hand-checked against perfect foresight."""

from __future__ import annotations

import pandas as pd
import pytest
from builders import Dataset


def _stranding_case() -> Dataset:
    """Steel 10 Mt/yr from a cheap emitter (bf: 100 CNY/t, 2 t/t) or a clean route (120 CNY/t);
    both cost 1,000 CNY per t/yr to build, life 40 (annuity 25 CNY/t/yr at rate 0); 2040 on,
    a cap of 0. Annuities are charged for the years inside the horizon (2025–2060).

    Perfect foresight builds clean in 2025: 36 × (25 + 120) = 5,220 per t/yr against bf then
    clean, 36 × 25 + 15 × 100 + 21 × (25 + 120) = 5,445. A 5-year window sees only 2025–2029
    and builds bf (25 + 100 < 25 + 120); the 2040 cap then strands it: 10 Mt/yr retired early
    and clean built in 2040. Cost 10 × 5,445 = 54,450 against 52,200."""
    data = Dataset()
    data.commodity("steel")
    data.technology("bf", variable_om=100, capex=1000, life=40, co2=2.0)
    data.technology("clean", variable_om=120, capex=1000, life=40, lever="hydrogen")
    data.demand({2025: 10})
    return data


def test_myopia_builds_a_plant_that_a_later_cap_strands(solve):
    perfect = solve(_stranding_case(), end=2060, extra="cap = { 2040 = 0 }")
    assert perfect.result.objective == pytest.approx(52200)
    new = perfect.tables["capacity"].query("new > 0").set_index(["technology", "year"])["new"]
    assert new.to_dict() == pytest.approx({("clean", 2025): 10})
    myopic = solve(_stranding_case(), end=2060, extra='cap = { 2040 = 0 }\n[foresight]\nmode = "myopic"\nwindow = 5')
    assert myopic.status == "optimal"
    assert myopic.result.objective == pytest.approx(54450)
    capacity = myopic.tables["capacity"].set_index(["technology", "year"])
    assert capacity.loc[("bf", 2025), "new"] == pytest.approx(10)
    assert capacity.loc[("bf", 2040), "retired"] == pytest.approx(10)
    assert capacity.loc[("clean", 2040), "new"] == pytest.approx(10)
    foresight = myopic.summary["foresight"]
    assert foresight["mode"] == "myopic"
    assert [w["start"] for w in foresight["windows"]] == list(range(2025, 2061, 5))
    assert all(w["status"] == "optimal" for w in foresight["windows"])
    assert perfect.summary["foresight"] == {"mode": "perfect"}
    # the 2040 cap's price is the one the 2040 window saw: clean against bf's running cost
    # (the bf annuity is sunk): (120 + 25 − 100) / 2 = 22.5 CNY/tCO2
    assert myopic.tables["carbon_price"].set_index("year")["price"][2040] == pytest.approx(22.5)


def test_a_window_over_the_whole_horizon_equals_perfect_foresight(solve):
    data = _stranding_case()
    data.technology("eaf", variable_om=110, capex=600, life=23, inputs={}, lever="electrification")
    data.add("bounds", region="R1", technology="clean", year=2025, bound="max_growth", value=0.2)
    data.add("bounds", region="R1", technology="clean", year=2025, bound="growth_seed", value=1)
    extra = "cap = { 2035 = 12, 2050 = 0 }"
    perfect = solve(data, end=2060, extra=extra)
    myopic = solve(data, end=2060, extra=extra + '\n[foresight]\nmode = "myopic"\nwindow = 40')
    assert myopic.result.objective == pytest.approx(perfect.result.objective, rel=1e-9)
    assert len(myopic.summary["foresight"]["windows"]) == 1
    for name, table in perfect.tables.items():
        pd.testing.assert_frame_equal(myopic.tables[name], table, rtol=1e-6, atol=1e-6)


def test_an_infeasible_window_is_diagnosed_and_named(solve):
    """With a 5-year window the 2025 investor builds bf; a 2030 cap of 2 MtCO2 then needs 9 Mt of
    clean steel, but clean may grow only from a 1 Mt/yr seed: the 2030 window has no pathway."""
    data = _stranding_case()
    data.add("bounds", region="R1", technology="clean", year=2025, bound="max_growth", value=0.0)
    data.add("bounds", region="R1", technology="clean", year=2025, bound="growth_seed", value=1)
    data.add("bounds", region="R1", technology="bf", year=2025, bound="max_share", value=1)
    run = solve(data, end=2040, extra='cap = { 2030 = 2 }\n[foresight]\nmode = "myopic"\nwindow = 5')
    assert run.status == "infeasible"
    assert run.diagnosis["window"] == "window 2030–2034"
    assert run.diagnosis["message"].startswith("window 2030–2034, given the decisions of the windows before it")
    assert [w["status"] for w in run.summary["foresight"]["windows"]] == ["optimal", "infeasible"]
