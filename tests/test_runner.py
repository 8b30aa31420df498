"""One scenario end to end in memory: the summary's account of the run."""

from __future__ import annotations

import pytest
from builders import Dataset


def _steel() -> Dataset:
    data = Dataset()
    data.commodity("steel").commodity("electricity", "PJ", "energy", role="grid_electricity")
    data.technology("bf", variable_om=100, co2=2.0)
    data.technology("eaf", variable_om=150, inputs={"electricity": 2.0}, lever="electrification")
    data.demand({2025: 10}).price("electricity", 20, emission_factor=0.1)
    return data


def test_cost_of_the_pathway_against_the_no_policy_reference(solve):
    """The binding-cap case: a 2030 cap of 5 Mt moves 25/3 Mt from bf (100 CNY/t, 2 t/t) to eaf
    (190 CNY/t, 0.2 t/t). Against the reference (all bf: 6,000, 20 MtCO2 in 2030) it costs
    25/3 × 90 = 750 million CNY and abates 15 MtCO2 in 2030 (weight 1, rate 0): 50 CNY/t, the
    carbon price of the marginal tonne, as every tonne costs the same here."""
    run = solve(_steel(), extra="cap = { 2030 = 5 }")
    cost = run.summary["cost_vs_reference"]
    assert cost["reference_objective"] == pytest.approx(6000)
    assert cost["present_value"] == pytest.approx(750)
    assert cost["abated"] == pytest.approx(15)
    assert cost["average_cost"] == pytest.approx(50)
    assert cost["reference_emissions"]["2030"] == pytest.approx(20)
    assert run.result.objective == pytest.approx(6750)  # the session was put back after the reference
    assert run.solver.solve().objective == pytest.approx(6750)


def test_carbon_payments_are_not_a_cost_of_the_pathway(solve):
    """A carbon price of 60 CNY/t moves all steel to eaf (202 < 220 CNY/t): resource cost 10 ×
    (190 − 100) × 6 years = 5,400 over the reference; the carbon paid (10 × 0.2 × 60 × 6) is a
    transfer, left out. Abated 18 MtCO2/yr × 6 years: 5,400 / 108 = 50 CNY/t."""
    run = solve(_steel(), extra="carbon_price = { 2025 = 60 }")
    cost = run.summary["cost_vs_reference"]
    assert cost["present_value"] == pytest.approx(5400)
    assert cost["abated"] == pytest.approx(108)
    assert cost["average_cost"] == pytest.approx(50)


def test_no_policy_no_reference(solve):
    run = solve(_steel())
    assert "cost_vs_reference" not in run.summary


def test_cost_of_a_myopic_pathway_is_read_against_a_myopic_reference(solve):
    """With foresight that sees every year the myopic run is the perfect one, and so is its
    reference: the same cost as the perfect-foresight run, carbon payments left out of both."""
    extra = "carbon_price = { 2025 = 60 }"
    perfect = solve(_steel(), extra=extra).summary["cost_vs_reference"]
    myopic = solve(_steel(), extra=extra + '\n[foresight]\nmode = "myopic"\nwindow = 10').summary["cost_vs_reference"]
    assert myopic["present_value"] == pytest.approx(perfect["present_value"])
    assert myopic["reference_objective"] == pytest.approx(perfect["reference_objective"])


def test_reference_leaves_the_pathways_session_as_it_was(solve):
    """The reference is solved on a copy of the session, warm from the pathway's basis: the
    pathway's own session keeps its cap and re-solves to its optimum without iterating."""
    run = solve(_steel(), extra="cap = { 2030 = 5 }")
    assert run.summary["cost_vs_reference"]["average_cost"] == pytest.approx(50)
    (cap_row,) = run.solver.keys.row_position["emission_cap"].values()
    assert run.solver.bounds()[3][cap_row] == pytest.approx(5)
    again = run.solver.solve()
    assert again.objective == pytest.approx(6750)
    assert again.iterations["simplex"] == 0
