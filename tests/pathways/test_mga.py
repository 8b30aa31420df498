"""Near-optimal alternatives on `three_routes()` (conftest) with a 2030 cap of 5 Mt.

Optimum: 2025 (weight 5) all bf; 2030: 2 b + 0.2 (10 − b) = 5 → bf 5/3 Mt, ccs 25/3 Mt.
Cost 10 × 100 × 5 + 5/3 × 100 + 25/3 × 148 = 6,400; ccus proxy = captured CO2 =
25/3 × 1.8 × 1 year = 15 Mt. The slack of 5 % allows 320 more.
- min ccus: shift ccs → eaf (42 dearer per t, same emissions): 320 / 42 = 7.62 Mt, so ccs =
  25/3 − 320/42 and captured = 1.8 × that = 1.2857 Mt.
- max ccus: shift bf → ccs in 2030 (5/3 Mt × 48 = 80), then in 2025 (48 × 5 years per Mt of
  annual output): 240 / 240 = 1 Mt; captured = 18 + 1.8 × 1 × 5 = 27 Mt.
"""

from __future__ import annotations

import dataclasses
import json

import pandas as pd
import pytest

from optimizer.errors import InputError
from optimizer.pathways.compare import compare_runs
from optimizer.pathways.mga import run_mga, solve_alternative
from optimizer.runner import solve_scenario

CAP = "cap = { 2030 = 5 }"


def test_min_ccus_is_below_the_optimum_within_the_slack(scenario, tmp_path):
    outcome = run_mga(scenario(extra=CAP), 0.05, [("lever", "ccus", "min")], tmp_path / "mga")
    optimum = outcome.optimum.summary["objective"]
    assert optimum == pytest.approx(6400)
    (alternative,) = outcome.alternatives
    assert alternative.run.status == "optimal"
    assert alternative.optimum_target_value == pytest.approx(15)
    assert alternative.target_value <= alternative.optimum_target_value + 1e-9
    assert alternative.target_value == pytest.approx(1.8 * (25 / 3 - 320 / 42))
    cost = alternative.run.summary["objective"]
    assert optimum - 1e-6 <= cost <= 1.05 * optimum + 1e-6
    folder = tmp_path / "mga" / "lever-ccus-min"
    summary = json.loads((folder / "summary.json").read_text())
    costs = pd.read_csv(folder / "costs.csv")
    assert summary["objective"] == pytest.approx(costs["discounted"].sum())  # real costs, not the target
    assert summary["mga"]["slack"] == 0.05
    assert summary["mga"]["target"] == {"kind": "lever", "name": "ccus"}
    assert summary["mga"]["sense"] == "min"
    assert summary["mga"]["target_value"] == pytest.approx(alternative.target_value)
    assert summary["mga"]["optimum_cost"] == pytest.approx(optimum)
    captured = -pd.read_csv(folder / "emissions.csv").query("scope == 'captured'")["value"].sum()
    assert captured == pytest.approx(alternative.target_value)  # 2030 only, weight 1
    assert summary["emissions"]["2030"] == pytest.approx(5)
    assert (tmp_path / "mga" / "optimum" / "summary.json").is_file()
    assert "mga" not in json.loads((tmp_path / "mga" / "optimum" / "summary.json").read_text())


def test_max_ccus_is_above_the_optimum(scenario, tmp_path):
    outcome = run_mga(scenario(extra=CAP), 0.05, [("lever", "ccus", "max")], tmp_path / "mga")
    (alternative,) = outcome.alternatives
    assert alternative.target_value >= alternative.optimum_target_value - 1e-9
    assert alternative.target_value == pytest.approx(27)
    assert alternative.run.summary["objective"] == pytest.approx(1.05 * 6400)
    table = pd.read_csv(tmp_path / "mga" / "mga.csv")
    assert table.loc[0, "cost_increase_pct"] == pytest.approx(5)


def test_alternative_carbon_price_is_the_cost_equivalent_price(scenario):
    """min ccus spends the slack trading ccs for eaf at 42 per t of steel, 42 / 1.8 CNY per t of
    CO2 captured avoided: the cost limit's dual is −1.8/42 per CNY, so the alternative is the
    least-cost pathway with captured CO2 taxed at 42 / 1.8 = 23.3 CNY/t (the target price).
    Then the cap's marginal abatement is bf → eaf at (190 − 100) / 1.8 = 50 CNY/tCO2."""
    outcome = run_mga(scenario(extra=CAP), 0.05, [("lever", "ccus", "min")])
    run = outcome.alternatives[0].run
    assert run.summary["mga"]["target_price"] == pytest.approx(42 / 1.8)
    price = run.tables["carbon_price"].set_index("year")["price"]
    assert price[2030] == pytest.approx(50)


def test_technology_and_lever_targets_and_both_senses(scenario, tmp_path):
    targets = [("technology", "eaf", "max"), ("lever", "electrification", "min")]
    outcome = run_mga(scenario(extra=CAP), 0.05, targets, tmp_path / "mga")
    by_name = {alt.name: alt for alt in outcome.alternatives}
    assert set(by_name) == {"technology-eaf-max", "lever-electrification-min"}
    assert by_name["technology-eaf-max"].target_value >= by_name["technology-eaf-max"].optimum_target_value
    assert by_name["lever-electrification-min"].target_value == pytest.approx(0, abs=1e-9)
    comparison = compare_runs([tmp_path / "mga"])  # the MGA folder: the optimum is the reference
    assert comparison.labels[0] == "optimum"
    assert set(comparison.labels) == {"optimum", "technology-eaf-max", "lever-electrification-min"}


def test_unknown_targets_are_bad_input(scenario):
    with pytest.raises(InputError) as error:
        run_mga(scenario(extra=CAP), 0.05, [("lever", "nuclear", "min"), ("technology", "bof", "max"),
                                             ("lever", "ccus", "up")])  # fmt: skip
    report = error.value.report()
    assert "3 problems in the inputs" in report  # was "3 problem(s)": the issue asks for real plurals
    for name in ("'nuclear'", "'bof'", "'up'"):
        assert name in report


def test_alternative_without_an_optimum_is_recorded_not_raised(scenario):
    """A cost limit below the optimum leaves the alternative infeasible: it comes back with its
    status and no tables, and reading its (absent) solution gives zeros, not an error."""
    path = scenario(extra=CAP)
    optimum = solve_scenario(path)
    unreachable = dataclasses.replace(optimum, summary={**optimum.summary, "objective": optimum.result.objective / 2})
    alternative = solve_alternative(unreachable, ("lever", "ccus", "min"), 0.0)
    assert alternative.run.status == "infeasible"
    assert alternative.run.tables == {}
    assert alternative.run.result.value("activity", ("CN", "bf", 2025, 2025)) == 0.0
    assert alternative.run.result.values == {}
    assert alternative.run.result.duals == {}


def test_slack_as_a_share_of_the_policy_cost(scenario):
    """The no-cap reference is all bf: 10 × 100 × 6 = 6,000, so the pathway costs 400 against it.
    A slack of 50 % of that allows 200 more (not 50 % of 6,400): min ccus shifts 200 / 42 Mt of
    ccs steel to eaf, captured = 1.8 × (25/3 − 200/42)."""
    outcome = run_mga(scenario(extra=CAP), 0.5, [("lever", "ccus", "min")], slack_of="policy")
    assert outcome.optimum.summary["cost_vs_reference"]["present_value"] == pytest.approx(400)
    (alternative,) = outcome.alternatives
    assert alternative.target_value == pytest.approx(1.8 * (25 / 3 - 200 / 42))
    assert alternative.run.summary["objective"] == pytest.approx(6600)
    assert alternative.run.summary["mga"]["slack_of"] == "policy"
    with pytest.raises(InputError, match="--slack-of policy needs a scenario with an emission policy"):
        run_mga(scenario(), 0.5, [("lever", "ccus", "min")], slack_of="policy")
