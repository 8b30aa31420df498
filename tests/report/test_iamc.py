"""The IAMC table: the template's variables, units, and parents that equal their children."""

from __future__ import annotations

import importlib.util
import shutil

import pandas as pd
import pytest

from optimizer.report.iamc import IAMC_COLUMNS, iamc_table, write_iamc
from optimizer.results import load_run


@pytest.fixture(scope="module")
def iamc(solved_run) -> pd.DataFrame:
    return iamc_table(load_run(solved_run[1]))


def assert_parents_equal_children(frame: pd.DataFrame, rel: float = 1e-12) -> int:
    """Every variable with children (one level deeper) equals their sum in each region, year and
    unit (a child missing in a year is zero; a child without its parent row fails). Returns the
    number of parent rows checked."""
    variables = set(frame["variable"])
    checked = 0
    for parent in sorted(variables):
        children = {v for v in variables if v.startswith(parent + "|") and "|" not in v[len(parent) + 1 :]}
        if not children:
            continue
        keys = ["region", "year", "unit"]
        totals = frame[frame["variable"] == parent].set_index(keys)["value"]
        sums = frame[frame["variable"].isin(children)].groupby(keys)["value"].sum()
        assert set(sums.index) <= set(totals.index), f"{parent}: children without a parent row"
        for key, total in totals.items():
            assert sums.get(key, 0.0) == pytest.approx(total, rel=rel, abs=1e-12), (parent, key)
            checked += 1
    return checked


def test_columns_and_identity(iamc):
    assert list(iamc.columns) == IAMC_COLUMNS
    assert set(iamc["model"]) == {"optimizer"}
    assert set(iamc["scenario"]) == {"report-test"}
    assert set(iamc["region"]) == {"R1"}
    assert not iamc.duplicated(["region", "variable", "unit", "year"]).any()
    assert iamc["value"].notna().all()


def test_parents_equal_the_sum_of_children(iamc, solved_run):
    assert assert_parents_equal_children(iamc) >= 8


def test_parents_hold_in_the_written_csv(solved_run, tmp_path):
    folder = tmp_path / "run"
    shutil.copytree(solved_run[1], folder)
    paths = write_iamc(load_run(folder), folder, scenario="renamed")
    frame = pd.read_csv(paths[0])
    assert list(frame.columns) == IAMC_COLUMNS
    assert set(frame["scenario"]) == {"renamed"}
    assert_parents_equal_children(frame, rel=1e-9)
    if importlib.util.find_spec("openpyxl") is None:
        assert [p.name for p in paths] == ["iamc.csv"]
    else:
        wide = pd.read_excel(folder / "iamc.xlsx", sheet_name="data")
        assert list(wide.columns[:5]) == ["Model", "Scenario", "Region", "Variable", "Unit"]
        assert len(wide) == frame.groupby(["region", "variable", "unit"]).ngroups


def test_template_values(iamc, solved_run):
    run, _ = solved_run
    value = iamc.set_index(["variable", "year"])["value"]
    units = iamc.groupby("variable")["unit"].first()
    for year, total in run.summary["emissions"].items():
        assert value["Emissions|CO2|Industry", int(year)] == pytest.approx(total)
    assert units["Emissions|CO2|Industry|Steel"] == "Mt CO2/yr"
    assert value["Emissions|CO2|Industry|Hydrogen Supply", 2035] == pytest.approx(4.376389 + 0.169167, rel=1e-6)  # coal_h2 direct + electrolysis grid
    assert value["Carbon Sequestration|CCS|Industry", 2035] == pytest.approx(5.0)
    assert value["Carbon Sequestration|CCS|Industry|Steel", 2035] == pytest.approx(5.0)
    assert value["Production|Steel|h2_dri", 2035] == pytest.approx(5.222222, rel=1e-6)
    assert value["Production|Steel", 2025] == pytest.approx(10.0)
    assert value["Production|Cement|kiln_gas", 2035] == pytest.approx(3.4)
    assert value["Production|Hydrogen|coal_h2", 2035] == pytest.approx(0.218819, rel=1e-5)
    # final energy: PJ → EJ, hydrogen at 120 PJ/Mt; hydrogen supply's inputs are conversion, not final use
    assert units["Final Energy|Industry"] == "EJ/yr"
    assert value["Final Energy|Industry|Coal", 2025] == pytest.approx(0.180)
    assert value["Final Energy|Industry|Gas", 2035] == pytest.approx(3.4 * 3 / 1000)
    assert value["Final Energy|Industry|Hydrogen", 2035] == pytest.approx(0.261111 * 0.12, rel=1e-5)
    assert value["Final Energy|Industry|Coal", 2035] == pytest.approx((18.6 * 3 + 2.777778 * 13) / 1000, rel=1e-6)
    assert value["Energy Input|Hydrogen Supply|Coal", 2035] == pytest.approx(0.218819 * 150 / 1000, rel=1e-5)
    assert value["Price|Carbon", 2035] == pytest.approx(265.625)
    assert units["Price|Carbon"] == "CNY2025/t CO2"
    assert value["Investment|Industry", 2035] == pytest.approx(0.6925605257, rel=1e-6)
    assert units["Investment|Industry"] == "billion CNY2025/yr"
    levers = {v.rsplit("|", 1)[1] for v in iamc["variable"] if v.startswith("Abatement|CO2|Industry|")}
    assert levers == {
        "CCUS", "Demand", "Efficiency", "Electrification", "Clean Power", "Feedstock Substitution", "Hydrogen", "Other"
    }
    assert value["Abatement|CO2|Industry", 2035] == pytest.approx(32.0 - 18.0)
    assert value["Abatement|CO2|Industry|CCUS", 2035] == pytest.approx(5.0)


def test_system_wide_price_is_added_to_every_region(solved_run):
    tables = load_run(solved_run[1])
    tables.production = pd.concat([tables.production, tables.production.assign(region="R2")], ignore_index=True)
    regional = tables.carbon_price.assign(region="R2", price=10.0)
    tables.carbon_price = pd.concat([tables.carbon_price, regional], ignore_index=True)
    price = iamc_table(tables).query("variable == 'Price|Carbon' and year == 2035").set_index("region")["value"]
    assert price.to_dict() == pytest.approx({"R1": 265.625, "R2": 275.625})


def test_unconvertible_energy_keeps_its_unit_and_parents_still_hold(solved_run):
    tables = load_run(solved_run[1])
    odd = pd.DataFrame(
        [{"region": "R1", "sector": "cement", "commodity": "biomass", "year": 2035, "value": 2.0, "unit": "Mt/yr"}]
    )
    tables.energy = pd.concat([tables.energy, odd], ignore_index=True)
    frame = iamc_table(tables)
    rows = frame[frame["variable"].isin(["Final Energy|Industry", "Final Energy|Industry|Biomass"])]
    assert set(rows.loc[rows["variable"] == "Final Energy|Industry|Biomass", "unit"]) == {"Mt/yr"}
    assert set(rows.loc[rows["variable"] == "Final Energy|Industry", "unit"]) == {"EJ/yr", "Mt/yr"}
    assert_parents_equal_children(frame)


def test_pyam_reads_the_table_and_finds_every_parent_equal_to_its_children(solved_run, tmp_path):
    """The ecosystem's own reader and aggregate check (pyam, from the test extra) on iamc.csv."""
    pyam = pytest.importorskip("pyam")
    folder = tmp_path / "run"
    shutil.copytree(solved_run[1], folder)
    written = write_iamc(load_run(folder), folder)
    frame = pyam.IamDataFrame(written[0])
    assert set(frame.variable) == set(pd.read_csv(written[0])["variable"])
    parents = sorted({v.rsplit("|", 1)[0] for v in frame.variable if "|" in v} & set(frame.variable))
    assert {"Emissions|CO2|Industry", "Abatement|CO2|Industry", "Final Energy|Industry", "Production|Steel"} <= set(parents)
    for parent in parents:
        assert frame.check_aggregate(parent) is None, parent
