"""Diffusion family: how fast and how far a technology may spread (bounds.csv).

With A[r,k,y] = Σ_v activity and K[r,k,y] = Σ_v capacity (units of the main output):
- `max_share[r,k,y]`, `min_share[r,k,y]`: A[r,k,y] ≤ / ≥ share × Σ_{k' making o(k)} A[r,k',y]
- `max_capacity`, `min_capacity`:         K̄[r,k,y] ≤ / ≥ value, on the capacity available over the
  milestone's years, K̄ = Σ_v share_v × capacity (share 1 but where a vintage's life or the
  base-year stock schedule ends inside them, `ModelIndex.alive_share`): a limit on plants
  standing is met by what stands, so stock retiring within a milestone makes room for new build
  without being scrapped early
- `max_new_capacity[r,k,y]`:              new_capacity[r,k,y] ≤ value (per year) × p_y
- `capacity_growth[r,k,y]`:               U[r,k,y] ≤ (1 + g)^p × U[r,k,y_prev] + seed × Σ_{j<p} (1 + g)^j
  on the capacity in use U = A / availability_k (as MESSAGEix's activity growth limits, so a
  route cannot be built ahead and left idle to jump later), with p = p_y the years since the
  previous milestone: exactly what p yearly steps of "grow by g, then add the seed" allow, so
  the same dataset gives the same limits at any step. At the first milestone U[y_prev] is the
  base-year stock in service then, and p = 1. g is `max_growth` (per year), the seed
  `growth_seed` (capacity per year, 0 when absent: a new route can start from zero only with a
  seed).
- `share_gain[r,k,y]`:                    A[r,k,y] − A[r,k,y_prev] ≤ gain × p_y × Σ_{k' making o(k)} A[r,k',y]:
  a route may take at most `max_share_gain` (a fraction per year) of its product's output per
  year, the linear middle of an S-curve after the exponential start `capacity_growth` allows
  (exact for any step when the product's output is steady and the route exists from the first
  milestone; a route whose first year is a later milestone may take p × gain there at once).
  At the first milestone the gain is on the base-year stock's output (stock × availability),
  with p = 1, as for growth.
- `share_loss[r,k,y]`:                    A[r,k,y_prev] − A[r,k,y] ≤ loss × p_y × Σ_{k' making o(k)} A[r,k',y]:
  a route may shed at most `max_share_loss` (a fraction per year) of its product's output a
  year, the turnover limit of a fleet: however many routes gain at once, the incumbent's market
  goes no faster. A shrinking market's fall counts against the limit, so the route's share falls
  by at most loss × p_y; in a growing market its share may fall further as other routes take
  the growth. At the first milestone the loss is on the base-year stock's output, with p = 1.
The two change rows are written on `route_output[r,k,y]` = Σ_v activity and
`product_output[r,c,y]` = Σ route_output of the routes making c (rows `route_output_sum`,
`product_output_sum`), so each is three terms long.
Readiness (a technology's first year) is enforced by the sparse sets: no earlier vintage exists.
Bounds act only in years the technology can exist (from its first year, or while base-year stock
remains): values interpolated back before that have nothing to act on and add no rows.
"""

from __future__ import annotations

import pyomo.core as pyo

from optimizer.data.model_data import ModelData
from optimizer.model.sets import ModelIndex


def growth_factors(growth: float, years: int) -> tuple[float, float]:
    """(1 + g)^p and Σ_{j<p} (1 + g)^j: what p yearly steps do to the previous capacity and to a
    yearly seed.

    >>> growth_factors(0.0, 5)
    (1.0, 5.0)
    >>> [round(x, 4) for x in growth_factors(0.1, 2)]
    [1.21, 2.1]
    """
    factor = (1.0 + growth) ** years
    seeds = float(years) if growth == 0 else (factor - 1.0) / growth
    return factor, seeds


def add_to(m: pyo.ConcreteModel, data: ModelData, index: ModelIndex) -> None:
    """Add the bounds given in the data; absent bounds add no rows."""

    def total(variable: pyo.Var, r: str, k: str, y: int) -> object:
        return pyo.quicksum(variable[r, k, v, y] for v in index.vintages_at.get((r, k, y), ()))

    output_sums: dict[tuple[str, str, int], object] = {}

    def output_total(r: str, k: str, y: int) -> object:
        """Σ activity of every route making k's output: built once per (region, product, year) and
        shared by the max/min share rows of all its routes."""
        key = (r, data.technologies[k].output, y)
        if key not in output_sums:
            makers = index.producers_of[key[1]]
            output_sums[key] = pyo.quicksum(
                m.activity[r, other, v, y] for other in makers for v in index.vintages_at.get((r, other, y), ())
            )
        return output_sums[key]

    def _keys(kind: str) -> list[tuple[str, str, int]]:
        """Bounded (region, technology, year) where the technology can exist; a bound in a year
        before its first year (e.g. held flat back from the first year given) has nothing to act on."""
        return sorted(
            key
            for key in data.bounds[kind]
            if key[0] in data.regions and key[2] in data.years and key in index.vintages_at
        )

    def _share(kind: str):
        def rule(m: pyo.ConcreteModel, r: str, k: str, y: int) -> object:
            share = data.bounds[kind][(r, k, y)]
            own = total(m.activity, r, k, y)
            return own <= share * output_total(r, k, y) if kind == "max_share" else own >= share * output_total(r, k, y)

        return rule

    def available(r: str, k: str, y: int) -> object:
        return pyo.quicksum(
            index.alive_share.get((r, k, v, y), (1.0, 1.0))[0] * m.capacity[r, k, v, y]
            for v in index.vintages_at.get((r, k, y), ())
        )

    def _capacity(kind: str):
        def rule(m: pyo.ConcreteModel, r: str, k: str, y: int) -> object:
            value = data.bounds[kind][(r, k, y)]
            own = available(r, k, y)
            return own <= value if kind == "max_capacity" else own >= value

        return rule

    new_keys = set(index.new_capacity_index)
    m.max_share = pyo.Constraint(_keys("max_share"), rule=_share("max_share"))
    m.min_share = pyo.Constraint(
        [key for key in _keys("min_share") if data.bounds["min_share"][key] > 0], rule=_share("min_share")
    )
    m.max_capacity = pyo.Constraint(_keys("max_capacity"), rule=_capacity("max_capacity"))
    m.min_capacity = pyo.Constraint(
        [key for key in _keys("min_capacity") if data.bounds["min_capacity"][key] > 0], rule=_capacity("min_capacity")
    )
    m.max_new_capacity = pyo.Constraint(
        [key for key in _keys("max_new_capacity") if key in new_keys],
        rule=lambda m, r, k, y: m.new_capacity[r, k, y] <= data.bounds["max_new_capacity"][(r, k, y)] * data.period[y],
    )

    def weighted(variable: pyo.Var, r: str, k: str, y: int, weight: float) -> object:
        """Σ_v weight × variable, each coefficient a plain number (so every compiler of the LP
        makes the same one, to the last bit)."""
        return pyo.quicksum(weight * variable[r, k, v, y] for v in index.vintages_at.get((r, k, y), ()))

    def _growth(m: pyo.ConcreteModel, r: str, k: str, y: int) -> object:
        factor, seeds = growth_factors(data.bounds["max_growth"][(r, k, y)], data.period[y])
        seed = seeds * data.bounds["growth_seed"].get((r, k, y), 0.0)
        availability = data.technologies[k].availability
        in_use = weighted(m.activity, r, k, y, 1.0 / availability)
        previous = index.previous_year.get(y)
        if previous is None:  # the first milestone grows from the base-year stock
            return in_use <= factor * data.stock.get((r, k, y), 0.0) + seed
        return in_use - weighted(m.activity, r, k, previous, factor / availability) <= seed

    m.capacity_growth = pyo.Constraint(_keys("max_growth"), rule=_growth)

    _add_share_changes(m, data, index, _keys("max_share_gain"), _keys("max_share_loss"))


def _add_share_changes(
    m: pyo.ConcreteModel,
    data: ModelData,
    index: ModelIndex,
    gain_keys: list[tuple[str, str, int]],
    loss_keys: list[tuple[str, str, int]],
) -> None:
    """`share_gain` and `share_loss` on two small sums: `route_output[r,k,y]` (Σ_v activity of a
    route) and `product_output[r,c,y]` (Σ route_output of every route making c), each defined once
    (rows `route_output_sum`, `product_output_sum`). Written out in activities, every change row
    would repeat the whole product's vintages; at annual steps that doubled the LP's nonzeros
    and made it several times slower to solve."""
    if not gain_keys and not loss_keys:
        return
    products: set[tuple[str, str, int]] = set()
    routes: set[tuple[str, str, int]] = set()
    for r, k, y in {*gain_keys, *loss_keys}:
        output = data.technologies[k].output
        products.add((r, output, y))
        routes.update((r, maker, y) for maker in index.producers_of[output])
        previous = index.previous_year.get(y)
        if previous is not None:
            routes.add((r, k, previous))
    m.route_output = pyo.Var(sorted(routes), domain=pyo.NonNegativeReals)
    m.product_output = pyo.Var(sorted(products), domain=pyo.NonNegativeReals)
    m.route_output_sum = pyo.Constraint(
        sorted(routes),
        rule=lambda m, r, k, y: m.route_output[r, k, y]
        == pyo.quicksum(m.activity[r, k, v, y] for v in index.vintages_at.get((r, k, y), ())),
    )
    m.product_output_sum = pyo.Constraint(
        sorted(products),
        rule=lambda m, r, c, y: m.product_output[r, c, y]
        == pyo.quicksum(m.route_output[r, k, y] for k in index.producers_of[c]),
    )

    def change(r: str, k: str, y: int) -> tuple[object, float, object]:
        """(route output at y, what it had before: the previous milestone's output or, at the first
        milestone, the base-year stock's, the product's output at y)."""
        previous = index.previous_year.get(y)
        before = (
            m.route_output[r, k, previous]
            if previous is not None
            else data.stock.get((r, k, y), 0.0) * data.technologies[k].availability
        )
        return m.route_output[r, k, y], before, m.product_output[r, data.technologies[k].output, y]

    def _share_gain(m: pyo.ConcreteModel, r: str, k: str, y: int) -> object:
        now, before, output = change(r, k, y)
        return now - before <= data.bounds["max_share_gain"][(r, k, y)] * data.period[y] * output

    def _share_loss(m: pyo.ConcreteModel, r: str, k: str, y: int) -> object:
        now, before, output = change(r, k, y)
        return before - now <= data.bounds["max_share_loss"][(r, k, y)] * data.period[y] * output

    m.share_gain = pyo.Constraint(gain_keys, rule=_share_gain)
    m.share_loss = pyo.Constraint(loss_keys, rule=_share_loss)
