"""Discounting and annuities. All rates are real, per year."""

from __future__ import annotations


def capital_recovery_factor(rate: float, life: int) -> float:
    """Annual payment per unit of investment over `life` years at `rate`.

    >>> round(capital_recovery_factor(0.0, 20), 6)
    0.05
    >>> round(capital_recovery_factor(0.06, 20), 6)
    0.087185
    """
    if rate == 0:
        return 1.0 / life
    growth = (1.0 + rate) ** life
    return rate * growth / (growth - 1.0)


def discount_factor(rate: float, year: int, base_year: int) -> float:
    """Present value in `base_year` of one unit of money spent in `year`.

    >>> discount_factor(0.1, 2026, 2025)
    0.9090909090909091
    """
    return (1.0 + rate) ** -(year - base_year)
