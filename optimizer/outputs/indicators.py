"""Pathway indicators: what a reviewer checks first in a pathway, from its tables and solution.

`pathway_indicators` reads the output tables (pandas only); `stranded_new_build` reads the
solution, because whether a new plant idles or retires early is a property of its vintage,
which the tables sum over. Both go into summary.json (`indicators`).

- peak: the year and level of the highest emissions in the cap's scope;
- reduction between two years as a share of the whole reduction since the first year;
- the largest cut over any 5 calendar years as a share of the first year's level (emissions
  are linear between milestones), and the largest as a share of the level at its own start
  (a last step from 1.3 Gt to 0.45 Gt is 11 % of a 8 Gt first year but 66 % of where it starts);
- CO2 captured by sector; hydrogen made by routes with no direct CO2 (electrolysis in the
  shipped data); grid electricity's share of final energy (energy used outside sectors that
  only convert energy for other sectors, hydrogen counted at 120 PJ/Mt);
- the largest share switch: the most of its product's output any route gains or loses over any
  5 calendar years (shares linear between milestones), with the product, route and first year:
  a chart whose incumbent falls from 70 % to 0 in one step shows 0.70;
- stranded new build: the capital cost of capacity built after the first year that is retired
  early or left idle in the first half of its life, as a share of all new-plant capital cost
  (and, wider, at any time before the end of its life: `unused_before_end_of_life`);
- routes at their share-change limits, by milestone.
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np
import pandas as pd

from optimizer.data.model_data import ModelData
from optimizer.model.sets import ModelIndex
from optimizer.solve.solution import SolveResult

HYDROGEN_PJ_PER_MT = 120.0  # lower heating value


def emissions_path(emissions: dict[int, float]) -> pd.Series:
    return pd.Series({int(y): float(v) for y, v in emissions.items()}).sort_index()


def _largest_fall(emissions: dict[int, float], span: int, of_start: bool) -> tuple[float, int]:
    """(largest fall over `span` calendar years ÷ the first year's level, or ÷ the level at the
    span's own start with `of_start`; the span's first year). Linear between milestones."""
    path = emissions_path(emissions)
    years = np.arange(path.index[0], path.index[-1] - span + 1)
    if not len(years):
        return 0.0, int(path.index[0])
    level = np.interp(years, path.index, path.values)
    later = np.interp(years + span, path.index, path.values)
    base = level if of_start else np.full_like(level, path.iloc[0])
    falls = np.divide(level - later, base, out=np.zeros_like(level), where=base > 0)
    best = int(np.argmax(falls))
    return float(falls[best]), int(years[best])


def largest_cut(emissions: dict[int, float], span: int = 5) -> tuple[float, int]:
    """(largest fall over `span` calendar years ÷ the first year's level, the span's first year)."""
    return _largest_fall(emissions, span, of_start=False)


def largest_relative_cut(emissions: dict[int, float], span: int = 5) -> tuple[float, int]:
    """(largest fall over `span` calendar years ÷ the level at the span's start, its first year)."""
    return _largest_fall(emissions, span, of_start=True)


def largest_share_switch(production: pd.DataFrame, span: int = 5) -> dict:
    """The largest change of a route's share of its product's output over `span` calendar years
    (shares linear between milestones): `share` (a fraction of the output, signed in `change`),
    `product`, `technology`, `from` (the span's first year). Products made by one route only,
    or not made at some milestone (a share of nothing), are skipped."""
    best = {"share": 0.0, "change": 0.0, "product": "", "technology": "", "from": 0}
    output = production.pivot_table(
        index=["commodity", "technology"], columns="year", values="value", aggfunc="sum", fill_value=0.0
    )
    if output.empty:
        return best
    totals = output.groupby(level="commodity").transform("sum")
    counts = output.index.get_level_values("commodity").value_counts()
    keep = output.index.get_level_values("commodity").map(counts).to_numpy() > 1
    keep &= (totals > 0).all(axis=1).to_numpy()
    shares = (output / totals.where(totals > 0)).to_numpy()[keep]
    milestones = output.columns.to_numpy()
    years = np.arange(milestones[0], milestones[-1] - span + 1)
    if not len(years) or not len(shares):
        return best
    # shares at each year and span years later, linear between milestones (row by row)
    later = np.array([np.interp(years + span, milestones, row) for row in shares])
    start = np.array([np.interp(years, milestones, row) for row in shares])
    change = later - start
    row, column = np.unravel_index(int(np.argmax(np.abs(change))), change.shape)
    product, technology = output.index[keep][row]
    return {
        "share": float(abs(change[row, column])),
        "change": float(change[row, column]),
        "product": str(product),
        "technology": str(technology),
        "from": int(years[column]),
    }


def reduction_share(emissions: dict[int, float], start: int, end: int) -> float:
    """Share of the whole reduction (first → last year) made between `start` and `end`."""
    path = emissions_path(emissions)
    whole = path.iloc[0] - path.iloc[-1]
    part = np.interp(start, path.index, path.values) - np.interp(end, path.index, path.values)
    return float(part / whole) if whole else float("nan")


def captured_by_sector(tables: dict[str, pd.DataFrame], year: int) -> dict[str, float]:
    """CO2 captured (positive, MtCO2/yr) by sector in `year`."""
    emissions = tables["emissions"]
    rows = emissions[(emissions["scope"] == "captured") & (emissions["year"] == year)]
    return {str(k): float(-v) for k, v in rows.groupby("sector")["value"].sum().items() if v}


def clean_hydrogen(data: ModelData, tables: dict[str, pd.DataFrame]) -> dict[int, float]:
    """Hydrogen (the commodity of role hydrogen, Mt/yr) made by routes with no direct CO2."""
    hydrogen = data.roles.get("hydrogen")
    clean = {
        k
        for k, t in data.technologies.items()
        if t.output == hydrogen and not any(data.co2_direct.get((k, v), 0.0) for v in (data.stock_vintage, *data.years))
    }
    production = tables["production"]
    rows = production[(production["commodity"] == hydrogen) & production["technology"].isin(clean)]
    made = rows.groupby("year")["value"].sum()
    return {int(y): float(made.get(y, 0.0)) for y in data.years}


def electricity_share(
    data: ModelData, tables: dict[str, pd.DataFrame], exclude_sectors: tuple[str, ...] = ()
) -> dict[int, float]:
    """Grid electricity's share of final energy by year (sectors in `exclude_sectors` left out)."""
    energy = tables["energy"]
    outputs: dict[str, set[str]] = defaultdict(set)
    for technology in data.technologies.values():
        outputs[technology.sector].add(data.commodity_kind.get(technology.output, ""))
    conversion = {sector for sector, kinds in outputs.items() if kinds == {"energy"}}
    final = energy[~energy["sector"].isin(conversion | set(exclude_sectors))].copy()
    hydrogen = data.roles.get("hydrogen")
    per_unit = np.where(final["commodity"].map(data.commodity_unit) == "PJ", 1.0, 0.0)
    per_unit = np.where(final["commodity"] == hydrogen, HYDROGEN_PJ_PER_MT, per_unit)
    final["pj"] = final["value"] * per_unit
    total = final.groupby("year")["pj"].sum()
    grid = final[final["commodity"] == data.roles.get("grid_electricity")].groupby("year")["pj"].sum()
    return {int(y): float(grid.get(y, 0.0) / total[y]) if total.get(y) else float("nan") for y in data.years}


def stranded_new_build(data: ModelData, index: ModelIndex, result: SolveResult, within_life: float = 0.5) -> dict:
    """Capital cost of new capacity left unused (retired early or idle) in the first
    `within_life` of its life (half by default; 1.0 for any time before its end), against all
    new-plant capital cost (currency as the data's, undiscounted).

    A vintage's unused part is its new capacity minus the least capacity it runs at (activity ÷
    availability ÷ alive share) at any milestone in that part of its life inside the horizon,
    less what retrofits took over from it: a route's conversions in a year are shared among its
    vintages in proportion to the capacity each freed that year.
    """
    first = data.years[0]
    new = _values(result, "new_capacity", index.new_capacity_index)
    running = _values(result, "activity", index.capacity_index)
    capacity = _values(result, "capacity", index.capacity_index)
    converted = _converted_by_vintage(data, index, new, capacity)
    unused: dict[str, float] = defaultdict(float)
    total = 0.0
    for (r, k, v), built in new.items():
        capex = data.capex.get((k, v), 0.0)
        if v <= first or built <= 1e-9 or not capex:
            continue
        total += built * capex
        technology = data.technologies[k]
        half = v + technology.life * within_life
        used = [
            running[(r, k, v, y)] / (technology.availability * index.alive_share.get((r, k, v, y), (1.0, 1.0))[0])
            for y in data.years
            if v <= y < half and (r, k, v, y) in running
        ]
        idle = max(0.0, built - min(used, default=0.0) - converted.get((r, k, v), 0.0))
        if idle > 1e-6 * built:
            unused[k] += idle * capex
    stranded = sum(unused.values())
    return {
        "share": stranded / total if total else 0.0,
        "stranded_capex": stranded,
        "new_capex": total,
        "by_route": dict(sorted(unused.items(), key=lambda item: -item[1])),
        "unit": f"million {data.currency}",
    }


def share_limits_at_bound(data: ModelData, production: pd.DataFrame, tolerance: float = 1e-6) -> dict:
    """How many routes gain (`max_share_gain`) or shed (`max_share_loss`) as much of their
    product's output as their limit allows, by milestone: {"gain": {year: n}, "loss": {year: n}}.
    Many routes at their limit in one step mark where the pathway is pressed against its
    diffusion limits (a switch spread over steps at the fastest rate allowed)."""
    outputs = production["technology"].map(lambda k: data.technologies[k].output)
    main = production[production["commodity"] == outputs]  # main outputs: by-products are not a route's share
    made = main.groupby(["region", "technology", "year"])["value"].sum().to_dict()
    totals = main.groupby(["region", "commodity", "year"])["value"].sum().to_dict()
    counts: dict[str, dict[int, int]] = {"gain": {}, "loss": {}}
    for kind, sign in (("gain", 1.0), ("loss", -1.0)):
        for (r, k, y), limit in data.bounds[f"max_share_{kind}"].items():
            position = data.years.index(y) if y in data.years else -1
            if position <= 0:
                continue
            previous = data.years[position - 1]
            output = totals.get((r, data.technologies[k].output, y), 0.0)
            change = sign * (made.get((r, k, y), 0.0) - made.get((r, k, previous), 0.0))
            if output > 0 and change >= limit * data.period[y] * output - tolerance * max(output, 1.0):
                counts[kind][int(y)] = counts[kind].get(int(y), 0) + 1
    return {kind: dict(sorted(found.items())) for kind, found in counts.items()}


def _values(result: SolveResult, variable: str, keys: tuple[tuple, ...]) -> dict[tuple, float]:
    return dict(zip(keys, result.along(variable, keys).tolist(), strict=True))


def _converted_by_vintage(
    data: ModelData, index: ModelIndex, new: dict[tuple, float], capacity: dict[tuple, float]
) -> dict[tuple[str, str, int], float]:
    """Capacity of each (region, route, vintage) that retrofits took over, over the horizon."""
    taken: dict[tuple[str, str, int], float] = defaultdict(float)
    for k, retrofits in index.retrofits_of.items():
        for r in data.regions:
            for y in data.years:
                amount = sum(new.get((r, other, y), 0.0) for other in retrofits)
                previous = index.previous_year.get(y)
                if amount <= 0 or previous is None:
                    continue
                freed = {
                    v: capacity[(r, k, v, previous)] - capacity.get((r, k, v, y), 0.0)
                    for v in index.vintages_at.get((r, k, previous), ())
                }
                whole = sum(max(0.0, f) for f in freed.values())
                for v, f in freed.items():
                    if whole > 0 and f > 0:
                        taken[(r, k, v)] += amount * f / whole
    return taken


def pathway_indicators(data: ModelData, tables: dict[str, pd.DataFrame], emissions: dict[int, float]) -> dict:
    """The indicators that come from the tables (see the module docstring)."""
    path = emissions_path(emissions)
    last = int(path.index[-1])
    cut, cut_year = largest_cut(emissions)
    relative, relative_year = largest_relative_cut(emissions)
    captured = tables["emissions"][tables["emissions"]["scope"] == "captured"]
    indicators = {
        "peak_year": int(path.idxmax()),
        "peak_emissions": float(path.max()),
        "largest_5yr_cut": cut,
        "largest_5yr_cut_from": cut_year,
        "largest_5yr_cut_of_level": relative,
        "largest_5yr_cut_of_level_from": relative_year,
        "largest_share_switch": largest_share_switch(tables["production"]),
        "share_limits_at_bound": share_limits_at_bound(data, tables["production"]),
        "captured": {int(y): float(-v) for y, v in captured.groupby("year")["value"].sum().items()},
        "captured_by_sector": captured_by_sector(tables, last),
        "clean_hydrogen": clean_hydrogen(data, tables),
        "electricity_share_of_final_energy": electricity_share(data, tables),
    }
    if 2035 in path.index and 2050 in path.index:
        indicators["reduction_share_2035_2050"] = reduction_share(emissions, 2035, 2050)
    return indicators
