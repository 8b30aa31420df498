"""Least-cost industrial decarbonisation pathways: a Pyomo LP solved by HiGHS.

Public API (imported on first use, so reading results never loads Pyomo)::

    from optimizer import solve_scenario, write_run, load_run
    run = solve_scenario("inputs/scenarios/net-zero-2060.toml")
    run.tables["emissions"]          # tidy pandas DataFrames
    tables = load_run("results/net-zero-2060")   # a saved run folder, without Pyomo
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

_EXPORTS = {
    "InputError": "optimizer.errors",
    "ModelData": "optimizer.data.model_data",
    "load_model_data": "optimizer.data.model_data",
    "Scenario": "optimizer.data.scenario",
    "load_scenario": "optimizer.data.scenario",
    "RunResult": "optimizer.runner",
    "solve_scenario": "optimizer.runner",
    "write_run": "optimizer.runner",
    "load_run": "optimizer.results",
    "RunTables": "optimizer.results",
    "write_report": "optimizer.report",
}
__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(importlib.import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'optimizer' has no attribute {name!r}")
