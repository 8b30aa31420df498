"""A small solved run folder shared by the report tests (two sectors, hydrogen made in the
model, CCS, a falling grid factor, early retirement and a binding cap)."""

from __future__ import annotations

from pathlib import Path

import pytest
from builders import Dataset, write_scenario

from optimizer.runner import RunResult, solve_scenario, write_run


def report_dataset() -> Dataset:
    data = Dataset(discount_rate=0.05)
    data.commodity("steel").commodity("cement").commodity("hydrogen", "Mt", "energy")
    data.commodity("electricity", "PJ", "energy").commodity("coal", "PJ", "energy")
    data.commodity("natural_gas", "PJ", "energy").commodity("co2_storage", kind="service")
    data.technology("bf", variable_om=100, capex=800, fixed_om=20, co2=2.0, inputs={"coal": 12.0})
    data.technology("bf_ccs", variable_om=160, capex=1200, co2=2.0, capture=0.9, lever="ccus", inputs={"coal": 13.0})
    data.technology(
        "h2_dri", variable_om=120, capex=900, lever="hydrogen", inputs={"hydrogen": 0.05, "electricity": 2.0}
    )
    data.technology(
        "coal_h2", output="hydrogen", variable_om=1000, co2=20.0, sector="hydrogen_supply", inputs={"coal": 150.0}
    )
    data.technology(
        "electrolysis",
        output="hydrogen",
        variable_om=2000,
        inputs={"electricity": 200},
        lever="hydrogen",
        sector="hydrogen_supply",
    )
    data.technology(
        "kiln_coal", output="cement", sector="cement", variable_om=50, capex=300, co2=0.6, inputs={"coal": 3.0}
    )
    data.technology(
        "kiln_gas",
        output="cement",
        sector="cement",
        variable_om=70,
        capex=350,
        co2=0.45,
        lever="feedstock_substitution",
        inputs={"natural_gas": 3.0},
    )
    data.demand({2025: 10, 2035: 8}).demand({2025: 20, 2035: 22}, commodity="cement")
    data.price("electricity", 20, emission_factor=0.15).price("electricity", 20, year=2035, emission_factor=0.02)
    data.price("coal", 5).price("natural_gas", 9).price("co2_storage", 10, max_supply=5)
    data.add("stock", region="R1", technology="bf", year=2025, capacity=10)
    data.add("stock", region="R1", technology="bf", year=2050, capacity=0)
    data.add("stock", region="R1", technology="kiln_coal", year=2025, capacity=20)
    data.add("stock", region="R1", technology="kiln_coal", year=2050, capacity=0)
    return data


@pytest.fixture(scope="session")
def solved_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[RunResult, Path]:
    """The solved run and its written folder (tables only: the report is the tests' business)."""
    root = tmp_path_factory.mktemp("report")
    folder = report_dataset().write(root / "data")
    scenario = write_scenario(root, folder, name="report-test", end=2035, extra="cap = { 2035 = 18 }")
    run = solve_scenario(scenario)
    assert run.status == "optimal"
    return run, write_run(run, root / "run")
