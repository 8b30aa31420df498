"""Least-cost industrial decarbonisation pathways: a Pyomo LP solved by HiGHS.

Public API::

    from optimizer import load_scenario, load_model_data, solve_scenario, write_run
    run = solve_scenario("inputs/scenarios/net-zero-2060.toml")
    run.tables["emissions"]          # tidy pandas DataFrames
"""

from optimizer.data.model_data import ModelData, load_model_data
from optimizer.data.scenario import Scenario, load_scenario
from optimizer.errors import InputError
from optimizer.runner import RunResult, solve_scenario, write_run

__version__ = "0.1.0"
__all__ = [
    "InputError",
    "ModelData",
    "RunResult",
    "Scenario",
    "load_model_data",
    "load_scenario",
    "solve_scenario",
    "write_run",
]
