"""`optimizer report RUN_DIR`: regenerate plots, report.html and iamc.csv from a saved run.

Wiring into `optimizer/cli.py`::

    from optimizer.report import cli as report_cli
    report_cli.add_parser(commands)                    # in _parser()
    if args.command == "report": return report_cli.run(args)   # in main()

`python -m optimizer.report.cli RUN_DIR` works on its own too.
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

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


def run(args: argparse.Namespace) -> int:
    """Exit code 0 when the report is written, 2 when RUN_DIR is not a complete run folder."""
    from optimizer.report import write_report
    from optimizer.results import NotARunFolder

    try:
        written = write_report(args.run_dir)
    except NotARunFolder as error:
        log.error("optimizer report: %s", error)
        return 2
    except OSError as error:
        log.error(
            "optimizer report: cannot read or write %s: %s", error.filename or args.run_dir, error.strerror or error
        )
        return 2
    charts = sum(path.suffix == ".png" for path in written)
    others = ", ".join(path.name for path in written if path.suffix != ".png")
    log.info("report written to %s: plots/ (%d charts), %s", args.run_dir, charts, others)
    return 0


def main(argv: list[str] | None = None) -> int:
    """Stand-alone entry point: `python -m optimizer.report.cli RUN_DIR`."""
    parser = argparse.ArgumentParser(prog="optimizer")
    add_parser(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(["report", *(sys.argv[1:] if argv is None else argv)])
    logging.basicConfig(level=logging.INFO, format="%(message)s", stream=sys.stderr)
    return int(args.func(args))


if __name__ == "__main__":
    sys.exit(main())
