"""Solution → tidy tables (DESIGN §4). Reads the solution (`SolveResult.value`/`along`/`dual`)
and term lists, never Pyomo objects.

Every table is long: one value a row, with its unit. Costs and emissions are evaluated from
the same term lists the LP was built from, so they add up to the objective and the caps.
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np
import pandas as pd

from optimizer.data.model_data import ModelData
from optimizer.data.schema import ALL_REGIONS
from optimizer.model.cost import CostTerm
from optimizer.model.emissions import EmissionTerm, in_scope
from optimizer.model.sets import ModelIndex
from optimizer.solve.solution import SolveResult

EMISSION_UNIT = "MtCO2/yr"


def _flow_unit(data: ModelData, commodity: str) -> str:
    return f"{data.commodity_unit[commodity]}/yr"


def production_table(data: ModelData, index: ModelIndex, result: SolveResult) -> pd.DataFrame:
    """Output of each technology (main output and by-products) by year."""
    totals: dict[tuple[str, str, str, int], float] = defaultdict(float)
    for (r, k, v, y), activity in _running(index, result):
        totals[(r, k, data.technologies[k].output, y)] += activity
        for commodity, coef in data.vintage_outputs.get((k, v), {}).items():
            totals[(r, k, commodity, y)] += activity * coef
    rows = [
        (r, data.technologies[k].sector, k, c, y, value, _flow_unit(data, c))
        for (r, k, c, y), value in sorted(totals.items())
    ]
    return pd.DataFrame(rows, columns=["region", "sector", "technology", "commodity", "year", "value", "unit"])


def _running(index: ModelIndex, result: SolveResult) -> list[tuple[tuple[str, str, int, int], float]]:
    """(region, technology, vintage, year) and activity of every vintage that runs."""
    activity = result.along("activity", index.capacity_index)
    return [(index.capacity_index[i], float(activity[i])) for i in np.flatnonzero(activity)]


def capacity_table(data: ModelData, index: ModelIndex, result: SolveResult) -> pd.DataFrame:
    """Capacity in service, built, retired early and converted by retrofits, by technology and year.

    `retrofitted` is the capacity of a route converted into its retrofit routes at y; `retired`
    is early retirement (below the stock schedule or a vintage's life) not used by a retrofit.
    """
    in_service: dict[tuple[str, str, int], float] = defaultdict(float)
    early: dict[tuple[str, str, int], float] = defaultdict(float)
    natural: dict[tuple[str, str, int], float] = defaultdict(float)
    capacity = dict(zip(index.capacity_index, result.along("capacity", index.capacity_index).tolist(), strict=True))
    for (r, k, v, y), now in capacity.items():
        in_service[(r, k, y)] += now
        previous = index.previous_year.get(y)
        before = capacity.get((r, k, v, previous))
        if v == data.stock_vintage:
            scheduled = data.stock[(r, k, y)] if before is None else min(before, data.stock[(r, k, y)])
            natural[(r, k, y)] += 0.0 if before is None else before - scheduled
        else:
            scheduled = now if before is None else before
        if scheduled > now:
            early[(r, k, y)] += scheduled - now
        following = index.next_year.get(y)
        if following is not None and (r, k, v, following) not in capacity:  # reaches its end of life
            natural[(r, k, following)] += now
    built = result.along("new_capacity", index.new_capacity_index).tolist()
    new_capacity = dict(zip(index.new_capacity_index, built, strict=True))
    converted: dict[tuple[str, str, int], float] = defaultdict(float)
    for k, retrofits in index.retrofits_of.items():
        for (r, other, y), amount in new_capacity.items():
            if other in retrofits and amount:
                converted[(r, k, y)] += amount
    rows = []
    for r, k, y in sorted(set(in_service) | set(converted)):
        value, new = in_service.get((r, k, y), 0.0), new_capacity.get((r, k, y), 0.0)
        retrofitted = converted.get((r, k, y), 0.0)
        from_early = max(0.0, retrofitted - natural.get((r, k, y), 0.0))
        gone = max(0.0, early.get((r, k, y), 0.0) - from_early)
        if value or new or gone or retrofitted:
            unit = _flow_unit(data, data.technologies[k].output)
            rows.append((r, data.technologies[k].sector, k, y, value, new, gone, retrofitted, unit))
    columns = ["region", "sector", "technology", "year", "in_service", "new", "retired", "retrofitted", "unit"]
    return pd.DataFrame(rows, columns=columns)


def consumption(data: ModelData, index: ModelIndex, result: SolveResult) -> dict[tuple[str, str, str, int], float]:
    """Amount of each commodity each technology uses: {(region, technology, commodity, year)}."""
    used: dict[tuple[str, str, str, int], float] = defaultdict(float)
    for (r, k, v, y), activity in _running(index, result):
        for commodity, coef in data.vintage_inputs.get((k, v), {}).items():
            used[(r, k, commodity, y)] += activity * coef
        captured = data.co2_direct.get((k, v), 0.0) * data.capture_rate.get((k, v), 0.0)
        if captured:
            used[(r, k, data.roles["co2_storage"], y)] += activity * captured
    return used


def energy_table(data: ModelData, used: dict[tuple[str, str, str, int], float]) -> pd.DataFrame:
    """Use of energy commodities by sector and year, from `consumption`."""
    totals: dict[tuple[str, str, str, int], float] = defaultdict(float)
    for (r, k, c, y), amount in used.items():
        if data.commodity_kind.get(c) == "energy":
            totals[(r, data.technologies[k].sector, c, y)] += amount
    rows = [(r, s, c, y, value, _flow_unit(data, c)) for (r, s, c, y), value in sorted(totals.items())]
    return pd.DataFrame(rows, columns=["region", "sector", "commodity", "year", "value", "unit"])


def emissions_table(
    data: ModelData,
    terms: list[EmissionTerm],
    used: dict[tuple[str, str, str, int], float],
    result: SolveResult,
) -> pd.DataFrame:
    """Direct (gross), captured (negative) and indirect CO2 by technology and year (`used`: from
    `consumption`), so that summing `value` over scopes gives net emissions in the widest scope.

    Indirect emissions of a purchased commodity are shared among its users in proportion to
    their use (demand for the commodity itself is reported under sector 'final_demand').
    """
    totals: dict[tuple[str, str, int, str], float] = defaultdict(float)
    users: dict[tuple[str, str, int], dict[str, float]] = defaultdict(dict)
    for (r, k, c, y), amount in used.items():
        users[(r, c, y)][k] = amount
    for term in terms:
        amount = term.coefficient * result.value(term.variable, term.key)
        if not amount:
            continue
        if term.scope == "direct":
            totals[(term.region, term.source, term.year, "direct")] += amount
            continue
        if term.scope == "captured":  # gross direct = net + captured; captured is booked below zero
            totals[(term.region, term.source, term.year, "direct")] += amount
            totals[(term.region, term.source, term.year, "captured")] -= amount
            continue
        shares = dict(users.get((term.region, term.source, term.year), {}))
        final = data.demand.get((term.region, term.source, term.year), 0.0)
        if final:
            shares[""] = final
        whole = sum(shares.values())
        for technology, share in shares.items():
            totals[(term.region, technology, term.year, "indirect")] += amount * share / whole if whole else 0.0
    rows = []
    for (r, k, y, scope), value in sorted(totals.items()):
        sector = data.technologies[k].sector if k else "final_demand"
        rows.append((r, sector, k, y, scope, value, EMISSION_UNIT))
    return pd.DataFrame(rows, columns=["region", "sector", "technology", "year", "scope", "value", "unit"])


def emissions_in_scope(data: ModelData, terms: list[EmissionTerm], result: SolveResult) -> dict[int, float]:
    """System-wide emissions in the scenario's scope by year (MtCO2/yr)."""
    totals = dict.fromkeys(data.years, 0.0)
    for term in terms:
        if in_scope(term.scope, data.scope):
            totals[term.year] += term.coefficient * result.value(term.variable, term.key)
    return totals


def costs_table(data: ModelData, terms: list[CostTerm], result: SolveResult) -> pd.DataFrame:
    """Annual (undiscounted) and discounted cost by region, year and component."""
    totals: dict[tuple[str, int, str], float] = defaultdict(float)
    for term in terms:
        totals[(term.region, term.year, term.component)] += term.coefficient * result.value(term.variable, term.key)
    unit = f"million {data.currency}"
    rows = [
        (r, y, component, value, value * data.discount_sum[y], unit)
        for (r, y, component), value in sorted(totals.items())
    ]
    return pd.DataFrame(rows, columns=["region", "year", "component", "value", "discounted", "unit"])


def carbon_price_table(data: ModelData, result: SolveResult) -> pd.DataFrame:
    """Carbon price by cap region and year, undiscounted, in currency per tCO2.

    The shadow price of a cap is −dual / discount_sum_y; a budget adds −dual × weight_y /
    discount_sum_y to every year; an exogenous carbon price is added where the scenario sets one.
    """
    prices: dict[tuple[str, int], float] = defaultdict(float)
    for group, _scope, y in data.caps:
        prices[(group, y)] += -result.dual("emission_cap", (group, _scope, y)) / data.discount_sum[y]
    if data.budget is not None:
        budget_dual = result.dual("emission_budget", ())
        for y in data.years:
            prices[(ALL_REGIONS, y)] += -budget_dual * data.weight[y] / data.discount_sum[y]
    for y, price in data.carbon_price.items():
        prices[(ALL_REGIONS, y)] += price
    for group in {g for g, _ in prices}:
        for y in data.years:
            prices.setdefault((group, y), 0.0)
    unit = f"{data.currency}/tCO2"
    rows = [(g, y, 0.0 if abs(p) < 1e-9 else p, unit) for (g, y), p in sorted(prices.items())]
    return pd.DataFrame(rows, columns=["region", "year", "price", "unit"])
