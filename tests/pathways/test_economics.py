"""A cap and its shadow price are two sides of one coin (LP duality), on `three_routes()`.

A 2030 cap of 5 Mt binds between bf (2 t/t) and ccs (0.2 t/t emitted): 2 b + 0.2 (10 − b) = 5,
so bf = 5/3 Mt and ccs = 25/3 Mt, strictly inside the mix. The cap's dual is then unique: the
cost of abating with ccs, (148 − 100) / 1.8 = 26.67 CNY/tCO2 (eaf at 50 and h2 at 760 are
dearer), and that is what carbon_price.csv must report.

Charging that price instead of capping: in an LP, a unique price and a unique priced solution
exclude each other. At exactly p* = 26.67, bf and ccs cost the same once CO2 is paid for (100 +
2 p* = 148 + 0.2 p*), so EVERY mix is optimal, the capped one among them (its emissions are not
pinned down; HiGHS may return any vertex). A price a hair above, p* (1 + 1e-6), breaks the tie
towards abatement (all ccs, 2 Mt ≤ the cap), a hair below towards bf (20 Mt ≥ the cap): the
price is exactly the one at which the cap's emissions become reachable. What matches to solver
tolerance is the Lagrangian identity: the priced optimum at p* costs the capped optimum plus
p* × cap (× the 2030 discount sum, 1 here), i.e. the capped pathway is a least-cost pathway
under the price — the content of "the carbon price that delivers the cap".
"""

from __future__ import annotations

import pytest

from optimizer.runner import solve_scenario

CAP = 5.0
PRICE = (148 - 100) / 1.8


def _priced(scenario, price: float):
    run = solve_scenario(scenario(extra=f"carbon_price = {{ 2030 = {float(price)!r} }}"))
    assert run.status == "optimal"
    return run


def test_shadow_price_charged_as_a_tax_delivers_the_cap(scenario):
    capped = solve_scenario(scenario(extra=f"cap = {{ 2030 = {CAP} }}"))
    price = capped.tables["carbon_price"].set_index("year")["price"][2030]
    assert price == pytest.approx(PRICE, rel=1e-9)
    assert capped.summary["emissions"]["2030"] == pytest.approx(CAP)

    above = _priced(scenario, price * (1 + 1e-6))
    below = _priced(scenario, price * (1 - 1e-6))
    assert above.summary["emissions"]["2030"] <= CAP + 1e-6  # the price meets the cap …
    assert below.summary["emissions"]["2030"] >= CAP - 1e-6  # … and no lower price does
    assert above.summary["emissions"]["2030"] == pytest.approx(2.0)  # the abating end of the tie
    assert below.summary["emissions"]["2030"] == pytest.approx(20.0)

    exact = _priced(scenario, price)
    discount_sum_2030 = capped.data.discount_sum[2030]
    assert exact.result.objective == pytest.approx(capped.result.objective + price * CAP * discount_sum_2030, rel=1e-9)
    carbon_paid = exact.tables["costs"].query("component == 'carbon'")["discounted"].sum()
    assert carbon_paid == pytest.approx(price * exact.summary["emissions"]["2030"] * discount_sum_2030)
