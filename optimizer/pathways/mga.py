"""Near-optimal alternatives (modelling to generate alternatives, MGA).

How different can a pathway be while costing at most `slack` more than the optimum? For each
target the model is built again, `total_cost` is deactivated and replaced by the constraint

    Σ objective_coefficients × variables  ≤  optimum + slack × |optimum|     (`mga_cost_limit`)

(the very expression of `total_cost`), and the target is minimised or maximised.

A lever's abatement (`optimizer.attribution`) is not linear in the variables, so the target is an
ACTIVITY-WEIGHTED PROXY, cumulated over the horizon (Σ over milestones × the calendar years
each represents):
- `("lever", "ccus", sense)`: the cumulative CO2 captured, MtCO2 (emission terms of scope
  `captured`, whichever technology captures);
- `("lever", name, sense)`: the cumulative output of the technologies whose `lever` is `name`,
  in their output units (Mt or PJ, summed as they are: mixing units is the price of linearity);
- `("technology", name, sense)`: that technology's cumulative output.

Each alternative is an ordinary run folder whose tables are evaluated with the real cost and
emission terms; its summary's `objective` is the total discounted cost (Σ `discounted` of
costs.csv) and an `"mga"` block records the slack, target, sense, the target's value in the
alternative and at the optimum, and the optimum cost. HiGHS minimises only: a maximum is the
minimum of the negated target.

An alternative's carbon_price.csv holds the caps' duals divided by the cost limit's: the carbon
price at which the alternative is least-cost once its target is priced at `target_price` (in
the "mga" block) per unit. When the cost limit does not bind, that price is blank.
"""

from __future__ import annotations

import copy
import dataclasses
import re
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import pyomo.environ as pyo

from optimizer.attribution import lever_summary
from optimizer.data.model_data import ModelData, load_model_data
from optimizer.data.scenario import Scenario, load_scenario
from optimizer.errors import InputError, Issue
from optimizer.model.build import BuiltModel, build_model
from optimizer.model.cost import objective_coefficients
from optimizer.runner import RunResult, solve_scenario, tables_from_solution, write_run
from optimizer.solve.session import HighsSession
from optimizer.solve.solution import SolveResult

Target = tuple[str, str, str]  # (kind: lever | technology, name, sense: min | max)
KINDS = ("lever", "technology")
SENSES = ("min", "max")
DEFAULT_TARGETS: tuple[Target, ...] = (("lever", "ccus", "min"),)


@dataclass
class Alternative:
    """One near-optimal alternative: its target, the run and the target's values."""

    target: Target
    run: RunResult
    target_value: float | None
    optimum_target_value: float
    folder: Path | None = None

    @property
    def name(self) -> str:
        return folder_name(self.target)


@dataclass
class MgaResult:
    """The optimum and its alternatives."""

    optimum: RunResult
    slack: float
    alternatives: list[Alternative] = field(default_factory=list)
    folder: Path | None = None

    @property
    def all_optimal(self) -> bool:
        return self.optimum.result.optimal and all(a.run.result.optimal for a in self.alternatives)

    def table(self) -> pd.DataFrame:
        """One row per alternative: target, status, value, value at the optimum, cost and its increase."""
        optimum = self.optimum.summary["objective"]
        rows = [
            {
                "folder": alt.name,
                "kind": alt.target[0],
                "name": alt.target[1],
                "sense": alt.target[2],
                "status": alt.run.status,
                "target_value": alt.target_value,
                "optimum_target_value": alt.optimum_target_value,
                "cost": alt.run.summary["objective"],
                "cost_increase_pct": _increase(alt.run.summary["objective"], optimum),
            }
            for alt in self.alternatives
        ]
        return pd.DataFrame(rows)


def _increase(cost: float | None, optimum: float) -> float | None:
    return None if cost is None or not optimum else 100 * (cost - optimum) / abs(optimum)


def folder_name(target: Target) -> str:
    """`lever-ccus-min`: the alternative's sub-folder."""
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", "-".join(target))


def check_targets(data: ModelData, targets: Iterable[Target]) -> None:
    """Raise InputError listing every target that names nothing in the data."""
    levers = sorted({tech.lever for tech in data.technologies.values()} | {"ccus"})
    captures = any(data.co2_direct.get(key, 0.0) * rate for key, rate in data.capture_rate.items())
    issues = []
    for kind, name, sense in targets:
        if kind not in KINDS:
            issues.append(Issue("mga", f"target kind {kind!r} is not one of {', '.join(KINDS)}"))
        elif kind == "lever" and name not in levers:
            issues.append(Issue("mga", f"no technology has lever {name!r}; levers in the data: {', '.join(levers)}"))
        elif kind == "lever" and name == "ccus" and not captures:
            issues.append(Issue("mga", "no technology captures CO2, so the ccus lever has nothing to vary"))
        elif kind == "technology" and name not in data.technologies:
            issues.append(Issue("mga", f"unknown technology {name!r}"))
        if sense not in SENSES:
            issues.append(Issue("mga", f"sense {sense!r} is not one of {', '.join(SENSES)}"))
    if issues:
        raise InputError(issues)


def target_terms(data: ModelData, built: BuiltModel, target: Target) -> dict[tuple[str, tuple], float]:
    """{(variable, key): coefficient} of the target's cumulative proxy (see the module docstring)."""
    kind, name, _ = target
    terms: dict[tuple[str, tuple], float] = {}
    if kind == "lever" and name == "ccus":
        for term in built.emission_terms:
            if term.scope == "captured":
                slot = (term.variable, term.key)
                terms[slot] = terms.get(slot, 0.0) + data.weight[term.year] * term.coefficient
        return terms
    chosen = {k for k, tech in data.technologies.items() if (tech.lever == name if kind == "lever" else k == name)}
    for r, k, v, y in built.index.capacity_index:
        if k in chosen:
            terms[("activity", (r, k, v, y))] = float(data.weight[y])
    return terms


def evaluate(terms: dict[tuple[str, tuple], float], result: SolveResult) -> float:
    """The value of a linear proxy at a solution."""
    return sum(coef * result.value(variable, key) for (variable, key), coef in terms.items())


def _limit(optimum: float, slack: float) -> float:
    return optimum + slack * abs(optimum)


def solve_alternative(
    scenario: Scenario, target: Target, optimum: RunResult, slack: float, time_limit: float | None = None
) -> Alternative:
    """Rebuild the model, cap its cost at the optimum plus the slack and push the target."""
    started = time.perf_counter()
    data, _ = load_model_data(scenario)
    check_targets(data, [target])
    built = build_model(data)
    terms = target_terms(data, built, target)
    m = built.model
    cost = objective_coefficients(data, built.cost_terms)
    m.mga_cost_limit = pyo.Constraint(
        expr=pyo.quicksum(coef * getattr(m, var)[key] for (var, key), coef in sorted(cost.items()))
        <= _limit(optimum.summary["objective"], slack)
    )
    m.total_cost.deactivate()
    sign = 1.0 if target[2] == "min" else -1.0
    m.mga_target = pyo.Objective(
        expr=pyo.quicksum(sign * coef * getattr(m, var)[key] for (var, key), coef in sorted(terms.items())),
        sense=pyo.minimize,
    )
    built_seconds = time.perf_counter() - started
    solver = HighsSession.from_model(m, scenario.solver)
    result = solver.solve(time_limit=time_limit)
    run_tables: dict[str, pd.DataFrame] = {}
    emissions: dict[int, float] = {}
    limit_dual = result.dual("mga_cost_limit", ())
    limit_dual = 0.0 if abs(limit_dual) < 1e-12 else limit_dual  # solver noise: the limit does not bind
    if result.optimal:
        run_tables, emissions = tables_from_solution(data, built, _cost_duals(result, limit_dual))
        if not limit_dual:  # the target hit a bound inside the slack: no cost-equivalent price
            run_tables["carbon_price"]["price"] = float("nan")
    summary = _summary(optimum, data, result, run_tables, emissions, solver)
    summary["timings"] = {"build": built_seconds, "handoff": solver.handoff_seconds, "solve": result.solve_seconds}
    value = evaluate(terms, result) if result.optimal else None
    optimum_value = evaluate(terms, optimum.result)
    summary["mga"] = {
        "slack": slack,
        "target": {"kind": target[0], "name": target[1]},
        "sense": target[2],
        "target_value": value,
        "optimum_target_value": optimum_value,
        "target_unit": _unit(data, target),
        "optimum_cost": optimum.summary["objective"],
        "cost_limit": _limit(optimum.summary["objective"], slack),
        "target_price": 1 / abs(limit_dual) if limit_dual else None,
        "target_price_unit": f"million {data.currency} (present value) per unit of the target",
        "proxy": "cumulative (Σ milestones × years represented) captured CO2 for ccus, else output of the "
        "lever's technologies (or the technology) in their output units",
    }
    diagnosis = None if result.optimal else {"status": result.status, "message": f"HiGHS ended with {result.status}"}
    run = RunResult(scenario, data, built, solver, result, summary, run_tables, diagnosis)
    return Alternative(target, run, value, optimum_value)


def _cost_duals(result: SolveResult, limit_dual: float) -> SolveResult:
    """The duals in cost terms: each divided by |dual of the cost limit| (none if it is slack).

    By the KKT conditions, an alternative that spends the slack is the least-cost pathway once its
    target is taxed (min) or subsidised (max) at 1/|limit_dual| per unit; its duals divided by
    |limit_dual| are that problem's, so its carbon_price.csv is a carbon price in currency per tCO2.
    """
    scale = 1 / abs(limit_dual) if limit_dual else 0.0
    return dataclasses.replace(result, row_dual=[value * scale for value in result.row_dual])


def _unit(data: ModelData, target: Target) -> str:
    kind, name, _ = target
    if kind == "lever" and name == "ccus":
        return "MtCO2 (cumulative)"
    techs = [t for k, t in data.technologies.items() if (t.lever == name if kind == "lever" else k == name)]
    units = sorted({data.commodity_unit[t.output] for t in techs})
    return " + ".join(units) + " (cumulative output)"


def _summary(
    optimum: RunResult,
    data: ModelData,
    result: SolveResult,
    run_tables: dict[str, pd.DataFrame],
    emissions: dict[int, float],
    solver: HighsSession,
) -> dict:
    """The optimum's summary with this solution's status, cost, emissions, levers and LP size."""
    summary = copy.deepcopy(optimum.summary)
    n_cols, n_rows, n_nonzeros = solver.size
    summary.update(
        status=result.status,
        objective=float(run_tables["costs"]["discounted"].sum()) if run_tables else None,
        emissions={str(y): v for y, v in emissions.items()},
        levers=lever_summary(run_tables["abatement"], data.years[-1]) if run_tables else None,
        solver={
            "method": result.method,
            "iterations": result.iterations,
            "columns": n_cols,
            "rows": n_rows,
            "nonzeros": n_nonzeros,
        },
    )
    return summary


def run_mga(
    scenario: Scenario | Path | str,
    slack: float = 0.05,
    targets: Iterable[Target] = DEFAULT_TARGETS,
    out_dir: str | Path | None = None,
    time_limit: float | None = None,
) -> MgaResult:
    """Solve the optimum, then one alternative per target; write `out_dir/optimum/`, one folder
    per alternative (`lever-ccus-min`, …) and `mga.csv`, if `out_dir` is given.

    Targets are checked before anything is solved (InputError listing every bad one). If the
    optimum has no optimum, no alternative is solved.
    """
    if slack < 0:
        raise InputError(Issue("mga", f"slack must be ≥ 0, got {slack}"))
    if not isinstance(scenario, Scenario):
        scenario = load_scenario(scenario)
    targets = list(dict.fromkeys(targets))
    if not targets:
        raise InputError(Issue("mga", "give at least one target (--lever or --technology)"))
    check_targets(load_model_data(scenario)[0], targets)
    optimum = solve_scenario(scenario, time_limit=time_limit)
    outcome = MgaResult(optimum, slack)
    if optimum.result.optimal:
        outcome.alternatives = [solve_alternative(scenario, t, optimum, slack, time_limit) for t in targets]
    if out_dir is not None:
        write_mga(outcome, out_dir)
    return outcome


def write_mga(outcome: MgaResult, out_dir: str | Path) -> Path:
    """Write the optimum, every alternative and mga.csv into `out_dir`."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    write_run(outcome.optimum, out / "optimum")
    for alternative in outcome.alternatives:
        alternative.folder = write_run(alternative.run, out / alternative.name)
    outcome.table().to_csv(out / "mga.csv", index=False, float_format="%.10g", lineterminator="\n")
    outcome.folder = out
    return out
