"""Hand-solved cases: each docstring derives the optimum the test checks.

Shared set-up unless stated: one region R1, product `steel` (Mt), discount rate 0 (so a
milestone's discount sum is its weight: 5 for 2025 in a 2025–2030 run, 1 for 2030), zero capex.
"""

from __future__ import annotations

import pytest
from builders import Dataset


def steel_and_power() -> Dataset:
    data = Dataset()
    data.commodity("steel").commodity("electricity", "PJ", "energy", role="grid_electricity")
    return data


def test_merit_order_without_cap(solve):
    """Two routes make steel at 100 and 190 CNY/t; without a cap all 10 Mt use the cheaper.

    Objective = 10 Mt × 100 × (5 + 1) = 6,000 million CNY.
    """
    data = steel_and_power()
    data.technology("bf", variable_om=100, co2=2.0)
    data.technology("eaf", variable_om=150, inputs={"electricity": 2.0})
    data.demand({2025: 10}).price("electricity", 20, emission_factor=0.1)
    run = solve(data)
    assert run.status == "optimal"
    assert run.result.objective == pytest.approx(6000)
    production = run.tables["production"].set_index(["technology", "year"])["value"]
    assert production[("bf", 2030)] == pytest.approx(10)
    assert "eaf" not in run.tables["production"]["technology"].to_numpy()


@pytest.mark.parametrize("method", ["simplex", "ipm", "choose"])
def test_binding_cap_dual_is_cost_difference_over_intensity_difference(solve, method):
    """bf: 100 CNY/t, 2 t/t direct. eaf: 150 + 2 GJ × 20 CNY/GJ = 190 CNY/t, 2 GJ × 0.1 = 0.2 t/t.

    A 2030 cap of 5 Mt binds: the marginal tonne is abated by switching bf → eaf at
    (190 − 100) / (2 − 0.2) = 50 CNY/tCO2. The mix: 2 b + 0.2 (10 − b) = 5 → b = 5/3 Mt.
    """
    data = steel_and_power()
    data.technology("bf", variable_om=100, co2=2.0)
    data.technology("eaf", variable_om=150, inputs={"electricity": 2.0})
    data.demand({2025: 10}).price("electricity", 20, emission_factor=0.1)
    run = solve(data, extra=f'cap = {{ 2030 = 5 }}\n[solver]\nmethod = "{method}"')
    assert run.result.method == method
    prices = run.tables["carbon_price"].set_index("year")["price"]
    assert prices[2030] == pytest.approx(50)
    assert prices[2025] == pytest.approx(0)
    assert run.summary["emissions"]["2030"] == pytest.approx(5)
    production = run.tables["production"].set_index(["technology", "year"])["value"]
    assert production[("bf", 2030)] == pytest.approx(5 / 3)
    assert run.result.objective == pytest.approx(10 * 100 * 5 + 5 / 3 * 100 + 25 / 3 * 190)


def test_direct_scope_ignores_indirect_emissions(solve):
    """Under a direct-only cap the eaf's 0.2 t/t from the grid does not count: it emits 0.

    So 2 b ≤ 5 → b = 2.5 Mt and the price is (190 − 100) / 2 = 45 CNY/tCO2.
    """
    data = steel_and_power()
    data.technology("bf", variable_om=100, co2=2.0)
    data.technology("eaf", variable_om=150, inputs={"electricity": 2.0})
    data.demand({2025: 10}).price("electricity", 20, emission_factor=0.1)
    run = solve(data, scope="direct", extra="cap = { 2030 = 5 }")
    assert run.tables["carbon_price"].set_index("year")["price"][2030] == pytest.approx(45)
    assert run.summary["emissions"]["2030"] == pytest.approx(5)


def test_exogenous_carbon_price_switches_route(solve):
    """A carbon price of 60 CNY/t makes bf cost 100 + 120 = 220 > eaf's 190 + 12 = 202: all eaf."""
    data = steel_and_power()
    data.technology("bf", variable_om=100, co2=2.0)
    data.technology("eaf", variable_om=150, inputs={"electricity": 2.0})
    data.demand({2025: 10}).price("electricity", 20, emission_factor=0.1)
    run = solve(data, extra="carbon_price = { 2025 = 60 }")
    assert set(run.tables["production"]["technology"]) == {"eaf"}
    assert run.result.objective == pytest.approx(10 * 202 * 6)
    costs = run.tables["costs"].groupby("component")["discounted"].sum()
    assert costs["carbon"] == pytest.approx(10 * 0.2 * 60 * 6)


def test_residual_stock_retires_and_forces_a_build_in_that_year(solve):
    """Stock of 10 Mt/yr serves until 2034 and is gone in 2035 (schedule 10 in 2025 and 2034,
    0 in 2035).

    New capacity costs capex, so the model builds nothing while the stock can serve and
    exactly 10 Mt/yr in 2035, the year the stock retires.
    """
    data = Dataset()
    data.commodity("steel")
    data.technology("bf", variable_om=100, capex=1000, life=40)
    data.demand({2025: 10})
    for year, capacity in ((2025, 10), (2034, 10), (2035, 0)):
        data.add("stock", region="R1", technology="bf", year=year, capacity=capacity)
    run = solve(data, end=2040)
    new = run.tables["capacity"].set_index("year")["new"]
    assert new[2035] == pytest.approx(10)
    assert new.drop(2035).abs().max() == pytest.approx(0)


def test_growth_limit_delays_a_technology(solve):
    """A cheap route may grow 0 %/yr with a seed of 0.4 Mt/yr: one year's seed in 2025 (0.4),
    then five more in each 5-year step (2.4 in 2030, 4.4 in 2035); the rest (9.6, 7.6, 5.6 Mt)
    comes from the dear route."""
    data = Dataset()
    data.commodity("steel")
    data.technology("old", variable_om=200).technology("new", variable_om=100, lever="hydrogen")
    data.demand({2025: 10})
    for year in (2025,):
        data.add("bounds", region="R1", technology="new", year=year, bound="max_growth", value=0.0)
        data.add("bounds", region="R1", technology="new", year=year, bound="growth_seed", value=0.4)
    run = solve(data, end=2035)
    production = run.tables["production"].set_index(["technology", "year"])["value"]
    assert [production[("new", y)] for y in (2025, 2030, 2035)] == pytest.approx([0.4, 2.4, 4.4])
    assert [production[("old", y)] for y in (2025, 2030, 2035)] == pytest.approx([9.6, 7.6, 5.6])


def test_a_share_gain_limit_spreads_a_switch_over_steps(solve):
    """Demand 10 Mt; the cheap route may take at most 8 % of the output a year: one year of it in
    2025 (0.8 Mt: the first milestone gains on the base-year stock, none here), then
    0.08 × 5 × 10 = 4 Mt more in each 5-year step (4.8 in 2030, 8.8 in 2035, all 10 in 2040).
    With annual steps it gains 0.8 Mt a year and stands at the same 4.8 Mt in 2030: the limit
    does not depend on the step."""
    data = Dataset()
    data.commodity("steel")
    data.technology("old", variable_om=200).technology("new", variable_om=100, lever="hydrogen")
    data.demand({2025: 10})
    data.add("bounds", region="R1", technology="new", year=2025, bound="max_share_gain", value=0.08)
    run = solve(data, end=2040)
    production = run.tables["production"].set_index(["technology", "year"])["value"]
    assert [production.get(("new", y), 0.0) for y in (2025, 2030, 2035, 2040)] == pytest.approx([0.8, 4.8, 8.8, 10])
    yearly = solve(data, end=2030, step=1).tables["production"].set_index(["technology", "year"])["value"]
    assert [yearly.get(("new", y), 0.0) for y in range(2025, 2031)] == pytest.approx([0.8, 1.6, 2.4, 3.2, 4.0, 4.8])


def test_a_share_loss_limit_keeps_an_incumbent_fleet_running(solve):
    """A 10 Mt/yr stock of the dear route meets demand of 10 Mt; the cheap route could take it all,
    but the old route may shed at most 6 % of the output a year: 0.6 Mt in 2025 (one year, on its
    base-year output), then 0.06 × 5 × 10 = 3 Mt in each 5-year step (9.4, 6.4, 3.4, 0.4 Mt in
    2025–2040). The same limits hold, year by year, with annual steps."""
    data = Dataset()
    data.commodity("steel")
    data.technology("old", variable_om=200).technology("new", variable_om=100, lever="hydrogen")
    data.demand({2025: 10})
    data.add("stock", region="R1", technology="old", year=2025, capacity=10)
    data.add("bounds", region="R1", technology="old", year=2025, bound="max_share_loss", value=0.06)
    run = solve(data, end=2040)
    production = run.tables["production"].set_index(["technology", "year"])["value"]
    assert [production.get(("old", y), 0.0) for y in (2025, 2030, 2035, 2040)] == pytest.approx([9.4, 6.4, 3.4, 0.4])
    assert [production.get(("new", y), 0.0) for y in (2025, 2030, 2035, 2040)] == pytest.approx([0.6, 3.6, 6.6, 9.6])
    at_bound = run.summary["indicators"]["share_limits_at_bound"]
    assert {int(y): n for y, n in at_bound["loss"].items()} == {2030: 1, 2035: 1, 2040: 1}
    yearly = solve(data, end=2030, step=1).tables["production"].set_index(["technology", "year"])["value"]
    assert [yearly.get(("old", y), 0.0) for y in range(2025, 2031)] == pytest.approx([9.4, 8.8, 8.2, 7.6, 7.0, 6.4])


def test_a_share_loss_counts_a_shrinking_market(solve):
    """Demand falls from 10 to 7 Mt (2025 → 2030) and only the old route exists (stock 10): it may
    shed 0.06 × 5 = 0.3 of its 2030 output A, so 10 − A ≤ 0.3 A and A = 10 / 1.3 = 7.69 Mt, 0.69 Mt
    more than demanded (the balance is ≥ demand): the market's fall counts against the limit."""
    data = Dataset()
    data.commodity("steel")
    data.technology("old", variable_om=200)
    data.demand({2025: 10, 2030: 7})
    data.add("stock", region="R1", technology="old", year=2025, capacity=10)
    data.add("bounds", region="R1", technology="old", year=2025, bound="max_share_loss", value=0.06)
    run = solve(data, end=2030)
    production = run.tables["production"].set_index(["technology", "year"])["value"]
    assert production[("old", 2030)] == pytest.approx(10 / 1.3)


def test_cap_forces_early_retirement(solve):
    """A 10 Mt/yr bf stock (fixed O&M 10 CNY/t/yr) can serve to 2040, but the 2030 cap of 10 Mt
    allows only 5 Mt of bf (2 t/t); the other 5 Mt/yr of stock is retired early in 2030
    rather than kept idle, and capacity never comes back."""
    data = Dataset()
    data.commodity("steel")
    data.technology("bf", variable_om=100, fixed_om=10, co2=2.0)
    data.technology("eaf", variable_om=300, lever="electrification")
    data.demand({2025: 10})
    data.add("stock", region="R1", technology="bf", year=2025, capacity=10)
    run = solve(data, end=2035, extra="cap = { 2030 = 10 }")
    capacity = run.tables["capacity"].query("technology == 'bf'").set_index("year")
    assert capacity.loc[2030, "retired"] == pytest.approx(5)
    assert capacity.loc[2030, "in_service"] == pytest.approx(5)
    assert capacity.loc[2035, "in_service"] == pytest.approx(5)


def test_scrap_supply_limit_binds(solve):
    """Scrap EAF (50 CNY/t + 1.1 t scrap at 10 CNY/t = 61) beats bf (100) but only 5.5 Mt of
    scrap is available: 5 Mt eaf, 5 Mt bf, and scrap's shadow value is (100 − 61)/1.1 + 10."""
    data = Dataset()
    data.commodity("steel").commodity("scrap", kind="material")
    data.technology("bf", variable_om=100)
    data.technology("eaf", variable_om=50, inputs={"scrap": 1.1}, lever="feedstock_substitution")
    data.demand({2025: 10}).price("scrap", 10, max_supply=5.5)
    run = solve(data)
    production = run.tables["production"].set_index(["technology", "year"])["value"]
    assert production[("eaf", 2030)] == pytest.approx(5)
    assert production[("bf", 2030)] == pytest.approx(5)
    # One more tonne of scrap saves (100 − 61) / 1.1 = 35.45 CNY beyond its price in each year it
    # is used: the supply bound's reduced cost is −35.45 × the milestone's discount sum (5 and 1).
    reduced = run.result.reduced_costs["purchase"]
    assert reduced[("R1", "scrap", 2025)] == pytest.approx(-(100 - 61) / 1.1 * 5)
    assert reduced[("R1", "scrap", 2030)] == pytest.approx(-(100 - 61) / 1.1 * 1)


def test_ccus_limited_by_injection_capacity(solve):
    """A CCS route (120 CNY/t, 2 t/t gross, 90 % capture) must store 1.8 t per t; storage takes
    9 Mt/yr, so at most 5 Mt of CCS steel; a 2030 cap of 3 Mt needs the rest from a clean but
    dear route (400 CNY/t): bf must go (5 × 0.2 = 1 Mt from CCS, 2 Mt left ⇒ 1 Mt bf)."""
    data = Dataset()
    data.commodity("steel").commodity("co2_storage", kind="service", role="co2_storage")
    data.technology("bf", variable_om=100, co2=2.0)
    data.technology("ccs", variable_om=120, co2=2.0, capture=0.9, lever="ccus")
    data.technology("clean", variable_om=400, lever="hydrogen")
    data.demand({2025: 10}).price("co2_storage", 0, max_supply=9)
    run = solve(data, extra="cap = { 2030 = 3 }")
    production = run.tables["production"].set_index(["technology", "year"])["value"]
    assert production[("ccs", 2030)] == pytest.approx(5)
    assert production[("bf", 2030)] == pytest.approx(1)
    assert production[("clean", 2030)] == pytest.approx(4)
    emissions = run.tables["emissions"].query("year == 2030").groupby("scope")["value"].sum()
    assert emissions["captured"] == pytest.approx(-9)  # captured CO2 is booked below zero
    assert emissions["direct"] == pytest.approx(5 * 2 + 1 * 2)  # gross: before capture
    assert emissions.sum() == pytest.approx(3)  # summing over scopes gives the capped net emissions


def test_two_regions_share_a_cap(solve):
    """Two regions each need 10 Mt of steel (no trade). Switching from bf (2 t/t) costs 40 CNY/t
    in R1 (route `clean`) but 90 in R2, where `clean` is barred by a max_share of 0.

    Under a system-wide 2030 cap of 18 Mt, R1 switches entirely first (20 CNY/tCO2), leaving
    20 Mt from R2's bf; 1 Mt of R2 steel must switch at 90 / 2 = 45 CNY/tCO2, the price.
    """
    data = Dataset()
    data.commodity("steel")
    data.technology("bf", variable_om=100, co2=2.0)
    data.technology("clean", variable_om=140, lever="hydrogen")
    data.technology("clean_dear", variable_om=190, lever="hydrogen")
    data.demand({2025: 10}, region="R1").demand({2025: 10}, region="R2")
    data.add("bounds", region="R2", technology="clean", year=2025, bound="max_share", value=0.0)
    run = solve(data, extra="cap = { 2030 = 18 }")
    production = run.tables["production"].set_index(["region", "technology", "year"])["value"]
    assert production[("R1", "clean", 2030)] == pytest.approx(10)
    assert production[("R2", "clean_dear", 2030)] == pytest.approx(1)
    assert run.tables["carbon_price"].set_index("year")["price"][2030] == pytest.approx(45)


@pytest.mark.parametrize("step", [1, 5])
def test_annual_and_five_year_steps_cost_the_same_per_year(solve, step):
    """With no discounting and constant demand, total cost is 100 CNY/t × 10 Mt × 11 years
    (2025–2035) whatever the step."""
    data = Dataset()
    data.commodity("steel")
    data.technology("bf", variable_om=100)
    data.demand({2025: 10})
    run = solve(data, end=2035, step=step)
    assert run.result.objective == pytest.approx(100 * 10 * 11)
    assert len(run.data.years) == (11 if step == 1 else 3)


def test_discounted_annuity_charged_inside_horizon_only(solve):
    """Capex 1,000 CNY/(t/yr), life 10, rate 10 %: annuity 162.745 CNY/t/yr, charged only in
    2025–2029, the years of a horizon ending 2029 (no salvage term), each discounted."""
    from optimizer.finance import capital_recovery_factor, discount_factor

    data = Dataset(discount_rate=0.1)
    data.commodity("steel")
    data.technology("bf", capex=1000, life=10)
    data.demand({2025: 1})
    run = solve(data, end=2029)
    annuity = 1000 * capital_recovery_factor(0.1, 10)
    assert annuity == pytest.approx(162.745, abs=5e-4)  # 1000 × 0.1 × 1.1^10 / (1.1^10 − 1), by hand
    expected = sum(162.745 * 1.1 ** -(t - 2025) for t in range(2025, 2030))  # × 4.16987
    assert expected == pytest.approx(678.62, abs=5e-3)
    assert run.result.objective == pytest.approx(expected, rel=1e-5)
    assert run.result.objective == pytest.approx(sum(annuity * discount_factor(0.1, t, 2025) for t in range(2025, 2030)))


def test_emission_budget_binds(solve):
    """A budget of 60 MtCO2 over 2025–2030 (weights 5 and 1): all-bf would emit 20 × 6 = 120.

    Abating in 2025 and 2030 costs the same per tonne (45 CNY/t undiscounted), so the budget's
    price is 45 CNY/tCO2 in both years.
    """
    data = steel_and_power()
    data.technology("bf", variable_om=100, co2=2.0)
    data.technology("eaf", variable_om=190, lever="electrification")
    data.demand({2025: 10})
    run = solve(data, extra="budget = 60")
    assert sum(v * w for v, w in zip(run.summary["emissions"].values(), (5, 1), strict=True)) == pytest.approx(60)
    prices = run.tables["carbon_price"].set_index("year")["price"]
    assert prices[2025] == pytest.approx(45)
    assert prices[2030] == pytest.approx(45)


def test_minimum_share_given_at_a_technology_first_year_applies_from_then_on(solve):
    """eaf may be built from 2030; a min_share of 0.2 given for 2030 is held flat back to 2025,
    where eaf cannot exist: there it adds nothing (all bf), from 2030 eaf makes exactly 2 of 10 Mt."""
    data = Dataset()
    data.commodity("steel")
    data.technology("bf", variable_om=100).technology("eaf", variable_om=150, first_year=2030, lever="electrification")
    data.demand({2025: 10})
    data.add("bounds", region="R1", technology="eaf", year=2030, bound="min_share", value=0.2)
    data.add("bounds", region="R1", technology="eaf", year=2030, bound="min_capacity", value=1.0)
    run = solve(data, end=2035)
    assert run.status == "optimal"
    production = run.tables["production"].set_index(["technology", "year"])["value"]
    assert production[("bf", 2025)] == pytest.approx(10)
    assert production[("eaf", 2030)] == pytest.approx(2)
    assert production[("eaf", 2035)] == pytest.approx(2)


def test_max_capacity_caps_the_cheap_route(solve):
    """A cheap route (100 CNY/t) may hold at most 4 Mt/yr of capacity: 4 Mt of 10 from it, 6 from
    the dear one (150), in both years; objective (4 × 100 + 6 × 150) × 6 = 7,800."""
    data = Dataset()
    data.commodity("steel")
    data.technology("cheap", variable_om=100).technology("dear", variable_om=150)
    data.demand({2025: 10})
    data.add("bounds", region="R1", technology="cheap", year=2025, bound="max_capacity", value=4)
    run = solve(data)
    assert run.result.objective == pytest.approx(7800)
    assert run.tables["capacity"].query("technology == 'cheap'")["in_service"].max() == pytest.approx(4)


def test_min_capacity_keeps_a_dear_route_built(solve):
    """A dear route (fixed O&M 10 CNY per t/yr, 150 CNY/t) must hold 3 Mt/yr of capacity; with
    nothing forcing it to run, it idles: capacity 3, production 0, objective 10 × 100 × 6 +
    3 × 10 × 6 = 6,180."""
    data = Dataset()
    data.commodity("steel")
    data.technology("cheap", variable_om=100).technology("dear", variable_om=150, fixed_om=10)
    data.demand({2025: 10})
    data.add("bounds", region="R1", technology="dear", year=2025, bound="min_capacity", value=3)
    run = solve(data)
    assert run.result.objective == pytest.approx(6180)
    dear = run.tables["capacity"].query("technology == 'dear'").set_index("year")["in_service"]
    assert dear.to_dict() == pytest.approx({2025: 3, 2030: 3})
    assert "dear" not in set(run.tables["production"]["technology"])


def test_max_new_capacity_is_a_yearly_rate(solve):
    """A cheap route may add 1 Mt/yr of capacity a year: 1 in 2025 (the first milestone counts
    one year), 1 + 5 = 6 by 2030, 11 ≥ 10 by 2035; the dear route makes the rest: 9, 4, 0 Mt."""
    data = Dataset()
    data.commodity("steel")
    data.technology("cheap", variable_om=100, capex=10).technology("dear", variable_om=150)
    data.demand({2025: 10})
    data.add("bounds", region="R1", technology="cheap", year=2025, bound="max_new_capacity", value=1)
    run = solve(data, end=2035)
    production = run.tables["production"].set_index(["technology", "year"])["value"]
    assert [production.get(("dear", y), 0.0) for y in (2025, 2030, 2035)] == pytest.approx([9, 4, 0])
    new = run.tables["capacity"].query("technology == 'cheap'").set_index("year")["new"]
    assert [new[y] for y in (2025, 2030, 2035)] == pytest.approx([1, 5, 4])


def test_cumulative_supply_limit_spreads_a_resource_over_the_years(solve):
    """Scrap EAF (61 CNY/t incl. 1 t scrap at 10) beats bf (100): without limit all 10 Mt use it.
    A cumulative limit of 32 Mt of scrap over 2025–2035 (weights 5, 5, 1) allows 32 Mt of
    scrap steel in all; at rate 0 every year is worth the same, so the LP may place it anywhere,
    and the objective is 39 CNY/t cheaper for exactly 32 Mt: 110 × 100 − 32 × 39 = 9,752."""
    data = Dataset()
    data.commodity("steel").commodity("scrap", kind="material")
    data.technology("bf", variable_om=100)
    data.technology("eaf", variable_om=51, inputs={"scrap": 1.0}, lever="feedstock_substitution")
    data.demand({2025: 10}).price("scrap", 10)
    data.add("cumulative_limits", region="R1", commodity="scrap", max_total=32)
    run = solve(data, end=2035)
    assert run.result.objective == pytest.approx(11 * 10 * 100 - 32 * 39)
    weights = {2025: 5, 2030: 5, 2035: 1}
    eaf = run.tables["production"].query("technology == 'eaf'").set_index("year")["value"]
    assert sum(eaf.get(y, 0.0) * w for y, w in weights.items()) == pytest.approx(32)
    assert run.result.duals["cumulative_supply"][("R1", "scrap")] == pytest.approx(-39)


def test_availability_below_one_needs_more_capacity(solve):
    """Availability 0.8: 10 Mt of steel needs 12.5 Mt/yr of capacity, paid at a fixed O&M of
    20 CNY per t/yr: 12.5 × 20 × 6 + 10 × 100 × 6 = 7,500."""
    data = Dataset()
    data.commodity("steel")
    data.technology("bf", variable_om=100, fixed_om=20, availability=0.8)
    data.demand({2025: 10})
    run = solve(data)
    assert run.result.objective == pytest.approx(7500)
    assert run.tables["capacity"].set_index("year")["in_service"][2030] == pytest.approx(12.5)


def test_a_vintage_reaching_the_end_of_its_life_is_rebuilt(solve):
    """Life 10 at 5-year steps: the 2025 plant serves 2025–2034 and is replaced in 2035; the
    capacity table shows 10 new in 2025 and 2035, none retired early, 10 in service throughout."""
    data = Dataset()
    data.commodity("steel")
    data.technology("bf", variable_om=100, capex=100, life=10)
    data.demand({2025: 10})
    run = solve(data, end=2040)
    capacity = run.tables["capacity"].set_index("year")
    assert capacity["new"].to_dict() == pytest.approx({2025: 10, 2030: 0, 2035: 10, 2040: 0})
    assert capacity["in_service"].to_dict() == pytest.approx({2025: 10, 2030: 10, 2035: 10, 2040: 10})
    assert capacity["retired"].abs().max() == pytest.approx(0)


def test_a_regional_cap_has_its_own_price(solve):
    """R1 and R2 each make 10 Mt; only R1 is capped (5 MtCO2 in 2030, emission_limits.csv): 2 b ≤ 5
    → b = 2.5 Mt of bf in R1, the rest from a clean route 40 CNY/t dearer, so R1's price is
    40 / 2 = 20 CNY/tCO2; R2 stays on bf and there is no system-wide price."""
    data = Dataset()
    data.commodity("steel")
    data.technology("bf", variable_om=100, co2=2.0)
    data.technology("clean", variable_om=140, lever="hydrogen")
    data.demand({2025: 10}, region="R1").demand({2025: 10}, region="R2")
    data.add("emission_limits", region="R1", year=2030, scope="direct+indirect", max_emissions=5)
    run = solve(data)
    prices = run.tables["carbon_price"].set_index(["region", "year"])["price"]
    assert prices[("R1", 2030)] == pytest.approx(20)
    assert prices[("R1", 2025)] == pytest.approx(0)  # the cap starts in 2030
    assert set(run.tables["carbon_price"]["region"]) == {"R1"}
    production = run.tables["production"].set_index(["region", "technology", "year"])["value"]
    assert production[("R1", "bf", 2030)] == pytest.approx(2.5)
    assert production[("R2", "bf", 2030)] == pytest.approx(10)


def _observed_mix(pin: bool) -> Dataset:
    """bf (8 Mt/yr of stock, 100 CNY/t) and eaf (4 Mt/yr, 80 CNY/t) made 10 Mt in 2025; a new
    route at 10 CNY/t could be built from 2025 on."""
    data = Dataset(pin_base_year=pin)
    data.commodity("steel")
    data.technology("bf", variable_om=100, co2=2.0).technology("eaf", variable_om=80, lever="electrification")
    data.technology("new", variable_om=10, lever="hydrogen")
    data.demand({2025: 10})
    for technology, capacity in (("bf", 8), ("eaf", 4)):
        data.add("stock", region="R1", technology=technology, year=2025, capacity=capacity)
    return data


def test_a_pinned_base_year_keeps_the_observed_mix(solve):
    """Free, the model would build the new route in 2025 at once. Pinned, 2025 builds nothing,
    retires nothing and splits the 10 Mt in proportion to the stock: bf 10 × 8/12, eaf 10 × 4/12
    (emissions 2 × 6.667 = 13.33 Mt); the new route takes over from 2030."""
    free = solve(_observed_mix(pin=False))
    assert free.tables["production"].set_index(["technology", "year"])["value"][("new", 2025)] == pytest.approx(10)
    run = solve(_observed_mix(pin=True))
    production = run.tables["production"].set_index(["technology", "year"])["value"]
    assert production[("bf", 2025)] == pytest.approx(10 * 8 / 12)
    assert production[("eaf", 2025)] == pytest.approx(10 * 4 / 12)
    assert ("new", 2025) not in production
    assert production[("new", 2030)] == pytest.approx(10)
    assert run.summary["emissions"]["2025"] == pytest.approx(2 * 10 * 8 / 12)
    capacity = run.tables["capacity"].query("year == 2025")
    assert capacity["new"].abs().max() == pytest.approx(0)
    assert capacity["retired"].abs().max() == pytest.approx(0)
    assert capacity.set_index("technology")["in_service"].to_dict() == pytest.approx({"bf": 8, "eaf": 4})


def _young_fleet(retrofit: bool) -> Dataset:
    """A young bf fleet (10 Mt/yr of stock, in service past the horizon, 100 CNY/t, 2 t/t); capture
    (90 %, 120 CNY/t) as a greenfield plant (capex 1,000 CNY per t/yr) or, if `retrofit`, as a
    retrofit of bf (capex 200). Lives 20 years at rate 0: annuities 50 and 10 CNY/t/yr."""
    data = Dataset()
    data.commodity("steel").commodity("co2_storage", kind="service", role="co2_storage")
    data.technology("bf", variable_om=100, co2=2.0)
    data.technology("ccs_new", variable_om=120, co2=2.0, capture=0.9, capex=1000, life=20, lever="ccus")
    if retrofit:
        data.technology(
            "ccs_retrofit", variable_om=120, co2=2.0, capture=0.9, capex=200, life=20, lever="ccus", retrofit_of="bf"
        )
    data.demand({2025: 10}).price("co2_storage", 0)
    data.add("stock", region="R1", technology="bf", year=2025, capacity=10)
    data.add("bounds", region="R1", technology="bf", year=2025, bound="max_new_capacity", value=0)
    return data


def test_a_cap_retrofits_the_young_fleet_instead_of_building_new(solve):
    """A 5 MtCO2 cap from 2030: 2 b + 0.2 (10 − b) ≤ 5 → b = 5/3 Mt of bf, 25/3 Mt captured.
    With the retrofit the model converts 25/3 Mt/yr of bf (freed: 10 − 5/3, none retired) and
    pays 10 instead of 50 CNY/t/yr of annuity over 2030–2035 (6 years):
    5,000 (2025) + 6 × (5/3 × 100 + 25/3 × 120) + 6 × 25/3 × 10 = 12,500 against 14,500."""
    greenfield = solve(_young_fleet(retrofit=False), end=2035, extra="cap = { 2030 = 5 }")
    assert greenfield.result.objective == pytest.approx(14500)
    run = solve(_young_fleet(retrofit=True), end=2035, extra="cap = { 2030 = 5 }")
    assert run.result.objective == pytest.approx(12500)
    capacity = run.tables["capacity"].set_index(["technology", "year"])
    assert capacity.loc[("ccs_retrofit", 2030), "new"] == pytest.approx(25 / 3)
    assert ("ccs_new", 2030) not in capacity.index
    assert capacity.loc[("bf", 2030), "in_service"] == pytest.approx(5 / 3)
    assert capacity.loc[("bf", 2030), "retrofitted"] == pytest.approx(25 / 3)  # freed = retrofitted
    assert capacity.loc[("bf", 2030), "retired"] == pytest.approx(0)
    assert run.summary["levers"]["shares"]["ccus"] > 0.9


def test_a_retrofit_is_limited_to_the_capacity_it_frees(solve):
    """Only 6 Mt/yr of bf stock for a demand of 10: a 2 MtCO2 cap in 2030 needs all steel
    captured (10 × 0.2). At most the 6 Mt/yr of bf can be converted; the other 4 Mt/yr come from
    the greenfield capture plant (already built in 2025, when nothing else could serve)."""
    data = _young_fleet(retrofit=True)
    data.rows["stock"][0]["capacity"] = 6
    run = solve(data, end=2035, extra="cap = { 2030 = 2 }")
    capacity = run.tables["capacity"].set_index(["technology", "year"])
    assert capacity.loc[("ccs_retrofit", 2030), "new"] == pytest.approx(6)
    assert capacity.loc[("bf", 2030), "retrofitted"] == pytest.approx(6)
    assert capacity.loc[("ccs_new", 2030), "in_service"] == pytest.approx(4)
    free = solve(_young_fleet(retrofit=True), end=2035)  # no cap: nothing converted
    assert "ccs_retrofit" not in set(free.tables["capacity"]["technology"])
