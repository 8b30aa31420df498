"""Structure of each constraint family: the coefficients of a known term, without solving.

`FAMILY_TESTS` registers which test covers each constraint; `test_every_constraint_family_has_a_structure_test`
fails when a family appears in the model without one.
"""

from __future__ import annotations

from pathlib import Path

import pyomo.environ as pyo
import pytest
from builders import Dataset, write_scenario
from pyomo.repn import generate_standard_repn

from optimizer.data.model_data import load_model_data
from optimizer.model.build import BuiltModel, build_model

STOCK = 2024  # the base-year stock vintage of a run starting in 2025


def _full_dataset() -> Dataset:
    """Every family present: stock, by-product, capture, limits, all bounds, caps and budget."""
    data = Dataset(discount_rate=0.05)
    data.commodity("steel").commodity("electricity", "PJ", "energy", role="grid_electricity").commodity("co2_storage", kind="service", role="co2_storage")
    data.commodity("slag", kind="material")
    data.technology("bf", variable_om=100, fixed_om=7, capex=900, co2=2.0, availability=0.8, life=30)
    data.technology("ccs", variable_om=120, co2=2.0, capture=0.9, lever="ccus", inputs={"electricity": 1.5})
    data.add("tech_flows", technology="bf", commodity="slag", direction="out", vintage="", value=0.3)
    data.demand({2025: 10, 2035: 6})
    data.price("electricity", 20, emission_factor=0.1).price("co2_storage", 50, max_supply=9)
    data.add("stock", region="R1", technology="bf", year=2025, capacity=12)
    data.add("stock", region="R1", technology="bf", year=2035, capacity=0)
    data.add("cumulative_limits", region="R1", commodity="co2_storage", max_total=40)
    data.add("emission_limits", region="R1", year=2030, scope="direct", max_emissions=15)
    for bound, value in (
        ("max_share", 0.7),
        ("min_share", 0.1),
        ("max_capacity", 8),
        ("min_capacity", 1),
        ("max_new_capacity", 2),
        ("max_growth", 0.1),
        ("growth_seed", 1.5),
        ("max_share_gain", 0.05),
    ):
        data.add("bounds", region="R1", technology="ccs", year=2025, bound=bound, value=value)
    data.add("bounds", region="R1", technology="bf", year=2025, bound="max_share_loss", value=0.04)
    return data


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> BuiltModel:
    folder: Path = tmp_path_factory.mktemp("structure")
    dataset = _full_dataset().write(folder / "data")
    scenario = write_scenario(
        folder, dataset, end=2035, extra="cap = { 2035 = 4 }\nbudget = 100\ncarbon_price = { 2035 = 50 }"
    )
    data, _ = load_model_data(scenario)
    return build_model(data)


def coefficients(component: object) -> dict[str, float]:
    """{variable name: coefficient} of a linear constraint body or objective."""
    expression = component.expr if isinstance(component, pyo.Objective) else component.body
    repn = generate_standard_repn(expression)
    return {var.name: coef for var, coef in zip(repn.linear_vars, repn.linear_coefs, strict=True)}


def upper_rhs(row: object) -> float:
    """The right-hand side of `linear terms ≤ rhs`, any constant of the body moved across."""
    return row.upper - generate_standard_repn(row.body).constant


def test_vintage_start(built):
    row = built.model.vintage_start["R1", "ccs", 2030]
    assert coefficients(row) == {"capacity[R1,ccs,2030,2030]": 1, "new_capacity[R1,ccs,2030]": -1}
    assert row.equality


def test_capacity_retirement(built):
    row = built.model.capacity_retirement["R1", "ccs", 2025, 2030]
    assert coefficients(row) == {"capacity[R1,ccs,2025,2030]": 1, "capacity[R1,ccs,2025,2025]": -1}
    assert row.upper == 0
    stock = built.model.capacity["R1", "bf", STOCK, 2030]
    assert stock.ub == pytest.approx(6)  # stock schedule 12 → 0 from 2025 to 2035, interpolated


def test_activity_limit(built):
    row = built.model.activity_limit["R1", "bf", 2030, 2030]
    assert coefficients(row) == pytest.approx({"activity[R1,bf,2030,2030]": 1, "capacity[R1,bf,2030,2030]": -0.8})
    # the stock schedule falls 6 → 0 over 2030–2034 (6, 4.8, 3.6, 2.4, 1.2): on average 0.6 of
    # what is in service in 2030 serves the milestone's years (partial periods)
    stock = built.model.activity_limit["R1", "bf", STOCK, 2030]
    assert coefficients(stock) == pytest.approx(
        {f"activity[R1,bf,{STOCK},2030]": 1, f"capacity[R1,bf,{STOCK},2030]": -0.8 * 0.6}
    )


def test_commodity_balance(built):
    steel = coefficients(built.model.commodity_balance["R1", "steel", 2030])
    assert steel["activity[R1,bf,2030,2030]"] == 1
    assert built.model.commodity_balance["R1", "steel", 2030].lower == pytest.approx(8)
    storage = coefficients(built.model.commodity_balance["R1", "co2_storage", 2030])
    assert storage["activity[R1,ccs,2030,2030]"] == pytest.approx(-1.8)
    assert storage["purchase[R1,co2_storage,2030]"] == 1
    slag = coefficients(built.model.commodity_balance["R1", "slag", 2030])
    assert slag["activity[R1,bf,2030,2030]"] == pytest.approx(0.3)
    power = coefficients(built.model.commodity_balance["R1", "electricity", 2030])
    assert power["activity[R1,ccs,2030,2030]"] == pytest.approx(-1.5)
    assert built.model.purchase["R1", "co2_storage", 2030].ub == pytest.approx(9)


def test_cumulative_supply(built):
    row = built.model.cumulative_supply["R1", "co2_storage"]
    terms = coefficients(row)
    assert terms["purchase[R1,co2_storage,2025]"] == 5
    assert terms["purchase[R1,co2_storage,2035]"] == 1
    assert row.upper == 40


def test_emission_cap(built):
    system = built.model.emission_cap["all", "direct+indirect", 2035]
    terms = coefficients(system)
    assert terms["activity[R1,bf,2035,2035]"] == pytest.approx(2.0)
    assert terms["activity[R1,ccs,2035,2035]"] == pytest.approx(0.2)
    assert terms["purchase[R1,electricity,2035]"] == pytest.approx(0.1)
    assert system.upper == 4
    regional = coefficients(built.model.emission_cap["R1", "direct", 2030])
    assert "purchase[R1,electricity,2030]" not in regional


def test_emission_budget(built):
    terms = coefficients(built.model.emission_budget)
    assert terms["activity[R1,bf,2025,2025]"] == pytest.approx(2.0 * 5)
    assert terms["purchase[R1,electricity,2035]"] == pytest.approx(0.1 * 1)
    assert built.model.emission_budget.upper == 100


def test_max_share(built):
    terms = coefficients(built.model.max_share["R1", "ccs", 2030])
    assert terms["activity[R1,ccs,2030,2030]"] == pytest.approx(1 - 0.7)
    assert terms["activity[R1,bf,2030,2030]"] == pytest.approx(-0.7)


def test_min_share(built):
    row = built.model.min_share["R1", "ccs", 2030]
    terms = coefficients(row)
    sign = 1 if row.lower is not None else -1  # Pyomo may store a ≥ b as b ≤ a
    assert sign * terms["activity[R1,ccs,2030,2030]"] == pytest.approx(1 - 0.1)
    assert sign * terms["activity[R1,bf,2030,2030]"] == pytest.approx(-0.1)


def test_max_capacity(built):
    row = built.model.max_capacity["R1", "ccs", 2030]
    assert set(coefficients(row)) == {"capacity[R1,ccs,2025,2030]", "capacity[R1,ccs,2030,2030]"}
    assert row.upper == 8


def test_min_capacity(built):
    row = built.model.min_capacity["R1", "ccs", 2030]
    assert row.lower == 1


def test_max_new_capacity(built):
    row = built.model.max_new_capacity["R1", "ccs", 2030]
    assert coefficients(row) == {"new_capacity[R1,ccs,2030]": 1}
    assert row.upper == pytest.approx(2 * 5)  # per-year rate × 5 years since 2025


def test_capacity_growth(built):
    """On the capacity in use (output ÷ availability, here 1): built capacity left idle does not
    raise next step's limit."""
    row = built.model.capacity_growth["R1", "ccs", 2030]
    terms = coefficients(row)
    assert terms["activity[R1,ccs,2030,2030]"] == 1
    assert terms["activity[R1,ccs,2025,2025]"] == pytest.approx(-(1.1**5))
    assert not any(name.startswith("capacity[") for name in terms)
    # five yearly seeds, each grown for the years left: 1.5 × (1 + 1.1 + 1.1² + 1.1³ + 1.1⁴)
    assert upper_rhs(row) == pytest.approx(1.5 * sum(1.1**j for j in range(5)))
    first = built.model.capacity_growth["R1", "ccs", 2025]
    assert upper_rhs(first) == pytest.approx(1.5)  # no ccs stock: one year's seed


def test_share_gain(built):
    """New output over the step ≤ 5 %/yr × 5 years of the product's output at its end; at the
    first milestone one year's gain on the base-year stock (none for ccs). Three terms, on the
    route's and the product's output sums."""
    terms = coefficients(built.model.share_gain["R1", "ccs", 2030])
    assert terms == pytest.approx(
        {"route_output[R1,ccs,2030]": 1, "route_output[R1,ccs,2025]": -1, "product_output[R1,steel,2030]": -0.05 * 5}
    )
    assert upper_rhs(built.model.share_gain["R1", "ccs", 2030]) == 0
    first = coefficients(built.model.share_gain["R1", "ccs", 2025])
    assert first == pytest.approx({"route_output[R1,ccs,2025]": 1, "product_output[R1,steel,2025]": -0.05})
    assert upper_rhs(built.model.share_gain["R1", "ccs", 2025]) == 0


def test_share_loss(built):
    """Output shed over the step ≤ 4 %/yr × 5 years of the product's output at its end; at the
    first milestone one year's loss on the base-year stock's output (availability × stock)."""
    row = built.model.share_loss["R1", "bf", 2030]
    assert coefficients(row) == pytest.approx(
        {"route_output[R1,bf,2025]": 1, "route_output[R1,bf,2030]": -1, "product_output[R1,steel,2030]": -0.04 * 5}
    )
    assert upper_rhs(row) == 0
    first = built.model.share_loss["R1", "bf", 2025]
    assert coefficients(first) == pytest.approx({"route_output[R1,bf,2025]": -1, "product_output[R1,steel,2025]": -0.04})
    assert upper_rhs(first) == pytest.approx(-12 * 0.8)  # bf's base-year stock × availability


def test_route_and_product_output_sums(built):
    """route_output = Σ_v activity of the route (the base-year stock's vintage, 2024, and the
    2025 and 2030 builds); product_output = Σ route_output of its makers."""
    route = built.model.route_output_sum["R1", "bf", 2030]
    assert coefficients(route) == pytest.approx(
        {
            "route_output[R1,bf,2030]": 1,
            "activity[R1,bf,2024,2030]": -1,
            "activity[R1,bf,2025,2030]": -1,
            "activity[R1,bf,2030,2030]": -1,
        }
    )
    assert route.upper == route.lower == 0
    product = built.model.product_output_sum["R1", "steel", 2030]
    assert coefficients(product) == pytest.approx(
        {"product_output[R1,steel,2030]": 1, "route_output[R1,bf,2030]": -1, "route_output[R1,ccs,2030]": -1}
    )
    assert product.upper == product.lower == 0


def _discount(years: range) -> float:
    return sum(1.05 ** -(t - 2025) for t in years)


def test_objective(built):
    """Each term by hand (rate 5 %, milestones 2025 and 2030 representing 5 years, 2035 one):
    variable O&M plus the 2035 carbon price (50 CNY/t × 2 t/t); purchases plus their carbon;
    the annuity of a vintage over the horizon years it lives; fixed O&M on capacity in service,
    the stock's weighted by what its schedule keeps."""
    from optimizer.finance import capital_recovery_factor

    terms = coefficients(built.model.total_cost)
    assert terms["activity[R1,bf,2035,2035]"] == pytest.approx((100 + 50 * 2.0) * 1.05**-10)
    assert terms["activity[R1,bf,2025,2025]"] == pytest.approx(100 * _discount(range(2025, 2030)))
    assert terms["purchase[R1,electricity,2035]"] == pytest.approx((20 + 50 * 0.1) * 1.05**-10)
    assert terms["purchase[R1,electricity,2030]"] == pytest.approx(20 * _discount(range(2030, 2035)))
    annuity = 900 * capital_recovery_factor(0.05, 30)
    assert terms["new_capacity[R1,bf,2030]"] == pytest.approx(annuity * _discount(range(2030, 2036)))
    assert terms["capacity[R1,bf,2030,2030]"] == pytest.approx(7 * _discount(range(2030, 2035)))
    kept = [1.0, 0.8, 0.6, 0.4, 0.2]  # the stock schedule over 2030–2034 against 2030
    stock = sum(k * 1.05 ** -(t - 2025) for k, t in zip(kept, range(2030, 2035), strict=True))
    assert terms[f"capacity[R1,bf,{STOCK},2030]"] == pytest.approx(7 * stock)


def test_base_year_share(tmp_path):
    """A pinned base year: bf's stock of 12 at availability 0.8 (9.6) beside 2.4 of eaf stock:
    bf makes 9.6 / 12 of 2025's steel, and its stock cannot be retired that year."""
    data = Dataset(pin_base_year=True)
    data.commodity("steel")
    data.technology("bf", variable_om=100, availability=0.8).technology("eaf", variable_om=80)
    data.demand({2025: 10})
    data.add("stock", region="R1", technology="bf", year=2025, capacity=12)
    data.add("stock", region="R1", technology="eaf", year=2025, capacity=2.4)
    model = build_model(load_model_data(write_scenario(tmp_path, data.write(tmp_path / "data")))[0]).model
    terms = coefficients(model.base_year_share["R1", "bf", 2025])
    assert terms == pytest.approx({f"activity[R1,bf,{STOCK},2025]": 1 - 0.8, f"activity[R1,eaf,{STOCK},2025]": -0.8})
    assert model.base_year_share["R1", "bf", 2025].equality
    assert model.capacity["R1", "bf", STOCK, 2025].lb == pytest.approx(12)
    assert ("R1", "bf", 2025) not in model.new_capacity  # nothing is built in a pinned base year


def test_retrofit_conversion(tmp_path):
    """A retrofit of bf built in 2030 needs bf capacity of 2025 no longer in service in 2030:
    new_capacity[bf_ccs,2030] ≤ Σ_v capacity[bf,v,2025] − Σ_v capacity[bf,v,2030]."""
    data = Dataset()
    data.commodity("steel").commodity("co2_storage", kind="service", role="co2_storage")
    data.technology("bf", variable_om=100, co2=2.0)
    data.technology("bf_ccs", variable_om=120, co2=2.0, capture=0.9, lever="ccus", retrofit_of="bf")
    data.demand({2025: 10}).price("co2_storage", 0)
    data.add("stock", region="R1", technology="bf", year=2025, capacity=10)
    model = build_model(load_model_data(write_scenario(tmp_path, data.write(tmp_path / "data")))[0]).model
    row = model.retrofit_conversion["R1", "bf", 2030]
    assert coefficients(row) == {
        "new_capacity[R1,bf_ccs,2030]": 1,
        f"capacity[R1,bf,{STOCK},2025]": -1,
        "capacity[R1,bf,2025,2025]": -1,
        f"capacity[R1,bf,{STOCK},2030]": 1,
        "capacity[R1,bf,2025,2030]": 1,
    }
    assert upper_rhs(row) == 0
    first = model.retrofit_conversion["R1", "bf", 2025]  # against the base-year stock of 10
    assert coefficients(first) == {"new_capacity[R1,bf_ccs,2025]": 1, f"capacity[R1,bf,{STOCK},2025]": 1}
    assert upper_rhs(first) == pytest.approx(10)


FAMILY_TESTS = {
    "vintage_start": test_vintage_start,
    "capacity_retirement": test_capacity_retirement,
    "activity_limit": test_activity_limit,
    "commodity_balance": test_commodity_balance,
    "cumulative_supply": test_cumulative_supply,
    "emission_cap": test_emission_cap,
    "emission_budget": test_emission_budget,
    "max_share": test_max_share,
    "min_share": test_min_share,
    "max_capacity": test_max_capacity,
    "min_capacity": test_min_capacity,
    "max_new_capacity": test_max_new_capacity,
    "capacity_growth": test_capacity_growth,
    "share_gain": test_share_gain,
    "share_loss": test_share_loss,
    "route_output_sum": test_route_and_product_output_sums,
    "product_output_sum": test_route_and_product_output_sums,
    "base_year_share": test_base_year_share,
    "retrofit_conversion": test_retrofit_conversion,
}


def test_every_constraint_family_has_a_structure_test(built):
    families = {c.name for c in built.model.component_objects(pyo.Constraint)}
    assert families - set(FAMILY_TESTS) == set(), "constraint families without a structure test"
    assert set(FAMILY_TESTS) - families == set(), "structure tests for families the model no longer has"
