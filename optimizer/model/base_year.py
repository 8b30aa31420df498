"""Base-year family: a pinned base year reproduces what was observed (DESIGN §7).

Active only when the dataset sets `pin_base_year = true` and the scenario starts in its base
year (`ModelData.pinned_year`). Then, at that first milestone y0:
- nothing new is built (the sparse sets hold no vintage y0: plants coming on line in the base
  year belong in stock.csv) and no stock is retired early (its capacity is fixed to stock.csv);
- `base_year_share[r,k,y0]`: each stocked route makes its observed share of its main output,
  activity[r,k,stock,y0] = s_k × Σ_{k' making o(k)} activity[r,k',stock,y0], with
  s_k = availability_k × stock_k / Σ_{k'} availability_k' × stock_k'.
So the dataset's stock, sized to observed production by route, fixes the base year's dispatch
and emissions; the optimisation starts at the next milestone.
"""

from __future__ import annotations

from collections import defaultdict

import pyomo.core as pyo

from optimizer.data.model_data import ModelData
from optimizer.model.sets import ModelIndex


def observed_shares(data: ModelData) -> dict[tuple[str, str, int], float]:
    """{(region, technology, y0): share of its output} for stocked routes whose output has more
    than one stocked maker at the pinned year (a single maker needs no row)."""
    year = data.pinned_year
    if year is None:
        return {}
    potential: dict[tuple[str, str], dict[str, float]] = defaultdict(dict)
    for (r, k, y), stock in data.stock.items():
        if y == year and stock > 0:
            technology = data.technologies[k]
            potential[(r, technology.output)][k] = technology.availability * stock
    shares = {}
    for (r, _output), makers in potential.items():
        total = sum(makers.values())
        if len(makers) > 1:
            shares.update({(r, k, year): value / total for k, value in makers.items()})
    return shares


def add_to(m: pyo.ConcreteModel, data: ModelData, index: ModelIndex) -> None:
    """Fix the pinned year's stock and shares; adds nothing when the base year is not pinned."""
    shares = observed_shares(data)
    stock = data.stock_vintage

    def _share(m: pyo.ConcreteModel, r: str, k: str, y: int) -> object:
        output = data.technologies[k].output
        makers = [other for other in index.producers_of[output] if (r, other, stock, y) in m.activity]
        total = pyo.quicksum(m.activity[r, other, stock, y] for other in makers)
        return m.activity[r, k, stock, y] == shares[(r, k, y)] * total

    m.base_year_share = pyo.Constraint(sorted(shares), rule=_share)
    if data.pinned_year is None:
        return
    for r, k, v, y in index.capacity_index:
        if v == stock and y == data.pinned_year:
            m.capacity[r, k, v, y].setlb(data.stock[(r, k, y)])
