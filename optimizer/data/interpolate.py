"""Fill sparse years: linear between given years, flat outside them (README, "Inputs")."""

from __future__ import annotations

from collections.abc import Sequence
from itertools import pairwise

import numpy as np
import pandas as pd


def interpolate(
    table: pd.DataFrame,
    keys: Sequence[str],
    value: str,
    years: Sequence[int],
    year: str = "year",
    before_first: str = "flat",
) -> dict[tuple[object, ...], float]:
    """Values of `value` for each group of `keys` at each of `years`.

    Returns `{(*key, year): value}`. Rows whose value is blank are ignored; a group with no
    value at all is left out. With `before_first="none"`, years before a group's first given
    year get no entry (used for caps and carbon prices, which start when first given).

    >>> t = pd.DataFrame({"k": ["a", "a"], "year": [2020, 2030], "v": [1.0, 3.0]})
    >>> interpolate(t, ["k"], "v", [2015, 2025, 2040])
    {('a', 2015): 1.0, ('a', 2025): 2.0, ('a', 2040): 3.0}
    """
    result: dict[tuple[object, ...], float] = {}
    given = table.dropna(subset=[value, *keys])
    if given.empty:
        return result
    given = given.sort_values([*keys, year], kind="stable")  # groups in key order, each by year
    groups = list(given[list(keys)].itertuples(index=False, name=None))
    xs_all = given[year].to_numpy(dtype=float)
    ys_all = given[value].to_numpy(dtype=float)
    starts = [0, *(i for i in range(1, len(groups)) if groups[i] != groups[i - 1]), len(groups)]
    target = np.asarray(years, dtype=float)
    for start, stop in pairwise(starts):
        xs = xs_all[start:stop]
        filled = np.interp(target, xs, ys_all[start:stop]).tolist()
        for y, v in zip(years, filled, strict=True):
            if before_first == "none" and y < xs[0]:
                continue
            result[(*groups[start], int(y))] = v
    return result
