"""Pathway indicators, on hand-solved cases."""

from __future__ import annotations

import pandas as pd
import pytest
from builders import Dataset

from optimizer.outputs.indicators import largest_cut, largest_relative_cut, largest_share_switch, reduction_share


def _growing_demand(retrofit: bool) -> Dataset:
    """10 Mt/yr of bf stock in service to 2060; demand rises to 15 Mt in 2030, so 5 Mt/yr of new bf
    (capex 1,000 per t/yr, life 40) is built then; a 2035 cap of 0 stops bf. Without a retrofit,
    clean steel (capex 1,000) takes all 15 Mt and the 2030 bf sits idle from 2035, well inside the
    first half of its life: 5 × 1,000 of 5 × 1,000 + 15 × 1,000 new-plant capex is stranded (25 %).
    With a zero-emission retrofit of bf, the 2030 plant is converted instead: nothing stranded."""
    data = Dataset()
    data.commodity("steel")
    data.technology("bf", variable_om=100, capex=1000, life=40, co2=2.0)
    data.technology("clean", variable_om=150, capex=1000, life=40, lever="hydrogen")
    if retrofit:
        data.technology("bf_clean", variable_om=150, capex=100, life=30, lever="hydrogen", retrofit_of="bf")
    data.demand({2025: 10, 2029: 10, 2030: 15})
    data.add("stock", region="R1", technology="bf", year=2025, capacity=10)
    return data


def test_new_build_idled_early_is_stranded(solve):
    run = solve(_growing_demand(retrofit=False), end=2040, extra="cap = { 2035 = 0 }")
    stranded = run.summary["indicators"]["stranded_new_build"]
    assert stranded["share"] == pytest.approx(0.25)
    assert stranded["by_route"] == pytest.approx({"bf": 5000})


def test_new_build_idled_after_half_its_life_is_unused_before_its_end(solve):
    """The same case with a cheap short-lived bf (capex 100, 8-year life: 100 + 5 years × 100 of
    O&M beats clean's 25 × 11 + 5 × 150): the 5 Mt built in 2030 idles from 2035, past the first
    half of its life (2034) but before its end (2038). It is not stranded in the first-half
    sense, yet its 500 of capex, of 500 + 15 × 1,000 new-plant capex, is unused before its end."""
    data = Dataset()
    data.commodity("steel")
    data.technology("bf", variable_om=100, capex=100, life=8, co2=2.0)
    data.technology("clean", variable_om=150, capex=1000, life=40, lever="hydrogen")
    data.demand({2025: 10, 2029: 10, 2030: 15})
    data.add("stock", region="R1", technology="bf", year=2025, capacity=10)
    run = solve(data, end=2040, extra="cap = { 2035 = 0 }")
    indicators = run.summary["indicators"]
    assert indicators["stranded_new_build"]["share"] == pytest.approx(0)
    unused = indicators["unused_before_end_of_life"]
    assert unused["by_route"] == pytest.approx({"bf": 500})
    assert unused["share"] == pytest.approx(500 / 15500)


def test_capacity_converted_by_a_retrofit_is_not_stranded(solve):
    run = solve(_growing_demand(retrofit=True), end=2040, extra="cap = { 2035 = 0 }")
    assert run.tables["capacity"].query("technology == 'bf_clean'")["new"].sum() == pytest.approx(15)
    assert run.summary["indicators"]["stranded_new_build"]["share"] == pytest.approx(0)


def test_largest_cut_and_reduction_share():
    """Linear between milestones: 100 → 80 → 20; the steepest 5 years are 2030–2035 (60 of 100)."""
    emissions = {2025: 100.0, 2030: 80.0, 2035: 20.0}
    assert largest_cut(emissions) == (pytest.approx(0.6), 2030)
    assert reduction_share(emissions, 2030, 2035) == pytest.approx(60 / 80)


def test_largest_cut_relative_to_where_it_starts():
    """100 → 90 → 30 → 6: against the first year the steepest 5 years are 2030–2035 (60 of 100);
    against their own start, 2035–2040 cut 24 of 30 (80 %), more than 2030–2035's 60 of 90."""
    emissions = {2025: 100.0, 2030: 90.0, 2035: 30.0, 2040: 6.0}
    assert largest_cut(emissions) == (pytest.approx(0.6), 2030)
    assert largest_relative_cut(emissions) == (pytest.approx(24 / 30), 2035)


def _production(rows: list[tuple[str, str, int, float]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["commodity", "technology", "year", "value"])


def test_largest_share_switch_reads_shares_of_each_product():
    """Heat: coal 100 → 90 → 10 of 100 (gas takes the rest): coal loses 80 points in 2030–2035.
    Steel moves 30 points at most, and a product made by one route (glass) cannot switch."""
    rows = [("heat", "coal", y, v) for y, v in ((2025, 100), (2030, 90), (2035, 10))]
    rows += [("heat", "gas", y, v) for y, v in ((2025, 0), (2030, 10), (2035, 90))]
    rows += [("steel", "bf", y, v) for y, v in ((2025, 10), (2030, 7), (2035, 4))]
    rows += [("steel", "eaf", y, v) for y, v in ((2025, 0), (2030, 3), (2035, 6))]
    rows += [("glass", "float", y, v) for y, v in ((2025, 5), (2030, 1), (2035, 0.5))]
    switch = largest_share_switch(_production(rows))
    assert switch == {
        "share": pytest.approx(0.8),
        "change": pytest.approx(-0.8),
        "product": "heat",
        "technology": "coal",
        "from": 2030,
    }


def test_largest_share_switch_spans_five_calendar_years_at_any_step():
    """A 10-year step from 100 % to 0 % is 50 points over any 5 calendar years (linear), the
    same as two 5-year steps of 50 points each."""
    ten = [
        ("heat", "coal", 2025, 1.0),
        ("heat", "coal", 2035, 0.0),
        ("heat", "gas", 2025, 0.0),
        ("heat", "gas", 2035, 1.0),
    ]
    five = [*ten, ("heat", "coal", 2030, 0.5), ("heat", "gas", 2030, 0.5)]
    assert largest_share_switch(_production(ten))["share"] == pytest.approx(0.5)
    assert largest_share_switch(_production(five))["share"] == pytest.approx(0.5)
