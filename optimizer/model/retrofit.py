"""Retrofit family: a retrofit route is built on capacity its converted route frees (DESIGN §2).

For each route k converted by retrofit routes R(k) (`technologies.retrofit_of`), region r and
milestone y with previous milestone y_prev (units of the common main output, per year):

- `retrofit_conversion[r,k,y]`:
  Σ_{k' ∈ R(k)} new_capacity[r,k',y] ≤ Σ_v capacity[r,k,v,y_prev] − Σ_v capacity[r,k,v,y]
  over the vintages v of k in service at y_prev (a vintage gone by y counts 0 at y). So a
  retrofit uses an existing plant — one that reaches the end of its schedule or is retired
  early — instead of a greenfield one, and pays only its own (retrofit) capex. At the first
  milestone the base-year stock in service then stands for capacity[y_prev].

The retrofit's own `life` is the converted plant's remaining years, a data choice.
"""

from __future__ import annotations

import pyomo.core as pyo

from optimizer.data.model_data import ModelData
from optimizer.model.sets import ModelIndex


def add_to(m: pyo.ConcreteModel, data: ModelData, index: ModelIndex) -> None:
    """Add one conversion row per converted route, region and milestone a retrofit may be built."""
    built = set(index.new_capacity_index)
    keys = sorted(
        (r, k, y)
        for k, retrofits in index.retrofits_of.items()
        for r in data.regions
        for y in data.years
        if any((r, other, y) in built for other in retrofits)
    )

    def _conversion(m: pyo.ConcreteModel, r: str, k: str, y: int) -> object:
        new = pyo.quicksum(
            m.new_capacity[r, other, y] for other in index.retrofits_of[k] if (r, other, y) in built
        )
        previous = index.previous_year.get(y)
        now = index.vintages_at.get((r, k, y), ())
        if previous is None:  # the base-year stock in service at the first milestone
            before = data.stock.get((r, k, y), 0.0)
            freed = before - pyo.quicksum(m.capacity[r, k, v, y] for v in now if v == data.stock_vintage)
            return new <= freed
        earlier = index.vintages_at.get((r, k, previous), ())
        freed = pyo.quicksum(m.capacity[r, k, v, previous] for v in earlier) - pyo.quicksum(
            m.capacity[r, k, v, y] for v in now if v in earlier
        )
        return new <= freed

    m.retrofit_conversion = pyo.Constraint(keys, rule=_conversion)
