"""The command line as an analyst uses it: real processes, real files, exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import highspy
import pandas as pd
import pytest
from builders import OUTPUT_COLUMNS, Dataset, run_cli, write_scenario

SUMMARY_KEYS = {"scenario", "status", "objective", "currency", "emissions", "timings", "inputs_sha256", "versions"}


def _dataset() -> Dataset:
    data = Dataset(discount_rate=0.05)
    data.commodity("steel").commodity("electricity", "PJ", "energy", role="grid_electricity")
    data.technology("bf", variable_om=100, co2=2.0, capex=800, fixed_om=20)
    data.technology("eaf", variable_om=150, capex=500, inputs={"electricity": 2.0}, lever="electrification")
    data.demand({2025: 10}).price("electricity", 20, emission_factor=0.1)
    data.add("stock", region="R1", technology="bf", year=2025, capacity=10)
    data.add("stock", region="R1", technology="bf", year=2040, capacity=0)
    return data


@pytest.fixture
def scenario(tmp_path: Path) -> Path:
    folder = _dataset().write(tmp_path / "data")
    return write_scenario(tmp_path, folder, end=2040, extra="cap = { 2030 = 15, 2040 = 4 }")


def test_run_writes_every_contract_file(tmp_path, scenario):
    out = tmp_path / "out"
    done = run_cli("run", scenario, "--out", out)
    assert done.returncode == 0, done.stderr
    for name, columns in OUTPUT_COLUMNS.items():
        assert list(pd.read_csv(out / name).columns) == columns, name
    summary = json.loads((out / "summary.json").read_text())
    assert set(summary) >= SUMMARY_KEYS
    assert summary["status"] == "optimal"
    assert {"load", "build", "solve", "extract", "write"} <= set(summary["timings"])
    assert summary["emissions"]["2040"] <= 4 + 1e-6
    assert f"scenario:{scenario.name}" in summary["inputs_sha256"]
    assert not list(tmp_path.glob(".out.*")), "no staging folder left behind"
    assert (out / "report.html").is_file()
    assert (out / "iamc.csv").is_file()
    assert list((out / "plots").glob("*.png"))
    assert summary["cap"] == {"2030": 15, "2035": pytest.approx(9.5), "2040": 4}


def test_written_mps_has_the_same_optimum(tmp_path, scenario):
    out, mps = tmp_path / "out", tmp_path / "model.mps"
    assert run_cli("run", scenario, "--out", out, "--write-mps", mps, "--no-report").returncode == 0
    highs = highspy.Highs()
    highs.setOptionValue("output_flag", False)
    highs.readModel(str(mps))
    highs.run()
    objective = json.loads((out / "summary.json").read_text())["objective"]
    assert highs.getInfo().objective_function_value == pytest.approx(objective, rel=1e-9)


def test_default_results_folder_is_named_after_the_scenario(tmp_path, scenario):
    assert run_cli("run", scenario, "--quiet", "--no-report", cwd=tmp_path).returncode == 0
    assert (tmp_path / "results" / "test" / "summary.json").is_file()


def test_no_reference_skips_the_cost_against_the_reference(tmp_path, scenario):
    with_reference, without = tmp_path / "with", tmp_path / "without"
    assert run_cli("run", scenario, "--quiet", "--no-report", "--out", with_reference).returncode == 0
    assert run_cli("run", scenario, "--quiet", "--no-report", "--no-reference", "--out", without).returncode == 0
    summaries = [json.loads((folder / "summary.json").read_text()) for folder in (with_reference, without)]
    assert summaries[1]["objective"] == summaries[0]["objective"]
    assert "cost_vs_reference" in summaries[0]
    assert "cost_vs_reference" not in summaries[1]
    assert "reference" not in summaries[1]["timings"]


def test_infeasible_scenario_exits_1_with_a_diagnosis(tmp_path):
    data = _dataset()
    data.rows["technologies"] = [r for r in data.rows["technologies"] if r["technology"] != "eaf"]
    data.rows["tech_costs"] = [r for r in data.rows["tech_costs"] if r["technology"] != "eaf"]
    data.rows["tech_emissions"] = [r for r in data.rows["tech_emissions"] if r["technology"] != "eaf"]
    data.rows.pop("tech_flows")
    folder = data.write(tmp_path / "data")
    path = write_scenario(tmp_path, folder, end=2040, extra="cap = { 2040 = 4 }")
    out = tmp_path / "out"
    done = run_cli("run", path, "--out", out)
    assert done.returncode == 1
    summary = json.loads((out / "summary.json").read_text())
    assert summary["status"] == "infeasible"
    diagnosis = json.loads((out / "diagnosis.json").read_text())
    conflict = " ".join(diagnosis["conflicting_constraints"])
    assert "emission_cap[all,direct+indirect,2040]" in conflict
    assert "commodity_balance[R1,steel,2040]" in conflict
    assert not (out / "production.csv").exists(), "no tables from a non-optimal solve"


def test_validate_exit_codes(tmp_path, scenario):
    assert run_cli("validate", scenario).returncode == 0
    assert run_cli("validate", scenario.parent / "data").returncode == 0
    costs = scenario.parent / "data" / "tech_costs.csv"
    costs.write_text(costs.read_text().replace("800", "eight hundred"))
    done = run_cli("validate", scenario)
    assert done.returncode == 2
    assert "tech_costs.csv, row 2, column 'capex': 'eight hundred' is not a number" in done.stderr
    assert "Traceback" not in done.stderr


def test_bad_input_writes_nothing(tmp_path, scenario):
    costs = scenario.parent / "data" / "tech_costs.csv"
    costs.write_text(costs.read_text().replace("800", "-1"))
    done = run_cli("run", scenario, "--out", tmp_path / "out")
    assert done.returncode == 2
    assert not (tmp_path / "out").exists()
    assert "Traceback" not in done.stderr


def test_usage_errors_exit_2(tmp_path):
    assert run_cli("frobnicate").returncode == 2
    done = run_cli("run", tmp_path / "missing.toml")
    assert done.returncode == 2
    assert "scenario file does not exist" in done.stderr


def test_run_names_the_report_last(tmp_path, scenario):
    out = tmp_path / "out"
    done = run_cli("run", scenario, "--out", out)
    assert done.returncode == 0, done.stderr
    lines = done.stderr.strip().splitlines()
    assert lines[-1] == f"report: {out / 'report.html'}"
    assert "drawing its report" in done.stderr  # said before the charts are drawn
    assert "MtCO2/yr" in done.stderr
    quiet = run_cli("run", scenario, "--out", tmp_path / "quiet", "--quiet")
    assert quiet.returncode == 0
    assert quiet.stderr == ""
