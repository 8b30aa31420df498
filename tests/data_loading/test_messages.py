"""Messages that point at the fix: a header typo reported once, TOML keys with their line and a
"did you mean", missing scenario and dataset paths with what exists nearby."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest
from builders import Dataset, run_cli, write_scenario

from optimizer.data.model_data import load_model_data
from optimizer.data.scenario import load_scenario
from optimizer.errors import InputError

ROOT = Path(__file__).resolve().parents[2]


def _data() -> Dataset:
    data = Dataset()
    data.commodity("steel").commodity("electricity", "PJ", "energy", role="grid_electricity")
    for name in ("bf", "eaf", "dri"):
        data.technology(name, variable_om=100, co2=1.0, capex=500)
    data.demand({2025: 10}).price("electricity", 20)
    return data


def _issues(scenario: Path) -> list[str]:
    with pytest.raises(InputError) as caught:
        load_model_data(scenario)
    return [str(issue) for issue in caught.value.issues]


def test_a_header_typo_is_reported_once_and_other_columns_are_still_read(tmp_path):
    folder = _data().write(tmp_path / "data")
    costs = pd.read_csv(folder / "tech_costs.csv", dtype=str, keep_default_na=False)
    costs.loc[1, "fixed_om"] = "lots"  # a real error in another column of the same file
    costs.rename(columns={"capex": "capx"}).to_csv(folder / "tech_costs.csv", index=False)
    issues = _issues(write_scenario(tmp_path, folder))
    assert issues == [
        "tech_costs.csv, column 'capex': missing column: the header has 'capx' instead; a typo? rename it to 'capex'",
        "tech_costs.csv, row 3, column 'fixed_om': 'lots' is not a number: write digits with a '.' decimal point, "
        "e.g. 12.5",
    ]


def test_a_missing_key_column_does_not_flood_the_list(tmp_path):
    folder = _data().write(tmp_path / "data")
    costs = pd.read_csv(folder / "tech_costs.csv", dtype=str, keep_default_na=False)
    costs.rename(columns={"technology": "tech"}).to_csv(folder / "tech_costs.csv", index=False)
    issues = _issues(write_scenario(tmp_path, folder))
    assert len(issues) == 1, issues
    assert "column 'technology'" in issues[0]
    assert "'tech'" in issues[0]


def test_an_unknown_scenario_key_names_its_line_and_the_likely_key(tmp_path):
    folder = _data().write(tmp_path / "data")
    path = write_scenario(tmp_path, folder, extra="cpa = { 2030 = 5 }")
    with pytest.raises(InputError) as caught:
        load_scenario(path)
    (issue,) = caught.value.issues
    line = path.read_text().splitlines().index("cpa = { 2030 = 5 }") + 1
    assert str(issue).startswith(f"test.toml, line {line}, key 'emissions.cpa': unknown key; did you mean 'cap'?")
    assert "column" not in str(issue)


def test_an_unknown_key_in_an_inline_table_and_in_dataset_toml(tmp_path):
    folder = _data().write(tmp_path / "data")
    path = write_scenario(tmp_path, folder)
    path.write_text(path.read_text().replace("step = 5", "stp = 5"))
    with pytest.raises(InputError, match=r"test\.toml, line 3, key 'years\.stp': unknown key; did you mean 'step'\?"):
        load_scenario(path)
    info = folder / "dataset.toml"
    info.write_text(info.read_text() + "currancy = 'USD'\n")
    issues = _issues(write_scenario(tmp_path, folder))
    assert any("dataset.toml, line 5, key 'currancy': unknown key; did you mean 'currency'?" in i for i in issues)


def test_a_missing_dataset_names_the_key_and_what_the_path_is_relative_to(tmp_path):
    _data().write(tmp_path / "inputs" / "steel-data")
    scenarios = tmp_path / "inputs" / "scenarios"
    scenarios.mkdir()
    path = scenarios / "s.toml"
    path.write_text('name = "s"\ndataset = "../steel-dta"\nyears = { start = 2025, end = 2030, step = 5 }\n')
    with pytest.raises(InputError) as caught:
        load_scenario(path)
    (issue,) = caught.value.issues
    text = str(issue)
    assert text.startswith("s.toml, line 2, key 'dataset': '../steel-dta' is not a folder")
    assert "relative to the scenario file's folder" in text
    assert "did you mean 'steel-data'?" in text


def test_a_mistyped_scenario_path_lists_the_scenarios_closest_first(tmp_path):
    done = run_cli("run", "inputs/scenarios/net-zero-2061.toml", "--out", tmp_path / "out", cwd=ROOT)
    assert done.returncode == 2
    assert "solving" not in done.stderr
    message = done.stderr
    assert "scenario file does not exist" in message
    listed = message.split("closest first: ", 1)[1].split(", ")
    assert listed[0] == "net-zero-2060.toml"
    assert set(listed) >= {"reference.toml", "no-ccus.toml"} or len(listed) == 8


def test_validate_counts_in_words(tmp_path):
    folder = _data().write(tmp_path / "data")
    done = run_cli("validate", write_scenario(tmp_path, folder))
    assert done.returncode == 0, done.stderr
    assert "3 technologies, 1 region, years 2025–2030" in done.stderr
    one = tmp_path / "one"
    shutil.copytree(folder, one)
    costs = one / "tech_costs.csv"
    costs.write_text(costs.read_text().replace("500", "-1", 1))
    bad = run_cli("validate", one)
    assert bad.returncode == 2
    assert "1 problem in the inputs" in bad.stderr
