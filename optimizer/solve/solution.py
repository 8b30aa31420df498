"""What one solve returned: the solution in LP order, read by Pyomo component name and index.

Plain data (lists and numpy arrays), so tables, reports and other processes can read it
without Pyomo or HiGHS.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

NONE: dict = {}  # the empty lookup for an absent component


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
            where = self.column_position.get(variable, NONE)
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
        j = self.keys.column_position.get(variable, NONE).get(key)
        return 0.0 if j is None else self.primal[j]

    def dual(self, constraint: str, key: tuple) -> float:
        """A row's dual (∂objective/∂rhs), 0 where the row is not in the LP."""
        i = self.keys.row_position.get(constraint, NONE).get(key)
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
