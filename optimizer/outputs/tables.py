"""Solution → tidy tables (DESIGN §4). Reads plain dicts and term lists, never Pyomo objects.

Every table is long: one value a row, with its unit. Costs and emissions are evaluated from
the same term lists the LP was built from, so they add up to the objective and the caps.
"""

from __future__ import annotations

from collections import defaultdict

import pandas as pd

from optimizer.data.model_data import ModelData
from optimizer.data.schema import ALL_REGIONS, CO2_STORAGE
from optimizer.model.cost import CostTerm
from optimizer.model.emissions import EmissionTerm, in_scope
from optimizer.model.sets import ModelIndex
from optimizer.solve import SolveResult

EMISSION_UNIT = "MtCO2/yr"


class SolutionView:
    """Variable values by name and key, zero where a variable is absent."""

    def __init__(self, result: SolveResult) -> None:
        self.values = result.values
        self.duals = result.duals

    def value(self, variable: str, key: tuple) -> float:
        """The value (solver noise below 1e-9 is already zero, see `HighsSolver.solve`)."""
        return self.values.get(variable, {}).get(key, 0.0)

    def dual(self, constraint: str, key: tuple) -> float:
        return self.duals.get(constraint, {}).get(key, 0.0)


def _flow_unit(data: ModelData, commodity: str) -> str:
    return f"{data.commodity_unit[commodity]}/yr"


def production_table(data: ModelData, index: ModelIndex, view: SolutionView) -> pd.DataFrame:
    """Output of each technology (main output and by-products) by year."""
    totals: dict[tuple[str, str, str, int], float] = defaultdict(float)
    for r, k, v, y in index.capacity_index:
        activity = view.value("activity", (r, k, v, y))
        if not activity:
            continue
        totals[(r, k, data.technologies[k].output, y)] += activity
        for commodity, coef in data.vintage_outputs.get((k, v), {}).items():
            totals[(r, k, commodity, y)] += activity * coef
    rows = [
        (r, data.technologies[k].sector, k, c, y, value, _flow_unit(data, c))
        for (r, k, c, y), value in sorted(totals.items())
    ]
    return pd.DataFrame(rows, columns=["region", "sector", "technology", "commodity", "year", "value", "unit"])


def capacity_table(data: ModelData, index: ModelIndex, view: SolutionView) -> pd.DataFrame:
    """Capacity in service, built and retired early, by technology and year."""
    in_service: dict[tuple[str, str, int], float] = defaultdict(float)
    retired: dict[tuple[str, str, int], float] = defaultdict(float)
    alive = set(index.capacity_index)
    for r, k, v, y in index.capacity_index:
        now = view.value("capacity", (r, k, v, y))
        in_service[(r, k, y)] += now
        previous = index.previous_year.get(y)
        if v == data.stock_vintage:
            before = view.value("capacity", (r, k, v, previous)) if (r, k, v, previous) in alive else None
            scheduled = data.stock[(r, k, y)] if before is None else min(before, data.stock[(r, k, y)])
        elif previous is not None and (r, k, v, previous) in alive:
            scheduled = view.value("capacity", (r, k, v, previous))
        else:
            scheduled = now
        retired[(r, k, y)] += max(0.0, scheduled - now)
    rows = []
    for (r, k, y), value in sorted(in_service.items()):
        new = view.value("new_capacity", (r, k, y))
        if value or new or retired[(r, k, y)]:
            unit = _flow_unit(data, data.technologies[k].output)
            rows.append((r, data.technologies[k].sector, k, y, value, new, retired[(r, k, y)], unit))
    columns = ["region", "sector", "technology", "year", "in_service", "new", "retired", "unit"]
    return pd.DataFrame(rows, columns=columns)


def consumption(data: ModelData, index: ModelIndex, view: SolutionView) -> dict[tuple[str, str, str, int], float]:
    """Amount of each commodity each technology uses: {(region, technology, commodity, year)}."""
    used: dict[tuple[str, str, str, int], float] = defaultdict(float)
    for r, k, v, y in index.capacity_index:
        activity = view.value("activity", (r, k, v, y))
        if not activity:
            continue
        for commodity, coef in data.vintage_inputs.get((k, v), {}).items():
            used[(r, k, commodity, y)] += activity * coef
        captured = data.co2_direct.get((k, v), 0.0) * data.capture_rate.get((k, v), 0.0)
        if captured:
            used[(r, k, CO2_STORAGE, y)] += activity * captured
    return used


def energy_table(data: ModelData, index: ModelIndex, view: SolutionView) -> pd.DataFrame:
    """Use of energy commodities by sector and year."""
    totals: dict[tuple[str, str, str, int], float] = defaultdict(float)
    for (r, k, c, y), amount in consumption(data, index, view).items():
        if data.commodity_kind.get(c) == "energy":
            totals[(r, data.technologies[k].sector, c, y)] += amount
    rows = [(r, s, c, y, value, _flow_unit(data, c)) for (r, s, c, y), value in sorted(totals.items())]
    return pd.DataFrame(rows, columns=["region", "sector", "commodity", "year", "value", "unit"])


def emissions_table(data: ModelData, index: ModelIndex, terms: list[EmissionTerm], view: SolutionView) -> pd.DataFrame:
    """Direct, captured and indirect CO2 by technology and year.

    Indirect emissions of a purchased commodity are shared among its users in proportion to
    their use (demand for the commodity itself is reported under sector 'final_demand').
    """
    totals: dict[tuple[str, str, int, str], float] = defaultdict(float)
    used = consumption(data, index, view)
    users: dict[tuple[str, str, int], dict[str, float]] = defaultdict(dict)
    for (r, k, c, y), amount in used.items():
        users[(r, c, y)][k] = amount
    for term in terms:
        amount = term.coefficient * view.value(term.variable, term.key)
        if not amount:
            continue
        if term.scope != "indirect":
            totals[(term.region, term.source, term.year, term.scope)] += amount
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


def emissions_in_scope(data: ModelData, terms: list[EmissionTerm], view: SolutionView) -> dict[int, float]:
    """System-wide emissions in the scenario's scope by year (MtCO2/yr)."""
    totals = dict.fromkeys(data.years, 0.0)
    for term in terms:
        if in_scope(term.scope, data.scope):
            totals[term.year] += term.coefficient * view.value(term.variable, term.key)
    return totals


def costs_table(data: ModelData, terms: list[CostTerm], view: SolutionView) -> pd.DataFrame:
    """Annual (undiscounted) and discounted cost by region, year and component."""
    totals: dict[tuple[str, int, str], float] = defaultdict(float)
    for term in terms:
        totals[(term.region, term.year, term.component)] += term.coefficient * view.value(term.variable, term.key)
    unit = f"million {data.currency}"
    rows = [
        (r, y, component, value, value * data.discount_sum[y], unit)
        for (r, y, component), value in sorted(totals.items())
    ]
    return pd.DataFrame(rows, columns=["region", "year", "component", "value", "discounted", "unit"])


def carbon_price_table(data: ModelData, view: SolutionView) -> pd.DataFrame:
    """Carbon price by cap region and year, undiscounted, in currency per tCO2.

    The shadow price of a cap is −dual / discount_sum_y; a budget adds −dual × weight_y /
    discount_sum_y to every year; an exogenous carbon price is added where the scenario sets one.
    """
    prices: dict[tuple[str, int], float] = defaultdict(float)
    for group, _scope, y in data.caps:
        prices[(group, y)] += -view.dual("emission_cap", (group, _scope, y)) / data.discount_sum[y]
    if data.budget is not None:
        budget_dual = view.dual("emission_budget", ())
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
