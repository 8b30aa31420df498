"""The LP in HiGHS's own column-wise form: from Pyomo's standard form, or from a snapshot."""

from __future__ import annotations

from dataclasses import dataclass

import highspy
import numpy as np
from pyomo.repn.plugins.standard_form import LinearStandardFormInfo

VECTORS = ("col_cost", "col_lower", "col_upper", "row_lower", "row_upper")


@dataclass
class LpSnapshot:
    """An LP in HiGHS's column-wise arrays with the key of each column and row (picklable)."""

    columns: list[tuple[str, tuple]]
    rows: list[tuple[str, tuple]]
    vectors: dict[str, np.ndarray]  # col_cost, col_lower, col_upper, row_lower, row_upper
    matrix: tuple[np.ndarray, np.ndarray, np.ndarray]  # column starts, row indices, values
    offset: float = 0.0

    def lp(self) -> highspy.HighsLp:
        return highs_lp(self.vectors, self.matrix, self.offset)


def lp_from_form(form: LinearStandardFormInfo) -> highspy.HighsLp:
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
    return highs_lp(vectors, (matrix.indptr, matrix.indices, matrix.data), offset)


def highs_lp(
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
