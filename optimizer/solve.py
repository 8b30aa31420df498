"""HiGHS: the only module that talks to the solver.

The Pyomo model is compiled to standard form by `pyomo.repn` and the matrix is passed to
`highspy` directly: measured on a 64 k-variable LP of this shape that took ~2 s where Pyomo's
persistent HiGHS interfaces spent 8–12 s loading it (reference/perf.md §2). The `Highs`
object is kept, so a sweep can change costs and re-solve (warm) without rebuilding.

Duals follow HiGHS's convention, ∂objective/∂rhs: an emission cap's dual is ≤ 0 and the
shadow carbon price is its negative.
"""

from __future__ import annotations

import os
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import highspy
import numpy as np
import pyomo.environ as pyo
from pyomo.repn.plugins.standard_form import LinearStandardFormCompiler

from optimizer.data.scenario import SolverSettings
from optimizer.errors import SolverError

_STATUS = {
    highspy.HighsModelStatus.kOptimal: "optimal",
    highspy.HighsModelStatus.kInfeasible: "infeasible",
    highspy.HighsModelStatus.kUnbounded: "unbounded",
    highspy.HighsModelStatus.kUnboundedOrInfeasible: "infeasible_or_unbounded",
    highspy.HighsModelStatus.kTimeLimit: "time_limit",
    highspy.HighsModelStatus.kIterationLimit: "iteration_limit",
    highspy.HighsModelStatus.kModelEmpty: "optimal",
}
_METHOD = {"ipm": "ipx", "simplex": "simplex", "choose": "choose"}


@dataclass
class SolveResult:
    """What one HiGHS run returned, keyed by Pyomo component name and index."""

    status: str
    objective: float | None
    values: dict[str, dict[tuple, float]] = field(default_factory=dict)
    duals: dict[str, dict[tuple, float]] = field(default_factory=dict)
    reduced_costs: dict[str, dict[tuple, float]] = field(default_factory=dict)
    solve_seconds: float = 0.0
    iterations: dict[str, int] = field(default_factory=dict)
    method: str = "simplex"

    @property
    def optimal(self) -> bool:
        return self.status == "optimal"


def _new_highs() -> highspy.Highs:
    """A Highs object, without the banner HiGHS prints on standard output when created."""
    sys.stdout.flush()
    saved = os.dup(1)
    try:
        with Path(os.devnull).open("w") as devnull:
            os.dup2(devnull.fileno(), 1)
            highs = highspy.Highs()
    finally:
        os.dup2(saved, 1)
        os.close(saved)
    return highs


def _key(data: object) -> tuple:
    index = data.index()  # type: ignore[attr-defined]
    if index is None:
        return ()
    return index if isinstance(index, tuple) else (index,)


class HighsSolver:
    """A Pyomo model handed to one `highspy.Highs` object, ready to solve and re-solve."""

    def __init__(self, model: pyo.ConcreteModel, settings: SolverSettings | None = None) -> None:
        self.settings = settings or SolverSettings()
        started = time.perf_counter()
        form = LinearStandardFormCompiler().write(model, mixed_form=True, set_sense=None)
        self.columns = form.columns
        self.rows = [row for row, _ in form.rows]
        n_cols, n_rows = len(form.columns), len(form.rows)
        lp = highspy.HighsLp()
        lp.num_col_, lp.num_row_ = n_cols, n_rows
        self.base_cost = np.asarray(form.c.toarray()[0] if form.c.shape[0] else np.zeros(n_cols), dtype=float)
        lp.col_cost_ = self.base_cost
        lp.offset_ = float(form.c_offset[0]) if len(form.c_offset) else 0.0
        inf = highspy.kHighsInf
        lp.col_lower_ = np.array([-inf if v.lb is None else v.lb for v in form.columns], dtype=float)
        lp.col_upper_ = np.array([inf if v.ub is None else v.ub for v in form.columns], dtype=float)
        kinds = np.array([kind for _, kind in form.rows], dtype=int)
        rhs = np.asarray(form.rhs, dtype=float)
        lp.row_lower_ = np.where(kinds <= 0, rhs, -inf)
        lp.row_upper_ = np.where(kinds >= 0, rhs, inf)
        matrix = form.A.tocsc()
        lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
        lp.a_matrix_.start_ = matrix.indptr.astype(np.int32)
        lp.a_matrix_.index_ = matrix.indices.astype(np.int32)
        lp.a_matrix_.value_ = matrix.data.astype(float)
        lp.a_matrix_.num_col_, lp.a_matrix_.num_row_ = n_cols, n_rows
        lp.sense_ = highspy.ObjSense.kMinimize
        self.highs = _new_highs()
        self._set("output_flag", False)
        self._set("threads", self.settings.threads)
        status = self.highs.passModel(lp)
        if status == highspy.HighsStatus.kError:
            raise SolverError("HiGHS refused the model")
        self.handoff_seconds = time.perf_counter() - started
        self._names_set = False
        self._column_keys: list[tuple[str, tuple]] | None = None
        self._row_keys: list[tuple[str, tuple]] | None = None

    def column_keys(self) -> list[tuple[str, tuple]]:
        """(variable name, index) of each column, computed once."""
        if self._column_keys is None:
            self._column_keys = [(var.parent_component().name, _key(var)) for var in self.columns]
        return self._column_keys

    def row_keys(self) -> list[tuple[str, tuple]]:
        """(constraint name, index) of each row, computed once."""
        if self._row_keys is None:
            self._row_keys = [(row.parent_component().name, _key(row)) for row in self.rows]
        return self._row_keys

    @property
    def size(self) -> tuple[int, int, int]:
        """(columns, rows, non-zeros) of the LP."""
        lp = self.highs.getLp()
        return lp.num_col_, lp.num_row_, len(lp.a_matrix_.value_)

    def _set(self, option: str, value: object) -> None:
        if self.highs.setOptionValue(option, value) == highspy.HighsStatus.kError:
            raise SolverError(f"HiGHS rejected option {option} = {value!r}")

    def set_names(self) -> None:
        """Give HiGHS the Pyomo names of columns and rows (for MPS files and diagnoses)."""
        if self._names_set:
            return
        for j, var in enumerate(self.columns):
            self.highs.passColName(j, var.name)
        for i, row in enumerate(self.rows):
            self.highs.passRowName(i, row.name)
        self._names_set = True

    def write_mps(self, path: Path) -> None:
        """Write the exact LP handed to HiGHS (its optimum is the run's objective)."""
        self.set_names()
        if self.highs.writeModel(str(path)) == highspy.HighsStatus.kError:
            raise SolverError(f"HiGHS could not write {path}")

    def column_positions(self) -> dict[tuple[str, tuple], int]:
        """{(variable name, index): column} of the LP handed to HiGHS."""
        return {key: j for j, key in enumerate(self.column_keys())}

    def change_costs(self, cost: np.ndarray) -> None:
        """Replace the objective coefficients (same column order) before a re-solve."""
        indices = np.arange(len(cost), dtype=np.int32)
        self.highs.changeColsCost(len(cost), indices, np.asarray(cost, dtype=float))

    def solve(self, time_limit: float | None = None, method: str | None = None) -> SolveResult:
        """Run HiGHS and map the solution back to Pyomo component names."""
        method = method or self.settings.method
        self._set("solver", _METHOD[method])
        limit = time_limit if time_limit is not None else self.settings.time_limit
        self._set("time_limit", float(limit) if limit is not None else highspy.kHighsInf)
        before = self.highs.getRunTime()
        if (
            self.highs.run() == highspy.HighsStatus.kError
            and self.highs.getModelStatus() == highspy.HighsModelStatus.kNotset
        ):
            # HiGHS's task scheduler is global per process and sized by the first run; another
            # Highs object with other thread settings makes run() refuse. Reset it and retry.
            highspy.Highs.resetGlobalScheduler(True)
            self.highs.run()
        seconds = self.highs.getRunTime() - before
        status = _STATUS.get(self.highs.getModelStatus(), "error")
        info = self.highs.getInfo()
        iterations = {
            "simplex": int(info.simplex_iteration_count),
            "ipm": int(info.ipm_iteration_count),
            "crossover": int(info.crossover_iteration_count),
        }
        result = SolveResult(status, None, solve_seconds=seconds, iterations=iterations, method=method)
        if status != "optimal":
            return result
        result.objective = float(info.objective_function_value)
        solution = self.highs.getSolution()
        primal = np.asarray(solution.col_value, dtype=float)
        primal[np.abs(primal) < 1e-9] = 0.0  # solver noise, so tables never show -0.000000
        dual = np.asarray(solution.row_dual, dtype=float)
        reduced = np.asarray(solution.col_dual, dtype=float)
        for (name, key), value, cost in zip(self.column_keys(), primal.tolist(), reduced.tolist(), strict=True):
            result.values.setdefault(name, {})[key] = value
            result.reduced_costs.setdefault(name, {})[key] = cost
        for (name, key), value in zip(self.row_keys(), dual.tolist(), strict=True):
            result.duals.setdefault(name, {})[key] = value
        return result

    def infeasibility_report(self) -> list[str]:
        """Names of an irreducible infeasible subsystem of rows, via HiGHS's IIS (strategy 6)."""
        self.set_names()
        self._set("iis_strategy", 6)
        status, iis = self.highs.getIis()
        if status == highspy.HighsStatus.kError or not iis.valid_:
            return []
        names = self.highs.getLp().row_names_
        return [names[i] for i in iis.row_index_]
