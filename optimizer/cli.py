"""The command line: `optimizer COMMAND …` (and `python -m optimizer`).

Commands: `run`, `validate`, `batch`, `sweep`, `report` (in `optimizer.report.cli`), `compare`,
`mga` and `macc`. Each handler parses nothing and prints nothing but log lines; it returns the
exit code: 0 solved to optimality (or inputs valid, or done); 1 a solve ended without an
optimum (infeasible, unbounded, time limit), with what it could write written all the same;
2 bad input or usage. `optimizer.errors.command` turns bad input and unreadable files into 2
with the problem logged, the same way for every command; argparse exits 2 on usage errors.

The solver stack (Pyomo, HiGHS) is imported inside the handlers that solve, so `validate`,
`report`, `compare` and `--help` start without it.
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from optimizer.data.read import read_tables
from optimizer.data.scenario import load_scenario
from optimizer.data.validate import validate_tables
from optimizer.errors import InputError, Issue, command, log_to_console

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


def _parser(argv: list[str] | None = None) -> argparse.ArgumentParser:
    """The command line; `argv` (when known) lets a command other than `report` skip importing
    the report package, which loads matplotlib."""
    parser = _Parser(prog="optimizer", description="Least-cost industrial decarbonisation pathways (Pyomo + HiGHS).")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    run = commands.add_parser("run", help="solve a scenario and write its results folder")
    run.add_argument("scenario", nargs="?", type=Path, help="scenario TOML (default: the shipped net-zero-2060)")
    run.add_argument("--out", type=Path, help="results folder (default: results/<scenario name>)")
    run.add_argument("--write-mps", type=Path, metavar="FILE", help="also write the LP handed to HiGHS")
    run.add_argument("--time-limit", type=float, metavar="S", help="HiGHS time limit in seconds")
    run.add_argument("--no-report", action="store_true", help="skip plots/, report.html and iamc.csv")
    run.add_argument(
        "--no-reference", action="store_true", help="skip the no-policy reference solve (no cost_vs_reference)"
    )
    run.add_argument("-q", "--quiet", action="store_true", help="print only errors")
    run.set_defaults(func=_run)
    validate = commands.add_parser("validate", help="check a dataset folder or a scenario without solving")
    validate.add_argument("path", nargs="?", type=Path, help="dataset folder or scenario TOML (default: shipped)")
    validate.set_defaults(func=_validate)
    batch = commands.add_parser("batch", help="solve several scenarios into one folder")
    batch.add_argument("scenarios", nargs="+", type=Path, help="scenario TOML files")
    batch.add_argument(
        "--out", type=Path, default=Path("results") / "batch", help="batch folder (default results/batch)"
    )
    batch.add_argument("--workers", type=int, default=1, help="parallel processes (default 1)")
    batch.set_defaults(func=_batch)
    sweep = commands.add_parser("sweep", help="run a cost-sensitivity sweep")
    sweep.add_argument("sweep", type=Path, help="sweep TOML")
    sweep.add_argument(
        "--workers", type=int, help="local worker processes (default: what pays off for the sweep, up to the cores)"
    )
    sweep.add_argument("--scheduler", metavar="ADDRESS", help="Dask scheduler, e.g. tcp://host:8786")
    sweep.add_argument("--resume", action="store_true", help="skip points already finished in --out")
    sweep.add_argument("--out", type=Path, help="sweep folder (default results/<sweep name>)")
    sweep.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    sweep.set_defaults(func=_sweep)
    _add_report_parser(commands, argv)
    _add_pathway_parsers(commands)
    return parser


def _add_report_parser(commands: argparse._SubParsersAction, argv: list[str] | None) -> None:
    """`report` as `optimizer.report.cli` declares it, unless another command was asked for:
    then it need only exist as a choice, and matplotlib is not imported."""
    command = next((word for word in argv or () if not word.startswith("-")), None)
    if argv is None or command in (None, "report"):
        from optimizer.report import cli as report_cli

        report_cli.add_parser(commands)
    else:
        commands.add_parser("report", help="remake a run folder's report (see `optimizer report -h`)")


def _add_pathway_parsers(commands: argparse._SubParsersAction) -> None:
    """`compare`, `mga` and `macc`: studies that compare or re-solve pathways."""
    compare = commands.add_parser("compare", help="compare run folders: aligned differences, charts, a page")
    compare.add_argument("runs", nargs="+", type=Path, metavar="RUN_DIR", help="run folders (or folders holding them)")
    compare.add_argument("--out", type=Path, help="output folder (default: results/compare)")
    compare.add_argument("--no-charts", action="store_true", help="tables and compare.json only")
    compare.set_defaults(func=_compare)

    mga = commands.add_parser("mga", help="near-optimal alternatives within a cost slack")
    mga.add_argument("scenario", type=Path, help="scenario TOML")
    mga.add_argument("--slack", type=float, default=0.05, help="allowed cost increase as a fraction (default 0.05)")
    mga.add_argument("--lever", action="append", default=[], metavar="NAME", help="lever to push (repeatable)")
    mga.add_argument("--technology", action="append", default=[], metavar="NAME", help="technology to push")
    mga.add_argument("--sense", choices=("min", "max", "both"), default="min", help="minimise, maximise or both")
    mga.add_argument("--out", type=Path, help="output folder (default: results/<scenario>-mga)")
    mga.add_argument("--time-limit", type=float, metavar="S", help="HiGHS time limit per solve, seconds")
    mga.set_defaults(func=_mga)

    macc = commands.add_parser("macc", help="carbon price and abatement for a ladder of final-year caps")
    macc.add_argument("scenario", type=Path, help="scenario TOML")
    macc.add_argument("--caps", type=_caps, help="MtCO2, e.g. 450,900,1800 (the default)")
    macc.add_argument("--out", type=Path, help="output folder (default: results/<scenario>-macc)")
    macc.add_argument("--time-limit", type=float, metavar="S", help="HiGHS time limit per solve, seconds")
    macc.set_defaults(func=_macc)


def _caps(text: str) -> list[float]:
    try:
        caps = [float(part) for part in text.split(",") if part.strip()]
    except ValueError:
        message = f"--caps takes numbers separated by commas, e.g. 450,900,1800; got {text!r}"
        raise argparse.ArgumentTypeError(message) from None
    if not caps or any(cap < 0 for cap in caps):
        raise argparse.ArgumentTypeError(f"--caps needs one or more numbers ≥ 0, got {text!r}")
    return caps


@command
def _run(args: argparse.Namespace) -> int:
    from optimizer.runner import solve_scenario, write_run

    scenario_path = args.scenario or default_scenario()
    log.info("solving %s", scenario_path)
    run = solve_scenario(
        scenario_path, time_limit=args.time_limit, write_mps=args.write_mps, with_reference=not args.no_reference
    )
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
    cost = run.summary.get("cost_vs_reference") or {}
    if cost.get("status") == "optimal":
        average = cost["average_cost"]
        log.info(
            "cost against the no-policy reference: %s million %s (present value), %s %s/tCO2 on average",
            f"{cost['present_value']:,.0f}",
            run.data.currency,
            f"{average:,.0f}" if average is not None else "–",
            run.data.currency,
        )
    log.info("timings: %s", phases)
    log.info("results written to %s", out)
    return 0


@command
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


@command
def _batch(args: argparse.Namespace) -> int:
    from optimizer.batch.scenarios import run_batch

    runs = run_batch(args.scenarios, args.out, workers=args.workers)
    log.info("%s", runs.to_string(index=False))
    log.info("results written to %s", args.out)
    return 0 if (runs["status"] == "optimal").all() else 1


@command
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


@command
def _compare(args: argparse.Namespace) -> int:
    from optimizer.pathways.compare import compare_runs

    out = args.out or Path("results") / "compare"
    comparison = compare_runs(args.runs, out, charts=not args.no_charts)
    last = comparison.common_years[-1]
    for row in comparison.key_numbers.to_dict("records"):
        log.info(
            "%-24s emissions %d: %9.1f MtCO2  cumulative cost (PV): %.6g  (%+.6g against %s)",
            row["run"],
            last,
            row[f"emissions_{last}"],
            row["cumulative_cost_discounted"],
            row["delta_cost_discounted"],
            comparison.reference,
        )
    log.info("comparison written to %s", out)
    return 0


def _targets(args: argparse.Namespace) -> list[tuple[str, str, str]]:
    senses = ("min", "max") if args.sense == "both" else (args.sense,)
    named = [("lever", name) for name in args.lever] + [("technology", name) for name in args.technology]
    return [(kind, name, sense) for kind, name in (named or [("lever", "ccus")]) for sense in senses]


@command
def _mga(args: argparse.Namespace) -> int:
    from optimizer.pathways.mga import run_mga

    scenario = load_scenario(args.scenario)
    out = args.out or Path("results") / f"{scenario.name}-mga"
    outcome = run_mga(scenario, args.slack, _targets(args), out, time_limit=args.time_limit)
    if not outcome.optimum.result.optimal:
        log.error("the scenario has no optimum (%s): no alternative solved; see %s", outcome.optimum.status, out)
        return 1
    log.info("optimum: %.6g %s", outcome.optimum.summary["objective"], outcome.optimum.summary["objective_unit"])
    for row in outcome.table().to_dict("records"):
        log.info(
            "%-28s %-8s target %.6g (optimum %.6g), cost %+.3g %%",
            row["folder"],
            row["status"],
            row["target_value"] if row["target_value"] is not None else float("nan"),
            row["optimum_target_value"],
            row["cost_increase_pct"] if row["cost_increase_pct"] is not None else float("nan"),
        )
    log.info("alternatives written to %s", out)
    return 0 if outcome.all_optimal else 1


@command
def _macc(args: argparse.Namespace) -> int:
    from optimizer.pathways.macc import DEFAULT_CAPS, run_macc

    scenario = load_scenario(args.scenario)
    out = args.out or Path("results") / f"{scenario.name}-macc"
    outcome = run_macc(scenario, args.caps or DEFAULT_CAPS, out, time_limit=args.time_limit)
    for row in outcome.table.to_dict("records"):
        price = row.get("carbon_price", float("nan"))
        log.info("cap %8g  %-10s carbon price %10.1f  objective %s", row["cap"], row["status"], price, row["objective"])
    log.info("MACC written to %s", out)
    return 0 if outcome.all_optimal else 1


def main(argv: list[str] | None = None) -> int:
    """Entry point of `optimizer` and `python -m optimizer`; returns the exit code."""
    argv = sys.argv[1:] if argv is None else list(argv)
    args = _parser(argv).parse_args(argv)
    log_to_console(quiet=getattr(args, "quiet", False))
    return args.func(args)
