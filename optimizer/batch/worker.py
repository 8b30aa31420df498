"""Solve one sweep point, in whatever process it lands in.

Each process prepares the base scenario once (`_MODELS`) and keeps its HiGHS object: a pool
worker loads it from the LP snapshot its parent wrote (`write_portable`), anything else builds
it. A point that changes only costs (prices, capex, O&M, discount rate, carbon price) re-solves
that HiGHS object with new objective coefficients — warm from the previous basis, or cold —
instead of rebuilding; any other change (caps, limits, emission factors, years) rebuilds from
scratch. Only plain data goes in (paths, numbers) and comes out (a record and DataFrames), so
points can run in local processes or on Dask workers alike.
"""

from __future__ import annotations

import dataclasses
import gc
import os
import pickle
import time
import warnings
from pathlib import Path

import pandas as pd

from optimizer.batch.config import Parameter, Sweep
from optimizer.batch.design import Point
from optimizer.data.model_data import dataset_signature, load_model_data, year_path
from optimizer.data.scenario import Override, Scenario, load_scenario
from optimizer.errors import InputError, Issue
from optimizer.outputs.attribution import lever_summary
from optimizer.runner import PreparedModel, prepare_scenario, resolve_with_data, solve_scenario, tables_from_solution

_MODELS: dict[str, tuple[tuple, PreparedModel]] = {}  # base scenario path → (file fingerprint, prepared base)
TABLES: dict = {}  # dataset path → typed tables, read once per process until the files change


def point_scenario(base: Scenario, parameters: tuple[Parameter, ...], point: Point) -> Scenario:
    """The base scenario with a point's values applied (None leaves a parameter unchanged)."""
    overrides = list(base.overrides)
    changes: dict = {}
    cap = dict(base.cap or {})
    carbon_price = dict(base.carbon_price)
    for parameter in parameters:
        value = point.get(parameter.name)
        if value is None:
            continue
        if parameter.table != "scenario":
            overrides.append(Override(parameter.table, parameter.where, parameter.column, parameter.op, value))
            continue
        column = parameter.column
        if column.startswith(("cap.", "carbon_price.")):
            target = cap if column.startswith("cap.") else carbon_price
            year = int(column.split(".", 1)[1])
            if parameter.op == "set":
                target[year] = value
            else:  # scale or add the base path's value in that year (linear between given years)
                path = year_path(base.cap or {} if target is cap else base.carbon_price, base.years)
                if year not in path:
                    message = f"{column}: the base scenario sets no value in {year} to {parameter.op}"
                    raise InputError(Issue(str(base.path), message))
                target[year] = _apply(parameter.op, path[year], value)
        else:
            current = getattr(base, column)
            if current is None and column == "discount_rate":
                current = load_model_data(base)[0].discount_rate
            if current is None and parameter.op != "set":
                message = f"{column}: the base scenario sets no {column} to {parameter.op}; use op = \"set\""
                raise InputError(Issue(str(base.path), message))
            changes[column] = _apply(parameter.op, current if current is not None else 0.0, value)
    return dataclasses.replace(
        base, overrides=tuple(overrides), cap=cap or base.cap, carbon_price=carbon_price, **changes
    )


def _apply(op: str, current: float, value: float) -> float:
    return {"scale": current * value, "add": current + value, "set": value}[op]


def _base(base: Scenario | Path, portable: Path | None = None, freeze: bool = False) -> PreparedModel:
    """The base scenario, prepared once per process and again only if its files change (not
    solved: the first point starts cold): loaded from the `portable` file the parent wrote where
    this process can see it, else built here. With `freeze` (pool workers, which end with the
    sweep) it is then frozen out of the cyclic garbage collector, whose full passes would
    otherwise keep walking its many long-lived objects between points."""
    scenario = base if isinstance(base, Scenario) else load_scenario(base)
    path = scenario.path
    fingerprint = (path.stat().st_mtime_ns, dataset_signature(scenario.dataset))
    cached = _MODELS.get(str(path))
    if cached is not None and cached[0] == fingerprint:
        return cached[1]
    prepared = _load(portable) if portable is not None and portable.exists() else None
    if prepared is None:
        prepared = prepare_scenario(scenario, TABLES)
    _MODELS[str(path)] = (fingerprint, prepared)
    if freeze:
        gc.collect()
        gc.freeze()
    return prepared


def prepare_base(base: Path) -> PreparedModel:
    """Prepare the base scenario in this process (read, built and handed to HiGHS, not solved),
    as its points will find it; workers forked afterwards inherit it."""
    return _base(load_scenario(base))


def solve_and_save(sweep: Sweep, run_id: str, point: Point, out: Path) -> dict:
    """`solve_point`, then write the point into the sweep folder `out`; return its record."""
    from optimizer.batch import store

    record, tables = solve_point(sweep, run_id, point, freeze=True)
    store.save_point(out, record, tables)
    return record


def _load(portable: Path) -> PreparedModel | None:
    try:
        with portable.open("rb") as file:
            return pickle.load(file).prepare()  # written by this sweep's parent process
    except Exception as error:  # any failure: build the base here instead
        warnings.warn(f"could not load the base model from {portable} ({error}); building it", stacklevel=2)
        return None


def write_portable(path: Path, folder: Path) -> Path:
    """Prepare the base scenario here (read afresh) and write it for worker processes."""
    target = folder / "base.pickle"
    with target.open("wb") as file:
        pickle.dump(prepare_scenario(path).portable(), file, protocol=pickle.HIGHEST_PROTOCOL)
    return target


def ready() -> int:
    """A no-op task that starts a worker process (importing this module) ahead of the points."""
    return os.getpid()


def cost_only(sweep: Sweep, point: Point) -> bool:
    """Whether the point changes only costs, so it can re-solve the base model."""
    return all(p.cost_only or point.get(p.name) is None for p in sweep.parameters)


def solve_point(
    sweep: Sweep, run_id: str, point: Point, portable: Path | None = None, freeze: bool = False
) -> tuple[dict, dict[str, pd.DataFrame]]:
    """Solve one point; return its record (a row of runs.parquet) and its tables.

    `portable`: the base model written by `write_portable`, so this process need not build it;
    `freeze`: keep the base out of the garbage collector (for processes that end with the sweep).
    """
    started, cpu = time.perf_counter(), time.process_time()
    record: dict = {"run_id": run_id, **{p.name: point.get(p.name) for p in sweep.parameters}}
    try:
        base_scenario = load_scenario(sweep.base)
        scenario = point_scenario(base_scenario, sweep.parameters, point)
        reuse = cost_only(sweep, point) and scenario.foresight.mode == "perfect"  # myopic points rebuild
        if reuse:
            base = _base(base_scenario, portable, freeze)
            data, _ = load_model_data(scenario, TABLES)
            if not sweep.warm:
                base.solver.start_cold()
            result, built = resolve_with_data(base, data)
            tables, emissions = tables_from_solution(data, built, result) if result.optimal else ({}, {})
            diagnosis = None if result.optimal else {"message": f"HiGHS ended with status {result.status}"}
        else:
            run = solve_scenario(scenario, with_reference=False)
            data, result, tables, diagnosis = run.data, run.result, run.tables, run.diagnosis
            emissions = {int(y): v for y, v in run.summary["emissions"].items()}
    except InputError as error:
        record.update(status="input_error", message=error.report(), wall_s=time.perf_counter() - started)
        return record, {}
    except Exception as error:  # a failed point is recorded and never stops the sweep
        record.update(status="error", message=f"{type(error).__name__}: {error}", wall_s=time.perf_counter() - started)
        return record, {}
    record.update(_summarise(data.years, result.status, result.objective, tables, emissions, data.weight))
    record.update(
        warm=reuse,
        solve_s=result.solve_seconds,
        wall_s=time.perf_counter() - started,
        cpu_s=time.process_time() - cpu,
        message=(diagnosis or {}).get("message", ""),
    )
    return record, tables


def _summarise(
    years: tuple[int, ...], status: str, objective: float | None, tables: dict, emissions: dict, weights: dict
) -> dict:
    final = years[-1]
    summary: dict = {"status": status, "objective": objective}
    if not tables:
        return summary
    levers = lever_summary(tables["abatement"], final)
    prices = tables["carbon_price"]
    costs = tables["costs"]
    investment = costs[costs["component"] == "investment"]
    summary.update(
        {f"emissions_{final}": emissions.get(final)},
        **{f"share_{lever}": share for lever, share in levers["shares"].items()},
        four_categories=levers["four_categories"],
        **{f"carbon_price_{final}": float(prices.loc[prices["year"] == final, "price"].max()) if len(prices) else 0.0},
        cumulative_investment=float((investment["value"] * investment["year"].map(weights)).sum()),
    )
    return summary
