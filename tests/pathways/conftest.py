"""Tiny datasets for the pathway comparisons, written as real files (tests/builders.py).

`three_routes()`: one region, 10 Mt/yr of steel in 2025 and 2030 (discount rate 0, so a
milestone's discount sum is its weight: 5 for 2025, 1 for 2030).

| route | lever | cost (CNY/t) | emitted (t/t) | captured (t/t) |
|---|---|---|---|---|
| bf  | incumbent       | 100                 | 2.0             | 0   |
| ccs | ccus            | 130 + 1.8 × 10 = 148 | 0.2             | 1.8 |
| eaf | electrification | 150 + 2 GJ × 20 = 190 | 2 × 0.1 = 0.2 (grid) | 0 |
| h2  | hydrogen        | 300                 | 0               | 0   |

Abating with ccs costs (148 − 100) / 1.8 = 26.67 CNY/tCO2, with eaf 90 / 1.8 = 50; going below
2 t/t needs h2, at (300 − 148) / 0.2 = 760 CNY/tCO2.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from builders import Dataset, write_scenario


def three_routes() -> Dataset:
    data = Dataset()
    data.commodity("steel").commodity("electricity", "PJ", "energy", role="grid_electricity").commodity("co2_storage", kind="service", role="co2_storage")
    data.technology("bf", variable_om=100, co2=2.0)
    data.technology("ccs", variable_om=130, co2=2.0, capture=0.9, lever="ccus")
    data.technology("eaf", variable_om=150, inputs={"electricity": 2.0}, lever="electrification")
    data.technology("h2", variable_om=300, lever="hydrogen")
    data.demand({2025: 10}).price("electricity", 20, emission_factor=0.1).price("co2_storage", 10)
    return data


@pytest.fixture
def scenario(tmp_path: Path) -> Callable[..., Path]:
    """Write a Dataset (default: three_routes()) and a scenario on it; return the scenario path."""
    counter = {"n": 0}

    def _scenario(dataset: Dataset | None = None, **options: object) -> Path:
        counter["n"] += 1
        folder = (dataset or three_routes()).write(tmp_path / f"data{counter['n']}")
        options.setdefault("name", f"case{counter['n']}")
        return write_scenario(tmp_path, folder, **options)

    return _scenario


@pytest.fixture
def routes() -> Callable[[], Dataset]:
    """`three_routes`, for tests that add rows to it."""
    return three_routes
