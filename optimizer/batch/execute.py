"""Run a sweep: serially, on a local process pool, or on a Dask cluster; never lose a point.

Each finished point is written atomically as it completes (by the local worker that solved it,
or by this process for serial and Dask runs), so a crash loses only the points in flight.
HiGHS runs with one thread per worker (the scenario's default) so workers do not
oversubscribe the cores.

A local pool on Linux forks its workers from this process after it has prepared the base
model once: they start in milliseconds with the model, the HiGHS session and the typed tables
already in memory, where a fresh interpreter would spend a second or more importing and
loading before its first point. Elsewhere (or if this process runs other threads, when
forking is unsafe) workers start from a forkserver and load the base model from an LP
snapshot file this process writes. `workers=None` chooses the number that pays off
(`default_workers`).
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import threading
import warnings
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path
from tempfile import TemporaryDirectory

import pandas as pd
from tqdm import tqdm

from optimizer.batch import store
from optimizer.batch.config import Sweep, check_against_data
from optimizer.batch.design import Point, design
from optimizer.batch.worker import TABLES, cost_only, prepare_base, ready, solve_and_save, solve_point, write_portable


class _Bar(tqdm):
    monitor_interval = 0  # no monitor thread: a process with threads must not fork its workers


def available_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def can_fork() -> bool:
    """Whether workers can be forked from this process safely (Linux, no other thread)."""
    return "fork" in multiprocessing.get_all_start_methods() and threading.active_count() == 1


def default_workers(points: int) -> int:
    """Local workers that pay off for `points` points: forked workers start in milliseconds,
    so every core is used once each gets a few points; workers started afresh take a second
    or more each to import and load, worth it only for longer sweeps."""
    cores = available_cores()
    if cores < 2:
        return 1
    if can_fork():
        return max(1, min(cores, points // 4))
    return cores if points >= 32 else 1


def run_sweep(
    sweep: Sweep,
    out: Path,
    workers: int | None = None,
    scheduler: str | None = None,
    resume: bool = False,
    progress: bool = True,
) -> pd.DataFrame:
    """Solve every point not yet finished in `out` and assemble the results; return runs.
    `workers`: local processes (None: `default_workers`)."""
    check_against_data(sweep, TABLES)
    points = design(sweep)
    ids = store.run_ids(points)
    store.prepare(out, sweep, points, resume)
    done = store.finished(out) if resume else set()
    todo = [(run_id, point) for run_id, point in zip(ids, points, strict=True) if run_id not in done]
    if workers is None:
        workers = default_workers(len(todo))
    bar = _Bar(total=len(ids), initial=len(ids) - len(todo), disable=not progress, unit="point", desc=sweep.name)
    failures = 0
    for record, tables in _results(sweep, todo, workers, scheduler, out):
        if tables is not None:  # None: the worker wrote the point itself
            store.save_point(out, record, tables)
        failures += record.get("status") != "optimal"
        bar.set_postfix(failed=failures)
        bar.update()
    bar.close()
    return store.assemble(out, ids)


def _results(
    sweep: Sweep, todo: list[tuple[str, Point]], workers: int, scheduler: str | None, out: Path
) -> Iterator[tuple[dict, dict | None]]:
    if not todo:
        return
    if scheduler is not None:
        yield from _dask(sweep, todo, scheduler)
    elif workers <= 1:
        yield from _serial(sweep, todo)
    elif can_fork():
        yield from _forked(sweep, todo, workers, out)
    else:
        yield from _pool(sweep, todo, workers)


def _serial(sweep: Sweep, todo: list[tuple[str, Point]]) -> Iterator[tuple[dict, dict]]:
    """In this process. Once the first point has prepared the base model, it is frozen out of
    the cyclic garbage collector until the sweep ends (the collector would otherwise keep
    walking its many long-lived objects between points), then handed back so it can be freed."""
    frozen = False
    try:
        for run_id, point in todo:
            yield solve_point(sweep, run_id, point)
            if not frozen:
                gc.collect()
                gc.freeze()
                frozen = True
    finally:
        if frozen:
            gc.unfreeze()


def _forked(sweep: Sweep, todo: list[tuple[str, Point]], workers: int, out: Path) -> Iterator[tuple[dict, None]]:
    """Workers forked from this process once it holds the prepared base model (see the
    module); each writes the points it solves, and only their records come back."""
    if any(cost_only(sweep, point) for _, point in todo):
        try:
            prepare_base(sweep.base)
        except Exception as error:  # each point then fails or builds on its own, as in serial runs
            warnings.warn(f"could not prepare the base model ({error}); each point builds it", stacklevel=2)
    gc.collect()
    gc.freeze()  # the base model stays shared with the forked workers, out of every collector's walk
    try:
        context = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(max_workers=min(workers, len(todo)), mp_context=context) as pool:
            futures = [pool.submit(solve_and_save, sweep, run_id, point, out) for run_id, point in todo]
            for future in as_completed(futures):
                yield future.result(), None
    finally:
        gc.unfreeze()


def _pool(sweep: Sweep, todo: list[tuple[str, Point]], workers: int) -> Iterator[tuple[dict, dict]]:
    """Local processes. The workers start (and import) while this process builds the base
    model once; they load it from a file instead of each building it again."""
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["optimizer.batch.worker"])
    with TemporaryDirectory() as folder, ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        for _ in range(min(workers, len(todo))):
            pool.submit(ready)
        portable = _hand_over(sweep, todo, Path(folder))
        futures = [pool.submit(solve_point, sweep, run_id, point, portable, True) for run_id, point in todo]
        for future in as_completed(futures):
            yield future.result()


def _hand_over(sweep: Sweep, todo: list[tuple[str, Point]], folder: Path) -> Path | None:
    """Write the base model for the workers if any point can re-solve it (None otherwise)."""
    if not any(cost_only(sweep, point) for _, point in todo):
        return None
    try:
        return write_portable(sweep.base, folder)
    except Exception as error:  # each worker then builds it and records any failure per point
        warnings.warn(f"could not hand the base model to the workers ({error}); each builds it", stacklevel=2)
        return None


def _dask(sweep: Sweep, todo: list[tuple[str, Point]], scheduler: str) -> Iterator[tuple[dict, dict]]:
    """A Dask cluster. Workers that can see this machine's temporary folder load the base model
    from it; others (on other machines) build it once each."""
    try:
        from distributed import Client
        from distributed import as_completed as dask_completed
    except ImportError as error:  # pragma: no cover - depends on the installed extras
        raise RuntimeError("--scheduler needs the 'distributed' extra: pip install 'optimizer[distributed]'") from error
    client = scheduler if not isinstance(scheduler, str) else Client(scheduler)
    try:
        with TemporaryDirectory() as folder:
            portable = _hand_over(sweep, todo, Path(folder))
            futures = [client.submit(solve_point, sweep, run_id, point, portable, pure=False) for run_id, point in todo]
            for future in dask_completed(futures):
                yield future.result()
    finally:
        if isinstance(scheduler, str):
            client.close()
