"""The command line: argument parsing and exit codes only (DESIGN §5).

Exit codes: 0 solved to optimality (or inputs valid); 1 solved to no optimum (infeasible,
unbounded, time limit), with a diagnosis written; 2 bad input or usage.
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from optimizer import pathways_cli
from optimizer.data.read import read_tables
from optimizer.data.validate import validate_tables
from optimizer.errors import InputError, Issue
from optimizer.report import cli as report_cli

log = logging.getLogger("optimizer")
DEFAULT_SCENARIO = Path("inputs/scenarios/net-zero-2060.toml")


def default_scenario() -> Path:
    """The shipped default scenario: under the working folder, else beside the package."""
    for root in (Path.cwd(), Path(__file__).resolve().parents[1]):
        if (root / DEFAULT_SCENARIO).is_file():
            return root / DEFAULT_SCENARIO
    raise InputError(Issue(str(DEFAULT_SCENARIO), "no scenario given and the default scenario was not found"))


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # usage errors exit 2 with one line, as argparse does
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}: error: {message}\n")


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="optimizer", description="Least-cost industrial decarbonisation pathways (Pyomo + HiGHS).")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    run = commands.add_parser("run", help="solve a scenario and write its results folder")
    run.add_argument("scenario", nargs="?", type=Path, help="scenario TOML (default: the shipped net-zero-2060)")
    run.add_argument("--out", type=Path, help="results folder (default: results/<scenario name>)")
    run.add_argument("--write-mps", type=Path, metavar="FILE", help="also write the LP handed to HiGHS")
    run.add_argument("--time-limit", type=float, metavar="S", help="HiGHS time limit in seconds")
    run.add_argument("--no-report", action="store_true", help="skip plots/, report.html and iamc.csv")
    run.add_argument("-q", "--quiet", action="store_true", help="print only errors")
    validate = commands.add_parser("validate", help="check a dataset folder or a scenario without solving")
    validate.add_argument("path", nargs="?", type=Path, help="dataset folder or scenario TOML (default: shipped)")
    batch = commands.add_parser("batch", help="solve several scenarios into one folder")
    batch.add_argument("scenarios", nargs="+", type=Path, help="scenario TOML files")
    batch.add_argument(
        "--out", type=Path, default=Path("results") / "batch", help="batch folder (default results/batch)"
    )
    batch.add_argument("--workers", type=int, default=1, help="parallel processes (default 1)")
    sweep = commands.add_parser("sweep", help="run a cost-sensitivity sweep")
    sweep.add_argument("sweep", type=Path, help="sweep TOML")
    sweep.add_argument("--workers", type=int, default=1, help="local worker processes (default 1)")
    sweep.add_argument("--scheduler", metavar="ADDRESS", help="Dask scheduler, e.g. tcp://host:8786")
    sweep.add_argument("--resume", action="store_true", help="skip points already finished in --out")
    sweep.add_argument("--out", type=Path, help="sweep folder (default results/<sweep name>)")
    sweep.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    report_cli.add_parser(commands)
    pathways_cli.add_parsers(commands)
    return parser


def _run(args: argparse.Namespace) -> int:
    from optimizer.runner import solve_scenario, write_run  # the solver stack loads only when needed

    scenario_path = args.scenario or default_scenario()
    log.info("solving %s", scenario_path)
    run = solve_scenario(scenario_path, time_limit=args.time_limit, write_mps=args.write_mps)
    out = args.out or Path("results") / run.data.scenario
    write_run(run, out, report=not args.no_report)
    timings = run.summary["timings"]
    phases = ", ".join(f"{name} {seconds:.2f} s" for name, seconds in timings.items())
    if not run.result.optimal:
        log.error("%s: %s", run.status, run.diagnosis["message"] if run.diagnosis else run.status)
        log.error("diagnosis written to %s", out / "diagnosis.json")
        return 1
    final_year = run.data.years[-1]
    log.info(
        "%s: objective %.6g %s; emissions %d: %.1f MtCO2 (%s)",
        run.status,
        run.result.objective,
        run.summary["objective_unit"],
        final_year,
        run.summary["emissions"][str(final_year)],
        run.data.scope,
    )
    log.info("timings: %s", phases)
    log.info("results written to %s", out)
    return 0


def _batch(args: argparse.Namespace) -> int:
    from optimizer.batch.scenarios import run_batch

    runs = run_batch(args.scenarios, args.out, workers=args.workers)
    log.info("%s", runs.to_string(index=False))
    log.info("results written to %s", args.out)
    return 0 if (runs["status"] == "optimal").all() else 1


def _sweep(args: argparse.Namespace) -> int:
    from optimizer.batch.analysis import write_analysis
    from optimizer.batch.config import load_sweep
    from optimizer.batch.execute import run_sweep

    sweep = load_sweep(args.sweep)
    out = args.out or Path("results") / sweep.name
    runs = run_sweep(
        sweep, out, workers=args.workers, scheduler=args.scheduler, resume=args.resume, progress=not args.quiet
    )
    write_analysis(sweep, runs, out)
    failed = int((runs["status"] != "optimal").sum())
    log.info("%d points, %d failed; results in %s (runs.parquet, runs.csv, tables/, plots/)", len(runs), failed, out)
    return 0 if failed == 0 else 1


def _validate(args: argparse.Namespace) -> int:
    path = args.path or default_scenario()
    if path.is_dir():
        issues: list[Issue] = []
        _, tables = read_tables(path, issues)
        validate_tables(tables, issues)
        if issues:
            raise InputError(issues)
        log.info(
            "%s: valid (%d technologies, %d commodities)", path, len(tables["technologies"]), len(tables["commodities"])
        )
        return 0
    from optimizer.data.model_data import load_model_data

    data, _ = load_model_data(path)
    log.info(
        "%s: valid (%d technologies, %d regions, years %d–%d)",
        path,
        len(data.technologies),
        len(data.regions),
        data.years[0],
        data.years[-1],
    )
    return 0


def main(argv: list[str] | None = None) -> int:
    """Entry point of `optimizer` and `python -m optimizer`; returns the exit code."""
    args = _parser().parse_args(argv)
    level = logging.ERROR if getattr(args, "quiet", False) else logging.INFO
    logging.basicConfig(level=level, format="%(message)s", stream=sys.stderr, force=True)
    logging.getLogger("pyomo").setLevel(logging.WARNING)
    try:
        handlers = {"run": _run, "validate": _validate, "batch": _batch, "sweep": _sweep, "report": report_cli.run}
        handlers.update(dict.fromkeys(pathways_cli.COMMANDS, pathways_cli.run))
        return handlers[args.command](args)
    except InputError as error:
        log.error("%s", error.report())
        return 2
    except OSError as error:
        log.error("cannot read or write %s: %s", getattr(error, "filename", ""), error.strerror or error)
        return 2
