"""Quantities derived from a run's tables, shared by the charts, the page and the IAMC table."""

from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd

from optimizer.report.style import carrier
from optimizer.results import RunTables

#: PJ per unit of energy (the unit's "/yr" stripped); hydrogen by mass at its lower heating value.
PJ_PER_UNIT = {"PJ": 1.0, "EJ": 1000.0, "TJ": 1e-3, "TWh": 3.6, "GWh": 3.6e-3, "Mtce": 29.3076, "Mtoe": 41.868}
HYDROGEN_PJ_PER_UNIT = {"Mt": 120.0, "kt": 0.12}  # LHV 120 MJ/kg


def scopes(tables: RunTables) -> list[str]:
    """The emissions.csv scopes whose sum is the cap's: direct (gross) and captured (negative),
    plus indirect for a 'direct+indirect' cap."""
    return ["captured", *str(tables.summary.get("scope") or "direct+indirect").split("+")]


def in_scope(tables: RunTables) -> pd.DataFrame:
    """Emission rows in the cap's scope: summed, they give net emissions as the cap counts them."""
    return tables.emissions[tables.emissions["scope"].isin(scopes(tables))]


def captured(tables: RunTables) -> pd.DataFrame:
    """CO2 captured (and stored) by technology and year, as positive amounts."""
    rows = tables.emissions[tables.emissions["scope"] == "captured"]
    return rows.assign(value=rows["value"].abs())


def total_emissions(tables: RunTables) -> pd.Series:
    """MtCO2/yr in scope by year: the summary's figures, else the sum of emissions.csv."""
    recorded = tables.summary.get("emissions") or {}
    if recorded:
        return pd.Series({int(y): float(v) for y, v in recorded.items()}, name="emissions").sort_index()
    return in_scope(tables).groupby("year")["value"].sum().rename("emissions")


def pj_factor(commodity: str, unit: str) -> float:
    """PJ per unit of `commodity` measured in `unit` (per year), NaN when unknown.

    >>> pj_factor("coal", "PJ/yr"), pj_factor("hydrogen", "Mt/yr"), math.isnan(pj_factor("coal", "Mt/yr"))
    (1.0, 120.0, True)
    """
    base = str(unit).removesuffix("/yr").removesuffix("/a").strip()
    if base in PJ_PER_UNIT:
        return PJ_PER_UNIT[base]
    if carrier(commodity) == "Hydrogen" and base in HYDROGEN_PJ_PER_UNIT:
        return HYDROGEN_PJ_PER_UNIT[base]
    return math.nan


def conversion_sectors(tables: RunTables) -> set[str]:
    """Sectors that only make energy commodities used elsewhere (in-model hydrogen supply).

    Their energy inputs are conversion, not final use: counting them and the hydrogen they make
    would count the same energy twice.
    """
    carriers_used = set(tables.energy["commodity"])
    made = tables.production.groupby("sector")["commodity"].agg(set)
    return {str(sector) for sector, products in made.items() if products and products <= carriers_used}


def energy_pj(tables: RunTables) -> pd.DataFrame:
    """energy.csv with `carrier`, `pj` (PJ/yr, NaN when the unit is unknown) and `final` (not an
    input to a conversion sector)."""
    energy = tables.energy.copy()
    energy["carrier"] = [carrier(str(c)) for c in energy["commodity"]]
    factors = [pj_factor(str(c), str(u)) for c, u in zip(energy["commodity"], energy["unit"], strict=True)]
    energy["pj"] = energy["value"] * pd.Series(factors, index=energy.index, dtype="float64")
    energy["final"] = ~energy["sector"].isin(conversion_sectors(tables))
    return energy


def through_end_year(tables: RunTables) -> pd.Series:
    """Calendar years each milestone stands for up to and including the last milestone's own year:
    the end-of-horizon tail (the years after it that the objective also counts) is left out, so a
    sum labelled "2025–2060" covers exactly those years."""
    weights = tables.years_represented().copy()
    if len(weights):
        weights.iloc[-1] = 1
    return weights


def cumulative(frame: pd.DataFrame, tables: RunTables, column: str = "value") -> float:
    """Σ over rows of `column` × the calendar years its milestone represents from the first year
    through the last milestone's year (undiscounted; the tail is not counted)."""
    if frame.empty:
        return 0.0
    weights = frame["year"].map(through_end_year(tables)).fillna(1)
    return float((frame[column] * weights).sum())


def cumulative_by_year(series: pd.Series, tables: RunTables, with_tail: bool = False) -> pd.Series:
    """A running total of an annual series indexed by milestone year (value × years represented,
    the last milestone counting its own year only, or with `with_tail` the end-of-horizon tail
    too, as the model's cumulative limits count it)."""
    weights = tables.years_represented() if with_tail else through_end_year(tables)
    return (series * weights.reindex(series.index).fillna(1)).cumsum()


@dataclass
class Headline:
    """The key numbers of a run."""

    first_year: int
    last_year: int
    first_emissions: float
    last_emissions: float
    reduction_pct: float
    lever_shares: dict[str, float]
    cost_total: float
    investment_total: float
    cost_unit: str
    peak_price: float
    peak_price_year: int | None
    price_unit: str


def headline(tables: RunTables) -> Headline:
    """2060 emissions, reduction vs 2025, lever shares, cumulative cost, peak carbon price."""
    emissions = total_emissions(tables)
    first, last = (int(emissions.index[0]), int(emissions.index[-1])) if len(emissions) else (0, 0)
    e0 = float(emissions.iloc[0]) if len(emissions) else math.nan
    e1 = float(emissions.iloc[-1]) if len(emissions) else math.nan
    abatement = tables.abatement[tables.abatement["year"] == last].groupby("lever")["abatement"].sum()
    total = abatement.sum()
    shares = {str(k): float(v / total) for k, v in abatement.items()} if total else {}
    costs = tables.costs
    cost_unit = str(costs["unit"].iloc[0]) if len(costs) else f"million {tables.summary.get('currency', '')}"
    prices = tables.carbon_price.dropna(subset=["price"])
    peak = prices.loc[prices["price"].idxmax()] if len(prices) else None
    return Headline(
        first_year=first,
        last_year=last,
        first_emissions=e0,
        last_emissions=e1,
        reduction_pct=100.0 * (e0 - e1) / e0 if e0 else math.nan,
        lever_shares=shares,
        cost_total=cumulative(costs, tables),
        investment_total=cumulative(costs[costs["component"] == "investment"], tables),
        cost_unit=cost_unit,
        peak_price=float(peak["price"]) if peak is not None else math.nan,
        peak_price_year=int(peak["year"]) if peak is not None else None,
        price_unit=str(peak["unit"]) if peak is not None else "",
    )


def scaled_money(value: float, unit: str) -> str:
    """'155.0 trillion CNY2025' from a value in 'million CNY2025'.

    >>> scaled_money(155_032_693.4, "million CNY2025")
    '155.0 trillion CNY2025'
    """
    scale, _, currency = unit.partition(" ")
    factor = {"thousand": 1e3, "million": 1e6, "billion": 1e9, "trillion": 1e12}.get(scale)
    if factor is None:
        return f"{value:,.4g} {unit}"
    absolute = value * factor
    for name, size in (("trillion", 1e12), ("billion", 1e9), ("million", 1e6)):
        if abs(absolute) >= size:
            return f"{absolute / size:,.1f} {name} {currency}"
    return f"{absolute:,.0f} {currency}"
