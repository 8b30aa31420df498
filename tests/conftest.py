"""Shared fixtures: a factory for tiny datasets solved end to end through the real loader.

Tests marked `slow` (the few long end-to-end ones) run only with `--slow` or where the
environment sets `CI` (as CI does), so the README's test command stays short.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from builders import Dataset, write_scenario

from optimizer.runner import RunResult, solve_scenario

ROOT = Path(__file__).resolve().parents[1]


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--slow", action="store_true", help="also run the tests marked slow (CI=true does the same)")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if config.getoption("--slow") or os.environ.get("CI", "").lower() not in ("", "0", "false"):
        return
    skip = pytest.mark.skip(reason="slow end to end: run with --slow (CI runs it)")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip)


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
