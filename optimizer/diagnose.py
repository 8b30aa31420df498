"""Explain a scenario with no feasible pathway: which limits must give way, and by how much.

Two elastic solves (see `optimizer.model.elastic`):
1. Only the emission caps and budget may be exceeded. If that solves, the caps are the problem:
   the diagnosis gives the lowest reachable emissions in each capped year, and names the limits
   that hold emissions up (rows and supply bounds with a non-zero shadow price in that solve).
2. Otherwise demand, supply limits, cumulative limits and diffusion bounds may give way too, and
   the diagnosis lists every violated limit with the amount.
HiGHS's irreducible infeasible subset (IIS) of the original model is reported beside them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import pyomo.core as pyo

from optimizer.data.model_data import ModelData
from optimizer.data.scenario import SolverSettings
from optimizer.model.build import build_model
from optimizer.model.elastic import CAP_FAMILIES, OTHER_FAMILIES, Slack, make_elastic
from optimizer.solve.session import HighsSession
from optimizer.solve.solution import SolveResult

TOLERANCE = 1e-6


def _decimals(amount: float) -> int:
    """Decimals that show the first significant digit of `amount` (0 for amounts ≥ 1)."""
    return 0 if abs(amount) >= 1 or amount == 0 else min(9, -math.floor(math.log10(abs(amount))))


def _number(value: float, decimals: int) -> str:
    return f"{value:,.{decimals}f}"


SHARE_FAMILIES = ("max_share", "min_share", "share_gain", "share_loss")
"""Rows whose limit is a share of the product's output (their slack is in the product's unit)."""


def distinct(limit: float, reached: float) -> tuple[str, str]:
    """`limit` and `reached` written with as many decimals as it takes to show the gap between
    them and to tell them apart.

    >>> distinct(4.0, 4.3)
    ('4.0', '4.3')
    >>> distinct(450.0, 481.2)
    ('450', '481')
    """
    decimals = _decimals(reached - limit)
    while decimals < 9 and _number(limit, decimals) == _number(reached, decimals):
        decimals += 1
    return _number(limit, decimals), _number(reached, decimals)


def _unit(data: ModelData, family: str, key: tuple) -> str:
    if family in CAP_FAMILIES:
        return "MtCO2"
    if family in ("commodity_balance", "max_supply"):
        return f"{data.commodity_unit.get(key[1], '')}/yr"
    if family == "cumulative_supply":
        return data.commodity_unit.get(key[1], "")
    technology = data.technologies.get(key[1]) if len(key) > 1 else None
    if technology is None:
        return ""
    if family in ("max_share", "min_share"):
        return f"share of output (violation in {data.commodity_unit[technology.output]}/yr)"
    if family in ("share_gain", "share_loss"):
        return f"share of output per year (violation in {data.commodity_unit[technology.output]}/yr)"
    return f"{data.commodity_unit[technology.output]}/yr of capacity"


def describe(data: ModelData, family: str, key: tuple) -> str:
    """A limit in plain words, e.g. 'supply limit of co2_storage in CHN, 2060'."""
    names = {
        "emission_cap": lambda k: f"{k[2]} emission cap ({k[0]}, {k[1]})",
        "emission_budget": lambda k: "cumulative emission budget",
        "commodity_balance": lambda k: f"demand for {k[1]} in {k[0]}, {k[2]}",
        "max_supply": lambda k: f"supply limit of {k[1]} in {k[0]}, {k[2]}",
        "cumulative_supply": lambda k: f"cumulative limit of {k[1]} in {k[0]}",
        "max_share": lambda k: f"maximum share of {k[1]} in {k[0]}, {k[2]}",
        "min_share": lambda k: f"minimum share of {k[1]} in {k[0]}, {k[2]}",
        "max_capacity": lambda k: f"maximum capacity of {k[1]} in {k[0]}, {k[2]}",
        "min_capacity": lambda k: f"minimum capacity of {k[1]} in {k[0]}, {k[2]}",
        "max_new_capacity": lambda k: f"maximum new build of {k[1]} in {k[0]}, {k[2]}",
        "capacity_growth": lambda k: f"growth limit (seed) of {k[1]} in {k[0]}, {k[2]}",
        "share_gain": lambda k: f"yearly share gain of {k[1]} in {k[0]}, {k[2]}",
        "share_loss": lambda k: f"yearly share loss of {k[1]} in {k[0]}, {k[2]}",
    }
    return names[family](key)


def where_to_edit(family: str, key: tuple) -> str:
    """The input that states a limit: the file, the rows and the column to edit.

    >>> where_to_edit("capacity_growth", ("CHN", "kiln_electric", 2030))
    'bounds.csv rows for kiln_electric in CHN, bound max_growth / growth_seed (column value)'
    >>> where_to_edit("cumulative_supply", ("CHN", "co2_storage"))
    'cumulative_limits.csv row for co2_storage in CHN (column max_total)'
    """
    bounds = {
        "max_share": "max_share",
        "min_share": "min_share",
        "max_capacity": "max_capacity",
        "min_capacity": "min_capacity",
        "max_new_capacity": "max_new_capacity",
        "capacity_growth": "max_growth / growth_seed",
        "share_gain": "max_share_gain",
        "share_loss": "max_share_loss",
    }
    if family in bounds:
        return f"bounds.csv rows for {key[1]} in {key[0]}, bound {bounds[family]} (column value)"
    if family == "emission_cap":
        return (
            f"the scenario's [emissions] cap (region all), or emission_limits.csv rows for {key[0]}, scope {key[1]} "
            "(column max_emissions)"
        )
    if family == "emission_budget":
        return "the scenario's [emissions] budget"
    if family == "commodity_balance":
        return f"demand.csv rows for {key[1]} in {key[0]} (column value), or what can supply it"
    if family == "max_supply":
        return f"commodity_prices.csv rows for {key[1]} in {key[0]} (column max_supply)"
    if family == "cumulative_supply":
        return f"cumulative_limits.csv row for {key[1]} in {key[0]} (column max_total)"
    return ""


def _limit_value(data: ModelData, slack: Slack) -> float:
    """The limit as the data state it. Rows with variables on both sides (shares, growth) are
    stored by Pyomo with a zero bound, so those are read from the bounds table instead: the
    share itself, or the growth limit's seed (what the violation is added to)."""
    if slack.family in ("max_share", "min_share"):
        return data.bounds[slack.family][slack.key]
    if slack.family in ("share_gain", "share_loss"):
        return data.bounds[f"max_{slack.family}"][slack.key]
    if slack.family == "capacity_growth":
        return data.bounds["growth_seed"].get(slack.key, 0.0)
    return slack.limit


def _violations(data: ModelData, slacks: list[Slack], result: SolveResult) -> list[tuple[dict, str]]:
    """Each limit that gives way, largest first: its record for diagnosis.json and its line in words."""
    values = result.values.get("elastic_slack", {})
    found = []
    for position, slack in enumerate(slacks):
        amount = values.get((position,), 0.0)
        if amount > TOLERANCE:
            violation = {
                "limit": describe(data, slack.family, slack.key),
                "constraint": f"{slack.family}[{','.join(map(str, slack.key))}]",
                "edit": where_to_edit(slack.family, slack.key),
                "value": _limit_value(data, slack),
                "violation": amount,
                "unit": _unit(data, slack.family, slack.key),
            }
            found.append((violation, _violation_line(data, slack, violation)))
    return sorted(found, key=lambda item: -item[0]["violation"])


def _binding(data: ModelData, result: SolveResult, limit: int = 12) -> list[dict]:
    """Limits with a non-zero shadow price when only the caps may give way."""
    found = []
    for family in OTHER_FAMILIES:
        for key, dual in result.duals.get(family, {}).items():
            if abs(dual) > 1e-7 and family != "commodity_balance":
                found.append((abs(dual), family, key))
    for key, reduced in result.reduced_costs.get("purchase", {}).items():
        if abs(reduced) > 1e-7 and result.values["purchase"].get(key, 0.0) > 0:
            found.append((abs(reduced), "max_supply", key))
    found.sort(key=lambda item: -item[0])
    return [
        {
            "limit": describe(data, family, key),
            "constraint": f"{family}[{','.join(map(str, key))}]",
            "edit": where_to_edit(family, key),
            "shadow_price": weight,
        }
        for weight, family, key in found[:limit]
    ]


@dataclass(frozen=True)
class WindowFix:
    """A myopic window to diagnose: the decisions of earlier windows, fixed ({(variable, index):
    value}), and the first calendar year the window does not see (its rows from then on drop)."""

    label: str
    fixed: dict[tuple[str, tuple], float]
    end: int


def _elastic_solve(
    data: ModelData, settings: SolverSettings, families: tuple[str, ...], supply: bool, window: WindowFix | None
) -> tuple[list[Slack], SolveResult]:
    built = build_model(data)
    if window is not None:
        model = built.model
        for (name, key), value in window.fixed.items():
            getattr(model, name)[key].fix(value)
        years = set(data.years)
        for constraint in model.component_objects(pyo.Constraint):
            for key, row in constraint.items():
                index = key if isinstance(key, tuple) else (key,)
                if index and isinstance(index[-1], int) and index[-1] in years and index[-1] >= window.end:
                    row.deactivate()
    slacks = make_elastic(built, families, supply_limits=supply)
    return slacks, HighsSession.from_model(built.model, settings).solve()


def diagnose(data: ModelData, settings: SolverSettings, iis: list[str], window: WindowFix | None = None) -> dict:
    """The diagnosis document for an infeasible scenario (diagnosis.json); with `window`, for the
    myopic window that had no feasible solution given the decisions before it."""
    diagnosis: dict = {"status": "infeasible", "conflicting_constraints": iis}
    prefix = ""
    if window is not None:
        diagnosis["window"] = window.label
        prefix = f"{window.label}, given the decisions of the windows before it: "
    slacks, result = _elastic_solve(data, settings, CAP_FAMILIES, False, window)
    if result.optimal and slacks:
        violations = [violation for violation, _ in _violations(data, slacks, result)]
        diagnosis["violations"] = violations
        diagnosis["binding"] = _binding(data, result)
        lines = []
        for v in violations:
            limit, reached = distinct(v["value"], v["value"] + v["violation"])
            lines.append(
                f"{v['limit']} of {limit} {v['unit']} cannot be met: the minimum reachable is {reached} {v['unit']}"
            )
            lines.append(f"  → edit {v['edit']}")
        if diagnosis["binding"]:
            lines.append("limits holding emissions up (loosen one, or the cap):")
            lines += [f"  - {b['limit']} → {b['edit']}" for b in diagnosis["binding"]]
        diagnosis["message"] = prefix + "\n".join(lines)
        return diagnosis
    slacks, result = _elastic_solve(data, settings, CAP_FAMILIES + OTHER_FAMILIES, True, window)
    if not result.optimal:
        diagnosis["message"] = prefix + "no pathway exists even with every limit relaxed; see conflicting_constraints"
        return diagnosis
    found = _violations(data, slacks, result)
    diagnosis["violations"] = [violation for violation, _ in found]
    diagnosis["message"] = prefix + "\n".join(line for _, line in found)
    return diagnosis


def _violation_line(data: ModelData, slack: Slack, violation: dict) -> str:
    """One limit that must give way, in words. A share is stated as a share and its violation in
    the product's unit, since the slack is added to the row's output, not to the share."""
    if slack.family in SHARE_FAMILIES:
        per_year = " a year" if slack.family in ("share_gain", "share_loss") else ""
        amount = f"{data.commodity_unit[data.technologies[slack.key[1]].output]}/yr"
        return (
            f"{violation['limit']} ({violation['value']:g} of the product's output{per_year}) must give way by "
            f"{violation['violation']:,.4g} {amount} → edit {violation['edit']}"
        )
    limit = distinct(violation["value"], violation["value"] + violation["violation"])[0]
    return (
        f"{violation['limit']} ({limit} {violation['unit']}) must give way by "
        f"{violation['violation']:,.4g} {violation['unit']} → edit {violation['edit']}"
    )
