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
from functools import cached_property
from pathlib import Path

import highspy
import numpy as np
import pyomo.environ as pyo
from pyomo.repn.plugins.standard_form import LinearStandardFormCompiler, LinearStandardFormInfo

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


_NONE: dict = {}


@dataclass(frozen=True)
class SolutionKeys:
    """(Pyomo component name, index) of each column and row of the LP, with their positions."""

    columns: list[tuple[str, tuple]]
    rows: list[tuple[str, tuple]]
    _along: dict = field(default_factory=dict, compare=False, repr=False)

    @cached_property
    def column_position(self) -> dict[str, dict[tuple, int]]:
        return _positions(self.columns)

    @cached_property
    def row_position(self) -> dict[str, dict[tuple, int]]:
        return _positions(self.rows)

    def positions_along(self, variable: str, keys: tuple[tuple, ...]) -> np.ndarray:
        """Column of `variable`[key] for each key (−1 where absent), cached per keys object
        (meant for the model's index tuples, which live as long as the model)."""
        cached = self._along.get((variable, id(keys)))
        if cached is None or cached[0] is not keys:
            if len(self._along) > 64:
                self._along.clear()
            where = self.column_position.get(variable, _NONE)
            cached = (keys, np.fromiter((where.get(key, -1) for key in keys), dtype=np.int64, count=len(keys)))
            self._along[(variable, id(keys))] = cached
        return cached[1]


def _positions(keys: list[tuple[str, tuple]]) -> dict[str, dict[tuple, int]]:
    positions: dict[str, dict[tuple, int]] = {}
    for j, (name, key) in enumerate(keys):
        positions.setdefault(name, {})[key] = j
    return positions


@dataclass
class SolveResult:
    """What one HiGHS run returned: the solution as lists in LP order, read by component name
    and index through `value`, `dual` and `reduced_cost` (or the nested dicts `values`, `duals`,
    `reduced_costs`, built on first use)."""

    status: str
    objective: float | None
    solve_seconds: float = 0.0
    iterations: dict[str, int] = field(default_factory=dict)
    method: str = "simplex"
    keys: SolutionKeys = field(default_factory=lambda: SolutionKeys([], []))
    primal: list[float] = field(default_factory=list)
    column_dual: list[float] = field(default_factory=list)
    row_dual: list[float] = field(default_factory=list)

    @property
    def optimal(self) -> bool:
        return self.status == "optimal"

    def along(self, variable: str, keys: tuple[tuple, ...]) -> np.ndarray:
        """Values of `variable`[key] for each key, 0 where absent (keys: a long-lived tuple)."""
        return self._padded_primal[self.keys.positions_along(variable, keys)]

    @cached_property
    def _padded_primal(self) -> np.ndarray:
        return np.append(np.asarray(self.primal, dtype=float), 0.0)  # position −1 reads this 0

    def value(self, variable: str, key: tuple) -> float:
        """A variable's value, 0 where the variable is not in the LP."""
        j = self.keys.column_position.get(variable, _NONE).get(key)
        return 0.0 if j is None else self.primal[j]

    def dual(self, constraint: str, key: tuple) -> float:
        """A row's dual (∂objective/∂rhs), 0 where the row is not in the LP."""
        i = self.keys.row_position.get(constraint, _NONE).get(key)
        return 0.0 if i is None else self.row_dual[i]

    @cached_property
    def values(self) -> dict[str, dict[tuple, float]]:
        return _nested(self.keys.columns, self.primal)

    @cached_property
    def reduced_costs(self) -> dict[str, dict[tuple, float]]:
        return _nested(self.keys.columns, self.column_dual)

    @cached_property
    def duals(self) -> dict[str, dict[tuple, float]]:
        return _nested(self.keys.rows, self.row_dual)


def _nested(keys: list[tuple[str, tuple]], numbers: list[float]) -> dict[str, dict[tuple, float]]:
    nested: dict[str, dict[tuple, float]] = {}
    for (name, key), number in zip(keys, numbers, strict=True):
        nested.setdefault(name, {})[key] = number
    return nested


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


_VECTORS = ("col_cost", "col_lower", "col_upper", "row_lower", "row_upper")


@dataclass
class LpSnapshot:
    """An LP in HiGHS's column-wise arrays with the key of each column and row (picklable)."""

    columns: list[tuple[str, tuple]]
    rows: list[tuple[str, tuple]]
    vectors: dict[str, np.ndarray]  # col_cost, col_lower, col_upper, row_lower, row_upper
    matrix: tuple[np.ndarray, np.ndarray, np.ndarray]  # column starts, row indices, values
    offset: float = 0.0

    def lp(self) -> highspy.HighsLp:
        return _lp(self.vectors, self.matrix, self.offset)


def _lp_from(form: LinearStandardFormInfo) -> highspy.HighsLp:
    """A HighsLp from pyomo.repn's standard form (mixed form: rows keep their sense)."""
    n_cols = len(form.columns)
    inf = highspy.kHighsInf
    cost = form.c.toarray()[0] if form.c.shape[0] else np.zeros(n_cols)
    kinds = np.array([kind for _, kind in form.rows], dtype=int)
    rhs = np.asarray(form.rhs, dtype=float)
    vectors = {
        "col_cost": np.asarray(cost, dtype=float),
        "col_lower": np.array([-inf if v.lb is None else v.lb for v in form.columns], dtype=float),
        "col_upper": np.array([inf if v.ub is None else v.ub for v in form.columns], dtype=float),
        "row_lower": np.where(kinds <= 0, rhs, -inf),
        "row_upper": np.where(kinds >= 0, rhs, inf),
    }
    matrix = form.A.tocsc()
    offset = float(form.c_offset[0]) if len(form.c_offset) else 0.0
    return _lp(vectors, (matrix.indptr, matrix.indices, matrix.data), offset)


def _lp(
    vectors: dict[str, np.ndarray], matrix: tuple[np.ndarray, np.ndarray, np.ndarray], offset: float
) -> highspy.HighsLp:
    lp = highspy.HighsLp()
    lp.num_col_, lp.num_row_ = len(vectors["col_cost"]), len(vectors["row_lower"])
    for name, vector in vectors.items():
        setattr(lp, f"{name}_", vector)
    lp.offset_ = offset
    start, index, value = matrix
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = np.asarray(start, dtype=np.int32)
    lp.a_matrix_.index_ = np.asarray(index, dtype=np.int32)
    lp.a_matrix_.value_ = np.asarray(value, dtype=float)
    lp.a_matrix_.num_col_, lp.a_matrix_.num_row_ = lp.num_col_, lp.num_row_
    lp.sense_ = highspy.ObjSense.kMinimize
    return lp


class HighsSolver:
    """A Pyomo model handed to one `highspy.Highs` object, ready to solve and re-solve."""

    def __init__(self, model: pyo.ConcreteModel, settings: SolverSettings | None = None) -> None:
        started = time.perf_counter()
        form = LinearStandardFormCompiler().write(model, mixed_form=True, set_sense=None)
        self.columns: list | None = form.columns  # Pyomo variables, for names
        self.rows: list | None = [row for row, _ in form.rows]
        self._model = model
        self._keys: SolutionKeys | None = None
        self._open(_lp_from(form), settings)
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
            {name: np.asarray(getattr(lp, f"{name}_"), dtype=float) for name in _VECTORS},
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
            j = positions.get(variable, _NONE).get(key)
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
        result = SolveResult(status, None, seconds, iterations, method, self.keys)
        if status != "optimal":
            return result
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
