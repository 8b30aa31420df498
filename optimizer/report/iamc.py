"""A run's results as an IAMC long table (`model, scenario, region, variable, unit, year, value`).

Variable template (`<Sector>` is the sector's Title-case name: iron_steel → Steel, cement →
Cement, chemicals → Chemicals, aluminium → Aluminium, other_industry → Other, hydrogen_supply →
Hydrogen Supply, any other → its words in Title case):

==========================================  ==================  ===========================================
variable                                    unit                from
==========================================  ==================  ===========================================
Emissions|CO2|Industry                      Mt CO2/yr           emissions.csv in the cap's scope (summary
                                                                ``scope``: direct, or direct+indirect)
Emissions|CO2|Industry|<Sector>             Mt CO2/yr           the same, by sector
Carbon Sequestration|CCS|Industry           Mt CO2/yr           emissions.csv, scope ``captured`` (as positive)
Carbon Sequestration|CCS|Industry|<Sector>  Mt CO2/yr           the same, by sector
Production|<Product>                        table's unit        production.csv (Mt/yr, PJ/yr)
Production|<Product>|<technology>           table's unit        the same, by technology id (``bf_bof``)
Final Energy|Industry                       EJ/yr               energy.csv, sectors other than conversion
Final Energy|Industry|<Carrier>             EJ/yr               the same, by carrier
Energy Input|<Sector>                       EJ/yr               energy.csv, conversion sectors only
Energy Input|<Sector>|<Carrier>             EJ/yr               the same, by carrier
Price|Carbon                                <currency>/t CO2    carbon_price.csv
Investment|Industry                         billion <cur>/yr    costs.csv, component ``investment``
Abatement|CO2|Industry                      Mt CO2/yr           abatement.csv (reduction since the first year)
Abatement|CO2|Industry|<Lever>              Mt CO2/yr           the same, by lever
==========================================  ==================  ===========================================

- ``<Product>`` is the product's Title-case name (steel → Steel, clinker → Clinker, hvc → HVC,
  electric_enduse → Electric End Use), so steel routes read ``Production|Steel|bf_bof``.
- ``<Carrier>``: electricity* → Electricity, natural_gas → Gas, coal and coking_coal → Coal,
  hydrogen → Hydrogen, biomass → Biomass, anything else → Other. PJ → EJ divides by 1000; hydrogen
  in Mt is converted at its lower heating value, 120 PJ/Mt. An energy row in a unit that cannot
  be converted keeps its own unit (and is summed into a parent row of that unit).
- A *conversion sector* makes only energy commodities that other sectors use (in-model hydrogen
  supply). Its energy inputs are reported as ``Energy Input|<Sector>``, not as final energy,
  since the hydrogen it makes is already counted as ``Final Energy|Industry|Hydrogen``.
- ``<Lever>``: Demand, Efficiency, Feedstock Substitution, Electrification, Clean Power, Hydrogen, CCUS, Other.
- ``Price|Carbon``: a system-wide price (region ``all``) is reported for every region of the
  run, added to that region's own price if it has one.
- ``Investment|Industry`` is the annualised capital charge of the plants serving each year (the
  model spreads investment over plant lives), undiscounted, as in costs.csv.
- Parents equal the sum of their children in every region, year and unit; a child missing in a
  year is zero.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pandas as pd

from optimizer.report import derive
from optimizer.report import style as st
from optimizer.results import RunTables

IAMC_COLUMNS = ["model", "scenario", "region", "variable", "unit", "year", "value"]
_ROWS = ["region", "variable", "unit", "year", "value"]
MT_CO2 = "Mt CO2/yr"


def _tree(children: pd.DataFrame, parent: str, unit: str | None = None) -> pd.DataFrame:
    """`children` (region, year, child, value[, unit]) as `parent|child` rows plus the parent sums."""
    if children.empty:
        return pd.DataFrame(columns=_ROWS)
    frame = children.copy()
    if unit is not None:
        frame["unit"] = unit
    frame = frame.groupby(["region", "year", "unit", "child"], as_index=False)["value"].sum()
    frame["variable"] = parent + "|" + frame["child"].astype(str)
    total = frame.groupby(["region", "year", "unit"], as_index=False)["value"].sum()
    total["variable"] = parent
    return pd.concat([total[_ROWS], frame[_ROWS]], ignore_index=True)


def _emissions(tables: RunTables) -> list[pd.DataFrame]:
    emissions = derive.in_scope(tables).assign(child=lambda f: f["sector"].map(st.sector_name))
    captured = derive.captured(tables)
    captured = captured.assign(child=captured["sector"].map(st.sector_name))
    return [
        _tree(emissions, "Emissions|CO2|Industry", MT_CO2),
        _tree(captured, "Carbon Sequestration|CCS|Industry", MT_CO2),
    ]


def _production(tables: RunTables) -> list[pd.DataFrame]:
    rows = tables.production.assign(child=tables.production["technology"])
    return [_tree(part, f"Production|{st.product_name(str(product))}") for product, part in rows.groupby("commodity")]


def _energy(tables: RunTables) -> list[pd.DataFrame]:
    energy = derive.energy_pj(tables)
    energy["child"] = energy["carrier"]
    known = energy["pj"].notna()
    energy.loc[known, "value"] = energy.loc[known, "pj"] / 1000.0
    energy.loc[known, "unit"] = "EJ/yr"
    parts = [_tree(energy[energy["final"]], "Final Energy|Industry")]
    for sector, part in energy[~energy["final"]].groupby("sector"):
        parts.append(_tree(part, f"Energy Input|{st.sector_name(str(sector))}"))
    return parts


def _price(tables: RunTables, regions: list[str]) -> pd.DataFrame:
    prices = tables.carbon_price.dropna(subset=["price"])
    if prices.empty:
        return pd.DataFrame(columns=_ROWS)
    system = prices[prices["region"] == "all"]
    own = prices[prices["region"] != "all"]
    spread = [system.assign(region=r) for r in regions] if regions else [system]
    frame = pd.concat([*spread, own], ignore_index=True)
    frame = frame.groupby(["region", "year", "unit"], as_index=False)["price"].sum()
    frame["unit"] = frame["unit"].astype(str).str.replace("/tCO2", "/t CO2", regex=False)
    return frame.rename(columns={"price": "value"}).assign(variable="Price|Carbon")[_ROWS]


def _investment(tables: RunTables) -> pd.DataFrame:
    costs = tables.costs[tables.costs["component"] == "investment"]
    if costs.empty:
        return pd.DataFrame(columns=_ROWS)
    costs = costs.groupby(["region", "year", "unit"], as_index=False)["value"].sum()
    million = costs["unit"].astype(str).str.startswith("million ")
    costs.loc[million, "value"] = costs.loc[million, "value"] / 1000.0
    costs.loc[million, "unit"] = "billion " + costs.loc[million, "unit"].astype(str).str.removeprefix("million ")
    costs["unit"] = costs["unit"].astype(str) + "/yr"
    return costs.assign(variable="Investment|Industry")[_ROWS]


def _abatement(tables: RunTables) -> pd.DataFrame:
    abatement = tables.abatement.dropna(subset=["abatement"])
    levers = abatement["lever"].map(lambda lever: "CCUS" if lever == "ccus" else lever.replace("_", " ").title())
    rows = abatement.assign(child=levers, value=abatement["abatement"])
    return _tree(rows, "Abatement|CO2|Industry", MT_CO2)


def iamc_table(tables: RunTables, model: str = "optimizer", scenario: str | None = None) -> pd.DataFrame:
    """The run in IAMC long format, sorted by region, variable and year (template: module docstring)."""
    regions = sorted(
        {str(r) for name in ("production", "emissions", "costs", "energy") for r in tables[name]["region"]} - {"all"}
    )
    parts = [
        *_emissions(tables),
        *_production(tables),
        *_energy(tables),
        _price(tables, regions),
        _investment(tables),
        _abatement(tables),
    ]
    parts = [part for part in parts if not part.empty]
    if not parts:
        return pd.DataFrame(columns=IAMC_COLUMNS)
    frame = pd.concat(parts, ignore_index=True)
    frame["model"] = model
    frame["scenario"] = scenario or tables.scenario
    frame["year"] = frame["year"].astype("int64")
    frame["value"] = frame["value"].astype("float64")
    return frame[IAMC_COLUMNS].sort_values(["region", "variable", "year"], ignore_index=True)


def write_iamc(
    tables: RunTables, folder: str | Path, model: str = "optimizer", scenario: str | None = None
) -> list[Path]:
    """Write `iamc.csv` (long) and, if openpyxl is importable, `iamc.xlsx` (wide, a column per
    year, sheet `data`, the usual IAMC template layout); return the paths written."""
    folder = Path(folder)
    frame = iamc_table(tables, model, scenario)
    written = [folder / "iamc.csv"]
    frame.to_csv(written[0], index=False, float_format="%.10g", lineterminator="\n")
    if importlib.util.find_spec("openpyxl") is not None:
        keys = ["model", "scenario", "region", "variable", "unit"]
        wide = frame.pivot_table(index=keys, columns="year", values="value", aggfunc="sum", sort=False)
        wide = wide.reindex(columns=sorted(wide.columns)).rename(columns=int).reset_index()
        written.append(folder / "iamc.xlsx")
        wide.rename(columns={k: k.capitalize() for k in keys}).to_excel(written[1], sheet_name="data", index=False)
    return written
