"""Linear expressions built directly, for the families with many rows or terms.

`coefficient * variable` and `quicksum` go through Pyomo's operator dispatch for every term;
on an annual model (~70 k rows, ~270 k terms) that was most of the build. `linear` makes the
same sum in one step: a `LinearExpression` of the same terms, zero coefficients left out and
a coefficient of one giving the variable itself, exactly as the operators do, so the LP handed
to HiGHS is the same (tests compare it array for array).
"""

from __future__ import annotations

from collections.abc import Iterable

import pyomo.core as pyo
from pyomo.core.expr.numeric_expr import LinearExpression, MonomialTermExpression


def linear(terms: Iterable[tuple[float, object]]) -> LinearExpression | int:
    """Σ coefficient × variable over `terms` (pairs), or 0 when no coefficient is non-zero."""
    parts = [
        variable if coefficient == 1 else MonomialTermExpression((coefficient, variable))
        for coefficient, variable in terms
        if coefficient != 0
    ]
    return LinearExpression(parts) if parts else 0


def elements(variable: pyo.Var) -> dict:
    """{index: variable element} of an indexed variable, for lookups much cheaper than
    `variable[index]` in rules that run once per row."""
    return dict(variable.items())
