"""Checks across tables: references, coverage and consistency (DESIGN §3).

Every check appends `Issue`s naming the file, row and column; nothing raises here, so one
run reports every problem at once.
"""

from __future__ import annotations

import pandas as pd

from optimizer.data.read import LINE, missing_columns
from optimizer.data.schema import ALL_REGIONS, TABLES
from optimizer.errors import Issue

Tables = dict[str, pd.DataFrame]

UNREAD_COLUMNS = frozenset(
    {
        ("tech_costs", "capex"),
        ("tech_costs", "fixed_om"),
        ("tech_costs", "variable_om"),
        ("commodity_prices", "price"),
    }
)
"""Columns no check here reads (their domains are checked when read or overridden): tables
valid before an override of these alone are still valid after it (a test drops them)."""


def validate_tables(tables: Tables, issues: list[Issue]) -> None:
    """Run every cross-table check on typed tables."""
    _check_sources(tables, issues)
    commodities = set(tables["commodities"]["commodity"].dropna())
    technologies = tables["technologies"]
    tech_names = set(technologies["technology"].dropna())
    regions = set(tables["demand"]["region"].dropna())
    _check_refs(tables, "technologies", "output", commodities, "commodities.csv", issues)
    for name in ("tech_flows", "tech_costs", "tech_emissions", "stock", "bounds"):
        _check_refs(tables, name, "technology", tech_names, "technologies.csv", issues)
    for name in ("tech_flows", "demand", "commodity_prices", "cumulative_limits"):
        _check_refs(tables, name, "commodity", commodities, "commodities.csv", issues)
    for name in ("commodity_prices", "stock", "bounds", "cumulative_limits"):
        _check_refs(tables, name, "region", regions, "the regions of demand.csv", issues)
    _check_refs(tables, "emission_limits", "region", regions | {ALL_REGIONS}, "regions or 'all'", issues)
    _check_coverage(tables, tech_names, issues)
    _check_flows(tables, issues)
    _check_capture(tables, issues)
    _check_grid_role(tables, issues)
    _check_shares(tables, issues)
    _check_supply(tables, issues)
    _check_blank_limits(tables, issues)
    _check_roles(tables, issues)
    _check_retrofits(tables, issues)


def _check_sources(tables: Tables, issues: list[Issue]) -> None:
    sources = tables["sources"]
    known = set(sources["source"].dropna())
    assumptions = sources[(sources["kind"] == "assumption") & sources["note"].isna()]
    for line in assumptions[LINE]:
        issues.append(Issue("sources.csv", "an assumption must state its reasoning", row=int(line), column="note"))
    for spec in TABLES:
        if not spec.has_source or "source" in missing_columns(tables[spec.name]):
            continue
        table = tables[spec.name]
        bad = table[table["source"].notna() & ~table["source"].isin(known)]
        for line, source in zip(bad[LINE], bad["source"], strict=True):
            issues.append(Issue(spec.file, f"source '{source}' is not in sources.csv", row=int(line), column="source"))


def _check_refs(tables: Tables, name: str, column: str, known: set[str], where: str, issues: list[Issue]) -> None:
    table = tables[name]
    if column in missing_columns(table):
        return
    bad = table[table[column].notna() & ~table[column].isin(known)]
    for line, value in zip(bad[LINE], bad[column], strict=True):
        issues.append(
            Issue(
                f"{name}.csv",
                f"'{value}' is not declared in {where}: add it there or correct the spelling",
                row=int(line),
                column=column,
            )
        )


def _check_coverage(tables: Tables, tech_names: set[str], issues: list[Issue]) -> None:
    for name in ("tech_costs", "tech_emissions"):
        if "technology" in missing_columns(tables[name]):
            continue  # reported once as a missing column: every technology would follow from it
        covered = set(tables[name]["technology"].dropna())
        for tech in sorted(tech_names - covered):
            line = _line_of(tables["technologies"], "technology", tech)
            issues.append(
                Issue(
                    "technologies.csv",
                    f"technology '{tech}' has no row in {name}.csv (write zeros explicitly)",
                    row=line,
                    column="technology",
                )
            )


def _check_flows(tables: Tables, issues: list[Issue]) -> None:
    outputs = dict(zip(tables["technologies"]["technology"], tables["technologies"]["output"], strict=True))
    flows = tables["tech_flows"]
    for line, tech, commodity in zip(flows[LINE], flows["technology"], flows["commodity"], strict=True):
        if tech in outputs and outputs[tech] == commodity:
            issues.append(
                Issue(
                    "tech_flows.csv",
                    f"'{commodity}' is the main output of '{tech}'; list only inputs and by-products",
                    row=int(line),
                    column="commodity",
                )
            )


def _check_capture(tables: Tables, issues: list[Issue]) -> None:
    """Captured CO2 is consumption of the commodity with role co2_storage: one must exist."""
    commodities = tables["commodities"]
    if (commodities["role"] == "co2_storage").any():
        return
    emissions = tables["tech_emissions"]
    capturing = emissions[emissions["capture_rate"].fillna(0) > 0]
    for line in capturing[LINE]:
        issues.append(
            Issue(
                "tech_emissions.csv",
                "a capture rate needs a commodity with role co2_storage (unit Mt, e.g. co2_storage) in "
                "commodities.csv: captured CO2 is booked as its consumption",
                row=int(line),
                column="capture_rate",
            )
        )


def _check_grid_role(tables: Tables, issues: list[Issue]) -> None:
    """A purchase whose emission factor changes over the years is what the clean_power wedge
    measures: without a commodity of role grid_electricity that fall would be misattributed."""
    if (tables["commodities"]["role"] == "grid_electricity").any():
        return
    prices = tables["commodity_prices"]
    for commodity, group in prices.groupby("commodity"):
        factors = group["emission_factor"].fillna(0.0)
        if factors.nunique() > 1:
            issues.append(
                Issue(
                    "commodities.csv",
                    f"'{commodity}' is bought at an emission factor that changes over the years but no commodity "
                    "has role grid_electricity: give grid power that role, so the fall of its factor is "
                    "attributed to clean_power",
                    row=_line_of(tables["commodities"], "commodity", commodity),
                    column="role",
                )
            )


def _check_shares(tables: Tables, issues: list[Issue]) -> None:
    bounds = tables["bounds"]
    key = ["region", "technology", "year"]
    low = bounds[bounds["bound"] == "min_share"].set_index(key)
    high = bounds[bounds["bound"] == "max_share"].set_index(key)
    for index in low.index.intersection(high.index):
        if low.loc[index, "value"] > high.loc[index, "value"]:
            issues.append(
                Issue(
                    "bounds.csv",
                    f"min_share {low.loc[index, 'value']:g} exceeds max_share {high.loc[index, 'value']:g} for {index}",
                    row=int(low.loc[index, LINE]),
                    column="value",
                )
            )
    share_bounds = ["min_share", "max_share", "max_share_gain", "max_share_loss"]
    shares = bounds[bounds["bound"].isin(share_bounds) & (bounds["value"] > 1)]
    for line in shares[LINE]:
        issues.append(Issue("bounds.csv", "a share must be between 0 and 1", row=int(line), column="value"))


def _check_supply(tables: Tables, issues: list[Issue]) -> None:
    """Every demanded commodity needs a technology that makes it or a price to buy it at."""
    produced = set(tables["technologies"]["output"].dropna())
    flows = tables["tech_flows"]
    produced |= set(flows.loc[flows["direction"] == "out", "commodity"].dropna())
    bought = set(tables["commodity_prices"]["commodity"].dropna())
    demand = tables["demand"]
    for commodity in sorted(set(demand["commodity"].dropna()) - produced - bought):
        line = _line_of(demand, "commodity", commodity)
        issues.append(
            Issue(
                "demand.csv",
                f"'{commodity}' is demanded but no technology makes it and it has no price to buy it at",
                row=line,
                column="commodity",
            )
        )


def _check_blank_limits(tables: Tables, issues: list[Issue]) -> None:
    """A blank max_supply means unlimited; mixed with numbers in other years it would be ambiguous."""
    prices = tables["commodity_prices"]
    for (region, commodity), group in prices.groupby(["region", "commodity"]):
        blank = group["max_supply"].isna()
        if blank.any() and not blank.all():
            issues.append(
                Issue(
                    "commodity_prices.csv",
                    f"max_supply of {commodity} in {region} is blank (unlimited) in some years and given in "
                    "others: give a number in every row, or leave all blank",
                    row=int(group.loc[blank, LINE].iloc[0]),
                    column="max_supply",
                )
            )


def _line_of(table: pd.DataFrame, column: str, value: str) -> int | None:
    lines = table.loc[table[column] == value, LINE]
    return int(lines.iloc[0]) if len(lines) else None


def _check_roles(tables: Tables, issues: list[Issue]) -> None:
    """Each role is played by at most one commodity (attribution and the model look it up)."""
    commodities = tables["commodities"]
    given = commodities[commodities["role"].notna()]
    for role, group in given.groupby("role"):
        for line in group[LINE].iloc[1:]:
            first = int(group[LINE].iloc[0])
            issues.append(
                Issue(
                    "commodities.csv",
                    f"role '{role}' is already given to '{group['commodity'].iloc[0]}' on row {first}: one commodity "
                    "per role",
                    row=int(line),
                    column="role",
                )
            )


def _check_retrofits(tables: Tables, issues: list[Issue]) -> None:
    """A retrofit converts another, non-retrofit route with the same main output."""
    technologies = tables["technologies"]
    outputs = dict(zip(technologies["technology"], technologies["output"], strict=True))
    converts = dict(zip(technologies["technology"], technologies["retrofit_of"], strict=True))
    rows = zip(technologies[LINE], technologies["technology"], technologies["retrofit_of"], strict=True)
    for line, name, target in rows:
        if not target:
            continue
        problem = None
        if target == name:
            problem = "a route cannot convert itself"
        elif target not in outputs:
            problem = f"'{target}' is not a technology of technologies.csv"
        elif outputs[target] != outputs[name]:
            problem = f"'{target}' makes {outputs[target]}, not {outputs[name]}: a retrofit keeps its plant's output"
        elif converts.get(target):
            problem = f"'{target}' is itself a retrofit (of '{converts[target]}'): convert the original route"
        if problem:
            issues.append(Issue("technologies.csv", problem, row=int(line), column="retrofit_of"))
