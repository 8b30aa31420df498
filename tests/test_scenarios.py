"""Every shipped scenario solves to an optimum and respects its own cap."""

from __future__ import annotations

from pathlib import Path

import pytest

from optimizer.runner import solve_scenario

SCENARIOS = sorted((Path(__file__).resolve().parents[1] / "inputs" / "scenarios").glob("*.toml"))


@pytest.mark.parametrize("path", SCENARIOS, ids=[p.stem for p in SCENARIOS])
def test_shipped_scenario_solves(path):
    run = solve_scenario(path)
    assert run.status == "optimal"
    for (_group, _scope, year), cap in run.data.caps.items():
        assert run.summary["emissions"][str(year)] <= cap + 1e-6
