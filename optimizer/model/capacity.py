"""Capacity family: vintaged capacity, lifetimes, base-year stock and early retirement.

Adds (units: Mt/yr or PJ/yr of main output):
- `new_capacity[r,k,v]`      capacity built at milestone v (only from the technology's first year)
- `capacity[r,k,v,y]`        capacity of vintage v in service at y; for the stock vintage its upper
                             bound is the stock schedule of stock.csv
- `activity[r,k,v,y]`        output of vintage v in year y
- `vintage_start[r,k,v]`     capacity[r,k,v,v] = new_capacity[r,k,v]
- `capacity_retirement[r,k,v,y]`  capacity[r,k,v,y] ≤ capacity[r,k,v,y_prev]: a vintage never
                             grows after it is built; a drop below the schedule is early retirement
- `activity_limit[r,k,v,y]`  activity ≤ availability_k × alive share × capacity, where the alive
                             share (1 but for partial periods, see `ModelIndex.alive_share`) is
                             the part of milestone y's years in which the vintage still serves
"""

from __future__ import annotations

import pyomo.core as pyo

from optimizer.data.model_data import ModelData
from optimizer.model.linear import elements, linear
from optimizer.model.sets import ModelIndex


def add_to(m: pyo.ConcreteModel, data: ModelData, index: ModelIndex) -> None:
    """Add capacity and activity variables and the vintage constraints."""
    stock_vintage = data.stock_vintage

    def _capacity_bounds(_m: pyo.ConcreteModel, r: str, k: str, v: int, y: int) -> tuple[float, float | None]:
        if v == stock_vintage:
            return 0.0, data.stock[(r, k, y)]
        return 0.0, None

    m.new_capacity = pyo.Var(index.new_capacity_index, domain=pyo.NonNegativeReals)
    m.capacity = pyo.Var(index.capacity_index, domain=pyo.NonNegativeReals, bounds=_capacity_bounds)
    m.activity = pyo.Var(index.capacity_index, domain=pyo.NonNegativeReals)

    capacity, activity, new = elements(m.capacity), elements(m.activity), elements(m.new_capacity)
    m.vintage_start = pyo.Constraint(
        index.new_capacity_index,
        rule=lambda m, r, k, v: linear(((1, capacity[r, k, v, v]), (-1, new[r, k, v]))) == 0,
    )
    alive = set(index.capacity_index)
    retiring = [
        (r, k, v, y)
        for (r, k, v, y) in index.capacity_index
        if y in index.previous_year and (r, k, v, index.previous_year[y]) in alive
    ]
    m.capacity_retirement = pyo.Constraint(
        retiring,
        rule=lambda m, r, k, v, y: linear(((1, capacity[r, k, v, y]), (-1, capacity[r, k, v, index.previous_year[y]])))
        <= 0,
    )
    availability = {name: technology.availability for name, technology in data.technologies.items()}
    shares = index.alive_share

    def _activity_limit(m: pyo.ConcreteModel, *key: object) -> object:
        share = shares[key][0] if key in shares else 1.0
        return linear(((1, activity[key]), (-(availability[key[1]] * share), capacity[key]))) <= 0

    m.activity_limit = pyo.Constraint(index.capacity_index, rule=_activity_limit)
