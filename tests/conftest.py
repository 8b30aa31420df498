"""Shared fixtures: a factory for tiny datasets solved end to end through the real loader."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from builders import Dataset, write_scenario

from optimizer.runner import RunResult, solve_scenario

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def solve(tmp_path: Path) -> Callable[..., RunResult]:
    """Write a Dataset and a scenario to tmp_path and solve it."""
    counter = {"n": 0}

    def _solve(dataset: Dataset, **scenario: object) -> RunResult:
        counter["n"] += 1
        folder = dataset.write(tmp_path / f"data{counter['n']}")
        path = write_scenario(tmp_path, folder, name=f"case{counter['n']}", **scenario)
        return solve_scenario(path)

    return _solve
