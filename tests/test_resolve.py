"""Re-solving a built model after a cost change equals a fresh solve of the changed scenario."""

from __future__ import annotations

import dataclasses
import pickle

import highspy
import pandas
import pytest
from builders import Dataset

from optimizer.runner import PreparedModel, resolve_with_data, tables_from_solution


def _steel(discount_rate: float = 0.05) -> Dataset:
    data = Dataset(discount_rate=discount_rate)
    data.commodity("steel").commodity("electricity", "PJ", "energy", role="grid_electricity")
    # Fixed O&M makes idle capacity cost something, so when to retire it is decided (no tie)
    # and every table, not only the objective, has one optimum to compare.
    data.technology("bf", variable_om=100, fixed_om=20, co2=2.0, capex=700, life=30)
    data.technology(
        "eaf", variable_om=150, fixed_om=15, capex=400, inputs={"electricity": 2.0}, lever="electrification"
    )
    data.demand({2025: 10, 2040: 14}).price("electricity", 20, emission_factor=0.1)
    return data


def test_warm_resolve_matches_a_fresh_solve(solve):
    data = _steel()
    base = solve(data, end=2040, extra="cap = { 2040 = 9 }")
    for factor in (0.5, 1.7, 3.0):
        changed = dataclasses.replace(base.data, price={k: v * factor for k, v in base.data.price.items()})
        warm, built = resolve_with_data(base, changed)
        fresh_data = Dataset(discount_rate=0.05, rows={k: [dict(r) for r in v] for k, v in data.rows.items()})
        for row in fresh_data.rows["commodity_prices"]:
            row["price"] *= factor
        fresh = solve(fresh_data, end=2040, extra="cap = { 2040 = 9 }")
        assert warm.status == fresh.status == "optimal"
        assert warm.objective == pytest.approx(fresh.result.objective, rel=1e-6)
        tables, emissions = tables_from_solution(changed, built, warm)
        assert emissions == pytest.approx({int(y): v for y, v in fresh.summary["emissions"].items()})
        for name, table in fresh.tables.items():  # every table, not only the objective
            pandas.testing.assert_frame_equal(tables[name], table, rtol=1e-6, atol=1e-6)


def test_portable_model_resolves_in_another_process_like_the_original(solve, tmp_path):
    """A sweep worker gets the LP as a pickled snapshot (no Pyomo) and must re-solve it exactly."""
    base = solve(_steel(), end=2040, extra="cap = { 2040 = 9 }")
    prepared = PreparedModel(base.data, base.built, base.solver)
    copy = pickle.loads(pickle.dumps(prepared.portable())).prepare()
    assert copy.built.model is None
    same, built = resolve_with_data(copy, base.data)
    assert same.objective == pytest.approx(base.result.objective, rel=1e-9)
    tables, _ = tables_from_solution(base.data, built, same)
    for name, table in base.tables.items():
        pandas.testing.assert_frame_equal(tables[name], table, rtol=1e-9, atol=1e-9)
    changed = dataclasses.replace(base.data, price={k: v * 3 for k, v in base.data.price.items()})
    from_copy, _ = resolve_with_data(copy, changed)
    from_original, _ = resolve_with_data(prepared, changed)
    assert from_copy.objective == pytest.approx(from_original.objective, rel=1e-9)
    assert from_copy.objective != pytest.approx(base.result.objective, rel=1e-3)  # the change mattered
    copy.solver.change_costs(copy.solver.base_cost)
    copy.solver.write_mps(tmp_path / "copy.mps")  # names made from the keys
    highs = highspy.Highs()
    highs.setOptionValue("output_flag", False)
    highs.readModel(str(tmp_path / "copy.mps"))
    highs.run()
    assert highs.getInfo().objective_function_value == pytest.approx(base.result.objective, rel=1e-9)
    assert "activity[" in (tmp_path / "copy.mps").read_text()


def test_solution_accessors_agree(solve):
    run = solve(_steel(), end=2040, extra="cap = { 2040 = 9 }")
    result, index = run.result, run.built.index
    along = result.along("activity", index.capacity_index)
    assert along.tolist() == [result.values["activity"].get(key, 0.0) for key in index.capacity_index]
    assert sum(along) > 0
    for (name, key), value in zip(result.keys.columns, result.primal, strict=True):
        assert result.value(name, key) == value == result.values[name][key]
    cap_key = next(key for name, key in result.keys.rows if name == "emission_cap")
    assert result.dual("emission_cap", cap_key) == result.duals["emission_cap"][cap_key] < 0
    assert result.value("activity", ("nowhere", "bf", 2025, 2025)) == 0.0
    assert result.dual("no_such_row", ()) == 0.0
