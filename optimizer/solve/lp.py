"""The LP in HiGHS's own column-wise arrays, without Pyomo: what crosses between processes."""

from __future__ import annotations

from dataclasses import dataclass

import highspy
import numpy as np

VECTORS = ("col_cost", "col_lower", "col_upper", "row_lower", "row_upper")
Key = tuple[str, tuple]  # (Pyomo component name, index) of a column or row


@dataclass
class LpSnapshot:
    """An LP in HiGHS's column-wise arrays with the key of each column and row (picklable)."""

    columns: list[Key]
    rows: list[Key]
    vectors: dict[str, np.ndarray]  # col_cost, col_lower, col_upper, row_lower, row_upper
    matrix: tuple[np.ndarray, np.ndarray, np.ndarray]  # column starts, row indices, values
    offset: float = 0.0

    def lp(self) -> highspy.HighsLp:
        return highs_lp(self.vectors, self.matrix, self.offset)


def highs_lp(
    vectors: dict[str, np.ndarray], matrix: tuple[np.ndarray, np.ndarray, np.ndarray], offset: float
) -> highspy.HighsLp:
    """A HighsLp (minimised) from its cost and bound vectors and its column-wise matrix."""
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


def key_names(keys: list[Key]) -> list[str]:
    """`name[i,j]` (or `name` for a scalar component) for each key."""
    return [f"{name}[{','.join(map(str, key))}]" if key else name for name, key in keys]
