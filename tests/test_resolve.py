"""Re-solving a built model after a cost change equals a fresh solve of the changed scenario."""

from __future__ import annotations

import dataclasses

import pytest
from builders import Dataset

from optimizer.runner import resolve_with_data


def test_warm_resolve_matches_a_fresh_solve(solve):
    data = Dataset(discount_rate=0.05)
    data.commodity("steel").commodity("electricity", "PJ", "energy")
    data.technology("bf", variable_om=100, co2=2.0, capex=700, life=30)
    data.technology("eaf", variable_om=150, capex=400, inputs={"electricity": 2.0}, lever="electrification")
    data.demand({2025: 10, 2040: 14}).price("electricity", 20, emission_factor=0.1)
    base = solve(data, end=2040, extra="cap = { 2040 = 9 }")
    for factor in (0.5, 1.7, 3.0):
        changed = dataclasses.replace(base.data, price={k: v * factor for k, v in base.data.price.items()})
        warm, _ = resolve_with_data(base, changed)
        fresh_data = Dataset(discount_rate=0.05, rows={k: [dict(r) for r in v] for k, v in data.rows.items()})
        for row in fresh_data.rows["commodity_prices"]:
            row["price"] *= factor
        fresh = solve(fresh_data, end=2040, extra="cap = { 2040 = 9 }")
        assert warm.status == fresh.status == "optimal"
        assert warm.objective == pytest.approx(fresh.result.objective, rel=1e-6)
