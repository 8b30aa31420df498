"""Sparse index sets, computed once from `ModelData` (never a dense product filtered later).

`capacity_index` holds only the (region, technology, vintage, year) combinations that can
exist: new vintages within their life from their first year on, and the base-year stock
vintage while its schedule is above zero. Lookups used by more than one constraint family
(who produces and consumes each commodity) are built here, so rules only read dicts.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from optimizer.data.model_data import ModelData
from optimizer.finance import discount_factor

RKVY = tuple[str, str, int, int]
RKV = tuple[str, str, int]
RCY = tuple[str, str, int]


@dataclass(frozen=True)
class ModelIndex:
    """The sparse sets of one model and the lookups derived from them."""

    new_capacity_index: tuple[RKV, ...]
    capacity_index: tuple[RKVY, ...]
    purchase_index: tuple[RCY, ...]
    balance_index: tuple[RCY, ...]
    vintages_at: dict[tuple[str, str, int], tuple[int, ...]]
    previous_year: dict[int, int]
    next_year: dict[int, int]
    flows_at: dict[RCY, tuple[tuple[str, int, float], ...]]
    """Net coefficient of each (technology, vintage) activity on commodity c in (r, y):
    +1 main output, + by-products, − inputs, − captured CO2 for co2_storage."""
    producers_of: dict[str, tuple[str, ...]]
    """Technologies whose main output is the commodity (for shares)."""
    retrofits_of: dict[str, tuple[str, ...]]
    """Converted route → the retrofit routes built on the capacity it frees."""
    alive_share: dict[RKVY, tuple[float, float]]
    """Where below 1: (share of the years milestone y represents, discount-weighted share) in
    which vintage v is alive, or the stock schedule keeps it (partial periods). Activity is
    limited by the first, fixed O&M and annuities are charged on the second."""


def build_index(data: ModelData) -> ModelIndex:
    """Derive the sparse sets from the data, in a deterministic order."""
    previous_year = {y: data.years[i - 1] for i, y in enumerate(data.years) if i}
    capacity_index: list[RKVY] = []
    new_capacity_index: list[RKV] = []
    for region in data.regions:
        for name in sorted(data.technologies):
            stocked = [y for y in data.years if data.stock.get((region, name, y), 0.0) > 0]
            for year in stocked:
                capacity_index.append((region, name, data.stock_vintage, year))
            for vintage in data.vintages(name):
                new_capacity_index.append((region, name, vintage))
                for year in data.years:
                    if data.serves(name, vintage, year):
                        capacity_index.append((region, name, vintage, year))
    vintages_at: dict[tuple[str, str, int], list[int]] = defaultdict(list)
    for region, name, vintage, year in capacity_index:
        vintages_at[(region, name, year)].append(vintage)
    flows: dict[RCY, list[tuple[str, int, float]]] = defaultdict(list)
    for region, name, vintage, year in capacity_index:
        for commodity, coefficient in _net_flows(data, name, vintage).items():
            flows[(region, commodity, year)].append((name, vintage, coefficient))
    purchase_index = tuple(sorted(key for key in data.price if key[0] in data.regions and key[2] in data.years))
    touched = set(flows) | set(purchase_index) | {k for k, v in data.demand.items() if v > 0}
    producers: dict[str, list[str]] = defaultdict(list)
    for name in sorted(data.technologies):
        producers[data.technologies[name].output].append(name)
    return ModelIndex(
        new_capacity_index=tuple(new_capacity_index),
        capacity_index=tuple(capacity_index),
        purchase_index=purchase_index,
        balance_index=tuple(sorted(k for k in touched if k[2] in data.years)),
        vintages_at={k: tuple(v) for k, v in vintages_at.items()},
        previous_year=previous_year,
        next_year={y: x for x, y in previous_year.items()},
        flows_at={k: tuple(v) for k, v in flows.items()},
        producers_of={k: tuple(v) for k, v in producers.items()},
        retrofits_of=_retrofits(data),
        alive_share=_alive_shares(data, capacity_index),
    )


def _retrofits(data: ModelData) -> dict[str, tuple[str, ...]]:
    found: dict[str, list[str]] = defaultdict(list)
    for name in sorted(data.technologies):
        target = data.technologies[name].retrofit_of
        if target:
            found[target].append(name)
    return {k: tuple(v) for k, v in found.items()}


def _alive_shares(data: ModelData, capacity_index: list[RKVY]) -> dict[RKVY, tuple[float, float]]:
    """Partial periods: a vintage alive in only part of the years a milestone represents (it
    reaches the end of its life within them) counts for that part (TEMOA's treatment)."""
    shares: dict[RKVY, tuple[float, float]] = {}
    for key in capacity_index:
        r, k, v, y = key
        if v == data.stock_vintage:
            if (r, k, y) in data.stock_share:
                shares[key] = data.stock_share[(r, k, y)]
            continue
        end = v + data.technologies[k].life  # first year it is no longer alive
        if end >= y + data.weight[y]:
            continue
        alive = range(y, end)
        discounted = sum(discount_factor(data.discount_rate, t, data.base_year) for t in alive)
        shares[key] = (len(alive) / data.weight[y], discounted / data.discount_sum[y])
    return shares


def _net_flows(data: ModelData, name: str, vintage: int) -> dict[str, float]:
    """Net amount of each commodity per unit of a vintage's activity."""
    tech = data.technologies[name]
    net: dict[str, float] = defaultdict(float)
    net[tech.output] += 1.0
    for commodity, value in data.vintage_outputs.get((name, vintage), {}).items():
        net[commodity] += value
    for commodity, value in data.vintage_inputs.get((name, vintage), {}).items():
        net[commodity] -= value
    captured = data.co2_direct.get((name, vintage), 0.0) * data.capture_rate.get((name, vintage), 0.0)
    if captured:
        net[data.roles["co2_storage"]] -= captured
    return {c: v for c, v in net.items() if v != 0}
