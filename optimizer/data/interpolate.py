"""Fill sparse years: linear between given years, flat outside them (README, "Inputs")."""

from __future__ import annotations

from collections.abc import Sequence

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
    columns = [table[key].tolist() for key in keys]
    numbers = table[value].tolist()
    at = table[year].tolist()
    given = [
        (tuple(column[i] for column in columns), at[i], numbers[i])
        for i in range(len(numbers))
        if not is_blank(numbers[i]) and not any(is_blank(column[i]) for column in columns)
    ]
    return interpolate_rows(given, years, before_first)


def interpolate_rows(
    rows: list[tuple[tuple, float, float]], years: Sequence[int], before_first: str = "flat"
) -> dict[tuple[object, ...], float]:
    """`interpolate` of rows (key, year, value) already free of blanks, in any order."""
    given = sorted(((key, float(x), float(y)) for key, x, y in rows), key=lambda row: (row[0], row[1]))  # stable
    result: dict[tuple[object, ...], float] = {}
    target = np.asarray(years, dtype=float)
    start = 0
    while start < len(given):
        group = given[start][0]
        stop = start + 1
        while stop < len(given) and given[stop][0] == group:
            stop += 1
        xs = [row[1] for row in given[start:stop]]
        filled = np.interp(target, xs, [row[2] for row in given[start:stop]]).tolist()
        for y, v in zip(years, filled, strict=True):
            if before_first == "none" and y < xs[0]:
                continue
            result[(*group, int(y))] = v
        start = stop
    return result


def is_blank(value: object) -> bool:
    """None, NaN or pandas' NA."""
    return value is None or value is pd.NA or (isinstance(value, float) and value != value)
