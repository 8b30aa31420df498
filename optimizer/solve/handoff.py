"""Hand a Pyomo model to HiGHS: its standard form as a `highspy.HighsLp`, and the key of each
column and row.

`pyomo.repn`'s `LinearStandardFormCompiler` writes the matrix and it is passed to `highspy`
directly, which loads a model of this size much faster than Pyomo's persistent HiGHS
interfaces (README, "How the model reaches HiGHS"). Rows keep their sense (mixed form).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import highspy
import numpy as np
import pyomo.environ as pyo
from pyomo.repn.plugins.standard_form import LinearStandardFormCompiler, LinearStandardFormInfo

from optimizer.solve.lp import Key, highs_lp
from optimizer.solve.solution import SolutionKeys


@dataclass(frozen=True)
class ModelLabels:
    """The Pyomo variables and constraints behind an LP's columns and rows, in LP order."""

    model: pyo.ConcreteModel
    columns: list  # Pyomo variables
    rows: list  # Pyomo constraints

    def keys(self) -> SolutionKeys:
        """(component name, index) of each column and row."""
        return SolutionKeys(_component_keys(self.model, pyo.Var, self.columns),
                            _component_keys(self.model, pyo.Constraint, self.rows))  # fmt: skip

    def names(self) -> tuple[Iterable[str], Iterable[str]]:
        """Pyomo's names of the columns and rows."""
        return (v.name for v in self.columns), (r.name for r in self.rows)


def hand_off(model: pyo.ConcreteModel) -> tuple[highspy.HighsLp, ModelLabels]:
    """The model's LP (its active objective minimised, or none) and what each column and row is."""
    form = LinearStandardFormCompiler().write(model, mixed_form=True, set_sense=None)
    return lp_from_form(form), ModelLabels(model, form.columns, [row for row, _ in form.rows])


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


def _component_keys(model: pyo.ConcreteModel, kind: type, objects: list) -> list[Key]:
    """(component name, index tuple) of each variable or constraint in `objects`, found in one
    pass over the model's components rather than by asking each object for its parent."""
    found: dict[int, Key] = {}
    for component in model.component_objects(kind, descend_into=True):
        name = component.name
        for index, item in component.items():
            found[id(item)] = (name, index if isinstance(index, tuple) else (() if index is None else (index,)))
    return [found[id(item)] for item in objects]
