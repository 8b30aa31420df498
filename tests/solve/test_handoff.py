"""The hand-off reads the model exactly as Pyomo's standard-form compiler does.

`compile_lp` must give the same LP — columns and rows in the same order, the same coefficients,
bounds, objective and keys — as `LinearStandardFormCompiler`, so that duals, statuses and
written MPS files do not depend on which of the two made it.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyomo.environ as pyo
import pytest
from builders import steel_and_hydrogen, write_scenario

from optimizer.data.model_data import load_model_data
from optimizer.data.scenario import load_scenario
from optimizer.model.build import build_model
from optimizer.model.elastic import CAP_FAMILIES, OTHER_FAMILIES, make_elastic
from optimizer.solve.handoff import ModelLabels, compile_lp, hand_off, standard_form

ROOT = Path(__file__).resolve().parents[2]


def assert_same_lp(model: pyo.ConcreteModel) -> None:
    fast, fast_labels = compile_lp(model)
    slow, slow_labels = standard_form(model)
    for name in ("col_cost_", "col_lower_", "col_upper_", "row_lower_", "row_upper_"):
        np.testing.assert_array_equal(np.asarray(getattr(fast, name)), np.asarray(getattr(slow, name)), err_msg=name)
    for name in ("start_", "index_", "value_"):
        fast_part, slow_part = getattr(fast.a_matrix_, name), getattr(slow.a_matrix_, name)
        np.testing.assert_array_equal(np.asarray(fast_part), np.asarray(slow_part), err_msg=name)
    assert fast.offset_ == pytest.approx(slow.offset_, abs=1e-12)
    assert [id(v) for v in fast_labels.columns] == [id(v) for v in slow_labels.columns]
    assert [id(r) for r in fast_labels.rows] == [id(r) for r in slow_labels.rows]
    slow_keys = ModelLabels(model, slow_labels.columns, slow_labels.rows).keys()
    assert fast_labels.keys().columns == slow_keys.columns
    assert fast_labels.keys().rows == slow_keys.rows


@pytest.mark.parametrize("name", ["net-zero-2060", "reference", "no-ccus"])
def test_shipped_scenarios_compile_as_the_standard_form(name: str) -> None:
    data, _ = load_model_data(load_scenario(ROOT / "inputs" / "scenarios" / f"{name}.toml"))
    assert_same_lp(build_model(data).model)


def _small(tmp_path: Path, extra: str = "budget = 150") -> pyo.ConcreteModel:
    folder = steel_and_hydrogen(fuelled=True, discount_rate=0.05).write(tmp_path / "data")
    scenario = write_scenario(tmp_path, folder, end=2035, extra=f"cap = {{ 2035 = 4 }}\n{extra}")
    data, _ = load_model_data(load_scenario(scenario))
    return build_model(data)


def test_budget_elastic_rows_fixed_and_ranged_compile_as_the_standard_form(tmp_path: Path) -> None:
    built = _small(tmp_path)
    assert_same_lp(built.model)
    m = built.model
    first = next(iter(m.activity.values()))
    first.fix(0.5)  # a fixed variable counts as a constant
    m.extra_range = pyo.Constraint(expr=pyo.inequality(-1.0, 2 * m.purchase[next(iter(m.purchase))] - 1, 30.0))
    m.extra_equal = pyo.Constraint(expr=m.new_capacity[next(iter(m.new_capacity))] == 3 * first)
    make_elastic(built, CAP_FAMILIES + OTHER_FAMILIES, supply_limits=True)
    assert_same_lp(m)


def test_a_nonlinear_model_goes_through_pyomo(tmp_path: Path) -> None:
    m = pyo.ConcreteModel()
    m.x = pyo.Var(bounds=(0, 3))
    m.y = pyo.Var(bounds=(0, 3))
    m.c = pyo.Constraint(expr=m.x * m.y <= 2)
    m.o = pyo.Objective(expr=m.x)
    with pytest.raises(Exception, match="nonlinear"):
        hand_off(m)  # the fallback, Pyomo's compiler, rejects it as before


def test_a_row_of_fixed_values_is_dropped_when_it_holds_to_rounding_and_refused_when_it_does_not() -> None:
    """Myopic windows fix earlier decisions, so a row can be left with no free variable: a vintage's
    capacity 2.2e-16 above its earlier, equal value must not stop the hand-off (it did: the
    diagnosis of an infeasible 10-year window crashed), while a real violation still does."""
    from pyomo.common.errors import InfeasibleConstraintException

    model = pyo.ConcreteModel()
    model.later = pyo.Var(initialize=0.1 + 0.2)  # 0.30000000000000004
    model.earlier = pyo.Var(initialize=0.3)
    model.free = pyo.Var(bounds=(0, None))
    model.later.fix()
    model.earlier.fix()
    model.retirement = pyo.Constraint(expr=model.later <= model.earlier)
    model.use = pyo.Constraint(expr=model.free >= 1)
    model.cost = pyo.Objective(expr=model.free)
    _, labels = compile_lp(model)
    assert [key[0] for key in labels.row_keys] == ["use"]
    model.later.fix(0.31)
    with pytest.raises(InfeasibleConstraintException, match="retirement"):
        compile_lp(model)
