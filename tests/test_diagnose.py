"""Infeasible scenarios are explained: which limits must give way and by how much."""

from __future__ import annotations

import pytest
from builders import Dataset


def _steel_with_ccs() -> Dataset:
    """bf (2 t/t) and a CCS route (2 t/t gross, 90 % capture) whose storage takes 9 Mt/yr."""
    data = Dataset()
    data.commodity("steel").commodity("co2_storage", kind="service", role="co2_storage")
    data.technology("bf", variable_om=100, co2=2.0)
    data.technology("ccs", variable_om=120, co2=2.0, capture=0.9, lever="ccus")
    data.demand({2025: 10}).price("co2_storage", 0, max_supply=9)
    return data


def test_cap_out_of_reach_gives_minimum_and_binding_limit(solve):
    """At most 9 / 1.8 = 5 Mt of CCS steel: the floor is 5 × 0.2 + 5 × 2 = 11 Mt, so a 4 Mt cap
    misses by 7 Mt, and the storage limit is what holds emissions up."""
    run = solve(_steel_with_ccs(), extra="cap = { 2030 = 4 }")
    assert run.status == "infeasible"
    diagnosis = run.diagnosis
    (violation,) = diagnosis["violations"]
    assert violation["constraint"] == "emission_cap[all,direct+indirect,2030]"
    assert violation["violation"] == pytest.approx(7)
    assert "the minimum reachable is 11 MtCO2" in diagnosis["message"]
    assert any(b["constraint"] == "max_supply[R1,co2_storage,2030]" for b in diagnosis["binding"])
    assert "supply limit of co2_storage in R1, 2030" in diagnosis["message"]


def _new_route_only() -> Dataset:
    """A new route only (no stock), 10 Mt demanded in 2025."""
    data = Dataset()
    data.commodity("steel")
    data.technology("new", variable_om=100, lever="hydrogen")
    data.demand({2025: 10})
    return data


def _seeded_new_route() -> Dataset:
    """A new route only, 10 Mt demanded in 2025, growth from nothing by a seed of 3 Mt/yr."""
    data = _new_route_only()
    data.add("bounds", region="R1", technology="new", year=2025, bound="max_growth", value=0.0)
    data.add("bounds", region="R1", technology="new", year=2025, bound="growth_seed", value=3.0)
    return data


def test_demand_beyond_growth_limit_names_the_limit(solve):
    """Only a new route exists; it may grow by a seed of 3 Mt/yr from nothing (one year of it at
    the first milestone), but 10 Mt is demanded in 2025: the growth limit must give way by
    7 Mt/yr (or demand by 7 Mt)."""
    data = _seeded_new_route()
    run = solve(data, end=2025)
    assert run.status == "infeasible"
    violations = run.diagnosis["violations"]
    assert sum(v["violation"] for v in violations) == pytest.approx(7)
    assert {v["constraint"].split("[")[0] for v in violations} <= {"capacity_growth", "commodity_balance"}
    assert "must give way by 7" in run.diagnosis["message"]
    assert run.diagnosis["conflicting_constraints"]


def test_a_small_gap_is_shown_with_the_digits_that_tell_limit_and_floor_apart(solve):
    """The floor is 11 MtCO2 (above); a cap of 10.7 misses it by 0.3: the message must not read
    'cap of 11 … the minimum reachable is 11'."""
    run = solve(_steel_with_ccs(), extra="cap = { 2030 = 10.7 }")
    assert run.status == "infeasible"
    assert "of 10.7 MtCO2 cannot be met: the minimum reachable is 11.0 MtCO2" in run.diagnosis["message"]


def test_the_diagnosis_names_the_file_and_column_to_edit(solve):
    """Each limit in the message points at the input that states it."""
    run = solve(_steel_with_ccs(), extra="cap = { 2030 = 4 }")
    message = run.diagnosis["message"]
    assert "→ edit the scenario's [emissions] cap" in message
    assert "supply limit of co2_storage in R1, 2030 → commodity_prices.csv rows for co2_storage in R1 (column max_supply)" in message
    binding = {b["constraint"]: b["edit"] for b in run.diagnosis["binding"]}
    assert binding["max_supply[R1,co2_storage,2030]"].startswith("commodity_prices.csv")

    data = _seeded_new_route()
    data.add("bounds", region="R1", technology="new", year=2025, bound="max_share", value=1.0)
    growth = solve(data, end=2025)
    edits = {v["constraint"].split("[")[0]: v["edit"] for v in growth.diagnosis["violations"]}
    assert edits.get("capacity_growth", "bounds.csv rows for new in R1, bound max_growth / growth_seed (column value)") == (
        "bounds.csv rows for new in R1, bound max_growth / growth_seed (column value)"
    )
    assert "→ edit" in growth.diagnosis["message"]


def test_a_share_loss_limit_is_named_with_its_input(solve):
    """A 10 Mt/yr stock (2 tCO2/t) may shed 6 % of the output a year and the clean route is held to
    10 Mt/yr, but a 2030 cap of 0 needs the old route gone: it may fall only 0.3 of the 2030
    output (≤ 20 Mt) below its 2025 output of 10 (0.6 shed then): the cap or the share-loss
    limit must give way. Hand-solved: 2025 output a ≥ (10 − 0.06 × 10) / 1.06 = 8.868 (the new route
    at its 10), 2030 output ≥ (a − 0.3 × 10) / 1.3 = 4.514 Mt, so at least 9.03 MtCO2 is emitted,
    and the share-loss rows are named among the limits holding emissions up."""
    data = Dataset()
    data.commodity("steel")
    data.technology("old", variable_om=200, co2=2.0).technology("new", variable_om=300, lever="hydrogen")
    data.demand({2025: 10})
    data.add("stock", region="R1", technology="old", year=2025, capacity=10)
    data.add("bounds", region="R1", technology="old", year=2025, bound="max_share_loss", value=0.06)
    data.add("bounds", region="R1", technology="new", year=2025, bound="max_capacity", value=10)
    run = solve(data, end=2030, extra="cap = { 2030 = 0 }")
    assert run.status == "infeasible"
    (violation,) = run.diagnosis["violations"]
    assert violation["constraint"] == "emission_cap[all,direct+indirect,2030]"
    assert violation["violation"] == pytest.approx(2 * ((10 - 0.6) / 1.06 - 3) / 1.3)
    binding = [b["constraint"] for b in run.diagnosis["binding"]]
    assert binding[:2] == ["share_loss[R1,old,2030]", "share_loss[R1,old,2025]"]
    assert "yearly share loss of old in R1, 2030 → bounds.csv rows for old in R1, bound max_share_loss" in (
        run.diagnosis["message"]
    )


def test_a_share_gain_limit_is_named_with_its_input(solve):
    """Only a new route exists and it may take 8 % of the output a year: 0.8 of the 10 Mt demanded
    in 2025, so the share-gain limit (or demand) must give way by 9.2 Mt."""
    data = _new_route_only()
    data.add("bounds", region="R1", technology="new", year=2025, bound="max_share_gain", value=0.08)
    run = solve(data, end=2025)
    assert run.status == "infeasible"
    violations = run.diagnosis["violations"]
    assert sum(v["violation"] for v in violations) == pytest.approx(9.2)
    assert [v["constraint"] for v in violations] == ["share_gain[R1,new,2025]"]
    assert run.diagnosis["message"].endswith(
        "yearly share gain of new in R1, 2025 (0.08 of the product's output a year) must give way by 9.2 Mt/yr"
        " → edit bounds.csv rows for new in R1, bound max_share_gain (column value)"
    )
