"""End to end on the shipped data: `optimizer run` with no arguments, as the README says."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest
from builders import OUTPUT_COLUMNS, run_cli

from optimizer.outputs.indicators import largest_relative_cut, largest_share_switch

pytestmark = pytest.mark.slow  # the shipped default run end to end, with its report

ROOT = Path(__file__).resolve().parents[1]
SCENARIO = ROOT / "inputs" / "scenarios" / "net-zero-2060.toml"


@pytest.fixture(scope="module")
def default_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("default") / "net-zero-2060"
    done = run_cli("run", "--out", out, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    return out


def test_every_output_file_with_the_contract_columns(default_run):
    for name, columns in OUTPUT_COLUMNS.items():
        table = pd.read_csv(default_run / name)
        assert list(table.columns) == columns, name
        assert len(table) > 0, name


def test_report_iamc_and_plots_of_the_default_run(default_run):
    assert (default_run / "report.html").is_file()
    assert len(list((default_run / "plots").glob("*.png"))) >= 8
    iamc = pd.read_csv(default_run / "iamc.csv")
    assert list(iamc.columns) == ["model", "scenario", "region", "variable", "unit", "year", "value"]


def test_summary_of_the_default_run(default_run):
    summary = json.loads((default_run / "summary.json").read_text())
    assert summary["status"] == "optimal"
    assert summary["scenario"] == "net-zero-2060"
    assert summary["emissions"]["2060"] <= 450 + 1e-6
    assert set(summary["timings"]) >= {"load", "build", "solve", "extract", "write"}
    costs = pd.read_csv(default_run / "costs.csv")
    assert costs["discounted"].sum() == pytest.approx(summary["objective"], rel=1e-9)


def test_wedges_add_up_on_the_default_run(default_run):
    summary = json.loads((default_run / "summary.json").read_text())
    abatement = pd.read_csv(default_run / "abatement.csv").groupby("year")["abatement"].sum()
    for year, total in abatement.items():
        assert total == pytest.approx(summary["emissions"]["2025"] - summary["emissions"][str(year)], abs=1e-6)


def test_validate_shipped_and_broken_data(tmp_path):
    assert run_cli("validate", cwd=ROOT).returncode == 0
    assert run_cli("validate", ROOT / "inputs" / "china-industry").returncode == 0
    broken = tmp_path / "china-industry"
    shutil.copytree(ROOT / "inputs" / "china-industry", broken)
    technologies = pd.read_csv(broken / "technologies.csv", dtype=str, keep_default_na=False)
    technologies.loc[0, "life"] = "forever"
    technologies.to_csv(broken / "technologies.csv", index=False)
    done = run_cli("validate", broken)
    assert done.returncode == 2
    assert "technologies.csv, row 2, column 'life': 'forever' is not a number" in done.stderr


# Pinned objective of the default run, million CNY2025 (present value). Change it only with a
# reason, newest first:
# - 168,422,204: biomass boilers ramp with the pellet supply chain (a quarter of the turnover
#   seed), electric lime calciners with capture held to 30 % of lime output like post-combustion.
# - 168,292,197: capacity limits act on the capacity available over the milestone's years, so
#   stock retiring within a milestone makes room for new build (no early scrapping to fit a limit).
# - 168,401,162: dataset v2 (process emitters out of the residual, capture realism, retrofits, a pinned
#   2025), growth limits on capacity in use, the smoother grid path, and the policy-anchored
#   default (cap path + ETS carbon price, whose payments count in the objective).
# - 156,088,538: yearly growth seeds (converted so a 5-year step adds what it did) and partial
#   periods (a stock schedule or life ending inside a milestone serves only its years).
# - 155,032,693: first calibrated dataset (steel, cement, chemicals, aluminium, other industry).
PINNED_OBJECTIVE = 168_291_272.1
README = ROOT / "inputs" / "README.md"


def readme_table(marker: str) -> pd.DataFrame:
    """The markdown table that follows `<!-- marker -->` in inputs/README.md, as text cells."""
    lines = README.read_text(encoding="utf-8").splitlines()
    start = lines.index(f"<!-- {marker} -->") + 1
    rows = []
    for line in lines[start:]:
        if not line.startswith("|"):
            if rows:
                break
            continue
        rows.append([cell.strip() for cell in line.strip().strip("|").split("|")])
    header, body = rows[0], [r for r in rows[2:] if not r[0].startswith("**")]
    return pd.DataFrame(body, columns=header)


def number(cell: str) -> float:
    return float(cell.replace(",", "").replace("−", "-").strip("* "))


@pytest.fixture(scope="module")
def summary(default_run) -> dict:
    return json.loads((default_run / "summary.json").read_text())


def test_the_base_year_is_pinned_to_the_readme_table(default_run):
    """DESIGN §7: 2025 emissions by sector equal the inputs/README.md table, production by route is
    within 2 points of the sourced shares, and nothing is built or retired in 2025."""
    emissions = pd.read_csv(default_run / "emissions.csv").query("year == 2025")
    by_sector = emissions.groupby("sector")["value"].sum()
    table = readme_table("base-year-by-sector")
    for row in table.itertuples(index=False):
        sector = row[0].strip("`")
        assert by_sector[sector] == pytest.approx(number(row.total), abs=0.6), sector
    assert set(by_sector.index) == {cell.strip("`") for cell in table.iloc[:, 0]}
    production = pd.read_csv(default_run / "production.csv").query("year == 2025")
    technologies = pd.read_csv(ROOT / "inputs" / "china-industry" / "technologies.csv")
    main = set(zip(technologies["technology"], technologies["output"], strict=True))
    production = production[[(t, c) in main for t, c in zip(production["technology"], production["commodity"], strict=True)]]
    made = production.groupby(["commodity", "technology"])["value"].sum()  # main outputs, not by-products
    for row in readme_table("base-year-routes").itertuples(index=False):
        commodity, technology = row[0].strip("`"), row[1].strip("`")
        share = 100 * made[(commodity, technology)] / made[commodity].sum()
        assert share == pytest.approx(number(row.sourced), abs=2.0), (commodity, technology)
    capacity = pd.read_csv(default_run / "capacity.csv").query("year == 2025")
    assert capacity["new"].abs().max() == pytest.approx(0)
    assert capacity["retired"].abs().max() == pytest.approx(0)


def test_headline_emissions(summary):
    """2060 ≤ 450 Mt (about 95 % below 2025: 94.4 %); a peak no later than 2030."""
    emissions = {int(y): v for y, v in summary["emissions"].items()}
    assert emissions[2060] <= 450 + 1e-6
    assert 1 - emissions[2060] / emissions[2025] >= 0.94
    assert summary["indicators"]["peak_year"] <= 2030


def test_2025_emissions_are_the_documented_scope(summary):
    """A documented miss (inputs/README.md, "What the calibration cannot reach"): mining and
    manufacturing, scope 1 + 2, is 8.08 Gt, not the ~9 Gt the Outlook's headline implies. This
    holds the documented value; the target is the strict xfail below."""
    assert 8000 <= summary["emissions"]["2025"] <= 8200


@pytest.mark.xfail(strict=True, reason="the scope gives 8.08 Gt in 2025; see inputs/README.md")
def test_2025_emissions_are_9_gt(summary):
    assert 8500 <= summary["emissions"]["2025"] <= 9500


def test_the_residual_share_is_printed(summary, default_run, capsys):
    """The other-industry residual's share of 2025 emissions is at most 30 % (inputs/README.md:
    29.9 % after non-ferrous metals other than aluminium, ceramics, metal products and textiles
    were carved out of it)."""
    emissions = pd.read_csv(default_run / "emissions.csv").query("year == 2025")
    share = emissions.loc[emissions["sector"] == "other_industry", "value"].sum() / emissions["value"].sum()
    with capsys.disabled():
        print(f"\nother-industry residual: {100 * share:.1f} % of 2025 emissions")
    assert share <= 0.30


def test_new_sectors_produce_the_readme_figures_in_2025(default_run):
    """Each sector this dataset added makes its inputs/README.md 2025 production."""
    production = pd.read_csv(default_run / "production.csv").query("year == 2025")
    made = production.groupby("commodity")["value"].sum()
    table = readme_table("base-year-production")
    assert len(table) >= 13
    for row in table.itertuples(index=False):
        assert made[row[0].strip("`")] == pytest.approx(number(row[1]), rel=0.01), row[0]


def test_a_gradual_pathway(summary):
    """≥ 40 % of the reduction between 2035 and 2050; no 5-year span cuts more than 20 % of the
    2025 level; capex of new plants left idle or retired in the first half of their life ≤ 5 %."""
    indicators = summary["indicators"]
    assert indicators["reduction_share_2035_2050"] >= 0.40
    assert indicators["largest_5yr_cut"] <= 0.20
    assert indicators["stranded_new_build"]["share"] <= 0.05
    # Against the level at its own start, no 5-year span cuts faster than the policy cap path does
    # (a straight line to 450 Mt cuts 76 % of its level in its last five years; inputs/README.md).
    cap = {int(y): v for y, v in summary["cap"].items()}
    cap = {2025: summary["emissions"]["2025"], **{y: v for y, v in cap.items() if y >= 2030}}
    assert indicators["largest_5yr_cut_of_level"] <= largest_relative_cut(cap)[0]


def test_no_single_step_switch_in_the_headline_charts(default_run, summary):
    """The steel, cement, hydrogen and other-industry charts: no route gains or loses half of its
    product's output over any 5 calendar years (the data hold every route to 8 points a year, the
    fastest fleet switch Chinese industry has seen, HIST_NSP; a changing market adds to the share
    moved). The whole system's largest switch is reported in summary.json."""
    production = pd.read_csv(default_run / "production.csv")
    for sector in ("iron_steel", "cement", "hydrogen_supply", "other_industry"):
        switch = largest_share_switch(production[production["sector"] == sector])
        assert switch["share"] < 0.5, (sector, switch)
    assert summary["indicators"]["largest_share_switch"]["share"] < 0.6


def test_the_four_categories_are_the_documented_miss(summary):
    """Feedstock substitution, electrification + clean power, hydrogen and CCUS: 80 ± 5 % of the
    2060 reduction is the target; the demand wedge (19 %) leaves 74 %, a documented miss (90 % on
    the Outlook's technology-only basis). This holds the documented value; the target is the strict
    xfail below."""
    levers = summary["levers"]
    assert 0.72 <= levers["four_categories"] <= 0.75
    technology = 1 - levers["shares"]["demand"]
    assert levers["four_categories"] / technology >= 0.85


@pytest.mark.xfail(strict=True, reason="the four categories are 74 % with a 19 % demand wedge; see inputs/README.md")
def test_the_four_categories_are_80_percent(summary):
    assert 0.75 <= summary["levers"]["four_categories"] <= 0.85


def test_hydrogen_electricity_and_capture_realism(default_run, summary):
    """Electrolytic hydrogen ≥ 10 Mt/yr in 2045 and 30–80 Mt/yr in 2060; grid electricity ≥ 55 %
    of industrial final energy in 2060 (the non-manufacturing block left out); captured CO2
    ≤ 2.0 Gt/yr with steel ≤ 150 Mt and dispersed boilers and furnaces ≤ 30 %; CCUS in 2050 ≤ 60 %
    of its 2060 level."""
    from optimizer.results import load_run

    indicators = summary["indicators"]
    assert indicators["clean_hydrogen"]["2045"] >= 10
    assert 30 <= indicators["clean_hydrogen"]["2060"] <= 80
    captured = indicators["captured"]["2060"]
    by_sector = indicators["captured_by_sector"]
    assert captured <= 2000
    assert by_sector.get("iron_steel", 0.0) <= 150
    assert by_sector.get("other_industry", 0.0) <= 0.30 * captured
    run = load_run(default_run)
    wedges = run.abatement.pivot_table(index="year", columns="lever", values="abatement", aggfunc="sum")
    assert wedges.loc[2050, "ccus"] <= 0.60 * wedges.loc[2060, "ccus"]
    final = run.energy[~run.energy["sector"].isin(["nonmfg_electricity", "hydrogen_supply"])]
    hydrogen = final["value"] * 120.0 * (final["commodity"] == "hydrogen")  # PJ at 120 PJ/Mt
    pj = final["value"].where(final["unit"] == "PJ/yr", hydrogen).groupby(final["year"]).sum()
    grid = final[final["commodity"] == "electricity"].groupby("year")["value"].sum()
    assert grid[2060] / pj[2060] >= 0.55


def test_ccus_share_is_the_documented_miss(summary):
    """CCUS is the one headline target the default does not meet (inputs/README.md, "What the
    calibration cannot reach"): its least-cost share sits in the band documented there. This test
    holds the documented value so a change to it is noticed; the target itself is the strict
    xfail below."""
    assert 0.06 <= summary["levers"]["shares"]["ccus"] <= 0.10


@pytest.mark.xfail(strict=True, reason="the least-cost CCUS share is ~7.5 %; see inputs/README.md, the honest miss")
def test_ccus_is_24_percent_of_the_2060_reduction(summary):
    assert 0.20 <= summary["levers"]["shares"]["ccus"] <= 0.28


def test_the_pathway_has_a_cost_against_the_reference(summary):
    cost = summary["cost_vs_reference"]
    assert cost["status"] == "optimal"
    assert cost["present_value"] > 0
    assert 0 < cost["average_cost"] < 2732  # CNY/tCO2, inside the literature's 2060 price range


def test_objective_is_pinned(summary):
    assert summary["objective"] == pytest.approx(PINNED_OBJECTIVE, rel=1e-6)
