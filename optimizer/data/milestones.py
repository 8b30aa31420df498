"""The calendar years each milestone year stands for, computed here for every layer.

Milestone y represents the calendar years y … next milestone − 1; the last milestone represents
`tail` years: itself and, with a tail above 1, the years after it at its state (an end-of-horizon
treatment: what is built or kept for the final year serves, and is paid for, over those years).
The model weighs annual flows by it (cumulative limits, budgets, discounting), and
summaries and reports of saved runs spread milestone values over calendar years with it. Plain
Python, so code that reads saved runs imports it without pandas' or Pyomo's weight.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import pairwise


def years_represented(years: Sequence[int], tail: int = 1) -> dict[int, int]:
    """Calendar years each milestone stands for: the gap to the next one, `tail` for the last.

    >>> years_represented([2025, 2030, 2040])
    {2025: 5, 2030: 10, 2040: 1}
    >>> years_represented([2025, 2030], tail=10)
    {2025: 5, 2030: 10}
    """
    if not years:
        return {}
    return {year: later - year for year, later in pairwise([*years, years[-1] + tail])}
