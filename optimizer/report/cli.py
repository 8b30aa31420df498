"""`optimizer report RUN_DIR`: regenerate plots, report.html and iamc.csv from a saved run.

`add_parser` registers the command on the main command line (`optimizer.cli`); `python -m
optimizer.report.cli RUN_DIR` runs it on its own. Neither imports Pyomo or the solver, and
matplotlib only once a report is drawn. `make_report` is what `optimizer run` calls too: it
shows the report's progress on a terminal and names the page it wrote.
"""

from __future__ import annotations

import argparse
import logging
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from optimizer.errors import command, log_to_console
from optimizer.results import RunTables, load_run

log = logging.getLogger("optimizer.report")


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Register the `report` subcommand on an `add_subparsers()` object; return its parser."""
    parser = subparsers.add_parser(
        "report",
        help="remake plots/, report.html and iamc.csv from a run folder's saved tables",
        description="Regenerate the charts (plots/*.png), the self-contained report.html and the IAMC table "
        "(iamc.csv, and iamc.xlsx if openpyxl is installed) of a run folder from its CSV tables alone.",
    )
    parser.add_argument("run_dir", type=Path, metavar="RUN_DIR", help="a folder written by `optimizer run`")
    parser.add_argument("-q", "--quiet", action="store_true", help="print only errors")
    parser.set_defaults(func=run)
    return parser


@contextmanager
def progress_bar(total: int, quiet: bool = False) -> Iterator[Callable[[str], None]]:
    """A `progress(step)` callback for `write_report`: a bar of `total` steps on a terminal
    (nothing when `quiet` or when standard error is not a terminal), closed on exit."""
    from tqdm import tqdm

    bar = tqdm(total=total, desc="report", unit="step", leave=False, disable=quiet or None)
    started = [False]

    def progress(step: str) -> None:
        if started[0]:
            bar.update(1)
        started[0] = True
        bar.set_postfix_str(step, refresh=True)

    try:
        yield progress
        bar.update(1)
    finally:
        bar.close()


def report_steps(tables: RunTables | dict) -> int:
    """Steps of a report: its charts, report.html and iamc.csv."""
    from optimizer.report.plots import chart_count

    return chart_count(tables) + 2


def make_report(folder: Path, tables: RunTables | None = None, quiet: bool = False) -> list[Path]:
    """Write the report of the run folder `folder` with a progress bar on a terminal (none when
    `quiet`), and log where the page is; return the paths written."""
    from optimizer.report import write_report

    tables = load_run(folder) if tables is None else tables
    clock = time.perf_counter()
    log.info("drawing the report (%d charts, report.html, iamc.csv) …", report_steps(tables) - 2)
    with progress_bar(report_steps(tables), quiet) as progress:
        written = write_report(folder, tables, progress)
    charts = sum(path.suffix == ".png" for path in written)
    others = ", ".join(path.name for path in written if path.suffix != ".png" and path.name != "report.html")
    log.info("report: %s (%d charts in plots/, %s; %.1f s)", folder / "report.html", charts, others,
             time.perf_counter() - clock)  # fmt: skip
    return written


@command
def run(args: argparse.Namespace) -> int:
    """Exit code 0 when the report is written, 2 when RUN_DIR is not a complete run folder."""
    make_report(args.run_dir, quiet=getattr(args, "quiet", False))
    return 0


def main(argv: list[str] | None = None) -> int:
    """Stand-alone entry point: `python -m optimizer.report.cli RUN_DIR`."""
    parser = argparse.ArgumentParser(prog="optimizer")
    add_parser(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(["report", *(sys.argv[1:] if argv is None else argv)])
    log_to_console(quiet=args.quiet)
    return int(args.func(args))


if __name__ == "__main__":
    sys.exit(main())
