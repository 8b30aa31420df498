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
ccus; its grid electricity use along the chain × the fall of the grid emission factor since
year 0 → clean_power; its hydrogen use along the chain × the fall of hydrogen's embodied
intensity (gross of capture, at the year-0 grid factor, so neither is counted twice) →
hydrogen; the rest → the technology's own lever (`incumbent` counts as `other`), so switching a
process to electricity is `electrification` and cleaning the grid that feeds it is
`clean_power` (together the report's "electrification and clean electricity"). The parts add up to the
technology's term by construction, so the wedges add up to the total reduction. Finally each
route's first-year term, scaled with its product's demand, is subtracted from its levers: a
route already in the first-year mix abates only by growing beyond its first-year share. These
terms sum to zero per product, so every wedge is zero in the first year and the total stays exact.

Grid electricity and hydrogen are the commodities given those roles in commodities.csv (`role`).

A commodity not supplied at all in year 0 (hydrogen before the first electrolyser, a product
that appears later) still needs a year-0 intensity I_c, and it must not jump when a tiny amount
appears: it is the embodied intensity of the route that would make it at least cost in year 0,
its levelised cost taken at year 0's shadow prices (capital recovery over its life ÷
availability, fixed and variable O&M, inputs and by-products at the dual of their balance,
emissions at the carbon price) — the route the LP would use for the first unit. A commodity
only bought takes its emission factor.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import numpy as np
import pandas as pd

from optimizer.data.model_data import ModelData
from optimizer.data.schema import ALL_REGIONS
from optimizer.finance import capital_recovery_factor
from optimizer.model.emissions import in_scope
from optimizer.model.sets import ModelIndex
from optimizer.solve.solution import SolveResult

LEVER_ORDER = (
    "feedstock_substitution",
    "electrification",
    "clean_power",
    "hydrogen",
    "ccus",
    "efficiency",
    "demand",
    "other",
)
CATEGORIES = {  # the report's four cross-cutting categories and the levers that make them up
    "feedstock substitution and recycling": ("feedstock_substitution",),
    "electrification and clean electricity": ("electrification", "clean_power"),
    "hydrogen": ("hydrogen",),
    "ccus": ("ccus",),
}
FOUR_CATEGORIES = tuple(lever for levers in CATEGORIES.values() for lever in levers)
_LEVER = {lever: i for i, lever in enumerate(LEVER_ORDER)}
NET, GROSS_NOW, GROSS_THEN, CAPTURED = range(4)  # columns of the embodied quantities

Route = tuple[str, int, float]  # (technology, vintage, activity) with activity > 0


class _Catalog:
    """Lookups shared by every region and year: a column per commodity, a row per route that runs."""

    def __init__(self, data: ModelData, index: ModelIndex, pairs: list[tuple[str, int]]) -> None:
        self.names = sorted({c for _, c, _ in index.balance_index})
        self.column = {c: i for i, c in enumerate(self.names)}
        self.commodities: dict[tuple[str, int], list[str]] = defaultdict(list)
        for r, c, y in index.balance_index:
            self.commodities[(r, y)].append(c)
        self.row = {pair: i for i, pair in enumerate(pairs)}
        shape = (len(pairs), len(self.names))
        self.inputs, self.byproducts = np.zeros(shape), np.zeros(shape)
        self.own = np.zeros((len(pairs), 4))  # direct emissions per unit: net, gross, gross, captured
        self.output = np.zeros(len(pairs), dtype=int)
        self.lever = np.zeros(len(pairs), dtype=int)
        for i, (k, v) in enumerate(pairs):
            technology = data.technologies[k]
            self.output[i] = self.column[technology.output]
            self.lever[i] = _LEVER["other" if technology.lever == "incumbent" else technology.lever]
            for target, coefficients in ((self.inputs, data.vintage_inputs), (self.byproducts, data.vintage_outputs)):
                for c, coef in coefficients.get((k, v), {}).items():
                    target[i, self.column[c]] = coef
            gross = data.co2_direct.get((k, v), 0.0)
            captured = gross * data.capture_rate.get((k, v), 0.0)
            self.own[i] = (gross - captured, gross, gross, captured)


@dataclass
class _YearFlows:
    """Flows of one region and year over its commodities, and the routes that run in it."""

    at: np.ndarray  # catalog column of each commodity
    commodities: list[str]
    supply: np.ndarray  # S_c
    purchase: np.ndarray  # P_c
    demand: np.ndarray  # D_c
    consumption: np.ndarray  # used by technologies
    activity: np.ndarray  # A_k per route
    maker: np.ndarray  # routes × commodities: 1 at each route's main output
    inputs: np.ndarray  # routes × commodities: a_kc
    own: np.ndarray  # routes × 4: direct emissions per unit, as in `_Catalog.own`
    lever: np.ndarray  # position of each route's lever in LEVER_ORDER


def _routes(data: ModelData, index: ModelIndex, result: SolveResult) -> dict[tuple[str, int], list[Route]]:
    """The routes that run in each (region, year), technologies in data order."""
    activity = result.along("activity", index.capacity_index)
    found: dict[tuple[str, int], list[Route]] = defaultdict(list)
    for i in np.flatnonzero(activity > 0):
        r, k, v, y = index.capacity_index[i]
        found[(r, y)].append((k, v, float(activity[i])))
    rank = {k: i for i, k in enumerate(data.technologies)}
    for routes in found.values():
        routes.sort(key=lambda route: rank[route[0]])  # stable: each technology's vintages keep their order
    return found


def _flows(
    data: ModelData, catalog: _Catalog, result: SolveResult, region: str, year: int, routes: list[Route]
) -> _YearFlows:
    commodities = sorted(catalog.commodities.get((region, year), []))
    at = np.array([catalog.column[c] for c in commodities], dtype=int)
    rows = np.array([catalog.row[(k, v)] for k, v, _ in routes], dtype=int)
    activity = np.array([a for _, _, a in routes], dtype=float)
    maker = (catalog.output[rows][:, None] == at[None, :]).astype(float)
    inputs = catalog.inputs[np.ix_(rows, at)]
    purchase = np.array([result.value("purchase", (region, c, year)) for c in commodities], dtype=float)
    demand = np.array([data.demand.get((region, c, year), 0.0) for c in commodities], dtype=float)
    supply = activity @ maker + activity @ catalog.byproducts[np.ix_(rows, at)] + purchase
    return _YearFlows(
        at, commodities, supply, purchase, demand, activity @ inputs, activity, maker, inputs,
        catalog.own[rows], catalog.lever[rows],
    )  # fmt: skip


@dataclass
class _Chain:
    """Embodied quantities (columns NET, GROSS_NOW, GROSS_THEN, CAPTURED) per unit of each commodity
    and of each route, and each route's content of every hydrogen commodity along its chain."""

    commodity: np.ndarray  # commodities × 4
    route: np.ndarray  # routes × 4
    factor: np.ndarray  # f_c in the cap's scope
    hydrogen: np.ndarray  # positions of the hydrogen commodities
    hydrogen_content: np.ndarray  # routes × hydrogen commodities


def _factors(data: ModelData, region: str, year: int, first: int, commodities: list[str]) -> np.ndarray:
    """Emission factors of purchases in the cap's scope: now, and with grid electricity's of the first year."""
    if not in_scope("indirect", data.scope):
        return np.zeros((len(commodities), 2))
    grid = data.roles.get("grid_electricity")
    now = [data.emission_factor.get((region, c, year), 0.0) for c in commodities]
    then = [
        data.emission_factor.get((region, c, first), f) if c == grid else f
        for c, f in zip(commodities, now, strict=True)
    ]
    return np.array([now, then], dtype=float).T


def _chain(data: ModelData, region: str, year: int, first: int, flows: _YearFlows) -> _Chain:
    """Solves S_c x_c = Σ_k A_k (own_k + Σ a_kc' x_c') + P_c · buy_c for the four quantities at once."""
    n = len(flows.commodities)
    supplied = flows.supply > 0
    matrix = np.diag(np.where(supplied, flows.supply, 1.0)) - flows.maker.T @ (flows.activity[:, None] * flows.inputs)
    factors = _factors(data, region, year, first, flows.commodities)
    bought = np.column_stack([factors[:, 0], factors[:, 0], factors[:, 1], np.zeros(n)])
    rhs = flows.maker.T @ (flows.activity[:, None] * flows.own) + flows.purchase[:, None] * bought
    rhs[~supplied] = 0.0
    commodity = np.linalg.solve(matrix, rhs) if n else rhs
    hydrogen = np.array([i for i, c in enumerate(flows.commodities) if c == data.roles.get("hydrogen")], dtype=int)
    content = _content(matrix, supplied, hydrogen)
    return _Chain(commodity, flows.own + flows.inputs @ commodity, factors[:, 0], hydrogen, flows.inputs @ content)


def _content(matrix: np.ndarray, supplied: np.ndarray, hydrogen: np.ndarray) -> np.ndarray:
    """Amount of each hydrogen commodity per unit of each commodity along the supply chain (1 for itself)."""
    content = np.zeros((len(supplied), len(hydrogen)))
    for j, row in enumerate(hydrogen):
        fixed = np.flatnonzero(~supplied | (np.arange(len(supplied)) == row))  # unsupplied ones carry nothing
        system = matrix.copy()
        system[fixed, :] = 0.0
        system[fixed, fixed] = 1.0
        content[row, j] = 1.0
        content[:, j] = np.linalg.solve(system, content[:, j])
    return content


def _overproduction(chain: _Chain, flows: _YearFlows) -> float:
    excess = flows.supply - flows.consumption - flows.demand
    return float(np.dot(chain.commodity[:, NET], excess))


def _spread(values: np.ndarray, at: np.ndarray, size: int) -> np.ndarray:
    """Values of a year's commodities placed on the catalog's columns (zero elsewhere)."""
    spread = np.zeros((size, *values.shape[1:]))
    spread[at] = values
    return spread


@dataclass
class _Reference:
    """The first year's demand, net and gross embodied intensities and wedges, on the catalog's columns."""

    demand: np.ndarray
    intensity: np.ndarray  # I_p
    gross: np.ndarray  # gross embodied intensity (read for hydrogen)
    overproduction: float
    wedges: np.ndarray | None = None  # first-year product wedges, catalog columns × LEVER_ORDER

    @classmethod
    def of(cls, flows: _YearFlows, chain: _Chain, size: int, unsupplied: dict[int, np.ndarray]) -> _Reference:
        """The first year's reference; `unsupplied` gives, for catalog columns not supplied then,
        their (NET, GROSS_NOW) intensity by the least-cost route (see `_least_cost_intensities`)."""
        commodity = _spread(chain.commodity, flows.at, size)
        for column, (net, gross) in unsupplied.items():
            commodity[column, NET], commodity[column, GROSS_NOW] = net, gross
        reference = cls(
            _spread(flows.demand, flows.at, size), commodity[:, NET], commodity[:, GROSS_NOW],
            _overproduction(chain, flows),
        )  # fmt: skip
        reference.wedges = _product_wedges(flows, chain, reference)
        return reference


def _product_wedges(flows: _YearFlows, chain: _Chain, reference: _Reference) -> np.ndarray:
    """Wedge of each final product (catalog columns) by lever, before the first-year correction."""
    intensity = reference.intensity[flows.at]
    final = (flows.demand > 0) & (flows.supply > 0)
    share = np.divide(flows.demand, flows.supply, out=np.zeros(len(flows.at)), where=final)
    reaching = flows.activity * (flows.maker @ share)
    hydrogen_fall = reference.gross[flows.at[chain.hydrogen]] - chain.commodity[chain.hydrogen, GROSS_THEN]
    route = chain.route
    parts = np.zeros((len(reaching), len(LEVER_ORDER)))
    parts[:, _LEVER["ccus"]] = reaching * route[:, CAPTURED]
    parts[:, _LEVER["clean_power"]] = reaching * (route[:, GROSS_THEN] - route[:, GROSS_NOW])
    parts[:, _LEVER["hydrogen"]] = reaching * (chain.hydrogen_content @ hydrogen_fall)
    rest = reaching * (flows.maker @ intensity - route[:, NET]) - parts.sum(axis=1)
    np.add.at(parts, (np.arange(len(reaching)), flows.lever), rest)
    wedges = flows.maker.T @ parts
    byproduct = flows.supply - flows.purchase - flows.activity @ flows.maker  # carries no emissions of its own
    wedges[:, _LEVER["other"]] += flows.purchase * share * (intensity - chain.factor) + byproduct * share * intensity
    wedges = _spread(wedges, flows.at, len(reference.demand))
    demand = _spread(flows.demand, flows.at, len(reference.demand))
    wedges[:, _LEVER["demand"]] = (reference.demand - demand) * reference.intensity
    return wedges


def _year_wedges(flows: _YearFlows, chain: _Chain, reference: _Reference) -> np.ndarray:
    """Wedges by lever (LEVER_ORDER) in one region and year, after the first-year correction."""
    demand = _spread(flows.demand, flows.at, len(reference.demand))
    scale = np.divide(demand, reference.demand, out=np.zeros(len(demand)), where=reference.demand != 0)
    wedges = _product_wedges(flows, chain, reference) - scale[:, None] * reference.wedges
    levers = wedges.sum(axis=0)
    levers[_LEVER["other"]] += reference.overproduction - _overproduction(chain, flows)
    return levers


def abatement_table(data: ModelData, index: ModelIndex, result: SolveResult) -> pd.DataFrame:
    """Wedges by region, year and lever, with their shares of the reduction since the first year.

    A route's wedge counts the change since the first year: the term it already contributed
    then (scaled with its product's demand) is subtracted, so every wedge is zero in the first
    year. Those first-year terms sum to zero for each product, so the total stays exact.
    """
    first = data.years[0]
    found = _routes(data, index, result)
    routes = {(r, y): found.get((r, y), []) for r in data.regions for y in data.years}
    pairs = list(dict.fromkeys((k, v) for found in routes.values() for k, v, _ in found))
    catalog = _Catalog(data, index, pairs)
    rows = []
    for region in data.regions:
        reference: _Reference | None = None
        for year in data.years:
            flows = _flows(data, catalog, result, region, year, routes[(region, year)])
            chain = _chain(data, region, year, first, flows)
            if reference is None:
                unsupplied = _least_cost_intensities(data, index, result, catalog, region, flows, chain)
                reference = _Reference.of(flows, chain, len(catalog.names), unsupplied)
            levers = _year_wedges(flows, chain, reference).tolist()
            reduction = sum(levers)
            for lever, value in zip(LEVER_ORDER, levers, strict=True):
                share = value / reduction if abs(reduction) > 1e-9 else float("nan")
                rows.append((region, year, lever, value, share, "MtCO2/yr"))
    return pd.DataFrame(rows, columns=["region", "year", "lever", "abatement", "share", "unit"])


def lever_summary(abatement: pd.DataFrame, year: int) -> dict:
    """Shares of the reduction by lever in `year`, summed over regions, by the report's four
    categories, and the four categories' total."""
    chosen = abatement[abatement["year"] == year].groupby("lever")["abatement"].sum()
    reduction = float(chosen.sum())
    shares = {lever: (float(chosen.get(lever, 0.0)) / reduction if reduction else None) for lever in LEVER_ORDER}
    categories = {
        name: (sum(shares[lever] or 0.0 for lever in levers) if reduction else None)
        for name, levers in CATEGORIES.items()
    }
    four = sum(shares[lever] or 0.0 for lever in FOUR_CATEGORIES) if reduction else None
    return {"year": year, "reduction": reduction, "shares": shares, "categories": categories, "four_categories": four}


def _least_cost_intensities(
    data: ModelData,
    index: ModelIndex,
    result: SolveResult,
    catalog: _Catalog,
    region: str,
    flows: _YearFlows,
    chain: _Chain,
) -> dict[int, np.ndarray]:
    """(NET, GROSS_NOW) year-0 intensity of each catalog commodity not supplied in year 0: that
    of the route that would make it at least cost then, or its purchase's emission factor."""
    year = data.years[0]
    supplied = set(flows.at[flows.supply > 0].tolist())
    known = _spread(chain.commodity, flows.at, len(catalog.names))
    discount = data.discount_sum[year]

    def shadow(commodity: str) -> float:
        return result.dual("commodity_balance", (region, commodity, year)) / discount

    caps = [key for key in data.caps if key[0] in (ALL_REGIONS, region) and key[2] == year]
    carbon = data.carbon_price.get(year, 0.0) - sum(result.dual("emission_cap", key) for key in caps) / discount
    storage = data.roles.get("co2_storage")
    found: dict[int, np.ndarray] = {}
    for column, commodity in enumerate(catalog.names):
        if column in supplied:
            continue
        best: tuple[float, str, np.ndarray] | None = None
        for name in index.producers_of.get(commodity, ()):
            technology = data.technologies[name]
            if technology.first_year > year and (region, name, year) not in index.vintages_at:
                continue
            vintage = min((v for k, v in data.capex if k == name), key=lambda v: abs(v - year), default=None)
            if vintage is None:
                continue
            key = (name, vintage)
            gross = data.co2_direct.get(key, 0.0)
            captured = gross * data.capture_rate.get(key, 0.0)
            inputs = data.vintage_inputs.get(key, {})
            annual = data.capex.get(key, 0.0) * capital_recovery_factor(data.discount_rate, technology.life)
            cost = (annual + data.fixed_om.get(key, 0.0)) / technology.availability + data.variable_om.get(key, 0.0)
            cost += sum(a * shadow(c) for c, a in inputs.items())
            cost -= sum(b * shadow(c) for c, b in data.vintage_outputs.get(key, {}).items())
            cost += carbon * (gross - captured) + (captured * shadow(storage) if storage and captured else 0.0)
            intensity = np.array([gross - captured, gross])
            for c, a in inputs.items():
                intensity += a * known[catalog.column[c], [NET, GROSS_NOW]]
            if best is None or (cost, name) < best[:2]:
                best = (cost, name, intensity)
        if best is not None:
            found[column] = best[2]
        elif in_scope("indirect", data.scope):
            factor = data.emission_factor.get((region, commodity, year), 0.0)
            found[column] = np.array([factor, factor])
    return found
