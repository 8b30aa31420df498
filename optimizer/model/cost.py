"""Cost family: the objective, the present value of all costs (million currency, real).

`cost_terms` is the single definition of the annual cost of each milestone; the objective and
costs.csv both read it. Annual cost in (r, y) by component:
- investment:  Σ_{v serving y} CRF(rate, life_k) × capex_kv × d_vy × new_capacity[r,k,v]
  (annuities charged only in years inside the horizon, so no salvage value is needed)
- fixed_om:    fixed_om_kv × d_vy × capacity[r,k,v,y]
  where d_vy is the discount-weighted share of y's years in which vintage v is alive (1 but
  in the milestone where it reaches the end of its life: partial periods), so each annuity is
  charged for exactly the years the vintage lives inside the horizon
- variable_om: variable_om_kv × activity[r,k,v,y]
- purchases:   price_rcy × purchase[r,c,y]
- carbon:      carbon_price_y × emissions in the scenario's scope
Objective: Σ_{r,y} discount_sum_y × annual cost, discount_sum_y being the sum of
(1 + rate)^-(t − base_year) over the calendar years milestone y represents. No constant term.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import defaultdict
from typing import NamedTuple

import pyomo.core as pyo

from optimizer.data.model_data import ModelData
from optimizer.finance import capital_recovery_factor
from optimizer.model.emissions import EmissionTerm, in_scope
from optimizer.model.linear import elements, linear
from optimizer.model.sets import ModelIndex

COMPONENTS = ("investment", "fixed_om", "variable_om", "purchases", "carbon")
_FULL = (1.0, 1.0)  # alive share of a vintage that serves all of a milestone's years


class CostTerm(NamedTuple):
    """coefficient × variable[key] is part of the annual cost of `component` in (region, year)."""

    region: str
    year: int
    component: str
    variable: str
    key: tuple
    coefficient: float


def cost_terms(data: ModelData, index: ModelIndex, emissions: list[EmissionTerm]) -> list[CostTerm]:
    """Every non-zero annual cost coefficient of the model."""
    terms: list[CostTerm] = []
    years = data.years
    recovery = {k: capital_recovery_factor(data.discount_rate, t.life) for k, t in data.technologies.items()}
    alive = index.alive_share
    for r, k, v in index.new_capacity_index:
        annuity = recovery[k] * data.capex.get((k, v), 0.0)
        if annuity:  # charged in the milestones the vintage serves: v ≤ y < v + life
            served = years[bisect_left(years, v) : bisect_left(years, v + data.technologies[k].life)]
            terms.extend(
                CostTerm(r, y, "investment", "new_capacity", (r, k, v), annuity * alive.get((r, k, v, y), _FULL)[1])
                for y in served
            )
    fixed_om, variable_om = data.fixed_om, data.variable_om
    for key in index.capacity_index:
        r, k, v, y = key
        if fixed := fixed_om.get((k, v), 0.0):
            terms.append(CostTerm(r, y, "fixed_om", "capacity", key, fixed * alive.get(key, _FULL)[1]))
        if variable := variable_om.get((k, v), 0.0):
            terms.append(CostTerm(r, y, "variable_om", "activity", key, variable))
    for r, c, y in index.purchase_index:
        if price := data.price.get((r, c, y), 0.0):
            terms.append(CostTerm(r, y, "purchases", "purchase", (r, c, y), price))
    for term in emissions:
        price = data.carbon_price.get(term.year, 0.0)
        if price and in_scope(term.scope, data.scope):
            terms.append(CostTerm(term.region, term.year, "carbon", term.variable, term.key, price * term.coefficient))
    return terms


def objective_coefficients(data: ModelData, terms: list[CostTerm]) -> dict[tuple[str, tuple], float]:
    """Present-value coefficient of each (variable, key) in the objective."""
    coefficients: dict[tuple[str, tuple], float] = defaultdict(float)
    for term in terms:
        coefficients[(term.variable, term.key)] += data.discount_sum[term.year] * term.coefficient
    return dict(coefficients)


def add_to(m: pyo.ConcreteModel, data: ModelData, terms: list[CostTerm]) -> None:
    """Add `total_cost`, the minimised present value."""
    coefficients = objective_coefficients(data, terms)
    variables = {name: elements(getattr(m, name)) for name in {variable for variable, _ in coefficients}}
    m.total_cost = pyo.Objective(
        expr=linear((coef, variables[variable][key]) for (variable, key), coef in sorted(coefficients.items())),
        sense=pyo.minimize,
    )
