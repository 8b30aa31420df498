"""`optimizer batch`: several scenarios solved into one folder, side by side."""

from __future__ import annotations

import multiprocessing
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pandas as pd

from optimizer.data.scenario import load_scenario
from optimizer.errors import InputError, Issue
from optimizer.outputs.folders import child, staged
from optimizer.runner import solve_scenario, write_run


def _one(path: Path, out: Path) -> dict:
    run = solve_scenario(path)
    write_run(run, child(out, run.data.scenario, str(path)))
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


def _check_members(paths: list[Path]) -> None:
    """Every scenario file parses and names its own folder (InputError listing every problem)."""
    issues: list[Issue] = []
    names: dict[str, Path] = {}
    for path in paths:
        try:
            name = load_scenario(path).name
        except InputError as error:
            issues += error.issues
            continue
        if name in names:
            message = f"name {name!r} is also the name of {names[name]}: batch members need distinct names"
            issues.append(Issue(str(path), message, column="name"))
        names.setdefault(name, path)
    if issues:
        raise InputError(issues)


def run_batch(paths: list[Path], out: Path, workers: int = 1, force: bool = False) -> pd.DataFrame:
    """Solve each scenario into `out/<scenario name>/` and write `out/runs.csv`.

    The batch folder is built beside `out` and swapped into place when every member is written;
    an existing `out` is replaced only if it is a batch folder this tool wrote holding nothing
    else (or empty), unless `force` (`optimizer.outputs.folders`).
    """
    _check_members(paths)
    with staged(out, "batch", force) as folder:
        if workers > 1 and len(paths) > 1:
            context = multiprocessing.get_context("forkserver")
            with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
                rows = list(pool.map(_one, paths, [folder] * len(paths)))
        else:
            rows = [_one(path, folder) for path in paths]
        runs = pd.DataFrame(rows)
        runs.to_csv(folder / "runs.csv", index=False)
    return runs
