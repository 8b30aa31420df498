"""Myopic foresight: the horizon solved in overlapping windows on one HiGHS session (DESIGN §2).

Each window sees the milestones y with start ≤ y < start + window years. Before it is solved:
- every column of an earlier milestone is fixed at the value its own window chose;
- every row of a later milestone is freed (−∞, +∞), so demand, caps and limits beyond the
  window do not bind, and the objective counts only the costs of milestones before the window
  ends (an annuity is charged only for years the window sees, as at the horizon's end);
- the window's first milestone is then fixed, and the next window starts at the next
  milestone. The last window (the one that reaches the final milestone) fixes all it sees.
A column or row belongs to the milestone given by the last element of its index when that is a
milestone year (activity[r,k,v,y], new_capacity[r,k,v], commodity_balance[r,c,y], …); one
without (a cumulative limit, the budget) applies in every window, to what the window can still
change. The duals of a milestone's rows are those of the window that decided it, so carbon
prices are the ones the myopic investor saw.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from optimizer.solve.session import HighsSession
from optimizer.solve.solution import SolveResult

INF = float("inf")


@dataclass(frozen=True)
class Window:
    """One solve of a myopic run: the milestones it saw and decided, its status and solve time."""

    start: int
    end: int  # first calendar year it does not see
    seen: tuple[int, ...]
    decided: tuple[int, ...]
    status: str
    solve_seconds: float

    def describe(self) -> str:
        return f"window {self.start}–{self.end - 1}"


def milestone_of(keys: list[tuple[str, tuple]], years: tuple[int, ...]) -> np.ndarray:
    """The milestone each column or row belongs to (−1 for horizon-wide ones)."""
    known = set(years)
    return np.array(
        [key[-1] if key and isinstance(key[-1], int) and key[-1] in known else -1 for _, key in keys],
        dtype=np.int64,
    )


@dataclass
class MyopicRun:
    """The whole horizon's solution (or the failing window's result), the windows solved, and
    the columns decided before the last window (`decided`: {(variable, index): value})."""

    result: SolveResult
    windows: list[Window]
    decided: dict[tuple[str, tuple], float]


def solve_myopic(
    session: HighsSession,
    years: tuple[int, ...],
    window: int,
    costs_before: Callable[[int], np.ndarray],
    time_limit: float | None = None,
) -> MyopicRun:
    """Solve window by window, leaving the session's LP as it was. `costs_before(end)`: the
    objective counting only the costs of milestones before calendar year `end`, in column order."""
    keys = session.keys
    column_year, row_year = milestone_of(keys.columns, years), milestone_of(keys.rows, years)
    column_lower, column_upper, row_lower, row_upper = session.bounds()
    full_cost = costs_before(years[-1] + 1)  # the whole horizon's costs, to report the objective
    session_cost = np.asarray(session.base_cost, dtype=float)
    primal = np.zeros(len(keys.columns))
    row_dual = np.zeros(len(keys.rows))
    windows: list[Window] = []
    total_seconds, iterations = 0.0, {"simplex": 0, "ipm": 0, "crossover": 0}
    position = 0
    freed = np.zeros(len(keys.rows), dtype=bool)
    while position < len(years):
        start = years[position]
        end = max(start + window, start + 1)
        seen = tuple(y for y in years[position:] if y < end)
        last = seen[-1] == years[-1]
        decided = seen if last else seen[:1]
        beyond = row_year >= end
        session.change_rows_bounds(np.flatnonzero(beyond & ~freed), np.full(int((beyond & ~freed).sum()), -INF),
                                   np.full(int((beyond & ~freed).sum()), INF))  # fmt: skip
        restore = np.flatnonzero(~beyond & freed)
        session.change_rows_bounds(restore, row_lower[restore], row_upper[restore])
        freed = beyond
        session.change_costs(costs_before(end))
        result = session.solve(time_limit=time_limit)
        total_seconds += result.solve_seconds
        for name, count in result.iterations.items():
            iterations[name] = iterations.get(name, 0) + count
        windows.append(Window(start, end, seen, decided, result.status, result.solve_seconds))
        if not result.optimal:
            _restore(session, session_cost, column_lower, column_upper, row_lower, row_upper)
            result.solve_seconds = total_seconds
            earlier = np.flatnonzero((column_year >= 0) & (column_year < start))
            return MyopicRun(result, windows, {keys.columns[j]: float(primal[j]) for j in earlier})
        values = np.asarray(result.primal, dtype=float)
        now = np.isin(column_year, decided)
        primal[now] = values[now]
        session.change_column_bounds(np.flatnonzero(now), values[now], values[now])
        rows_now = np.isin(row_year, decided) | ((row_year < 0) & last)
        row_dual[rows_now] = np.asarray(result.row_dual, dtype=float)[rows_now]
        column_dual = result.column_dual
        position += len(decided)
    _restore(session, session_cost, column_lower, column_upper, row_lower, row_upper)
    combined = SolveResult("optimal", float(full_cost @ primal), total_seconds, iterations, result.method)
    combined.keys = keys
    combined.primal = primal.tolist()
    combined.row_dual = row_dual.tolist()
    combined.column_dual = column_dual
    return MyopicRun(combined, windows, {})


def _restore(
    session: HighsSession,
    cost: np.ndarray,
    column_lower: np.ndarray,
    column_upper: np.ndarray,
    row_lower: np.ndarray,
    row_upper: np.ndarray,
) -> None:
    """Put back the whole-horizon LP (bounds and costs) the session held before."""
    everything = np.arange(len(column_lower))
    session.change_column_bounds(everything, column_lower, column_upper)
    rows = np.arange(len(row_lower))
    session.change_rows_bounds(rows, row_lower, row_upper)
    session.change_costs(cost)
