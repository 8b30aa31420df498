"""Trust: non-optimal results are never written as optimal, outputs are reproducible, bad data
of any kind gets a clean InputError, and more invariants hold on random data."""

from __future__ import annotations

import itertools
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
from builders import Dataset, write_scenario
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from optimizer.data.model_data import load_model_data
from optimizer.errors import InputError
from optimizer.runner import solve_scenario, write_run

ROOT = Path(__file__).resolve().parents[1]
DATASET = ROOT / "inputs" / "china-industry"
SCENARIO = ROOT / "inputs" / "scenarios" / "net-zero-2060.toml"
_counter = itertools.count()


def test_time_limit_is_reported_as_such_and_writes_no_tables(tmp_path):
    done = subprocess.run(
        [sys.executable, "-m", "optimizer", "run", SCENARIO, "--out", tmp_path / "out", "--time-limit", "0"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 1
    summary = json.loads((tmp_path / "out" / "summary.json").read_text())
    assert summary["status"] == "time_limit"
    assert summary["objective"] is None
    assert not (tmp_path / "out" / "production.csv").exists()
    assert "time limit" in json.loads((tmp_path / "out" / "diagnosis.json").read_text())["message"]


def test_same_inputs_give_byte_identical_tables(tmp_path):
    first, second = tmp_path / "a", tmp_path / "b"
    write_run(solve_scenario(SCENARIO), first)
    write_run(solve_scenario(SCENARIO), second)
    csvs = sorted(p.name for p in first.glob("*.csv"))
    assert csvs
    for name in csvs:
        assert (first / name).read_bytes() == (second / name).read_bytes(), name
    summary = json.loads((first / "summary.json").read_text())
    assert set(summary["inputs_sha256"]) >= {"technologies.csv", "scenario:net-zero-2060.toml"}
    assert summary["resolved_scenario"]["cap"]["2060"] == 450.0


MUTATIONS = ["", "abc", "-1", "1e400", "nan", "2.5", "9999999", "R9", "unknown_thing", " ", "0", "1.5"]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_fuzzed_dataset_gives_input_error_or_loads(tmp_path, data):
    """Corrupt the shipped dataset at random: loading either succeeds or raises InputError,
    never another exception."""
    folder = tmp_path / f"fuzz{next(_counter)}"
    shutil.copytree(DATASET, folder)
    files = sorted(p.name for p in folder.glob("*.csv"))
    for _ in range(data.draw(st.integers(1, 3))):
        name = data.draw(st.sampled_from(files))
        table = pd.read_csv(folder / name, dtype=str, keep_default_na=False)
        action = data.draw(st.sampled_from(["cell", "drop_column", "duplicate_row", "empty", "extra_column"]))
        if action == "cell" and len(table):
            row = data.draw(st.integers(0, len(table) - 1))
            column = data.draw(st.sampled_from(list(table.columns)))
            table.loc[row, column] = data.draw(st.sampled_from(MUTATIONS))
        elif action == "drop_column":
            table = table.drop(columns=[data.draw(st.sampled_from(list(table.columns)))])
        elif action == "duplicate_row" and len(table):
            table = pd.concat([table, table.iloc[[0]]])
        elif action == "empty":
            table = table.iloc[0:0]
        else:
            table["surprise"] = "x"
        table.to_csv(folder / name, index=False)
    scenario = write_scenario(folder, folder, name="fuzz")
    issues = []
    try:
        load_model_data(scenario)
    except InputError as error:
        issues = error.issues
        if not issues:
            raise AssertionError("an InputError must list its issues") from error
    assert all(issue.file for issue in issues)


def test_broken_data_never_shows_a_traceback(tmp_path):
    folder = tmp_path / "data"
    shutil.copytree(DATASET, folder)
    (folder / "stock.csv").write_text("region,technology\nCHN,\n", encoding="utf-8")
    (folder / "demand.csv").write_bytes(b"\xff\xfe not utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "optimizer", "validate", folder], capture_output=True, text=True, check=False
    )
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert "stock.csv" in done.stderr
    assert "demand.csv" in done.stderr


def _market() -> Dataset:
    data = Dataset(discount_rate=0.03)
    data.commodity("steel").commodity("scrap", kind="material").commodity("electricity", "PJ", "energy", role="grid_electricity")
    data.technology("bf", variable_om=100, co2=2.0, capex=600, life=30)
    data.technology(
        "eaf", variable_om=60, capex=300, inputs={"scrap": 1.1, "electricity": 2.0}, lever="feedstock_substitution"
    )
    data.technology("h2", variable_om=260, capex=900, lever="hydrogen")
    data.demand({2025: 10, 2035: 12})
    data.price("scrap", 30, max_supply=4).price("electricity", 20, emission_factor=0.1)
    return data


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(cap=st.floats(2.0, 30.0), extra_scrap=st.floats(0.0, 10.0), removed=st.sampled_from(["bf", "eaf"]))
def test_removing_a_route_never_lowers_cost_and_more_supply_never_raises_it(tmp_path, cap, extra_scrap, removed):
    n = next(_counter)
    base_data = _market()
    extra = f"cap = {{ 2035 = {cap} }}"
    base = solve_scenario(
        write_scenario(tmp_path, base_data.write(tmp_path / f"b{n}"), name=f"b{n}", end=2035, extra=extra)
    )
    more = _market()
    more.rows["commodity_prices"][0]["max_supply"] = 4 + extra_scrap
    richer = solve_scenario(
        write_scenario(tmp_path, more.write(tmp_path / f"m{n}"), name=f"m{n}", end=2035, extra=extra)
    )
    fewer = _market()
    for table in ("technologies", "tech_costs", "tech_emissions", "tech_flows"):
        fewer.rows[table] = [r for r in fewer.rows.get(table, []) if r["technology"] != removed]
    poorer = solve_scenario(
        write_scenario(tmp_path, fewer.write(tmp_path / f"f{n}"), name=f"f{n}", end=2035, extra=extra)
    )
    assert base.status == richer.status == poorer.status == "optimal"
    assert richer.result.objective <= base.result.objective * (1 + 1e-9) + 1e-6
    assert poorer.result.objective >= base.result.objective * (1 - 1e-9) - 1e-6


def test_unbounded_and_iteration_limit_are_reported_as_such(solve, tmp_path):
    """A route paid to run (a gate fee: negative variable O&M) with free, unlimited capacity makes
    cost fall without bound: status 'unbounded', no tables. An iteration limit of 1 stops simplex
    early."""
    data = Dataset()
    data.commodity("steel").commodity("waste", kind="material")
    data.technology("bf", variable_om=100, co2=2.0)
    data.technology("waste_mill", variable_om=-5, lever="feedstock_substitution")
    data.demand({2025: 10})
    run = solve(data)
    assert run.status in ("unbounded", "infeasible_or_unbounded")
    assert run.tables == {}
    assert run.summary["objective"] is None

    from optimizer.solve.session import HighsSession

    good = _market()
    scenario = write_scenario(tmp_path, good.write(tmp_path / "iter"), name="iter", end=2035, extra="cap = { 2035 = 5 }")
    built = solve_scenario(scenario).built
    solver = HighsSession.from_model(built.model)
    solver.highs.setOptionValue("simplex_iteration_limit", 1)
    assert solver.solve().status == "iteration_limit"
