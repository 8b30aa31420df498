"""Validated, interpolated inputs in the shape the model needs: `ModelData`.

Everything here is plain Python (dicts keyed by tuples in the fixed order region, technology,
vintage, year, or region, commodity, year). The model and the outputs read only this.

Conventions
-----------
- Milestone year y represents the calendar years y … next milestone − 1 (the last milestone
  represents itself only; `optimizer.data.milestones`); `weight[y]` counts them and
  `discount_sum[y]` sums their discount factors (1 + r)^-(t − base_year).
- `period[y]` is the number of years since the previous milestone (1 for the first milestone,
  which may add one year's growth to the base-year stock); growth and new-build limits,
  stated per year, act over it.
- Plants existing in the base year form one vintage labelled `stock_vintage` = start − 1; their
  capacity follows stock.csv and may be retired early. Vintage-dependent parameters of that
  vintage are those of the base year (`dataset.toml`), interpolated between the vintages given
  and held flat outside them like any other vintage's.
- A new vintage v serves milestones y with v ≤ y < v + life.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from optimizer.data.interpolate import interpolate, interpolate_rows, is_blank
from optimizer.data.milestones import years_represented
from optimizer.data.read import LINE, DatasetInfo, read_tables
from optimizer.data.scenario import Scenario, apply_overrides, load_scenario
from optimizer.data.schema import ALL_REGIONS, BOUND_KINDS
from optimizer.data.validate import UNREAD_COLUMNS, validate_tables
from optimizer.errors import InputError, Issue
from optimizer.finance import discount_factor

log = logging.getLogger("optimizer")

Key2 = tuple[str, int]
Key3 = tuple[str, str, int]


@dataclass(frozen=True)
class Technology:
    """A row of technologies.csv."""

    name: str
    sector: str  # e.g. iron_steel, cement, hydrogen_supply
    lever: str  # the abatement lever it belongs to (incumbent for today's routes)
    output: str  # its main output commodity: capacity and activity are counted in its unit
    life: int  # years a vintage serves
    availability: float  # most activity per unit of capacity in a year, fraction
    first_year: int  # first year new capacity may be built
    label: str = ""  # the name charts and reports show (the technology's name when blank)
    retrofit_of: str | None = None  # the route this one converts: built only on capacity that route frees

    @property
    def shown(self) -> str:
        """The name to show: the label, else the technology's name."""
        return self.label or self.name


@dataclass(frozen=True)
class ModelData:
    """Everything the LP needs, interpolated to the milestone years.

    Units: a commodity's amounts are in its unit (Mt or PJ, `commodity_unit`) and flows per year;
    a technology's capacity and activity are in its output's unit per year. Money is in million
    currency (`currency`), so a price in currency per t is million currency per Mt; CO2 is in Mt.
    Keys: (technology, vintage); (region, commodity, year); (region, technology, year).
    """

    scenario: str  # the scenario's name
    currency: str  # e.g. CNY2025: real money of that year
    base_year: int  # discounting starts here (factor 1)
    discount_rate: float  # per year, real
    scope: str  # emissions the caps, budget and carbon price cover: direct or direct+indirect
    years: tuple[int, ...]  # milestone years, the last one the scenario's end
    weight: dict[int, int]  # calendar years each milestone represents (data.milestones)
    period: dict[int, int]  # years since the previous milestone (1 for the first)
    discount_sum: dict[int, float]  # Σ discount factors of the calendar years a milestone represents
    regions: tuple[str, ...]  # the regions with demand
    technologies: dict[str, Technology]  # by name
    commodity_unit: dict[str, str]  # Mt or PJ, by commodity
    commodity_kind: dict[str, str]  # product, energy, material or service, by commodity
    roles: dict[str, str]  # role (grid_electricity, hydrogen, co2_storage) → the commodity playing it
    stock_vintage: int  # the vintage label of base-year plants: start − 1
    vintage_inputs: dict[tuple[str, int], dict[str, float]]  # commodity used per unit of main output
    vintage_outputs: dict[tuple[str, int], dict[str, float]]  # by-products per unit of main output
    capex: dict[tuple[str, int], float]  # currency per unit/yr of new capacity (million per Mt/yr or PJ/yr)
    fixed_om: dict[tuple[str, int], float]  # currency per unit/yr of capacity, each year
    variable_om: dict[tuple[str, int], float]  # currency per unit of output
    co2_direct: dict[tuple[str, int], float]  # tCO2 per unit of output, gross (before capture)
    capture_rate: dict[tuple[str, int], float]  # fraction of co2_direct captured (to co2_storage)
    demand: dict[Key3, float]  # final demand, unit/yr
    price: dict[Key3, float]  # purchase price, currency per unit
    emission_factor: dict[Key3, float]  # indirect CO2 of a purchase, tCO2 per unit
    max_supply: dict[Key3, float]  # most that may be purchased, unit/yr
    stock: dict[Key3, float]  # capacity of base-year plants still standing, unit/yr
    stock_share: dict[Key3, tuple[float, float]]  # (share of years, discount-weighted share) of the stock
    # at milestone y that its schedule keeps over the years y represents, where below 1 (partial periods)
    bounds: dict[str, dict[Key3, float]]  # by bound kind (bounds.csv): shares as fractions, capacities
    # in unit/yr, max_new_capacity in unit/yr per year, max_growth per year, growth_seed in unit/yr,
    # max_share_gain and max_share_loss a fraction of the product's output per year
    cumulative_limit: dict[tuple[str, str], float]  # (region, commodity): most purchased over the horizon, unit
    caps: dict[tuple[str, str, int], float]  # (region or 'all', scope, year): most emitted, MtCO2/yr
    budget: float | None = None  # most emitted over the horizon in the scenario's scope, MtCO2
    carbon_price: dict[int, float] = field(default_factory=dict)  # exogenous, currency per tCO2, by year
    pinned_year: int | None = None  # the first milestone when it is a pinned base year (model/base_year.py):
    # nothing is built or retired then and stocked routes keep their observed shares

    def vintages(self, technology: str) -> tuple[int, ...]:
        """New-build vintages of a technology: the milestones from its first year on (never the
        pinned base year)."""
        first = self.technologies[technology].first_year
        return tuple(y for y in self.years if y >= first and y != self.pinned_year)

    def serves(self, technology: str, vintage: int, year: int) -> bool:
        """Whether a new vintage is still within its life at milestone `year`."""
        return vintage <= year < vintage + self.technologies[technology].life


def load_model_data(scenario: Scenario | Path | str, cache: dict | None = None) -> tuple[ModelData, dict[str, Path]]:
    """Read, check and interpolate a scenario's dataset.

    Returns the model data and the input files read (for hashing). Raises InputError with every
    problem found. With `cache` (a dict kept by the caller, e.g. a sweep worker), the typed
    tables of a dataset are read once and copied for each later call, until its files change.
    """
    if not isinstance(scenario, Scenario):
        scenario = load_scenario(scenario)
    issues: list[Issue] = []
    info, tables, valid = cached_tables(scenario.dataset, cache, issues)
    scenario_file = scenario.path.name if scenario.path else "scenario"
    issues += apply_overrides(tables, scenario.overrides, scenario_file)
    if not (valid and all((o.table, o.column) in UNREAD_COLUMNS for o in scenario.overrides)):
        validate_tables(tables, issues)  # else: the cross-table checks would find what they found before
    if issues or info is None:
        raise InputError(issues)
    data = _assemble(info, tables, scenario, issues)
    if issues:
        raise InputError(issues)
    files = {p.name: p for p in sorted(scenario.dataset.iterdir()) if p.suffix in (".csv", ".toml")}
    if scenario.path:
        files[f"scenario:{scenario.path.name}"] = scenario.path
    return data, files


def cached_tables(
    dataset: Path, cache: dict | None, issues: list[Issue]
) -> tuple[DatasetInfo | None, dict[str, pd.DataFrame], bool]:
    """(dataset info, typed tables, whether they pass `validate_tables`) of a dataset folder,
    read once into `cache` (a dict kept by the caller) until its files change; the tables
    returned are copies the caller may change. Problems reading go to `issues`."""
    key, signature = str(dataset), dataset_signature(dataset)
    if cache is not None and key in cache and cache[key][0] == signature:
        _, info, cached, valid = cache[key]
        return info, {name: table.copy() for name, table in cached.items()}, valid
    info, tables = read_tables(dataset, issues)
    if cache is None or issues:
        return info, tables, False
    as_read = {name: table.copy() for name, table in tables.items()}
    checked: list[Issue] = []
    validate_tables(as_read, checked)
    cache[key] = (signature, info, as_read, not checked)
    return info, tables, not checked


def dataset_signature(dataset: Path) -> tuple[tuple[str, int, int], ...]:
    """(name, modification time in ns, size) of each input file: a cache read from the folder
    is stale once this changes."""
    if not dataset.is_dir():
        return ()
    files = sorted(p for p in dataset.iterdir() if p.suffix in (".csv", ".toml"))
    return tuple((p.name, (stat := p.stat()).st_mtime_ns, stat.st_size) for p in files)


def _milestones(scenario: Scenario, rate: float, base_year: int) -> tuple[dict, dict, dict]:
    """weight, period and discount_sum of each milestone (see the module docstring)."""
    years = scenario.years
    weight = years_represented(years, scenario.tail)
    period = {year: year - years[index - 1] if index else 1 for index, year in enumerate(years)}
    discount_sum = {
        year: sum(discount_factor(rate, t, base_year) for t in range(year, year + weight[year])) for year in years
    }
    return weight, period, discount_sum


def _by_vintage(
    table: pd.DataFrame,
    keys: list[str],
    value: str,
    vintages: dict[str, tuple[int, ...]],
    stock: tuple[int, int],
    file: str,
    issues: list[Issue],
) -> dict[tuple[object, ...], float]:
    """Interpolate a vintage-keyed column; a blank vintage applies to every vintage.

    `stock` is (label of the base-year stock vintage, base year): the stock takes the values
    interpolated at the base year, whatever label it carries.
    """
    stock_vintage, base_year = stock
    result: dict[tuple[object, ...], float] = {}
    columns = [table[key].tolist() for key in keys]
    given, numbers, lines = table["vintage"].tolist(), table[value].tolist(), table[LINE].tolist()
    explicit, blank, vintaged = [], [], set()
    for i, number in enumerate(numbers):
        key = tuple(column[i] for column in columns)
        if is_blank(given[i]):
            blank.append((key, number, lines[i]))
            continue
        vintaged.add(key)
        if not is_blank(number) and not any(is_blank(part) for part in key):
            explicit.append((key, int(given[i]), number))
    mixed = vintaged & {key for key, _, _ in blank}
    for key in sorted(mixed):
        line = next(line for blank_key, _, line in blank if blank_key == key)
        issues.append(Issue(file, f"{key} mixes a blank vintage with given vintages", row=int(line), column="vintage"))
    for key, number, _ in blank:
        for vintage in vintages.get(key[0], ()):
            result[(*key, vintage)] = float(number)
    all_vintages = sorted({v for vs in vintages.values() for v in vs} | {base_year})
    interpolated = interpolate_rows(explicit, all_vintages)
    for key, number in interpolated.items():
        wanted = vintages.get(str(key[0]), ())
        if key[-1] in wanted and key[-1] != stock_vintage:
            result[key] = number
        if key[-1] == base_year and stock_vintage in wanted:
            result[(*key[:-1], stock_vintage)] = number
    return result


def _assemble(info: DatasetInfo, tables: dict[str, pd.DataFrame], scenario: Scenario, issues: list[Issue]) -> ModelData:
    rate = scenario.discount_rate if scenario.discount_rate is not None else info.discount_rate
    years = scenario.years
    weight, period, discount_sum = _milestones(scenario, rate, info.base_year)
    stock_vintage = scenario.start - 1
    stock = (stock_vintage, info.base_year)
    technologies = {
        row.technology: Technology(
            row.technology,
            row.sector,
            row.lever,
            row.output,
            int(row.life),
            float(row.availability),
            int(row.first_year),
            row.label or "",
            row.retrofit_of or None,
        )
        for row in tables["technologies"].itertuples(index=False)
    }
    vintages = {
        name: (stock_vintage, *(y for y in years if y >= tech.first_year)) for name, tech in technologies.items()
    }
    costs, emissions, flows = tables["tech_costs"], tables["tech_emissions"], tables["tech_flows"]
    per_vintage = {
        column: _by_vintage(costs, ["technology"], column, vintages, stock, "tech_costs.csv", issues)
        for column in ("capex", "fixed_om", "variable_om")
    }
    for column in ("co2_direct", "capture_rate"):
        per_vintage[column] = _by_vintage(
            emissions, ["technology"], column, vintages, stock, "tech_emissions.csv", issues
        )
    vintage_inputs: dict[tuple[str, int], dict[str, float]] = {}
    vintage_outputs: dict[tuple[str, int], dict[str, float]] = {}
    for direction, target in (("in", vintage_inputs), ("out", vintage_outputs)):
        subset = flows[flows["direction"] == direction]
        values = _by_vintage(subset, ["technology", "commodity"], "value", vintages, stock, "tech_flows.csv", issues)
        for (tech, commodity, vintage), number in values.items():
            if number:
                target.setdefault((str(tech), int(vintage)), {})[str(commodity)] = number
    prices = tables["commodity_prices"].copy()
    prices["emission_factor"] = prices["emission_factor"].fillna(0.0)
    regions = tuple(sorted(tables["demand"]["region"].unique()))
    bounds = tables["bounds"]
    _warn_unreachable_minimums(bounds, tables["stock"], technologies)
    return ModelData(
        scenario=scenario.name,
        currency=info.currency,
        base_year=info.base_year,
        discount_rate=rate,
        scope=scenario.scope,
        years=years,
        weight=weight,
        period=period,
        discount_sum=discount_sum,
        regions=regions,
        technologies=technologies,
        commodity_unit=dict(zip(tables["commodities"]["commodity"], tables["commodities"]["unit"], strict=True)),
        commodity_kind=dict(zip(tables["commodities"]["commodity"], tables["commodities"]["kind"], strict=True)),
        roles={
            role: commodity
            for commodity, role in zip(tables["commodities"]["commodity"], tables["commodities"]["role"], strict=True)
            if role
        },
        stock_vintage=stock_vintage,
        vintage_inputs=vintage_inputs,
        vintage_outputs=vintage_outputs,
        capex=_pairs(per_vintage["capex"]),
        fixed_om=_pairs(per_vintage["fixed_om"]),
        variable_om=_pairs(per_vintage["variable_om"]),
        co2_direct=_pairs(per_vintage["co2_direct"]),
        capture_rate=_pairs(per_vintage["capture_rate"]),
        demand=_triples(interpolate(tables["demand"], ["region", "commodity"], "value", years)),
        price=_triples(interpolate(prices, ["region", "commodity"], "price", years)),
        emission_factor=_triples(interpolate(prices, ["region", "commodity"], "emission_factor", years)),
        max_supply=_triples(interpolate(prices, ["region", "commodity"], "max_supply", years)),
        stock=_triples(interpolate(tables["stock"], ["region", "technology"], "capacity", years)),
        stock_share=_stock_shares(tables["stock"], scenario, weight, discount_sum, rate, info.base_year),
        bounds={
            kind: _triples(interpolate(bounds[bounds["bound"] == kind], ["region", "technology"], "value", years))
            for kind in BOUND_KINDS
        },
        cumulative_limit={
            (row.region, row.commodity): float(row.max_total)
            for row in tables["cumulative_limits"].itertuples(index=False)
        },
        caps=_caps(tables["emission_limits"], scenario),
        budget=scenario.budget,
        carbon_price=year_path(scenario.carbon_price, years),
        pinned_year=years[0] if info.pin_base_year and years[0] == info.base_year else None,
    )


def _warn_unreachable_minimums(
    bounds: pd.DataFrame, stock: pd.DataFrame, technologies: dict[str, Technology]
) -> None:
    """A minimum (share or capacity) given for a year when its route cannot exist yet (before its
    first year, with no base-year stock then) has nothing to act on: say so, naming the row."""
    minimums = bounds[bounds["bound"].isin(["min_share", "min_capacity"]) & (bounds["value"] > 0)]
    if minimums.empty:
        return
    stocked = interpolate(stock, ["region", "technology"], "capacity", sorted(set(minimums["year"].astype(int))))
    for row in minimums.itertuples(index=False):
        technology = technologies.get(row.technology)
        if technology is None or int(row.year) >= technology.first_year:
            continue
        if stocked.get((row.region, row.technology, int(row.year)), 0.0) > 0:
            continue
        issue = Issue(
            "bounds.csv",
            f"{row.bound} of {row.technology} in {row.year} is ignored: the route cannot exist before its "
            f"first year {technology.first_year} and has no base-year stock then",
            row=int(getattr(row, LINE)),
            column="year",
        )
        log.warning("warning: %s", issue)


def _stock_shares(
    stock: pd.DataFrame,
    scenario: Scenario,
    weight: dict[int, int],
    discount_sum: dict[int, float],
    rate: float,
    base_year: int,
) -> dict[Key3, tuple[float, float]]:
    """How much of the stock in service at each milestone the schedule keeps, on average, over
    the calendar years that milestone represents (only where it retires some within them)."""
    calendar = list(range(scenario.start, scenario.end + scenario.tail))
    yearly = _triples(interpolate(stock, ["region", "technology"], "capacity", calendar))
    shares: dict[Key3, tuple[float, float]] = {}
    for (r, k, y), at_milestone in yearly.items():
        if y not in weight or at_milestone <= 0:
            continue
        block = range(y, y + weight[y])
        kept = [yearly[(r, k, t)] / at_milestone for t in block]
        count = sum(kept) / weight[y]
        discounted = sum(f * discount_factor(rate, t, base_year) for f, t in zip(kept, block, strict=True))
        if count < 1 - 1e-12:
            shares[(r, k, y)] = (count, discounted / discount_sum[y])
    return shares


def _pairs(values: dict[tuple[object, ...], float]) -> dict[tuple[str, int], float]:
    return {(str(k[0]), int(k[1])): v for k, v in values.items()}


def _triples(values: dict[tuple[object, ...], float]) -> dict[Key3, float]:
    return {(str(k[0]), str(k[1]), int(k[2])): v for k, v in values.items()}


def year_path(points: dict[int, float], years: tuple[int, ...]) -> dict[int, float]:
    """A year → value path: linear between given years, none before the first, flat after."""
    if not points:
        return {}
    frame = pd.DataFrame({"key": "x", "year": list(points), "value": list(points.values())})
    return {int(k[1]): v for k, v in interpolate(frame, ["key"], "value", years, before_first="none").items()}


def _caps(limits: pd.DataFrame, scenario: Scenario) -> dict[tuple[str, str, int], float]:
    """Emission caps by (region or 'all', scope, year); the scenario's cap replaces 'all' rows."""
    if scenario.cap is not None:
        limits = limits[limits["region"] != ALL_REGIONS]
    caps = {
        (str(k[0]), str(k[1]), int(k[2])): v
        for k, v in interpolate(
            limits, ["region", "scope"], "max_emissions", scenario.years, before_first="none"
        ).items()
    }
    for year, value in year_path(scenario.cap or {}, scenario.years).items():
        caps[(ALL_REGIONS, scenario.scope, year)] = value
    return caps
