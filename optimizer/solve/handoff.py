"""Hand a Pyomo model to HiGHS: its LP as a `highspy.HighsLp`, and the key of each column and
row.

`compile_lp` reads each active row's linear expression straight from the Pyomo model and builds
the column-wise matrix in numpy. It reproduces `pyomo.repn`'s `LinearStandardFormCompiler`
(mixed form: rows keep their sense) exactly — the same columns and rows in the same order, the
same coefficients, bounds and objective — which tests check on the shipped models. It differs
in two ways: it never imports scipy (Pyomo's dependency loader pulls in all of `scipy.stats`,
about as long as the whole run at 5-year steps, the first time that compiler touches scipy),
and it takes each row's terms directly instead of through Pyomo's general expression walker,
several times faster. A model it cannot read (a nonlinear term, sub-blocks, several
objectives) goes through `LinearStandardFormCompiler` instead.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from dataclasses import dataclass

import highspy
import numpy as np
import pyomo.core as pyo
from pyomo.common.numeric_types import native_numeric_types
from pyomo.core.expr import numeric_expr as ne
from pyomo.core.expr.relational_expr import EqualityExpression, InequalityExpression, RangedExpression
from pyomo.repn.util import FileDeterminism, FileDeterminism_to_SortComponents

from optimizer.solve.lp import Key, highs_lp
from optimizer.solve.solution import SolutionKeys

_SORTER = FileDeterminism_to_SortComponents(FileDeterminism.ORDERED)  # the compiler's default order


@dataclass(frozen=True)
class ModelLabels:
    """The Pyomo variables and constraints behind an LP's columns and rows, in LP order, and
    their keys where the compiler recorded them on the way."""

    model: pyo.ConcreteModel
    columns: list  # Pyomo variables
    rows: list  # Pyomo constraints
    column_keys: list[Key] | None = None
    row_keys: list[Key] | None = None

    def keys(self) -> SolutionKeys:
        """(component name, index) of each column and row."""
        columns = self.column_keys or _component_keys(self.model, pyo.Var, self.columns)
        rows = self.row_keys or _component_keys(self.model, pyo.Constraint, self.rows)
        return SolutionKeys(columns, rows)

    def names(self) -> tuple[Iterable[str], Iterable[str]]:
        """Pyomo's names of the columns and rows."""
        return (v.name for v in self.columns), (r.name for r in self.rows)


def hand_off(model: pyo.ConcreteModel) -> tuple[highspy.HighsLp, ModelLabels]:
    """The model's LP (its active objective minimised, or none) and what each column and row is."""
    try:
        return compile_lp(model)
    except _Unreadable:
        return standard_form(model)


def standard_form(model: pyo.ConcreteModel) -> tuple[highspy.HighsLp, ModelLabels]:
    """The same through Pyomo's `LinearStandardFormCompiler` (any linear model; slower)."""
    from pyomo.repn.plugins.standard_form import LinearStandardFormCompiler

    form = LinearStandardFormCompiler().write(model, mixed_form=True, set_sense=None)
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
    lp = highs_lp(vectors, (matrix.indptr, matrix.indices, matrix.data), offset)
    return lp, ModelLabels(model, form.columns, [row for row, _ in form.rows])


class _Unreadable(Exception):
    """A model or expression `compile_lp` does not read (the standard-form compiler does)."""


class _Columns:
    """Columns in the standard-form compiler's order: a variable component's elements all join,
    in the component's order, when the first of them is met (objective first, then rows)."""

    def __init__(self) -> None:
        self.position: dict[int, int] = {}
        self.variables: list = []
        self.keys: list[Key] = []
        self._seen: set[int] = set()

    def add(self, var) -> int:
        component = var.parent_component()
        if id(component) in self._seen:
            raise _Unreadable(f"{var.name} is not an element of its component")
        self._seen.add(id(component))
        name = component.name
        for index, element in component.items(_SORTER):
            self.position[id(element)] = len(self.variables)
            self.variables.append(element)
            self.keys.append((name, index if type(index) is tuple else (() if index is None else (index,))))
        return self.position[id(var)]


_SUMS = (ne.SumExpression, ne.LinearExpression)


def _linear(expression, columns: _Columns, terms: dict[int, float], scale: float = 1.0) -> float:
    """Add expression × scale to `terms` {column: coefficient}; return its constant × scale.
    Fixed variables count as constants, as in the standard-form compiler."""
    arguments = expression.args if type(expression) in _SUMS else (expression,)
    position = columns.position
    constant = 0.0
    for argument in arguments:
        kind = type(argument)
        if kind is ne.MonomialTermExpression:
            coefficient, var = argument.args
            if type(coefficient) not in native_numeric_types:
                coefficient = pyo.value(coefficient)
            j = position.get(id(var))
            if j is None or var.fixed:
                constant += _variable(var, columns, terms, scale * coefficient)
            else:
                terms[j] = terms.get(j, 0.0) + scale * coefficient
        elif kind in native_numeric_types:
            constant += scale * argument
        elif argument.is_variable_type():
            j = position.get(id(argument))
            if j is None or argument.fixed:
                constant += _variable(argument, columns, terms, scale)
            else:
                terms[j] = terms.get(j, 0.0) + scale
        else:
            constant += _other(argument, columns, terms, scale)
    return constant


def _other(expression, columns: _Columns, terms: dict[int, float], scale: float) -> float:
    """The rarer expression types: sums within sums, parameters, negations, products and
    quotients by constants, named expressions."""
    kind = type(expression)
    if kind in _SUMS:
        return _linear(expression, columns, terms, scale)
    if not expression.is_potentially_variable():  # parameters and their expressions
        return scale * pyo.value(expression)
    if kind is ne.NegationExpression:
        return _linear(expression.args[0], columns, terms, -scale)
    if kind is ne.ProductExpression:
        left, right = expression.args
        if not _constant(left):
            if not _constant(right):
                raise _Unreadable("a product of variables")
            left, right = right, left
        return _linear(right, columns, terms, scale * pyo.value(left))
    if kind is ne.DivisionExpression and _constant(expression.args[1]):
        return _linear(expression.args[0], columns, terms, scale / pyo.value(expression.args[1]))
    if expression.is_named_expression_type():
        return _linear(expression.expr, columns, terms, scale)
    raise _Unreadable(f"an expression of type {kind.__name__}")


def _constant(expression) -> bool:
    return type(expression) in native_numeric_types or not expression.is_potentially_variable()


def _variable(var, columns: _Columns, terms: dict[int, float], coefficient: float) -> float:
    if var.fixed:
        if id(var.parent_component()) not in columns._seen:
            columns.add(var)  # a component joins when first met, fixed or not
        return coefficient * var.value
    j = columns.position.get(id(var))
    if j is None:
        j = columns.add(var)
    terms[j] = terms.get(j, 0.0) + coefficient
    return 0.0


def _bounded(row) -> tuple[object, tuple, object]:
    """(lower, ((expression, sign), …), upper) of a row, as `to_bounded_expression` splits it
    but without building `lhs - rhs` when both sides hold variables."""
    expression = row.expr
    kind = type(expression)
    if kind is RangedExpression:
        low, body, high = expression.args
        for bound in (low, high):
            if not _constant(bound) and not bound.is_fixed():
                raise _Unreadable(f"row {row.name} has a variable bound")
        return low, ((body, 1.0),), high
    if kind is not InequalityExpression and kind is not EqualityExpression:
        raise _Unreadable(f"row {row.name}")
    equality = kind is EqualityExpression
    lhs, rhs = expression.args
    if _constant(rhs):
        return (rhs if equality else None), ((lhs, 1.0),), rhs
    if _constant(lhs):
        return lhs, ((rhs, 1.0),), (lhs if equality else None)
    return (0 if equality else None), ((lhs, 1.0), (rhs, -1.0)), 0


CONSTANT_ROW_TOLERANCE = 1e-7
"""How far a row with no free variable may miss its bounds and still be dropped as satisfied,
relative to the larger of 1 and the bound (HiGHS's own primal feasibility tolerance): rows of
values fixed by earlier solves (myopic windows) carry rounding, e.g. a vintage's capacity 2.2e-16
above its earlier, equal value."""


def _holds(low: float | None, constant: float, high: float | None) -> bool:
    """Whether `low ≤ constant ≤ high` holds to `CONSTANT_ROW_TOLERANCE` (a bound may be None)."""
    if low is not None and low - constant > CONSTANT_ROW_TOLERANCE * max(1.0, abs(low)):
        return False
    return high is None or constant - high <= CONSTANT_ROW_TOLERANCE * max(1.0, abs(high))


def compile_lp(model: pyo.ConcreteModel) -> tuple[highspy.HighsLp, ModelLabels]:
    """The model's LP exactly as `standard_form` makes it, read directly (see the module)."""
    if any(True for _ in model.component_objects(pyo.Block, descend_into=True)):
        raise _Unreadable("sub-blocks")
    objectives = list(model.component_data_objects(pyo.Objective, active=True, sort=_SORTER))
    if len(objectives) > 1:
        raise _Unreadable("several objectives")
    columns = _Columns()
    objective: dict[int, float] = {}
    offset = _linear(objectives[0].expr, columns, objective) if objectives else 0.0

    inf = highspy.kHighsInf
    row_of: list[int] = []  # row of each non-zero
    column_of: list[int] = []
    value_of: list[float] = []
    lower: list[float] = []
    upper: list[float] = []
    rows: list = []
    row_keys: list[Key] = []
    for component in model.component_objects(pyo.Constraint, active=True, descend_into=True, sort=_SORTER):
        name = component.name
        for index, row in component.items(_SORTER):
            if not row.active:
                continue
            low, body, high = _bounded(row)
            if low is not None and type(low) not in native_numeric_types:
                low = pyo.value(low)
            if high is not None and type(high) not in native_numeric_types:
                high = pyo.value(high)
            if low is None and high is None:
                continue
            terms: dict[int, float] = {}
            constant = 0.0
            for part, sign in body:
                constant += _linear(part, columns, terms, sign)
            if not terms:  # a row of fixed values only: dropped if it holds (to rounding), else an error
                if _holds(low, constant, high):
                    continue
                from pyomo.common.errors import InfeasibleConstraintException

                raise InfeasibleConstraintException(
                    f"model contains a trivially infeasible constraint, '{row.name}' ({low} <= {constant} <= {high})"
                )
            key = (name, index if type(index) is tuple else (() if index is None else (index,)))
            senses = [(low - constant, high - constant)] if low == high else []
            if not senses:  # as the compiler: the ≤ row first, then the ≥ row of a ranged constraint
                if high is not None:
                    senses.append((-inf, high - constant))
                if low is not None:
                    senses.append((low - constant, inf))
            for row_lower, row_upper in senses:
                position = len(rows)
                rows.append(row)
                row_keys.append(key)
                lower.append(row_lower)
                upper.append(row_upper)
                row_of.extend(itertools.repeat(position, len(terms)))
                column_of.extend(terms)
                value_of.extend(terms.values())
    return _assemble(model, columns, objective, offset, rows, row_keys, lower, upper, (row_of, column_of, value_of))


def _assemble(model, columns: _Columns, objective, offset, rows, row_keys, lower, upper, entries) -> tuple:
    """Column-wise matrix without zeros or empty columns, and the HighsLp."""
    n = len(columns.variables)
    row_of, column_of, value_of = (np.asarray(part) for part in entries)
    value_of = value_of.astype(float)
    keep = value_of != 0
    row_of, column_of, value_of = row_of[keep], column_of[keep], value_of[keep]
    cost = np.zeros(n)
    if objective:
        cost[np.fromiter(objective, dtype=np.int64, count=len(objective))] = list(objective.values())
    used = (np.bincount(column_of, minlength=n) > 0) | (cost != 0)
    new_position = np.cumsum(used) - 1
    order = np.argsort(column_of, kind="stable")  # column-wise, rows ascending within a column
    counts = np.bincount(new_position[column_of], minlength=int(used.sum()))
    start = np.concatenate(([0], np.cumsum(counts)))
    variables = [v for v, keep_it in zip(columns.variables, used, strict=True) if keep_it]
    inf = highspy.kHighsInf
    vectors = {
        "col_cost": cost[used],
        "col_lower": np.array([-inf if v.lb is None else v.lb for v in variables], dtype=float),
        "col_upper": np.array([inf if v.ub is None else v.ub for v in variables], dtype=float),
        "row_lower": np.asarray(lower, dtype=float),
        "row_upper": np.asarray(upper, dtype=float),
    }
    lp = highs_lp(vectors, (start, row_of[order], value_of[order]), float(offset))
    column_keys = [key for key, keep_it in zip(columns.keys, used, strict=True) if keep_it]
    return lp, ModelLabels(model, variables, rows, column_keys, row_keys)


def _component_keys(model: pyo.ConcreteModel, kind: type, objects: list) -> list[Key]:
    """(component name, index tuple) of each variable or constraint in `objects`, found in one
    pass over the model's components rather than by asking each object for its parent."""
    found: dict[int, Key] = {}
    for component in model.component_objects(kind, descend_into=True):
        name = component.name
        for index, item in component.items():
            found[id(item)] = (name, index if isinstance(index, tuple) else (() if index is None else (index,)))
    return [found[id(item)] for item in objects]
