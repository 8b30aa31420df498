"""Near-optimal alternatives (modelling to generate alternatives, MGA): solve and write them.

How different can a pathway be while costing at most `slack` more than the optimum? The
optimum is solved once; then, on its own HiGHS session, the cost limit is added once and the
objective is replaced by each target in turn (`optimizer.model.alternatives` defines both: the
row, the targets and their activity-weighted proxies). Nothing is loaded or built again.

Each alternative is an ordinary run folder whose tables are evaluated with the real cost and
emission terms; its summary's `objective` is the total discounted cost (Σ `discounted` of
costs.csv) and an `"mga"` block records the slack, target, sense, the target's value in the
alternative and at the optimum, and the optimum cost.

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

from optimizer.data.model_data import ModelData, load_model_data
from optimizer.data.scenario import Scenario, load_scenario
from optimizer.errors import InputError, Issue
from optimizer.model.alternatives import (
    COST_LIMIT,
    Target,
    Terms,
    check_targets,
    cost_limit,
    target_objective,
    target_terms,
    target_unit,
)
from optimizer.model.build import BuiltModel
from optimizer.outputs.attribution import lever_summary
from optimizer.outputs.folders import check_replaceable, child, name_problem, staged
from optimizer.outputs.indicators import pathway_indicators, stranded_new_build
from optimizer.runner import RunResult, cost_against, solve_data, tables_from_solution, write_run
from optimizer.solve.session import HighsSession
from optimizer.solve.solution import SolveResult

DEFAULT_TARGETS: tuple[Target, ...] = (("lever", "ccus", "min"),)
OPTIMUM = "optimum"  # the optimum's sub-folder


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
                "target_unit": alt.run.summary["mga"]["target_unit"],
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


def evaluate(terms: Terms, result: SolveResult) -> float:
    """The value of a linear proxy at a solution."""
    return sum(coef * result.value(variable, key) for (variable, key), coef in terms.items())


def solve_alternative(
    optimum: RunResult, target: Target, slack: float, time_limit: float | None = None, slack_of: str = "total"
) -> Alternative:
    """Cap the cost at the optimum plus the slack and push the target, on the optimum's HiGHS
    session: the cost limit is added to it the first time (its bound set again each time), the
    objective becomes the target's and HiGHS starts cold. The session keeps both afterwards.

    `slack_of`: "total" (a share of the optimum's whole cost) or "policy" (a share of the
    pathway's cost against its no-policy reference, summary `cost_vs_reference`)."""
    data, built, session = optimum.data, optimum.built, optimum.solver
    check_targets(data, [target])
    started = time.perf_counter()
    row, limit = cost_limit(data, built, optimum.summary["objective"], slack, _basis(optimum, slack_of))
    terms = target_terms(data, built, target)
    row_vector, objective_vector = session.cost_vector(row), session.cost_vector(target_objective(terms, target))
    built_seconds = time.perf_counter() - started
    started = time.perf_counter()
    if COST_LIMIT[0] in session.keys.row_position:
        session.change_row_bounds(COST_LIMIT, upper=limit)
    else:
        session.add_row(COST_LIMIT, row_vector, upper=limit)
    session.change_costs(objective_vector)
    handoff_seconds = time.perf_counter() - started
    # Cold, as a fresh solve: a target's optimum is often not unique (any cost within the limit),
    # and a warm start would make the vertex found depend on the targets solved before it.
    session.start_cold()
    result = session.solve(time_limit=time_limit)
    run_tables: dict[str, pd.DataFrame] = {}
    emissions: dict[int, float] = {}
    limit_dual = result.dual(*COST_LIMIT)
    limit_dual = 0.0 if abs(limit_dual) < 1e-12 else limit_dual  # solver noise: the limit does not bind
    if result.optimal:
        run_tables, emissions = tables_from_solution(data, built, _cost_duals(result, limit_dual))
        if not limit_dual:  # the target hit a bound inside the slack: no cost-equivalent price
            run_tables["carbon_price"]["price"] = float("nan")
    summary = _summary(optimum, data, built, result, run_tables, emissions, session)
    summary["timings"] = {"build": built_seconds, "handoff": handoff_seconds, "solve": result.solve_seconds}
    value = evaluate(terms, result) if result.optimal else None
    optimum_value = evaluate(terms, optimum.result)
    summary["mga"] = {
        "slack": slack,
        "slack_of": slack_of,
        "target": {"kind": target[0], "name": target[1]},
        "sense": target[2],
        "target_value": value,
        "optimum_target_value": optimum_value,
        "target_unit": target_unit(data, target),
        "optimum_cost": optimum.summary["objective"],
        "cost_limit": limit,
        "target_price": 1 / abs(limit_dual) if limit_dual else None,
        "target_price_unit": f"million {data.currency} (present value) per unit of the target",
        "proxy": "cumulative (Σ milestones × years represented) captured CO2 for ccus, else output of the "
        "lever's technologies (or the technology) in their output units",
    }
    diagnosis = None if result.optimal else {"status": result.status, "message": f"HiGHS ended with {result.status}"}
    run = RunResult(optimum.scenario, data, built, session, result, summary, run_tables, diagnosis)
    return Alternative(target, run, value, optimum_value)


def _basis(optimum: RunResult, slack_of: str) -> float | None:
    """What the slack is a share of: None for the whole cost, else the policy cost."""
    if slack_of == "total":
        return None
    cost = optimum.summary.get("cost_vs_reference") or {}
    if slack_of != "policy" or cost.get("status") != "optimal":
        raise InputError(
            Issue("mga", "--slack-of policy needs a scenario with an emission policy (its cost against the reference)")
        )
    return float(cost["present_value"])


def _cost_duals(result: SolveResult, limit_dual: float) -> SolveResult:
    """The duals in cost terms: each divided by |dual of the cost limit| (none if it is slack).

    By the KKT conditions, an alternative that spends the slack is the least-cost pathway once its
    target is taxed (min) or subsidised (max) at 1/|limit_dual| per unit; its duals divided by
    |limit_dual| are that problem's, so its carbon_price.csv is a carbon price in currency per tCO2.
    """
    scale = 1 / abs(limit_dual) if limit_dual else 0.0
    return dataclasses.replace(result, row_dual=[value * scale for value in result.row_dual])


def _summary(
    optimum: RunResult,
    data: ModelData,
    built: BuiltModel,
    result: SolveResult,
    run_tables: dict[str, pd.DataFrame],
    emissions: dict[int, float],
    session: HighsSession,
) -> dict:
    """The optimum's summary with this solution's status, cost, emissions, levers, indicators,
    cost against the optimum's reference and LP size."""
    summary = copy.deepcopy(optimum.summary)
    summary.pop("indicators", None)
    reference = summary.pop("cost_vs_reference", None)
    if run_tables:
        summary["indicators"] = pathway_indicators(data, run_tables, emissions)
        summary["indicators"]["stranded_new_build"] = stranded_new_build(data, built.index, result)
        if reference and reference.get("status") == "optimal":
            emitted = {int(y): v for y, v in reference["reference_emissions"].items()}
            summary["cost_vs_reference"] = cost_against(
                data, reference["reference_objective"], emitted, run_tables["costs"], emissions
            )
    n_cols, n_rows, n_nonzeros = session.size
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
    force: bool = False,
    slack_of: str = "total",
) -> MgaResult:
    """Solve the optimum, then one alternative per target; write `out_dir/optimum/`, one folder
    per alternative (`lever-ccus-min`, …) and `mga.csv`, if `out_dir` is given.

    The data are loaded once and targets are checked before anything is solved (InputError
    listing every bad one). If the optimum has no optimum, no alternative is solved.
    """
    if slack < 0:
        raise InputError(Issue("mga", f"slack must be ≥ 0, got {slack}"))
    started = time.perf_counter()
    if not isinstance(scenario, Scenario):
        scenario = load_scenario(scenario)
    targets = list(dict.fromkeys(targets))
    if not targets:
        raise InputError(Issue("mga", "give at least one target (--lever or --technology)"))
    _check_folders(targets)
    if out_dir is not None:
        check_replaceable(out_dir, "mga", force)
    data, files = load_model_data(scenario)
    load_seconds = time.perf_counter() - started
    check_targets(data, targets)
    optimum = solve_data(scenario, data, files, time_limit, load_seconds=load_seconds)
    outcome = MgaResult(optimum, slack)
    if optimum.result.optimal:
        outcome.alternatives = [solve_alternative(optimum, target, slack, time_limit, slack_of) for target in targets]
    if out_dir is not None:
        write_mga(outcome, out_dir, force=force)
    return outcome


def _check_folders(targets: list[Target]) -> None:
    """Every target names its own safe sub-folder (InputError otherwise)."""
    names: dict[str, Target] = {OPTIMUM: ("", "", "")}
    issues = []
    for target in targets:
        name = folder_name(target)
        problem = name_problem(name)
        option = f"--{target[0]}"
        if problem:
            issues.append(Issue("mga", f"target {'-'.join(target)}: folder {problem}", column=option))
        elif name in names:
            message = f"targets {'-'.join(target)} and {'-'.join(names[name])} share folder {name}"
            issues.append(Issue("mga", message, column=option))
        names.setdefault(name, target)
    if issues:
        raise InputError(issues)


def write_mga(outcome: MgaResult, out_dir: str | Path, force: bool = False) -> Path:
    """Write the optimum, every alternative and mga.csv to `out_dir`, built beside it and
    swapped into place when complete. An existing `out_dir` is replaced only if it is an MGA
    folder this tool wrote holding nothing else (or empty), unless `force`."""
    out = Path(out_dir)
    with staged(out, "mga", force) as folder:
        write_run(outcome.optimum, folder / OPTIMUM)
        for alternative in outcome.alternatives:
            write_run(alternative.run, child(folder, alternative.name, "mga"))
            alternative.folder = out / alternative.name
        outcome.table().to_csv(folder / "mga.csv", index=False, float_format="%.10g", lineterminator="\n")
    outcome.folder = out
    return out
