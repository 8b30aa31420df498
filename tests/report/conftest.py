"""A small solved run folder shared by the report tests (two sectors, hydrogen made in the
model, CCS, a falling grid factor, early retirement and a binding cap)."""

from __future__ import annotations

from pathlib import Path

import pytest
from builders import Dataset, steel_and_hydrogen, write_scenario

from optimizer.runner import RunResult, solve_scenario, write_run


def report_dataset() -> Dataset:
    """`steel_and_hydrogen(fuelled=True)` at 5 %, with cement from coal or gas kilns,
    base-year stock of bf and coal kilns that is gone by 2050, a CO2 storage capacity of 400 Mt
    and a label for bf."""
    data = steel_and_hydrogen(fuelled=True, discount_rate=0.05)
    data.commodity("cement").commodity("natural_gas", "PJ", "energy")
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
    data.demand({2025: 20, 2035: 22}, commodity="cement").price("natural_gas", 9)
    data.add("cumulative_limits", region="R1", commodity="co2_storage", max_total=400)  # storage capacity, Mt
    data.rows["technologies"][0]["label"] = "Blast furnace (BF-BOF)"  # charts show labels; others keep their ids
    for technology, capacity in (("bf", 10), ("kiln_coal", 20)):
        data.add("stock", region="R1", technology=technology, year=2025, capacity=capacity)
        data.add("stock", region="R1", technology=technology, year=2050, capacity=0)
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
