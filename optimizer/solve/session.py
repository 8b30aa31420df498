"""A HiGHS session: one `highspy.Highs` object over one LP, kept to solve and re-solve.

The session holds the LP and, for each column and row, its key (Pyomo component name, index),
through which solutions are read. It never sees a Pyomo model; two factories make one:
`HighsSession.from_model` hands a built model over (`optimizer.solve.handoff`) and
`HighsSession.from_snapshot` loads the arrays another process sent (`LpSnapshot`). A sweep
changes the costs and re-solves (warm or cold) without rebuilding; MGA adds a row and changes
the objective.

Duals follow HiGHS's convention, ∂objective/∂rhs: an emission cap's dual is ≤ 0 and the
shadow carbon price is its negative.
"""

from __future__ import annotations

import itertools
import os
import sys
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Protocol

import highspy
import numpy as np
import pyomo.core as pyo

from optimizer.data.scenario import SolverSettings
from optimizer.errors import SolverError
from optimizer.solve.handoff import hand_off
from optimizer.solve.lp import VECTORS, Key, LpSnapshot, key_names
from optimizer.solve.solution import NONE, SolutionKeys, SolveResult

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


class Labels(Protocol):
    """What each column and row of an LP is: its key, and the name HiGHS shows (MPS, IIS)."""

    def keys(self) -> SolutionKeys: ...

    def names(self) -> tuple[Iterable[str], Iterable[str]]: ...


class KeyLabels:
    """Labels known only by their keys (an LP from a snapshot): names are `name[index]`."""

    def __init__(self, keys: SolutionKeys) -> None:
        self._keys = keys

    def keys(self) -> SolutionKeys:
        return self._keys

    def names(self) -> tuple[Iterable[str], Iterable[str]]:
        return key_names(self._keys.columns), key_names(self._keys.rows)


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


class HighsSession:
    """One LP in one `highspy.Highs` object, with what each column and row is.

    `handoff_seconds` is the time taken to make the LP and pass it to HiGHS.
    """

    def __init__(
        self,
        lp: highspy.HighsLp,
        labels: Labels,
        settings: SolverSettings | None = None,
        prepared_seconds: float = 0.0,
    ) -> None:
        """Pass `lp` to a new Highs object; `prepared_seconds`: the time it took to make `lp`."""
        started = time.perf_counter()
        self.settings = settings or SolverSettings()
        self.base_cost = np.asarray(lp.col_cost_, dtype=float)
        self.highs = _new_highs()
        self._set("output_flag", False)
        self._set("threads", self.settings.threads)
        if self.highs.passModel(lp) == highspy.HighsStatus.kError:
            raise SolverError("HiGHS refused the model")
        self._labels = labels
        self._keys: SolutionKeys | None = None  # read from the labels when first needed
        self._added_rows: list[Key] = []
        self._names_set = False
        self.handoff_seconds = prepared_seconds + time.perf_counter() - started

    @classmethod
    def from_model(cls, model: pyo.ConcreteModel, settings: SolverSettings | None = None) -> HighsSession:
        """A session over a Pyomo model's LP (its active objective; columns and rows named as in Pyomo)."""
        started = time.perf_counter()
        lp, labels = hand_off(model)
        return cls(lp, labels, settings, prepared_seconds=time.perf_counter() - started)

    @classmethod
    def from_snapshot(cls, snapshot: LpSnapshot, settings: SolverSettings | None = None) -> HighsSession:
        """A session over an LP taken from another process (`snapshot`), without its model."""
        started = time.perf_counter()
        labels = KeyLabels(SolutionKeys(snapshot.columns, snapshot.rows))
        return cls(snapshot.lp(), labels, settings, prepared_seconds=time.perf_counter() - started)

    def copy(self, warm: bool = False) -> HighsSession:
        """A second session over the LP as this one holds it now (costs, bounds, added rows),
        read through the same keys, to solve a variant without disturbing this one; with
        `warm`, it starts from this session's basis."""
        twin = HighsSession(self.highs.getLp(), KeyLabels(self.keys), self.settings)
        twin.base_cost = self.base_cost.copy()
        basis = self.highs.getBasis()
        if warm and basis.valid:
            twin.highs.setBasis(basis)
        return twin

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

    @property
    def keys(self) -> SolutionKeys:
        """(component name, index) of each column and row."""
        if self._keys is None:
            self._keys = self._labels.keys()
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
        """Give HiGHS the names of the columns and rows (for MPS files and diagnoses)."""
        if self._names_set:
            return
        column_names, row_names = self._labels.names()
        for j, name in enumerate(column_names):
            self.highs.passColName(j, name)
        for i, name in enumerate(itertools.chain(row_names, key_names(self._added_rows))):
            self.highs.passRowName(i, name)
        self._names_set = True

    def write_mps(self, path: Path) -> None:
        """Write the exact LP handed to HiGHS (its optimum is the run's objective)."""
        self.set_names()
        if self.highs.writeModel(str(path)) == highspy.HighsStatus.kError:
            raise SolverError(f"HiGHS could not write {path}")

    def cost_vector(self, coefficients: dict[Key, float]) -> np.ndarray:
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

    def add_row(
        self, key: Key, coefficients: np.ndarray, lower: float = -highspy.kHighsInf, upper: float = highspy.kHighsInf
    ) -> None:
        """Add the row lower ≤ coefficients · columns ≤ upper, read back as `key`."""
        columns = np.flatnonzero(coefficients).astype(np.int32)
        values = np.asarray(coefficients, dtype=float)[columns]
        if self.highs.addRow(lower, upper, len(columns), columns, values) == highspy.HighsStatus.kError:
            raise SolverError(f"HiGHS refused the row {key_names([key])[0]}")
        keys = self.keys
        self._keys = SolutionKeys(keys.columns, [*keys.rows, key])
        self._added_rows.append(key)
        if self._names_set:
            self.highs.passRowName(len(keys.rows), key_names([key])[0])

    def change_row_bounds(self, key: Key, lower: float = -highspy.kHighsInf, upper: float = highspy.kHighsInf) -> None:
        """Set the bounds of the row read as `key`."""
        self.highs.changeRowBounds(self.keys.row_position[key[0]][key[1]], lower, upper)

    def bounds(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """(column lower, column upper, row lower, row upper) as HiGHS holds them now."""
        lp = self.highs.getLp()
        return tuple(np.asarray(getattr(lp, f"{name}_"), dtype=float) for name in VECTORS[1:])  # type: ignore[return-value]

    def change_column_bounds(self, columns: np.ndarray, lower: np.ndarray, upper: np.ndarray) -> None:
        """Set the bounds of the columns at positions `columns` (e.g. to fix decisions taken)."""
        if len(columns):
            indices = np.asarray(columns, dtype=np.int32)
            self.highs.changeColsBounds(len(indices), indices, np.asarray(lower, float), np.asarray(upper, float))

    def change_rows_bounds(self, rows: np.ndarray, lower: np.ndarray, upper: np.ndarray) -> None:
        """Set the bounds of the rows at positions `rows` (±inf frees a row)."""
        if len(rows):
            indices = np.asarray(rows, dtype=np.int32)
            self.highs.changeRowsBounds(len(indices), indices, np.asarray(lower, float), np.asarray(upper, float))

    def start_cold(self) -> None:
        """Forget the last solution and basis: the next solve starts from scratch."""
        self.highs.clearSolver()

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
