"""Abatement by lever (DESIGN §6): who cut how much of the reduction since the first year.

Embodied intensities carry the emissions of intermediates (clinker, hydrogen made in the model)
to the final products that use them. For each region and year, with S_c the supply of
commodity c (production + purchase), A_k the activity of technology k and a_kc its input of c
per unit, the average embodied intensity e_c solves the linear system

    S_c · e_c = Σ_{k making c} A_k · (d_k + Σ_c' a_kc' · e_c') + P_c · f_c

(d_k: own direct emissions net of capture; P_c, f_c: purchase and its emission factor in the
cap's scope). A technology's embodied intensity is ε_k = d_k + Σ_c a_kc · e_c. Everything
supplied ends in final demand D_c or in overproduction X_c, so E_y = Σ_c e_c · (D_c + X_c).

With first year 0 and I_p = e_p,0, the reduction splits exactly:

    E_0 − E_y = Σ_p (D_p,0 − D_p,y) · I_p                      → demand
              + Σ_p Σ_{k making p} Ã_k · (I_p − ε_k,y)         → split below
              + Σ_p Ã_purchase,p · (I_p − f_p,y)               → other
              + Σ_p Ã_byproduct,p · I_p                          → other
              + Σ_c e_c,0 X_c,0 − e_c,y X_c,y                    → other

where Ã_k = A_k · D_p / S_p is the part of k's output that reaches final demand (likewise for
purchases and for by-product output of p, which carries no emissions of its own: a route's
emissions all go to its main output). Each
technology's term splits into: the CO2 captured per unit along its chain (own and upstream) →
ccus; its electricity use along the chain × the fall of the grid emission factor since year 0 →
electrification; its hydrogen use along the chain × the fall of hydrogen's embodied intensity
(gross of capture, at the year-0 grid factor, so neither is counted twice) → hydrogen; the
rest → the technology's own lever (`incumbent` counts as `other`). The parts add up to the
technology's term by construction, so the wedges add up to the total reduction. Finally each
route's first-year term, scaled with its product's demand, is subtracted from its levers: a
route already in the first-year mix abates only by growing beyond its first-year share. These
terms sum to zero per product, so every wedge is zero in the first year and the total stays exact.

Electricity is every commodity whose name starts with `electricity` and that is bought at an
emission factor; hydrogen is every commodity whose name starts with `hydrogen`.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import numpy as np
import pandas as pd

from optimizer.data.model_data import ModelData
from optimizer.model.emissions import in_scope
from optimizer.model.sets import ModelIndex
from optimizer.outputs.tables import SolutionView

LEVER_ORDER = ("feedstock_substitution", "electrification", "hydrogen", "ccus", "efficiency", "demand", "other")
FOUR_CATEGORIES = ("feedstock_substitution", "electrification", "hydrogen", "ccus")


@dataclass
class _YearFlows:
    """Flows of one region and year, in the shape the intensity systems need."""

    commodities: list[str]
    supply: np.ndarray  # S_c
    purchase: np.ndarray  # P_c
    demand: np.ndarray  # D_c
    consumption: np.ndarray  # used by technologies
    routes: list[tuple[str, int, float]]  # (technology, vintage, activity) with activity > 0


def _flows(data: ModelData, index: ModelIndex, view: SolutionView, region: str, year: int) -> _YearFlows:
    routes = [
        (k, v, activity)
        for k in data.technologies
        for v in index.vintages_at.get((region, k, year), ())
        if (activity := view.value("activity", (region, k, v, year))) > 0
    ]
    names = {c for (r, c, y) in index.balance_index if r == region and y == year}
    commodities = sorted(names)
    position = {c: i for i, c in enumerate(commodities)}
    supply, purchase, demand, used = (np.zeros(len(commodities)) for _ in range(4))
    for k, v, activity in routes:
        supply[position[data.technologies[k].output]] += activity
        for c, coef in data.vintage_outputs.get((k, v), {}).items():
            supply[position[c]] += activity * coef
        for c, coef in data.vintage_inputs.get((k, v), {}).items():
            used[position[c]] += activity * coef
    for c in commodities:
        purchase[position[c]] = view.value("purchase", (region, c, year))
        demand[position[c]] = data.demand.get((region, c, year), 0.0)
    supply += purchase
    return _YearFlows(commodities, supply, purchase, demand, used, routes)


class _Intensities:
    """Solves S_c x_c = Σ_k A_k (own_k + Σ a_kc' x_c') + P_c · buy_c for several right-hand sides."""

    def __init__(self, data: ModelData, flows: _YearFlows) -> None:
        self.data, self.flows = data, flows
        self.position = {c: i for i, c in enumerate(flows.commodities)}
        n = len(flows.commodities)
        matrix = np.diag(np.where(flows.supply > 0, flows.supply, 1.0))
        for k, v, activity in flows.routes:
            row = self.position[self.data.technologies[k].output]
            for c, coef in data.vintage_inputs.get((k, v), {}).items():
                matrix[row, self.position[c]] -= activity * coef
        self.matrix = matrix
        self.n = n

    def solve(self, own: dict[tuple[str, int], float], bought: np.ndarray) -> np.ndarray:
        rhs = self.flows.purchase * bought
        for k, v, activity in self.flows.routes:
            rhs[self.position[self.data.technologies[k].output]] += activity * own.get((k, v), 0.0)
        rhs = np.where(self.flows.supply > 0, rhs, 0.0)
        return np.linalg.solve(self.matrix, rhs) if self.n else rhs

    def per_route(self, k: str, v: int, own: float, values: np.ndarray) -> float:
        """own + Σ_c a_kc · values_c for one technology vintage."""
        inputs = self.data.vintage_inputs.get((k, v), {})
        return own + sum(coef * values[self.position[c]] for c, coef in inputs.items())


def _chain(data: ModelData, region: str, year: int, reference_year: int, flows: _YearFlows) -> dict:
    """Embodied quantities per unit of each commodity: net, gross (now and at the reference
    grid factor), captured CO2, and the content of each hydrogen commodity."""
    system = _Intensities(data, flows)
    counts = in_scope("indirect", data.scope)
    now, then = np.zeros(system.n), np.zeros(system.n)
    for i, c in enumerate(flows.commodities):
        factor = data.emission_factor.get((region, c, year), 0.0) if counts else 0.0
        now[i] = then[i] = factor
        if c.startswith("electricity") and counts:
            then[i] = data.emission_factor.get((region, c, reference_year), factor)
    kvs = [(k, v) for k, v, _ in flows.routes]
    gross = {kv: data.co2_direct.get(kv, 0.0) for kv in kvs}
    captured = {kv: gross[kv] * data.capture_rate.get(kv, 0.0) for kv in kvs}
    net = {kv: gross[kv] - captured[kv] for kv in kvs}
    hydrogen = {c: _content(system, c) for c in flows.commodities if c.startswith("hydrogen")}
    return {
        "system": system,
        "own": {"net": net, "gross": gross, "captured": captured},
        "net": system.solve(net, now),
        "gross_now": system.solve(gross, now),
        "gross_then": system.solve(gross, then),
        "captured": system.solve(captured, np.zeros(system.n)),
        "hydrogen": hydrogen,
    }


def _content(system: _Intensities, commodity: str) -> np.ndarray:
    """Amount of `commodity` per unit of each commodity along the supply chain (1 for itself)."""
    matrix = system.matrix.copy()
    rhs = np.zeros(system.n)
    row = system.position[commodity]
    matrix[row, :] = 0.0
    matrix[row, row] = 1.0
    rhs[row] = 1.0
    supply = system.flows.supply
    for i in range(system.n):  # commodities nobody supplies carry nothing
        if supply[i] <= 0 and i != row:
            matrix[i, :] = 0.0
            matrix[i, i] = 1.0
    return np.linalg.solve(matrix, rhs)


def _lever(data: ModelData, technology: str) -> str:
    lever = data.technologies[technology].lever
    return "other" if lever == "incumbent" else lever


def _overproduction(chain: dict, flows: _YearFlows) -> float:
    excess = flows.supply - flows.consumption - flows.demand
    return float(np.dot(chain["net"], excess))


@dataclass
class _Reference:
    """The first year's flows and embodied quantities, against which reductions are measured."""

    year: int
    flows: _YearFlows
    chain: dict

    def intensity(self, product: str) -> float:
        position = self.chain["system"].position
        return float(self.chain["net"][position[product]]) if product in position else 0.0

    def hydrogen(self) -> dict[str, float]:
        position = self.chain["system"].position
        return {c: float(self.chain["gross_now"][position[c]]) for c in self.chain["hydrogen"]}


def abatement_table(data: ModelData, index: ModelIndex, view: SolutionView) -> pd.DataFrame:
    """Wedges by region, year and lever, with their shares of the reduction since the first year.

    A route's wedge counts the change since the first year: the term it already contributed
    then (scaled with its product's demand) is subtracted, so every wedge is zero in the first
    year. Those first-year terms sum to zero for each product, so the total stays exact.
    """
    first = data.years[0]
    rows = []
    for region in data.regions:
        base_flows = _flows(data, index, view, region, first)
        reference = _Reference(first, base_flows, _chain(data, region, first, first, base_flows))
        initial = _product_wedges(data, region, first, base_flows, reference.chain, reference)
        for year in data.years:
            flows = _flows(data, index, view, region, year)
            chain = _chain(data, region, year, first, flows)
            wedges: dict[str, float] = defaultdict(float)
            for product, levers in _product_wedges(data, region, year, flows, chain, reference).items():
                then = data.demand.get((region, product, first), 0.0)
                scale = data.demand.get((region, product, year), 0.0) / then if then else 0.0
                for lever in set(levers) | set(initial.get(product, {})):
                    wedges[lever] += levers.get(lever, 0.0) - scale * initial.get(product, {}).get(lever, 0.0)
            wedges["other"] += _overproduction(reference.chain, base_flows) - _overproduction(chain, flows)
            reduction = sum(wedges.values())
            for lever in LEVER_ORDER:
                value = wedges.get(lever, 0.0)
                share = value / reduction if abs(reduction) > 1e-9 else float("nan")
                rows.append((region, year, lever, value, share, "MtCO2/yr"))
    return pd.DataFrame(rows, columns=["region", "year", "lever", "abatement", "share", "unit"])


def _product_wedges(
    data: ModelData, region: str, year: int, flows: _YearFlows, chain: dict, reference: _Reference
) -> dict[str, dict[str, float]]:
    """{final product: {lever: wedge}} in one region and year, before the first-year correction."""
    system = chain["system"]
    base_hydrogen = reference.hydrogen()
    finals = {c for c in flows.commodities if data.demand.get((region, c, year), 0) > 0}
    finals |= {c for c in reference.flows.commodities if data.demand.get((region, c, reference.year), 0) > 0}
    result: dict[str, dict[str, float]] = {}
    for product in sorted(finals):
        wedges: dict[str, float] = defaultdict(float)
        result[product] = wedges
        intensity = reference.intensity(product)
        demand_now = data.demand.get((region, product, year), 0.0)
        wedges["demand"] += (data.demand.get((region, product, reference.year), 0.0) - demand_now) * intensity
        if demand_now <= 0 or product not in system.position:
            continue
        supply = flows.supply[system.position[product]]
        share = demand_now / supply if supply > 0 else 0.0
        own = chain["own"]
        for k, v, activity in flows.routes:
            if data.technologies[k].output != product:
                continue
            reaching = activity * share
            net = system.per_route(k, v, own["net"][(k, v)], chain["net"])
            gross_now = system.per_route(k, v, own["gross"][(k, v)], chain["gross_now"])
            gross_then = system.per_route(k, v, own["gross"][(k, v)], chain["gross_then"])
            captured = system.per_route(k, v, own["captured"][(k, v)], chain["captured"])
            hydrogen = sum(
                system.per_route(k, v, 0.0, content)
                * (base_hydrogen.get(c, 0.0) - chain["gross_then"][system.position[c]])
                for c, content in chain["hydrogen"].items()
            )
            parts = {
                "ccus": reaching * captured,
                "electrification": reaching * (gross_then - gross_now),
                "hydrogen": reaching * hydrogen,
            }
            for lever, value in parts.items():
                wedges[lever] += value
            wedges[_lever(data, k)] += reaching * (intensity - net) - sum(parts.values())
        position = system.position[product]
        bought = flows.purchase[position] * share
        factor = data.emission_factor.get((region, product, year), 0.0) if in_scope("indirect", data.scope) else 0.0
        wedges["other"] += bought * (intensity - factor)
        made_as_main = sum(activity for k, _v, activity in flows.routes if data.technologies[k].output == product)
        byproduct = flows.supply[position] - flows.purchase[position] - made_as_main
        wedges["other"] += byproduct * share * intensity  # by-products carry no emissions of their own
    return result


def lever_summary(abatement: pd.DataFrame, year: int) -> dict:
    """Shares of the reduction by lever in `year`, summed over regions, and the four-category total."""
    chosen = abatement[abatement["year"] == year].groupby("lever")["abatement"].sum()
    reduction = float(chosen.sum())
    shares = {lever: (float(chosen.get(lever, 0.0)) / reduction if reduction else None) for lever in LEVER_ORDER}
    four = sum(shares[lever] or 0.0 for lever in FOUR_CATEGORIES) if reduction else None
    return {"year": year, "reduction": reduction, "shares": shares, "four_categories": four}
