"""Near-optimal alternatives (modelling to generate alternatives, MGA): the cost limit and the
targets pushed within it.

How different can a pathway be while costing at most `slack` more than the optimum? The model
gains one row and a new objective, both linear in its variables:

    Σ objective coefficients × variables  ≤  optimum + slack × |optimum|     (`mga_cost_limit`)

(the very expression of `total_cost`), and the target is minimised, or its negation is (HiGHS
minimises only). A lever's abatement (`optimizer.outputs.attribution`) is not linear in the
variables, so the target is an ACTIVITY-WEIGHTED PROXY, cumulated over the horizon (Σ over
milestones × the calendar years each represents):
- `("lever", "ccus", sense)`: the cumulative CO2 captured, MtCO2 (emission terms of scope
  `captured`, whichever technology captures);
- `("lever", name, sense)`: the cumulative output of the technologies whose `lever` is `name`,
  in their output units (Mt or PJ, summed as they are: mixing units is the price of linearity);
- `("technology", name, sense)`: that technology's cumulative output.

Row and objective are given as {(variable, index): coefficient}, like the cost and emission
terms, so they apply to the built LP as it is: `optimizer.pathways.mga` adds the row to the
optimum's HiGHS session once and changes the objective per target, without rebuilding.
"""

from __future__ import annotations

from collections.abc import Iterable

from optimizer.data.model_data import ModelData
from optimizer.errors import InputError, Issue
from optimizer.model.build import BuiltModel
from optimizer.model.cost import objective_coefficients

Target = tuple[str, str, str]  # (kind: lever | technology, name, sense: min | max)
Terms = dict[tuple[str, tuple], float]  # {(variable, index): coefficient}
KINDS = ("lever", "technology")
SENSES = ("min", "max")
COST_LIMIT = ("mga_cost_limit", ())  # the key of the cost limit's row


def check_targets(data: ModelData, targets: Iterable[Target]) -> None:
    """Raise InputError listing every target that names nothing in the data."""
    levers = sorted({tech.lever for tech in data.technologies.values()} | {"ccus"})
    captures = any(data.co2_direct.get(key, 0.0) * rate for key, rate in data.capture_rate.items())
    issues = []
    for kind, name, sense in targets:
        if kind not in KINDS:
            issues.append(Issue("mga", f"target kind {kind!r} is not one of {', '.join(KINDS)}"))
        elif kind == "lever" and name not in levers:
            issues.append(Issue("mga", f"no technology has lever {name!r}; levers in the data: {', '.join(levers)}"))
        elif kind == "lever" and name == "ccus" and not captures:
            issues.append(Issue("mga", "no technology captures CO2, so the ccus lever has nothing to vary"))
        elif kind == "technology" and name not in data.technologies:
            issues.append(Issue("mga", f"unknown technology {name!r}"))
        if sense not in SENSES:
            issues.append(Issue("mga", f"sense {sense!r} is not one of {', '.join(SENSES)}"))
    if issues:
        raise InputError(issues)


def cost_limit(
    data: ModelData, built: BuiltModel, optimum: float, slack: float, basis: float | None = None
) -> tuple[Terms, float]:
    """The cost limit's row: the objective's coefficients and the most the cost may reach:
    optimum + slack × |basis| (million currency, present value), the basis being the optimum's
    whole cost unless another is given (e.g. the pathway's cost against its reference)."""
    return objective_coefficients(data, built.cost_terms), optimum + slack * abs(optimum if basis is None else basis)


def target_terms(data: ModelData, built: BuiltModel, target: Target) -> Terms:
    """The target's cumulative proxy (see the module docstring), whatever its sense."""
    kind, name, _ = target
    terms: Terms = {}
    if kind == "lever" and name == "ccus":
        for term in built.emission_terms:
            if term.scope == "captured":
                slot = (term.variable, term.key)
                terms[slot] = terms.get(slot, 0.0) + data.weight[term.year] * term.coefficient
        return terms
    chosen = {k for k, tech in data.technologies.items() if (tech.lever == name if kind == "lever" else k == name)}
    for r, k, v, y in built.index.capacity_index:
        if k in chosen:
            terms[("activity", (r, k, v, y))] = float(data.weight[y])
    return terms


def target_objective(terms: Terms, target: Target) -> Terms:
    """The objective that pushes the target: its proxy, negated for `max`."""
    sign = 1.0 if target[2] == "min" else -1.0
    return {slot: sign * coefficient for slot, coefficient in terms.items()}


def target_unit(data: ModelData, target: Target) -> str:
    """The unit of the target's proxy."""
    kind, name, _ = target
    if kind == "lever" and name == "ccus":
        return "MtCO2 (cumulative)"
    techs = [t for k, t in data.technologies.items() if (t.lever == name if kind == "lever" else k == name)]
    units = sorted({data.commodity_unit[t.output] for t in techs})
    return " + ".join(units) + " (cumulative output)"
