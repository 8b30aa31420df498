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
from pathlib import Path

import highspy
import numpy as np
import pyomo.environ as pyo
from pyomo.repn.plugins.standard_form import LinearStandardFormCompiler

from optimizer.data.scenario import SolverSettings
from optimizer.errors import SolverError
from optimizer.lp import VECTORS, LpSnapshot, lp_from_form
from optimizer.solution import NONE, SolutionKeys, SolveResult

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


def _names(keys: list[tuple[str, tuple]]) -> list[str]:
    return [f"{name}[{','.join(map(str, key))}]" if key else name for name, key in keys]


def _component_keys(model: pyo.ConcreteModel, kind: type, objects: list) -> list[tuple[str, tuple]]:
    """(component name, index tuple) of each variable or constraint in `objects`.

    One pass over the model's components: ~4× faster than asking each object for its parent.
    """
    found: dict[int, tuple[str, tuple]] = {}
    for component in model.component_objects(kind, descend_into=True):
        name = component.name
        for index, item in component.items():
            found[id(item)] = (name, index if isinstance(index, tuple) else (() if index is None else (index,)))
    return [found[id(item)] for item in objects]


class HighsSolver:
    """A Pyomo model handed to one `highspy.Highs` object, ready to solve and re-solve."""

    def __init__(self, model: pyo.ConcreteModel, settings: SolverSettings | None = None) -> None:
        started = time.perf_counter()
        form = LinearStandardFormCompiler().write(model, mixed_form=True, set_sense=None)
        self.columns: list | None = form.columns  # Pyomo variables, for names
        self.rows: list | None = [row for row, _ in form.rows]
        self._model = model
        self._keys: SolutionKeys | None = None
        self._open(lp_from_form(form), settings)
        self.handoff_seconds = time.perf_counter() - started

    @classmethod
    def from_snapshot(cls, snapshot: LpSnapshot, settings: SolverSettings | None = None) -> HighsSolver:
        """A solver for an LP taken from another process (`snapshot`), without Pyomo."""
        started = time.perf_counter()
        solver = cls.__new__(cls)
        solver.columns = solver.rows = solver._model = None
        solver._keys = SolutionKeys(snapshot.columns, snapshot.rows)
        solver._open(snapshot.lp(), settings)
        solver.handoff_seconds = time.perf_counter() - started
        return solver

    def snapshot(self) -> LpSnapshot:
        """The LP as plain arrays and keys, to pickle for another process."""
        lp = self.highs.getLp()
        matrix = lp.a_matrix_
        return LpSnapshot(
            self.keys.columns,
            self.keys.rows,
            {name: np.asarray(getattr(lp, f"{name}_"), dtype=float) for name in VECTORS},
            (np.asarray(matrix.start_), np.asarray(matrix.index_), np.asarray(matrix.value_, dtype=float)),
            float(lp.offset_),
        )

    def _open(self, lp: highspy.HighsLp, settings: SolverSettings | None) -> None:
        self.settings = settings or SolverSettings()
        self.base_cost = np.asarray(lp.col_cost_, dtype=float)
        self.highs = _new_highs()
        self._set("output_flag", False)
        self._set("threads", self.settings.threads)
        if self.highs.passModel(lp) == highspy.HighsStatus.kError:
            raise SolverError("HiGHS refused the model")
        self._names_set = False

    @property
    def keys(self) -> SolutionKeys:
        """(component name, index) of each column and row, computed once."""
        if self._keys is None:
            self._keys = SolutionKeys(
                _component_keys(self._model, pyo.Var, self.columns),
                _component_keys(self._model, pyo.Constraint, self.rows),
            )
        return self._keys

    @property
    def size(self) -> tuple[int, int, int]:
        """(columns, rows, non-zeros) of the LP."""
        lp = self.highs.getLp()
        return lp.num_col_, lp.num_row_, len(lp.a_matrix_.value_)

    def _set(self, option: str, value: object) -> None:
        if self.highs.setOptionValue(option, value) == highspy.HighsStatus.kError:
            raise SolverError(f"HiGHS rejected option {option} = {value!r}")

    def set_names(self) -> None:
        """Give HiGHS the names of columns and rows (for MPS files and diagnoses): Pyomo's,
        or `name[index]` built from the keys for a solver made from a snapshot."""
        if self._names_set:
            return
        if self.columns is not None and self.rows is not None:
            column_names, row_names = (v.name for v in self.columns), (r.name for r in self.rows)
        else:
            column_names, row_names = map(_names, (self.keys.columns, self.keys.rows))
        for j, name in enumerate(column_names):
            self.highs.passColName(j, name)
        for i, name in enumerate(row_names):
            self.highs.passRowName(i, name)
        self._names_set = True

    def write_mps(self, path: Path) -> None:
        """Write the exact LP handed to HiGHS (its optimum is the run's objective)."""
        self.set_names()
        if self.highs.writeModel(str(path)) == highspy.HighsStatus.kError:
            raise SolverError(f"HiGHS could not write {path}")

    def cost_vector(self, coefficients: dict[tuple[str, tuple], float]) -> np.ndarray:
        """Objective coefficients {(variable, index): cost} in column order (0 elsewhere).

        Raises ValueError for a non-zero cost on a variable that is not a column of the LP.
        """
        positions = self.keys.column_position
        cost = np.zeros(len(self.keys.columns))
        for (variable, key), value in coefficients.items():
            j = positions.get(variable, NONE).get(key)
            if j is not None:
                cost[j] = value
            elif value:
                raise ValueError(f"cost on {variable}{list(key)}, which is not a column of the built model")
        return cost

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
        result = SolveResult(status, None, seconds, iterations, method)
        if status != "optimal":
            return result  # no keys: every value and dual reads 0, every dict is empty
        result.keys = self.keys
        result.objective = float(info.objective_function_value)
        solution = self.highs.getSolution()
        primal = np.asarray(solution.col_value, dtype=float)
        primal[np.abs(primal) < 1e-9] = 0.0  # solver noise, so tables never show -0.000000
        result.primal = primal.tolist()
        result.column_dual = np.asarray(solution.col_dual, dtype=float).tolist()
        result.row_dual = np.asarray(solution.row_dual, dtype=float).tolist()
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
