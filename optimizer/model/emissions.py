"""Emissions family: direct, indirect and captured CO2; caps, budget and carbon price terms.

`emission_terms` is the single definition of how emissions follow from the variables; the LP
and the output tables both read it. All emissions in MtCO2/yr:
- direct[r,k,y]   = Σ_v co2_direct_kv × (1 − capture_rate_kv) × activity[r,k,v,y]
- captured[r,k,y] = Σ_v co2_direct_kv × capture_rate_kv × activity[r,k,v,y]
- indirect[r,c,y] = emission_factor_rcy × purchase[r,c,y]

Adds:
- `emission_cap[g,s,y]`  Σ_{r in g} emissions in scope s ≤ cap (g is a region or 'all')
- `emission_budget`      Σ_y weight_y × Σ_r emissions in the scenario scope ≤ budget
"""

from __future__ import annotations

from collections import defaultdict
from typing import NamedTuple

import pyomo.core as pyo

from optimizer.data.model_data import ModelData
from optimizer.data.schema import ALL_REGIONS
from optimizer.model.linear import elements, linear
from optimizer.model.sets import ModelIndex


class EmissionTerm(NamedTuple):
    """coefficient × variable[key] contributes to emissions of `scope` in (region, year)."""

    region: str
    year: int
    scope: str  # direct, indirect or captured
    source: str  # technology (direct, captured) or commodity (indirect)
    variable: str
    key: tuple
    coefficient: float


def in_scope(term_scope: str, scope: str) -> bool:
    """Whether emissions of `term_scope` count under a cap of `scope`."""
    return term_scope == "direct" or (term_scope == "indirect" and scope == "direct+indirect")


def emission_terms(data: ModelData, index: ModelIndex) -> list[EmissionTerm]:
    """Every non-zero emission coefficient of the model."""
    terms = []
    for r, k, v, y in index.capacity_index:
        gross = data.co2_direct.get((k, v), 0.0)
        rate = data.capture_rate.get((k, v), 0.0)
        if gross * (1 - rate):
            terms.append(EmissionTerm(r, y, "direct", k, "activity", (r, k, v, y), gross * (1 - rate)))
        if gross * rate:
            terms.append(EmissionTerm(r, y, "captured", k, "activity", (r, k, v, y), gross * rate))
    for r, c, y in index.purchase_index:
        factor = data.emission_factor.get((r, c, y), 0.0)
        if factor:
            terms.append(EmissionTerm(r, y, "indirect", c, "purchase", (r, c, y), factor))
    return terms


def scope_coefficients(terms: list[EmissionTerm], scope: str) -> dict[tuple[str, int], dict[tuple[str, tuple], float]]:
    """{(region, year): {(variable, key): coefficient}} of emissions counted in `scope`."""
    result: dict[tuple[str, int], dict[tuple[str, tuple], float]] = defaultdict(dict)
    for term in terms:
        if in_scope(term.scope, scope):
            bucket = result[(term.region, term.year)]
            slot = (term.variable, term.key)
            bucket[slot] = bucket.get(slot, 0.0) + term.coefficient
    return result


def add_to(m: pyo.ConcreteModel, data: ModelData, index: ModelIndex, terms: list[EmissionTerm]) -> None:
    """Add the emission caps and the optional budget."""
    by_scope = {scope: scope_coefficients(terms, scope) for scope in ("direct", "direct+indirect")}

    variables = {name: elements(getattr(m, name)) for name in {term.variable for term in terms}}

    def _emissions(scope: str, regions: tuple[str, ...], year: int) -> object:
        return linear(
            (coef, variables[variable][key])
            for r in regions
            for (variable, key), coef in by_scope[scope].get((r, year), {}).items()
        )

    def _cap(m: pyo.ConcreteModel, group: str, scope: str, y: int) -> object:
        regions = data.regions if group == ALL_REGIONS else (group,)
        expression = _emissions(scope, regions, y)
        if isinstance(expression, int | float):
            return pyo.Constraint.Skip
        return expression <= data.caps[(group, scope, y)]

    m.emission_cap = pyo.Constraint(sorted(data.caps), rule=_cap)
    if data.budget is not None:
        m.emission_budget = pyo.Constraint(
            expr=pyo.quicksum(data.weight[y] * _emissions(data.scope, data.regions, y) for y in data.years)
            <= data.budget
        )
