"""Charts, a self-contained HTML page and an IAMC table, made from a saved run folder.

    from optimizer.report import write_report
    write_report("results/net-zero-2060")   # plots/*.png, report.html, iamc.csv (+ iamc.xlsx)

Everything here reads the folder's CSV tables and summary.json only (no Pyomo, no solver), so
a report can be regenerated anywhere with `optimizer report RUN_DIR`. matplotlib is imported
only when charts are drawn, so importing this package (as the command line does) stays cheap.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

from optimizer.results import RunTables, load_run

__all__ = ["iamc_table", "write_html", "write_iamc", "write_plots", "write_report"]

_LAZY = {
    "iamc_table": "optimizer.report.iamc",
    "write_iamc": "optimizer.report.iamc",
    "write_html": "optimizer.report.html",
    "write_plots": "optimizer.report.plots",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'optimizer.report' has no attribute {name!r}")


def write_report(
    run_dir: str | Path, tables: RunTables | None = None, progress: Callable[[str], None] | None = None
) -> list[Path]:
    """Write plots/, report.html and iamc.csv (and iamc.xlsx if openpyxl is installed) into
    `run_dir` from its saved tables; return the paths written. `progress(step)` is called
    before each chart and each file, for a progress display.

    Raises `optimizer.results.NotARunFolder` (a FileNotFoundError naming the missing file) if
    `run_dir` is not a complete run folder.
    """
    from optimizer.report.html import write_html
    from optimizer.report.iamc import write_iamc
    from optimizer.report.plots import write_plots

    folder = Path(run_dir)
    tables = load_run(folder) if tables is None else tables
    charts = write_plots(tables, folder, progress)
    written = [folder / "plots" / f"{chart.name}.png" for chart in charts]
    if progress is not None:
        progress("report.html")
    written.append(write_html(tables, folder, charts))
    if progress is not None:
        progress("iamc.csv")
    written += write_iamc(tables, folder)
    return written
