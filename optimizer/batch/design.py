"""Design points: which parameter values each run of a sweep uses.

One-at-a-time and grid are enumerated here; Latin hypercube uses scipy's `qmc`; Morris and
Sobol designs come from SALib (the `sensitivity` extra), never written by hand.
"""

from __future__ import annotations

import itertools

import numpy as np

from optimizer.batch.config import Parameter, Sweep

Point = dict[str, float | None]


def salib_problem(parameters: tuple[Parameter, ...]) -> dict:
    """The SALib problem definition of a sweep's parameters."""
    return {
        "num_vars": len(parameters),
        "names": [p.name for p in parameters],
        "bounds": [list(p.bounds) for p in parameters],
    }


def design(sweep: Sweep) -> list[Point]:
    """Every point of the sweep, in a fixed order (the run ids follow it)."""
    parameters = sweep.parameters
    if sweep.method == "one-at-a-time":
        baseline: Point = {p.name: p.baseline for p in parameters}
        points = [dict(baseline)]
        for p in parameters:
            for value in p.values or p.bounds:
                if value != p.baseline:
                    points.append({**baseline, p.name: value})
        return points
    if sweep.method == "grid":
        axes = [p.values or p.bounds for p in parameters]
        return [dict(zip([p.name for p in parameters], combo, strict=True)) for combo in itertools.product(*axes)]
    return [dict(zip([p.name for p in parameters], map(float, row), strict=True)) for row in sample_matrix(sweep)]


def sample_matrix(sweep: Sweep) -> np.ndarray:
    """The sampled design as a matrix, one row a point (sampled methods only)."""
    problem = salib_problem(sweep.parameters)
    if sweep.method == "latin-hypercube":
        from scipy.stats import qmc

        unit = qmc.LatinHypercube(d=problem["num_vars"], seed=sweep.seed).random(sweep.samples)
        lows, highs = np.array(problem["bounds"]).T
        return qmc.scale(unit, lows, highs)
    if sweep.method == "morris":
        from SALib.sample import morris

        return morris.sample(problem, sweep.samples, num_levels=4, seed=sweep.seed)
    from SALib.sample import sobol

    return sobol.sample(problem, sweep.samples, calc_second_order=False, seed=sweep.seed)
