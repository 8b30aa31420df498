"""The benchmark harness runs its smallest case and reports every phase (timings not asserted)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"


def test_smallest_benchmark_case_reports_every_phase():
    sys.path.insert(0, str(BENCHMARKS))
    spec = importlib.util.spec_from_file_location("bench_run", BENCHMARKS / "run.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    case = module.run_case(5, 1)
    for key in ("load_s", "build_s", "handoff_s", "solve_s", "extract_s", "write_s", "total_s", "peak_rss_mb"):
        assert case[key] >= 0, key
    assert case["status"] == "optimal"
    assert case["n_vars"] > 1000
    assert case["n_cons"] > 1000
