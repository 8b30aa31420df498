"""Run one scenario: load → build → solve → extract → write, timing each phase.

`solve_scenario` returns the result in memory (tables as DataFrames), for notebooks, sweeps and
tests; `write_run` puts it on disk. Neither prints; the command line reports.
"""

from __future__ import annotations

import dataclasses
import hashlib
import platform
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from optimizer.data.model_data import ModelData, load_model_data
from optimizer.data.scenario import Scenario, SolverSettings, load_scenario
from optimizer.diagnose import WindowFix, diagnose
from optimizer.model import cost as cost_family
from optimizer.model import emissions as emissions_family
from optimizer.model.build import BuiltModel, build_model
from optimizer.model.emissions import EmissionTerm
from optimizer.model.sets import ModelIndex
from optimizer.outputs import tables
from optimizer.outputs.attribution import abatement_table, lever_summary
from optimizer.outputs.folders import FORMAT_VERSION, TOOL
from optimizer.outputs.indicators import pathway_indicators, stranded_new_build
from optimizer.outputs.write import write_folder
from optimizer.solve.lp import LpSnapshot
from optimizer.solve.myopic import Window, solve_myopic
from optimizer.solve.session import HighsSession
from optimizer.solve.solution import SolveResult


@dataclass
class RunResult:
    """A solved (or unsolvable) scenario with its tables and summary."""

    scenario: Scenario
    data: ModelData
    built: BuiltModel
    solver: HighsSession
    result: SolveResult
    summary: dict
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    diagnosis: dict | None = None

    @property
    def status(self) -> str:
        return self.result.status


def tables_from_solution(
    data: ModelData, built: BuiltModel, result: SolveResult
) -> tuple[dict[str, pd.DataFrame], dict[int, float]]:
    """The output tables of an optimal solution and the emissions in scope by year.

    `built` supplies the sparse index and the emission and cost terms; pass terms recomputed
    from `data` (see `with_terms`) when the data differ from those the model was built from.
    """
    used = tables.consumption(data, built.index, result)
    run_tables = {
        "production": tables.production_table(data, built.index, result),
        "capacity": tables.capacity_table(data, built.index, result),
        "energy": tables.energy_table(data, used),
        "emissions": tables.emissions_table(data, built.emission_terms, used, result),
        "costs": tables.costs_table(data, built.cost_terms, result),
        "carbon_price": tables.carbon_price_table(data, result),
        "abatement": abatement_table(data, built.index, result),
    }
    return run_tables, tables.emissions_in_scope(data, built.emission_terms, result)


def with_terms(built: BuiltModel, data: ModelData, same_emissions: bool = False) -> BuiltModel:
    """The same model with cost terms (and, unless `same_emissions`, emission terms) recomputed
    from `data`, which must have the same structure."""
    emission_list = built.emission_terms if same_emissions else emissions_family.emission_terms(data, built.index)
    return BuiltModel(built.model, built.index, emission_list, cost_family.cost_terms(data, built.index, emission_list))


def _versions(solver: HighsSession) -> dict[str, str]:
    """Versions of Python and the packages the run used (read from the loaded modules, which
    is much quicker than importing `importlib.metadata` to ask the installed distributions)."""
    import pyomo.version

    import optimizer

    return {
        "python": platform.python_version(),
        "optimizer": optimizer.__version__,
        "pyomo": pyomo.version.version,
        "highspy": solver.highs.version(),
        "pandas": pd.__version__,
        "numpy": np.__version__,
    }


def _injection_limit(data: ModelData) -> dict[str, float]:
    """Annual CO2 injection limit by year (MtCO2/yr, all regions), where one is given."""
    limits: dict[str, float] = {}
    for (_region, commodity, year), value in sorted(data.max_supply.items()):
        if commodity == data.roles.get("co2_storage") and year in data.years:
            limits[str(year)] = limits.get(str(year), 0.0) + value
    return limits


def _storage_limit(data: ModelData) -> float | None:
    """CO2 storage capacity over the horizon (MtCO2, all regions: the cumulative limit on the
    commodity with role co2_storage), or None when there is none."""
    storage = data.roles.get("co2_storage")
    limits = [value for (_region, commodity), value in data.cumulative_limit.items() if commodity == storage]
    return float(sum(limits)) if limits else None


def _resolved(scenario: Scenario, data: ModelData) -> dict:
    """The scenario as the model saw it: every default filled in, paths absolute."""
    document = dataclasses.asdict(scenario)
    document["dataset"] = str(scenario.dataset)
    document["path"] = str(scenario.path) if scenario.path else None
    document["discount_rate"] = data.discount_rate
    document["years"] = list(data.years)
    return document


def _sha256(files: dict[str, Path]) -> dict[str, str]:
    return {name: hashlib.sha256(path.read_bytes()).hexdigest() for name, path in sorted(files.items())}


@dataclass
class PreparedModel:
    """A scenario loaded, built and handed to HiGHS, not yet solved (what sweeps re-solve)."""

    data: ModelData
    built: BuiltModel
    solver: HighsSession

    def portable(self) -> PortableModel:
        """What another process needs to re-solve this model, without Pyomo (picklable)."""
        return PortableModel(
            self.data, self.built.index, self.built.emission_terms, self.solver.snapshot(), self.solver.settings
        )


@dataclass
class PortableModel:
    """A prepared model as plain data: the LP's arrays and keys, the index and the terms."""

    data: ModelData
    index: ModelIndex
    emission_terms: list[EmissionTerm]
    lp: LpSnapshot
    settings: SolverSettings

    def prepare(self) -> PreparedModel:
        """Hand the LP to a new HiGHS session, much faster than building the model again."""
        built = BuiltModel(None, self.index, self.emission_terms, [])
        return PreparedModel(
            self.data,
            with_terms(built, self.data, same_emissions=True),
            HighsSession.from_snapshot(self.lp, self.settings),
        )


def prepare_scenario(scenario: Scenario | Path | str, cache: dict | None = None) -> PreparedModel:
    """Load and build a scenario and hand it to HiGHS without solving it."""
    if not isinstance(scenario, Scenario):
        scenario = load_scenario(scenario)
    data, _ = load_model_data(scenario, cache)
    built = build_model(data)
    return PreparedModel(data, built, HighsSession.from_model(built.model, scenario.solver))


def solve_scenario(
    scenario: Scenario | Path | str,
    time_limit: float | None = None,
    write_mps: Path | None = None,
    with_reference: bool = True,
) -> RunResult:
    """Load, build and solve a scenario; tables are filled only when the solve is optimal.
    `with_reference`: also solve the no-policy reference for the pathway's cost (summary)."""
    clock = time.perf_counter()
    if not isinstance(scenario, Scenario):
        scenario = load_scenario(scenario)
    data, files = load_model_data(scenario)
    return solve_data(
        scenario, data, files, time_limit, write_mps, load_seconds=time.perf_counter() - clock,
        with_reference=with_reference,
    )  # fmt: skip


def solve_data(
    scenario: Scenario,
    data: ModelData,
    files: dict[str, Path],
    time_limit: float | None = None,
    write_mps: Path | None = None,
    load_seconds: float = 0.0,
    with_reference: bool = True,
) -> RunResult:
    """Build and solve a scenario whose data are loaded (`files`: the input files read, whose
    hashes the summary records; `load_seconds`: the time loading took). With `with_reference`
    and any emission policy, also the pathway's cost against the no-policy reference."""
    timings = {"load": load_seconds}
    clock = time.perf_counter()
    built = build_model(data)
    timings["build"] = time.perf_counter() - clock
    solver = HighsSession.from_model(built.model, scenario.solver)
    timings["handoff"] = solver.handoff_seconds
    if write_mps is not None:
        solver.write_mps(Path(write_mps))

    result, windows, fixed = _solve(solver, scenario, data, built, time_limit)
    timings["solve"] = result.solve_seconds

    clock = time.perf_counter()
    run_tables: dict[str, pd.DataFrame] = {}
    emissions: dict[int, float] = {}
    diagnosis = None
    reference = indicators = None
    if result.optimal:
        run_tables, emissions = tables_from_solution(data, built, result)
        indicators = pathway_indicators(data, run_tables, emissions)
        indicators["stranded_new_build"] = stranded_new_build(data, built.index, result)
        indicators["unused_before_end_of_life"] = stranded_new_build(data, built.index, result, within_life=1.0)
        timings["extract"] = time.perf_counter() - clock
        if with_reference and (data.caps or data.budget is not None or data.carbon_price):
            reference_result = _reference(solver, scenario, data, built, time_limit)
            reference = pathway_cost(reference_result, data, built, run_tables["costs"], emissions)
    else:
        window = None
        if windows and fixed is not None:
            window = WindowFix(windows[-1].describe(), fixed, windows[-1].end)
        diagnosis = _diagnose(data, solver, result, scenario.solver, window)
        timings["extract"] = time.perf_counter() - clock
    n_cols, n_rows, n_nonzeros = solver.size
    summary = {
        "scenario": data.scenario,
        "status": result.status,
        "objective": result.objective,
        "objective_unit": f"million {data.currency} (present value, {data.base_year})",
        "currency": data.currency,
        "scope": data.scope,
        "emissions": {str(y): v for y, v in emissions.items()},
        "emissions_unit": "MtCO2/yr",
        "timings": timings,
        "solver": {
            "method": result.method,
            "iterations": result.iterations,
            "columns": n_cols,
            "rows": n_rows,
            "nonzeros": n_nonzeros,
        },
        "cap": {str(y): v for (g, _s, y), v in sorted(data.caps.items()) if g == "all"},
        "injection_limit": _injection_limit(data),
        "storage_limit": _storage_limit(data),
        "labels": {name: technology.label for name, technology in data.technologies.items() if technology.label},
        "levers": lever_summary(run_tables["abatement"], data.years[-1]) if run_tables else None,
        "years": list(data.years),
        "tail": data.weight[data.years[-1]],
        "discount_rate": data.discount_rate,
        "inputs_sha256": _sha256(files),
        "versions": _versions(solver),
        "resolved_scenario": _resolved(scenario, data),
        "foresight": _foresight(scenario, windows),
    }
    if indicators is not None:
        summary["indicators"] = indicators
    if reference is not None:
        summary["cost_vs_reference"] = reference
        timings["reference"] = reference.pop("solve_seconds")
    return RunResult(scenario, data, built, solver, result, summary, run_tables, diagnosis)


def _solve(
    solver: HighsSession,
    scenario: Scenario,
    data: ModelData,
    built: BuiltModel,
    time_limit: float | None,
    terms: list | None = None,
) -> tuple[SolveResult, list[Window], dict | None]:
    """Solve with the scenario's foresight: (result, myopic windows or [], decisions fixed before
    a failing window or None). `terms`: the cost terms to minimise (default: the model's)."""
    terms = built.cost_terms if terms is None else terms
    if scenario.foresight.mode != "myopic":
        if terms is not built.cost_terms:
            solver.change_costs(solver.cost_vector(cost_family.objective_coefficients(data, terms)))
        return solver.solve(time_limit=time_limit), [], None

    def costs_before(end: int):
        seen = [term for term in terms if term.year < end]
        return solver.cost_vector(cost_family.objective_coefficients(data, seen))

    run = solve_myopic(solver, data.years, scenario.foresight.window or 1, costs_before, time_limit)
    return run.result, run.windows, (run.decided if not run.result.optimal else None)


def _foresight(scenario: Scenario, windows: list[Window]) -> dict:
    """summary.json's account of how far ahead each solve saw."""
    if scenario.foresight.mode != "myopic":
        return {"mode": "perfect"}
    return {
        "mode": "myopic",
        "window": scenario.foresight.window,
        "windows": [
            {
                "start": w.start,
                "end": w.end - 1,
                "milestones_seen": list(w.seen),
                "milestones_decided": list(w.decided),
                "status": w.status,
                "solve_seconds": w.solve_seconds,
            }
            for w in windows
        ],
    }


def _reference(
    solver: HighsSession, scenario: Scenario, data: ModelData, built: BuiltModel, time_limit: float | None
) -> SolveResult:
    """The no-policy reference (the same scenario with no emission cap, budget or carbon price,
    with the same foresight): caps and budget freed and carbon payments (a transfer) left out
    of the costs, solved on a copy of the pathway's session warm from its optimal basis, so the
    pathway's own session and basis stay as they are."""
    twin = solver.copy(warm=True)
    rows = twin.keys.row_position
    positions = np.array(
        [*rows.get("emission_cap", {}).values(), *rows.get("emission_budget", {}).values()], dtype=np.int64
    )
    twin.change_rows_bounds(positions, np.full(len(positions), -np.inf), np.full(len(positions), np.inf))
    terms = [term for term in built.cost_terms if term.component != "carbon"]
    reference, _, _ = _solve(twin, scenario, data, built, time_limit, terms)
    return reference


def pathway_cost(
    reference: SolveResult,
    data: ModelData,
    built: BuiltModel,
    costs: pd.DataFrame,
    emissions: dict[int, float],
) -> dict:
    """The pathway's cost against the reference run (`reference`, see `_reference`):
    present value of the extra resource cost (carbon payments, a transfer, excluded) and the
    average cost per tonne abated (present value ÷ discounted tonnes)."""
    if not reference.optimal:
        return {"status": reference.status, "solve_seconds": reference.solve_seconds}
    reference_emissions = tables.emissions_in_scope(data, built.emission_terms, reference)
    figures = cost_against(data, float(reference.objective), reference_emissions, costs, emissions)
    return {**figures, "solve_seconds": reference.solve_seconds}


def cost_against(
    data: ModelData,
    reference_objective: float,
    reference_emissions: dict[int, float],
    costs: pd.DataFrame,
    emissions: dict[int, float],
) -> dict:
    """The pathway's cost (costs.csv, carbon payments excluded) and abatement against a reference
    run's objective and emissions: present value, tonnes abated and the average cost per tonne."""
    resource = float(costs.loc[costs["component"] != "carbon", "discounted"].sum())
    abated = {y: reference_emissions[y] - emissions[y] for y in data.years}
    discounted = sum(data.discount_sum[y] * abated[y] for y in data.years)
    present_value = resource - reference_objective
    return {
        "reference": "the same scenario without emission caps, budget or carbon price",
        "status": "optimal",
        "reference_objective": reference_objective,
        "reference_emissions": {str(y): v for y, v in reference_emissions.items()},
        "present_value": present_value,
        "present_value_unit": f"million {data.currency} (present value, {data.base_year})",
        "abated": sum(data.weight[y] * abated[y] for y in data.years),
        "abated_unit": "MtCO2 over the horizon",
        "abated_discounted": discounted,
        "average_cost": present_value / discounted if discounted > 1e-9 else None,
        "average_cost_unit": f"{data.currency}/tCO2 (present value ÷ discounted tonnes)",
    }


def resolve_with_data(
    run: RunResult | PreparedModel, data: ModelData, time_limit: float | None = None
) -> tuple[SolveResult, BuiltModel]:
    """Re-solve a built model after a change of costs only (prices, capex, O&M, carbon price,
    discount rate), warm-starting HiGHS from the previous basis instead of rebuilding.

    Returns the result and the model with its terms recomputed from `data` (for the tables).
    `data` must have the same structure as the run's (same years, technologies and sets); a
    structural change (caps, bounds, years) needs a fresh `solve_scenario`.
    """
    built = with_terms(run.built, data, same_emissions=True)  # a cost-only change leaves emissions as they were
    try:
        cost = run.solver.cost_vector(cost_family.objective_coefficients(data, built.cost_terms))
    except ValueError as error:
        raise ValueError(f"{error}: rebuild instead") from None
    run.solver.change_costs(cost)
    return run.solver.solve(time_limit=time_limit), built


def _diagnose(
    data: ModelData, solver: HighsSession, result: SolveResult, settings: SolverSettings, window: WindowFix | None
) -> dict:
    """What can be said about a scenario without an optimum (diagnosis.json)."""
    if result.status in ("infeasible", "infeasible_or_unbounded"):
        return diagnose(data, settings, solver.infeasibility_report(), window)
    messages = {
        "time_limit": "HiGHS stopped at the time limit before proving an optimum; raise --time-limit.",
        "iteration_limit": "HiGHS stopped at its iteration limit before proving an optimum.",
        "unbounded": "The cost can fall without limit: a cost or price is negative with nothing to bound it.",
    }
    message = messages.get(result.status, f"HiGHS ended with status {result.status}.")
    return {"status": result.status, "message": message}


def write_run(
    run: RunResult,
    out: Path | str,
    report: bool = False,
    force: bool = False,
    progress: Callable[[str], None] | None = None,
) -> Path:
    """Write the run folder atomically and return its path.

    With `report=True` (what `optimizer run` does unless `--no-report`), also plots/,
    report.html and iamc.csv, made from the written tables before the folder is renamed into
    place; `progress(step)` is called before each chart and file. Without it only the tables,
    summary.json (and diagnosis.json) are written: `optimizer report OUT` adds the report later.

    An existing `out` is replaced only if it is a run folder this tool wrote holding nothing
    else (or it is empty), unless `force`; else InputError (`optimizer.outputs.folders`).
    """
    out = Path(out)
    clock = time.perf_counter()

    def documents() -> dict[str, dict]:
        run.summary["timings"]["write"] = time.perf_counter() - clock
        written = {"summary": {"tool": TOOL, "format_version": FORMAT_VERSION, **run.summary}}
        if run.diagnosis is not None:
            written["diagnosis"] = run.diagnosis
        return written

    extra = None
    if report and run.result.optimal:
        from optimizer.report import write_report  # matplotlib loads only where a report is made

        def extra(folder: Path) -> None:
            write_report(folder, progress=progress)

    write_folder(out, run.tables, documents, extra=extra, force=force)
    return out
