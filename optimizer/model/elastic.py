"""Elastic copies of a model, to explain why a scenario has no feasible pathway.

`make_elastic` adds a non-negative slack to every one-sided row of the chosen constraint
families (demand balances only where there is demand), optionally turns each purchase's
`max_supply` bound into a row with a slack, and replaces the cost objective by the sum of
slacks. Solving it finds the smallest violation: which limits must give way, and by how much,
each in its own unit (MtCO2, Mt, PJ …).
"""

from __future__ import annotations

from dataclasses import dataclass

import pyomo.core as pyo

from optimizer.model.build import BuiltModel

CAP_FAMILIES = ("emission_cap", "emission_budget")
OTHER_FAMILIES = (
    "commodity_balance",
    "cumulative_supply",
    "max_share",
    "min_share",
    "max_capacity",
    "min_capacity",
    "max_new_capacity",
    "capacity_growth",
    "share_gain",
    "share_loss",
)


@dataclass(frozen=True)
class Slack:
    """The slack `elastic_slack[position]` relaxes row `key` of `family` (or a purchase's supply limit)."""

    family: str
    key: tuple
    limit: float


def _rows(component: pyo.Constraint) -> list[tuple[tuple, object]]:
    if component.is_indexed():
        return [(key if isinstance(key, tuple) else (key,), row) for key, row in component.items()]
    return [((), component)]


def make_elastic(built: BuiltModel, families: tuple[str, ...], supply_limits: bool) -> list[Slack]:
    """Make rows of `families` (and supply limits) elastic in place; slack i is `elastic_slack[i]`."""
    m = built.model
    targets: list[tuple[Slack, object]] = []
    for family in families:
        if not hasattr(m, family):
            continue
        for key, row in _rows(getattr(m, family)):
            if not row.active or row.equality:
                continue
            if family == "commodity_balance" and not (row.lower or 0) > 0:
                continue
            limit = row.upper if row.upper is not None else row.lower
            targets.append((Slack(family, key, float(limit)), row))
    if supply_limits:
        for key in built.index.purchase_index:
            if m.purchase[key].ub is not None:
                targets.append((Slack("max_supply", key, float(m.purchase[key].ub)), m.purchase[key]))
    m.elastic_slack = pyo.Var(range(len(targets)), domain=pyo.NonNegativeReals)
    m.elastic_supply = pyo.ConstraintList()
    for position, (slack, target) in enumerate(targets):
        extra = m.elastic_slack[position]
        if slack.family == "max_supply":
            target.setub(None)
            m.elastic_supply.add(target - extra <= slack.limit)
        elif target.upper is not None:
            target.set_value((None, target.body - extra, target.upper))
        else:
            target.set_value((target.lower, target.body + extra, None))
    m.total_cost.deactivate()
    m.total_violation = pyo.Objective(expr=pyo.quicksum(m.elastic_slack.values()), sense=pyo.minimize)
    return [slack for slack, _ in targets]
