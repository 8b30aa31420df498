"""compare_runs on tiny solved runs: identical runs differ by nothing; different year grids are
compared on their common years, with a note; folders holding runs are searched."""

from __future__ import annotations

import base64
import json
import re

import pandas as pd
import pytest

from optimizer.errors import InputError
from optimizer.pathways.align import ALIGNED
from optimizer.pathways.compare import compare_runs
from optimizer.runner import solve_scenario, write_run


def _written(scenario_path, folder):
    return write_run(solve_scenario(scenario_path), folder)


def test_identical_runs_show_no_difference(scenario, tmp_path):
    path = scenario(extra="cap = { 2030 = 5 }")
    first, second = _written(path, tmp_path / "a"), _written(path, tmp_path / "b")
    comparison = compare_runs([first, second], tmp_path / "cmp")
    assert comparison.labels == ["a", "b"]  # the scenario names are equal, so the folder names
    assert comparison.common_years == [2025, 2030]
    assert comparison.notes == []
    for name, (_, values) in ALIGNED.items():
        table = pd.read_csv(tmp_path / "cmp" / f"{name}.csv")
        assert set(table["run"]) == ({"a", "b"} if name != "energy" else set()), name  # no eaf: no energy
        for value in values:
            assert (table[f"delta_{value}"].abs() < 1e-12).all(), (name, value)
    numbers = comparison.key_numbers.set_index("run")
    assert numbers.loc["b", "delta_cost_discounted"] == 0
    objective = json.loads((first / "summary.json").read_text())["objective"]
    assert numbers.loc["a", "cumulative_cost_discounted"] == pytest.approx(objective, rel=1e-9)
    assert numbers.loc["a", "emissions_2030"] == pytest.approx(5)


def test_delta_against_the_first_run(scenario, tmp_path):
    """Without a cap all steel is bf (20 Mt in 2030); the cap of 5 moves 8.33 Mt to ccs."""
    free = _written(scenario(name="free"), tmp_path / "free")
    capped = _written(scenario(name="capped", extra="cap = { 2030 = 5 }"), tmp_path / "capped")
    comparison = compare_runs([free, capped])
    assert comparison.labels == ["free", "capped"]
    emissions = comparison.tables["emissions"].set_index(["run", "year"])
    assert emissions.loc[("capped", 2030), "delta_emissions"] == pytest.approx(-15)
    production = comparison.tables["production"].set_index(["run", "technology", "year"])
    assert production.loc[("capped", "ccs", 2030), "delta_value"] == pytest.approx(25 / 3)
    assert production.loc[("free", "ccs", 2030), "value"] == 0  # absent from the free run: a zero row
    cost = comparison.tables["cumulative_cost"].set_index(["run", "component"])
    assert cost.loc[("capped", "total"), "delta_discounted"] == pytest.approx(25 / 3 * 48)


def test_different_year_grids_use_common_years_and_say_so(scenario, tmp_path, caplog):
    """Steps of 5 (2025, 2030, 2035) and 10 (2025, 2035) over the same 2025–2035 horizon: only
    2025 and 2035 are compared. Demand and prices are flat, so every calendar year costs the
    same: the cumulative costs (spread over calendar years, discounted at 5 %) agree exactly."""
    rate = {"discount_rate": 0.05, "end": 2035}
    five = _written(scenario(name="five", step=5, **rate), tmp_path / "five")
    ten = _written(scenario(name="ten", step=10, **rate), tmp_path / "ten")
    comparison = compare_runs([five, ten], tmp_path / "cmp")
    assert comparison.common_years == [2025, 2035]
    assert any("different milestone years" in note and "2025, 2035" in note for note in comparison.notes)
    assert "different milestone years" in caplog.text
    document = json.loads((tmp_path / "cmp" / "compare.json").read_text())
    assert document["common_years"] == [2025, 2035]
    assert document["notes"] == comparison.notes
    for name in ("emissions", "production", "costs", "carbon_price", "abatement"):
        assert set(comparison.tables[name]["year"]) <= {2025, 2035}, name
    cost = comparison.tables["cumulative_cost"].set_index(["run", "component"])
    assert cost.loc[("ten", "total"), "discounted"] == pytest.approx(cost.loc[("five", "total"), "discounted"])
    assert cost.loc[("ten", "total"), "undiscounted"] == pytest.approx(11 * 10 * 100)
    assert cost.loc[("five", "total"), "discounted"] == pytest.approx(
        json.loads((five / "summary.json").read_text())["objective"]
    )


def test_page_is_self_contained(scenario, tmp_path):
    path = scenario(extra="cap = { 2030 = 5 }")
    runs = [_written(path, tmp_path / "runs" / name) for name in ("a", "b", "c")]
    compare_runs([tmp_path / "runs"], tmp_path / "cmp")  # a folder holding runs
    page = (tmp_path / "cmp" / "compare.html").read_text()
    assert not re.search(r"(src|href)=['\"](?!data:)", page)
    images = re.findall(r"data:image/png;base64,([A-Za-z0-9+/=]+)", page)
    assert len(images) == 4
    assert all(base64.b64decode(image).startswith(b"\x89PNG") for image in images)
    for run in runs:
        assert run.name in page
    assert {p.name for p in (tmp_path / "cmp" / "plots").iterdir()} == {
        "emissions.png", "wedges.png", "lever_shares.png", "cost_delta.png"
    }  # fmt: skip


def test_needs_two_runs_with_an_optimum(scenario, tmp_path):
    run = _written(scenario(), tmp_path / "only")
    with pytest.raises(InputError, match="at least two"):
        compare_runs([run])
    (tmp_path / "empty").mkdir()
    with pytest.raises(InputError, match="holds no run folder"):
        compare_runs([run, tmp_path / "empty"])


def test_runs_from_different_datasets_are_noted(scenario, routes, tmp_path):
    dear = routes()
    dear.rows["commodity_prices"][1]["price"] = 30  # co2_storage 30 instead of 10
    first = _written(scenario(extra="cap = { 2030 = 5 }"), tmp_path / "a")
    second = _written(scenario(dear, extra="cap = { 2030 = 5 }"), tmp_path / "b")
    comparison = compare_runs([first, second])
    assert any("different datasets" in note for note in comparison.notes)
    prices = comparison.tables["carbon_price"].set_index(["run", "year"])["price"]
    assert comparison.labels == ["case1", "case2"]  # scenario names, unique here
    assert prices[("case2", 2030)] == pytest.approx((130 + 1.8 * 30 - 100) / 1.8)


def test_sweep_points_are_runs(scenario, tmp_path):
    """A sweep folder (points/<id>/record.json + one parquet file per table, manifest.json naming
    the base scenario) is searched for its points; a failed point is skipped with a note."""
    pytest.importorskip("pyarrow")  # parquet, as the sweep store writes it
    base = scenario(extra="cap = { 2030 = 5 }")
    sweep = tmp_path / "sweep"
    (sweep / "points").mkdir(parents=True)
    (sweep / "manifest.json").write_text(json.dumps({"sweep": {"base": str(base)}, "points": {}}))
    for run_id, extra in (("p0000", "cap = { 2030 = 5 }"), ("p0001", "cap = { 2030 = 15 }")):
        run = solve_scenario(scenario(extra=extra))
        folder = sweep / "points" / run_id
        folder.mkdir()
        for name, table in run.tables.items():
            table.to_parquet(folder / f"{name}.parquet", index=False)
        record = {"run_id": run_id, "status": "optimal", "objective": run.result.objective}
        (folder / "record.json").write_text(json.dumps(record))
    (sweep / "points" / "p0002").mkdir()
    (sweep / "points" / "p0002" / "record.json").write_text(json.dumps({"run_id": "p0002", "status": "infeasible"}))
    comparison = compare_runs([sweep])
    assert comparison.labels == ["p0000", "p0001"]
    assert any("p0002 skipped" in note for note in comparison.notes)
    emissions = comparison.tables["emissions"].set_index(["run", "year"])
    assert emissions.loc[("p0001", 2030), "delta_emissions"] == pytest.approx(10)


def test_reference_is_chosen_not_alphabetical(scenario, tmp_path, caplog):
    """A folder holding runs is read alphabetically; --reference puts the chosen run first, and
    the console deltas carry their unit."""
    free = _written(scenario(name="free"), tmp_path / "runs" / "a-free")
    capped = _written(scenario(name="capped", extra="cap = { 2030 = 5 }"), tmp_path / "runs" / "b-capped")
    assert compare_runs([tmp_path / "runs"]).reference == "free"
    comparison = compare_runs([tmp_path / "runs"], reference=capped)
    assert comparison.labels == ["capped", "free"]
    cost = comparison.tables["cumulative_cost"].set_index(["run", "component"])
    assert cost.loc[("free", "total"), "delta_discounted"] == pytest.approx(-25 / 3 * 48)
    assert compare_runs([free], reference=capped).labels == ["capped", "free"]  # added when not among the runs
    with pytest.raises(InputError, match="--reference is not a run folder"):
        compare_runs([free, capped], reference=tmp_path)

    from builders import run_cli

    done = run_cli("compare", tmp_path / "runs", "--reference", capped, "--out", tmp_path / "cmp")
    assert done.returncode == 0, done.stderr
    assert "reference: capped" in done.stderr
    assert re.search(r"free .*cumulative cost \(PV\): [\d,]+ million CNY2025 +\(-[\d,]+ million CNY2025 against capped\)",
                     done.stderr), done.stderr  # fmt: skip
    page = (tmp_path / "cmp" / "compare.html").read_text(encoding="utf-8")
    assert "Emissions in 2030 (MtCO2/yr)" in page
    assert "Cumulative cost 2025–2030, present value (million CNY2025)" in page
