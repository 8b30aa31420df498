"""`optimizer report RUN_DIR`: regenerate plots, report.html and iamc.csv from a saved run.

`add_parser` registers the command on the main command line (`optimizer.cli`); `python -m
optimizer.report.cli RUN_DIR` runs it on its own. Neither imports Pyomo or the solver.
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from optimizer.errors import command, log_to_console
from optimizer.report import write_report

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
    parser.set_defaults(func=run)
    return parser


@command
def run(args: argparse.Namespace) -> int:
    """Exit code 0 when the report is written, 2 when RUN_DIR is not a complete run folder."""
    written = write_report(args.run_dir)
    charts = sum(path.suffix == ".png" for path in written)
    others = ", ".join(path.name for path in written if path.suffix != ".png")
    log.info("report written to %s: plots/ (%d charts), %s", args.run_dir, charts, others)
    return 0


def main(argv: list[str] | None = None) -> int:
    """Stand-alone entry point: `python -m optimizer.report.cli RUN_DIR`."""
    parser = argparse.ArgumentParser(prog="optimizer")
    add_parser(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(["report", *(sys.argv[1:] if argv is None else argv)])
    log_to_console()
    return int(args.func(args))


if __name__ == "__main__":
    sys.exit(main())
