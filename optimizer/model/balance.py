"""Balance family: commodity balances, purchases, supply limits and cumulative limits.

Adds (flows in Mt/yr or PJ/yr):
- `purchase[r,c,y]`          commodity bought from outside the system; upper bound max_supply
- `commodity_balance[r,c,y]` Σ net flow × activity + purchase ≥ demand, where net flow is +1 for
                             the main output, + by-products, − inputs and, for co2_storage,
                             − captured CO2 (so nothing captured can vanish)
- `cumulative_supply[r,c]`   Σ_y weight_y × purchase[r,c,y] ≤ max_total (e.g. storage capacity)
"""

from __future__ import annotations

import pyomo.core as pyo

from optimizer.data.model_data import ModelData
from optimizer.errors import InputError, Issue
from optimizer.model.linear import elements, linear
from optimizer.model.sets import ModelIndex


def add_to(m: pyo.ConcreteModel, data: ModelData, index: ModelIndex) -> None:
    """Add purchases and the commodity balances."""
    m.purchase = pyo.Var(
        index.purchase_index,
        domain=pyo.NonNegativeReals,
        bounds=lambda _m, r, c, y: (0.0, data.max_supply.get((r, c, y))),
    )
    purchasable = set(index.purchase_index)
    unmet = [
        key
        for key in index.balance_index
        if data.demand.get(key, 0.0) > 0 and key not in index.flows_at and key not in purchasable
    ]
    if unmet:
        raise InputError(
            [
                Issue("demand.csv", f"nothing can supply '{c}' in region {r}, year {y}", column="commodity")
                for r, c, y in unmet
            ]
        )

    activity, purchase = elements(m.activity), elements(m.purchase)

    def _balance(m: pyo.ConcreteModel, r: str, c: str, y: int) -> object:
        terms = [(coef, activity[r, k, v, y]) for k, v, coef in index.flows_at.get((r, c, y), ())]
        if (r, c, y) in purchasable:
            terms.append((1, purchase[r, c, y]))
        return linear(terms) >= data.demand.get((r, c, y), 0.0)

    m.commodity_balance = pyo.Constraint(index.balance_index, rule=_balance)
    limits = sorted(k for k in data.cumulative_limit if any((k[0], k[1], y) in purchasable for y in data.years))
    m.cumulative_supply = pyo.Constraint(
        limits,
        rule=lambda m, r, c: (
            pyo.quicksum(data.weight[y] * m.purchase[r, c, y] for y in data.years if (r, c, y) in purchasable)
            <= data.cumulative_limit[(r, c)]
        ),
    )
