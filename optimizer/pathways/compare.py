"""Compare saved runs: aligned difference tables, charts and a self-contained page.

    from optimizer.pathways.compare import compare_runs
    comparison = compare_runs(["results/net-zero-2060", "results/no-ccus"], "results/compare")
    comparison.tables["emissions"]          # run, year, emissions, unit, delta_emissions

The tables are aligned by `optimizer.pathways.align` and the page is drawn by
`optimizer.report.compare`; this module loads, aligns and writes both.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from pathlib import Path

from optimizer.outputs.folders import check_replaceable, staged
from optimizer.pathways.align import Comparison, compare_tables, load_runs, write_tables

log = logging.getLogger("optimizer")


def write_comparison(comparison: Comparison, out_dir: str | Path, charts: bool = True, force: bool = False) -> Path:
    """Write the aligned tables, key_numbers.csv, compare.json and (with charts) plots/ and
    compare.html to `out_dir`, built beside it and swapped into place when complete. An existing
    `out_dir` is replaced only if it is a comparison this tool wrote holding nothing else (or
    empty), unless `force` (`optimizer.outputs.folders`)."""
    with staged(out_dir, "compare", force) as folder:
        write_tables(comparison, folder)
        if charts:
            from optimizer.report.compare import write_page  # matplotlib, only when charts are drawn

            write_page(comparison, folder)
    return Path(out_dir)


def compare_runs(
    run_dirs: Iterable[str | Path],
    out_dir: str | Path | None = None,
    charts: bool = True,
    reference: str | Path | None = None,
    force: bool = False,
) -> Comparison:
    """Load the run folders (or folders holding them), align them, and write to `out_dir` if given.

    Differences are against `reference` (a run folder; added if not among `run_dirs`), else
    against the first run folder given (or found, in a folder holding several). Every note
    (different year grids, datasets, skipped runs) is logged as a warning too.
    """
    if out_dir is not None:
        check_replaceable(out_dir, "compare", force)
    labels, runs, notes = load_runs(run_dirs, reference)
    comparison = compare_tables(labels, runs, notes)
    for note in comparison.notes:
        log.warning("note: %s", note)
    if out_dir is not None:
        write_comparison(comparison, out_dir, charts=charts, force=force)
    return comparison
