"""The MACC on `three_routes()` (conftest): 2030 caps of 25 (not binding: all bf emits 20),
15 and 5 (ccs at 26.67 CNY/tCO2) and 1 (below ccs's 2 Mt floor: h2 at 760 CNY/tCO2)."""

from __future__ import annotations

import itertools

import pandas as pd
import pytest

from optimizer.errors import InputError
from optimizer.outputs.attribution import LEVER_ORDER
from optimizer.pathways.macc import run_macc


def test_carbon_price_rises_as_the_cap_tightens(scenario, tmp_path):
    outcome = run_macc(scenario(extra="cap = { 2030 = 100 }"), [5, 25, 1, 15], tmp_path / "macc")
    table = pd.read_csv(tmp_path / "macc" / "macc.csv")
    assert list(table["cap"]) == [25, 15, 5, 1]  # loosest first
    assert (table["status"] == "optimal").all()
    prices = table["carbon_price"].to_numpy()
    assert all(later >= earlier - 1e-9 for earlier, later in itertools.pairwise(prices))
    assert prices == pytest.approx([0, 48 / 1.8, 48 / 1.8, 760])
    assert table["emissions_2030"].to_numpy() == pytest.approx([20, 15, 5, 1])
    levers = table[list(LEVER_ORDER)].sum(axis=1)
    assert levers.to_numpy() == pytest.approx(table["abatement"].to_numpy())
    assert table.loc[table["cap"] == 5, "ccus"].item() > 0
    assert table.loc[table["cap"] == 1, "hydrogen"].item() > 0
    assert (tmp_path / "macc" / "macc.png").read_bytes().startswith(b"\x89PNG")
    for cap in ("25", "15", "5", "1"):
        assert (tmp_path / "macc" / f"cap-{cap}" / "summary.json").is_file()
    assert outcome.runs[5.0].summary["scenario"].endswith("-cap5")


def test_an_unreachable_cap_is_reported_not_raised(scenario, routes, tmp_path):
    """With h2 limited to half the steel, the other 5 Mt emit at least 0.2 t/t: a cap of 0.5 has no
    optimum; its row says so, the other caps are solved and the chart is drawn."""
    data = routes()
    data.add("bounds", region="R1", technology="h2", year=2025, bound="max_share", value=0.5)
    outcome = run_macc(scenario(data), [5, 0.5], tmp_path / "macc")
    assert list(outcome.table["status"]) == ["optimal", "infeasible"]
    assert not outcome.all_optimal
    assert pd.isna(outcome.table.loc[1, "carbon_price"])
    assert (tmp_path / "macc" / "macc.png").is_file()
    assert (tmp_path / "macc" / "cap-0.5" / "diagnosis.json").is_file()
    with pytest.raises(InputError):
        run_macc(scenario(), [-1])
