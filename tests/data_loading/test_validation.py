"""Bad inputs are rejected with every problem named by file, row and column."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from builders import Dataset, write_scenario

from optimizer.data.model_data import load_model_data
from optimizer.errors import InputError


def _good() -> Dataset:
    data = Dataset()
    data.commodity("steel").commodity("electricity", "PJ", "energy", role="grid_electricity")
    data.technology("bf", variable_om=100, co2=2.0)
    data.technology("eaf", variable_om=150, inputs={"electricity": 2.0})
    data.demand({2025: 10}).price("electricity", 20, emission_factor=0.1)
    return data


def _load(tmp_path: Path, data: Dataset, extra: str = "") -> None:
    folder = data.write(tmp_path / "data")
    load_model_data(write_scenario(tmp_path, folder, extra=extra))


def _edit(folder: Path, file: str, row: int, column: str, value: str) -> None:
    """Set one cell (row counted as a text editor does: header = 1)."""
    table = pd.read_csv(folder / file, dtype=str, keep_default_na=False)
    table.loc[row - 2, column] = value
    table.to_csv(folder / file, index=False)


def _issues(tmp_path: Path, edits: list[tuple[str, int, str, str]]) -> list[str]:
    folder = _good().write(tmp_path / "data")
    for edit in edits:
        _edit(folder, *edit)
    with pytest.raises(InputError) as caught:
        load_model_data(write_scenario(tmp_path, folder))
    return [str(issue) for issue in caught.value.issues]


def test_good_dataset_loads(tmp_path):
    _load(tmp_path, _good())


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (("tech_costs.csv", 2, "capex", "abc"), "tech_costs.csv, row 2, column 'capex': 'abc' is not a number"),
        (("tech_costs.csv", 2, "capex", "-5"), "tech_costs.csv, row 2, column 'capex': -5 is negative"),
        (("tech_costs.csv", 2, "capex", "nan"), "tech_costs.csv, row 2, column 'capex': 'nan' is not a finite number"),
        (("demand.csv", 2, "year", "2025.5"), "demand.csv, row 2, column 'year': '2025.5' is not a whole number"),
        (("tech_emissions.csv", 3, "capture_rate", "1.5"), "column 'capture_rate': 1.5 is outside 0–1"),
        (("technologies.csv", 2, "lever", "magic"), "column 'lever': 'magic' is not one of"),
        (("technologies.csv", 2, "output", "gold"), "technologies.csv, row 2, column 'output': 'gold' is not declared"),
        (("technologies.csv", 3, "life", "2.5"), "column 'life': '2.5' is not a whole number"),
        (("demand.csv", 2, "value", ""), "demand.csv, row 2, column 'value': blank, but a value is required"),
        (("demand.csv", 2, "year", "20x5"), "demand.csv, row 2, column 'year': '20x5' is not a number"),
        (
            ("commodity_prices.csv", 2, "price", "-5"),
            "commodity_prices.csv, row 2, column 'price': -5 is negative; it must be ≥ 0",
        ),
        (("tech_flows.csv", 2, "commodity", "steel"), "is the main output of 'eaf'"),
        (("commodities.csv", 3, "unit", "GWh"), "column 'unit': 'GWh' is not one of Mt, PJ"),
        (
            ("tech_costs.csv", 2, "source", "NOPE"),
            "tech_costs.csv, row 2, column 'source': source 'NOPE' is not in sources.csv",
        ),
        (
            ("commodity_prices.csv", 2, "region", "R9"),
            "commodity_prices.csv, row 2, column 'region': 'R9' is not declared",
        ),
        (
            ("tech_costs.csv", 3, "technology", "bf"),
            "tech_costs.csv, row 3: duplicate key (technology=bf, vintage=); first given on row 2",
        ),
    ],
)
def test_each_problem_is_named(tmp_path, edit, expected):
    issues = _issues(tmp_path, [edit])
    assert any(expected in issue for issue in issues), issues


def test_all_problems_are_reported_at_once(tmp_path):
    issues = _issues(tmp_path, [("tech_costs.csv", 2, "capex", "x"), ("demand.csv", 2, "value", "-1")])
    assert len(issues) == 2


def test_missing_required_file_and_column(tmp_path):
    folder = _good().write(tmp_path / "data")
    (folder / "tech_emissions.csv").unlink()
    table = pd.read_csv(folder / "tech_costs.csv")
    table.drop(columns=["fixed_om"]).assign(colour="red").to_csv(folder / "tech_costs.csv", index=False)
    with pytest.raises(InputError) as caught:
        load_model_data(write_scenario(tmp_path, folder))
    text = caught.value.report()
    assert "tech_emissions.csv: required file is missing" in text
    assert "tech_costs.csv, column 'fixed_om': missing column" in text
    assert "tech_costs.csv, column 'colour': unknown column" in text


def test_blank_and_given_supply_limits_are_not_mixed(tmp_path):
    data = _good()
    data.price("electricity", 20, year=2030, max_supply=50)
    with pytest.raises(InputError, match="max_supply of electricity in R1 is blank"):
        _load(tmp_path, data)


def test_empty_required_table(tmp_path):
    data = _good()
    data.rows["demand"] = []
    with pytest.raises(InputError, match="demand.csv: table is empty"):
        _load(tmp_path, data)


def test_technology_without_cost_row(tmp_path):
    data = _good()
    data.rows["tech_costs"] = [r for r in data.rows["tech_costs"] if r["technology"] != "eaf"]
    with pytest.raises(InputError, match="'eaf' has no row in tech_costs.csv"):
        _load(tmp_path, data)


def test_assumption_needs_reasoning(tmp_path):
    data = _good()
    data.add("sources", source="GUESS", kind="assumption", citation="mine", url="", note="")
    with pytest.raises(InputError, match="sources.csv, row 2, column 'note': an assumption must state its reasoning"):
        _load(tmp_path, data)


def test_demand_nothing_can_supply(tmp_path):
    data = _good().commodity("cement")
    data.demand({2025: 5}, commodity="cement")
    with pytest.raises(InputError, match="'cement' is demanded but no technology makes it"):
        _load(tmp_path, data)


def test_min_share_above_max_share(tmp_path):
    data = _good()
    data.add("bounds", region="R1", technology="eaf", year=2030, bound="min_share", value=0.6)
    data.add("bounds", region="R1", technology="eaf", year=2030, bound="max_share", value=0.4)
    with pytest.raises(InputError, match="min_share 0.6 exceeds max_share 0.4"):
        _load(tmp_path, data)


def test_capture_needs_storage_commodity(tmp_path):
    """Captured CO2 goes to the commodity with role co2_storage; a commodity merely *named*
    co2_storage does not count (roles are never guessed from names)."""
    data = _good()
    data.technology("ccs", co2=2.0, capture=0.9, lever="ccus")
    data.commodity("co2_storage", kind="service")
    with pytest.raises(InputError, match="a capture rate needs a commodity with role co2_storage"):
        _load(tmp_path, data)


def test_a_changing_emission_factor_needs_a_grid_role(tmp_path):
    """A commodity named `power` is grid power only if the data say so: without the role its
    falling factor would earn no clean_power wedge, so the loader asks for the role."""
    data = Dataset()
    data.commodity("steel").commodity("power", "PJ", "energy")
    data.technology("eaf", variable_om=150, inputs={"power": 2.0})
    data.demand({2025: 10}).price("power", 20, emission_factor=0.15).price("power", 20, year=2035, emission_factor=0.05)
    with pytest.raises(InputError, match="'power' is bought at an emission factor that changes") as caught:
        _load(tmp_path, data)
    assert caught.value.issues[0].column == "role"
    data.rows["commodities"][1]["role"] = "grid_electricity"
    _load(tmp_path / "ok", data)


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        ("cap = { 2060 = -4 }", "value for 2060 must be a number ≥ 0"),
        ('colour = "red"', "emissions.colour"),
        ('budget = "lots"', "must be a number"),
        ("cap = { 2070 = 100 }", "year 2070 is outside the horizon 2025–2030"),
    ],
)
def test_malformed_scenario(tmp_path, extra, expected):
    with pytest.raises(InputError, match=expected):
        _load(tmp_path, _good(), extra)


def test_override_changes_data_and_must_match(tmp_path):
    folder = _good().write(tmp_path / "data")
    override = '\n[[override]]\ntable = "commodity_prices"\nwhere = { commodity = "electricity" }\ncolumn = "price"\nscale = 2\n'
    scenario = write_scenario(tmp_path, folder)
    scenario.write_text(scenario.read_text() + override)
    data, _ = load_model_data(scenario)
    assert data.price[("R1", "electricity", 2030)] == 40
    scenario.write_text(scenario.read_text().replace('"electricity" }', '"hydrogen" }'))
    with pytest.raises(InputError, match="override matches no row of commodity_prices.csv"):
        load_model_data(scenario)


def test_override_that_makes_a_value_invalid(tmp_path):
    folder = _good().write(tmp_path / "data")
    scenario = write_scenario(tmp_path, folder)
    override = (
        '\n[[override]]\ntable = "tech_costs"\nwhere = { technology = "bf" }\ncolumn = "capex"\nadd = -500\n'
    )
    scenario.write_text(scenario.read_text() + override)
    with pytest.raises(InputError, match="override makes tech_costs.csv row 2 invalid: -500 is negative"):
        load_model_data(scenario)


def test_sparse_years_are_interpolated(tmp_path):
    data = _good()
    data.rows["demand"] = []
    data.demand({2025: 10, 2035: 20})
    folder = data.write(tmp_path / "data")
    loaded, _ = load_model_data(write_scenario(tmp_path, folder, end=2040))
    assert [loaded.demand[("R1", "steel", y)] for y in (2025, 2030, 2035, 2040)] == [10, 15, 20, 20]


def test_negative_price_is_refused_so_the_model_cannot_be_paid_to_dump(tmp_path):
    """A waste at −5 that nothing uses would be bought at max_supply and thrown away (the ≥
    balance allows it): the loader refuses the price instead, naming file, row and column."""
    data = _good()
    data.commodity("waste", kind="material").price("waste", -5, max_supply=600)
    with pytest.raises(InputError) as caught:
        _load(tmp_path, data)
    (issue,) = caught.value.issues
    assert (issue.file, issue.row, issue.column) == ("commodity_prices.csv", 3, "price")


@pytest.mark.parametrize(("column", "value", "expected"), [("life", 12, 12), ("first_year", 2030, 2030)])
def test_whole_number_columns_can_be_overridden(tmp_path, column, value, expected):
    folder = _good().write(tmp_path / "data")
    scenario = write_scenario(tmp_path, folder)
    override = f'\n[[override]]\ntable = "technologies"\nwhere = {{ technology = "eaf" }}\ncolumn = "{column}"\nset = {value}\n'
    scenario.write_text(scenario.read_text() + override)
    data, _ = load_model_data(scenario)
    assert getattr(data.technologies["eaf"], column) == expected


@pytest.mark.parametrize(
    ("column", "operation", "expected"),
    [("life", "set = 2.5", "2.5 is not a whole number"), ("life", "scale = 0", "must be > 0")],
)
def test_whole_number_overrides_must_stay_valid(tmp_path, column, operation, expected):
    folder = _good().write(tmp_path / "data")
    scenario = write_scenario(tmp_path, folder)
    override = f'\n[[override]]\ntable = "technologies"\nwhere = {{ technology = "eaf" }}\ncolumn = "{column}"\n{operation}\n'
    scenario.write_text(scenario.read_text() + override)
    with pytest.raises(InputError, match=expected):
        load_model_data(scenario)


def test_a_minimum_before_a_route_can_exist_is_ignored_with_a_warning(tmp_path, caplog):
    """eaf may be built from 2030; a min_share given for 2025 has nothing to act on: the loader says
    so (file, row, column) instead of dropping it silently."""
    data = _good()
    data.rows["technologies"][1]["first_year"] = 2030
    data.add("bounds", region="R1", technology="eaf", year=2025, bound="min_share", value=0.2)
    with caplog.at_level("WARNING", logger="optimizer"):
        _load(tmp_path, data)
    (message,) = [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]
    assert "bounds.csv, row 2, column 'year': min_share of eaf in 2025 is ignored" in message


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("eaf", "a route cannot convert itself"),
        ("kiln", "'kiln' is not a technology"),
        ("bf", "'bf' is itself a retrofit"),
    ],
)
def test_a_retrofit_must_convert_another_original_route(tmp_path, target, expected):
    data = _good()
    data.rows["technologies"][0]["retrofit_of"] = "eaf" if target == "bf" else ""
    data.rows["technologies"][1]["retrofit_of"] = target
    with pytest.raises(InputError) as caught:
        _load(tmp_path, data)
    assert any(issue.column == "retrofit_of" and expected in issue.message for issue in caught.value.issues)


def test_a_retrofit_keeps_its_plant_output(tmp_path):
    data = _good()
    data.commodity("cement").technology("kiln", output="cement", retrofit_of="bf")
    data.demand({2025: 1}, commodity="cement")
    with pytest.raises(InputError, match="'bf' makes steel, not cement"):
        _load(tmp_path, data)


def test_a_role_belongs_to_one_commodity(tmp_path):
    data = _good()
    data.commodity("power", "PJ", "energy")
    data.rows["commodities"][1]["role"] = "grid_electricity"
    data.rows["commodities"][2]["role"] = "grid_electricity"
    with pytest.raises(InputError) as caught:
        _load(tmp_path, data)
    (issue,) = caught.value.issues
    assert (issue.file, issue.row, issue.column) == ("commodities.csv", 4, "role")
    assert "already given to 'electricity'" in issue.message


def test_files_without_the_newer_optional_columns_still_load(tmp_path):
    """`role`, `label` and `retrofit_of` joined the contract later: a file may leave them out."""
    folder = _good().write(tmp_path / "data")
    for file, column in (("commodities.csv", "role"), ("technologies.csv", "label"), ("technologies.csv", "retrofit_of")):
        table = pd.read_csv(folder / file, dtype=str, keep_default_na=False)
        table.drop(columns=[column]).to_csv(folder / file, index=False)
    data, _ = load_model_data(write_scenario(tmp_path, folder))
    assert data.technologies["bf"].retrofit_of is None
    assert data.roles == {}
