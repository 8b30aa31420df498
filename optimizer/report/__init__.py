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

from optimizer.outputs.folders import publish
from optimizer.results import RunTables, load_run

__all__ = ["iamc_table", "write_html", "write_iamc", "write_plots", "write_report"]

_LAZY = {
    "iamc_table": "optimizer.report.iamc",
    "write_iamc": "optimizer.report.iamc",
    "write_html": "optimizer.report.html",
    "write_plots": "optimizer.report.plots",
}

#: The files a report owns in a run folder: what it may delete there when it is made again
#: (and then only those its marker lists as written by this tool).
REPORT_FILES = ("plots/*.png", "report.html", "iamc.csv", "iamc.xlsx")


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

    Only the report's own files are written, each made whole beside it and renamed into place;
    nothing else in `run_dir` is touched. A chart written by an earlier report and not drawn
    now is deleted only if the folder's marker lists it (`optimizer.outputs.folders.publish`).

    Raises `optimizer.results.NotARunFolder` (a FileNotFoundError naming the missing file) if
    `run_dir` is not a complete run folder.
    """
    from optimizer.report.html import write_html
    from optimizer.report.iamc import write_iamc
    from optimizer.report.plots import write_plots

    folder = Path(run_dir)
    tables = load_run(folder) if tables is None else tables

    def render(staging: Path) -> list[Path]:
        charts = write_plots(tables, staging, progress)
        written = [staging / "plots" / f"{chart.name}.png" for chart in charts]
        if progress is not None:
            progress("report.html")
        written.append(write_html(tables, staging, charts))
        if progress is not None:
            progress("iamc.csv")
        return written + write_iamc(tables, staging)

    return publish(folder, render, REPORT_FILES)
