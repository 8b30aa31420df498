"""`optimizer batch`: several scenarios solved into one folder, side by side."""

from __future__ import annotations

import multiprocessing
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pandas as pd

from optimizer.runner import solve_scenario, write_run


def _one(path: Path, out: Path) -> dict:
    run = solve_scenario(path)
    write_run(run, out / run.data.scenario)
    final = str(run.data.years[-1])
    levers = (run.summary.get("levers") or {}).get("shares") or {}
    return {
        "scenario": run.data.scenario,
        "file": str(path),
        "status": run.status,
        "objective": run.result.objective,
        f"emissions_{final}": run.summary["emissions"].get(final),
        **{f"share_{lever}": share for lever, share in levers.items()},
    }


def run_batch(paths: list[Path], out: Path, workers: int = 1) -> pd.DataFrame:
    """Solve each scenario into `out/<scenario name>/` and write `out/runs.csv`."""
    out.mkdir(parents=True, exist_ok=True)
    if workers > 1 and len(paths) > 1:
        context = multiprocessing.get_context("forkserver")
        with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
            rows = list(pool.map(_one, paths, [out] * len(paths)))
    else:
        rows = [_one(path, out) for path in paths]
    runs = pd.DataFrame(rows)
    runs.to_csv(out / "runs.csv", index=False)
    return runs
