"""The command line: `optimizer COMMAND …` (and `python -m optimizer`).

Commands: `run`, `validate`, `batch`, `sweep`, `report` (in `optimizer.report.cli`), `compare`,
`mga` and `macc`. Each handler parses nothing and prints nothing but log lines; it returns the
exit code: 0 solved to optimality (or inputs valid, or done); 1 a solve ended without an
optimum (infeasible, unbounded, time limit), with what it could write written all the same;
2 bad input or usage. `optimizer.errors.command` turns bad input and unreadable files into 2
with the problem logged, the same way for every command; argparse exits 2 on usage errors.

Every command that writes a folder replaces an existing one only if this tool wrote it (its
marker, `.optimizer.json`) and it holds nothing else, or with `--force`; never a symbolic link
(`optimizer.outputs.folders`). A refusal is bad usage: exit 2, nothing written.

The solver stack (Pyomo, HiGHS) is imported inside the handlers that solve, so `validate`,
`report`, `compare` and `--help` start without it.
"""

from __future__ import annotations

import argparse
import logging
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

from optimizer.data.read import read_tables
from optimizer.data.scenario import load_scenario
from optimizer.data.validate import validate_tables
from optimizer.errors import InputError, Issue, command, log_to_console, plural
from optimizer.outputs.folders import check_replaceable, child, staged

if TYPE_CHECKING:
    import pandas as pd

log = logging.getLogger("optimizer")
DEFAULT_SCENARIO = Path("inputs/scenarios/net-zero-2060.toml")
RESULTS = Path("results")  # where a command writes without --out: results/<name>/


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
    _add_force(run)
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
    _add_force(batch)
    batch.set_defaults(func=_batch)
    sweep = commands.add_parser("sweep", help="run a cost-sensitivity sweep")
    sweep.add_argument("sweep", type=Path, help="sweep TOML")
    sweep.add_argument(
        "--workers", type=int, help="local worker processes (default: what pays off for the sweep, up to the cores)"
    )
    sweep.add_argument("--scheduler", metavar="ADDRESS", help="Dask scheduler, e.g. tcp://host:8786")
    sweep.add_argument("--out", type=Path, help="sweep folder (default results/<sweep name>)")
    sweep.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    again = sweep.add_mutually_exclusive_group()
    again.add_argument("--resume", action="store_true", help="skip points already finished in --out")
    _add_force(again)
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
    compare.add_argument(
        "--reference", type=Path, metavar="RUN_DIR", help="the run the others are compared with (default: the first)"
    )
    compare.add_argument("--out", type=Path, help="output folder (default: results/compare)")
    compare.add_argument("--no-charts", action="store_true", help="tables and compare.json only")
    _add_force(compare)
    compare.set_defaults(func=_compare)

    mga = commands.add_parser("mga", help="near-optimal alternatives within a cost slack")
    mga.add_argument("scenario", type=Path, help="scenario TOML")
    mga.add_argument("--slack", type=float, default=0.05, help="allowed cost increase as a fraction (default 0.05)")
    mga.add_argument(
        "--slack-of",
        choices=("total", "policy"),
        default="total",
        help="the slack is a fraction of the whole cost (default) or of the cost against the no-policy run",
    )
    mga.add_argument("--lever", action="append", default=[], metavar="NAME", help="lever to push (repeatable)")
    mga.add_argument("--technology", action="append", default=[], metavar="NAME", help="technology to push")
    mga.add_argument("--sense", choices=("min", "max", "both"), default="min", help="minimise, maximise or both")
    mga.add_argument("--out", type=Path, help="output folder (default: results/<scenario>-mga)")
    mga.add_argument("--time-limit", type=float, metavar="S", help="HiGHS time limit per solve, seconds")
    _add_force(mga)
    mga.set_defaults(func=_mga)

    macc = commands.add_parser("macc", help="carbon price and abatement for a ladder of final-year caps")
    macc.add_argument("scenario", type=Path, help="scenario TOML")
    macc.add_argument("--caps", type=_caps, help="MtCO2, e.g. 450,900,1800 (the default)")
    macc.add_argument("--out", type=Path, help="output folder (default: results/<scenario>-macc)")
    macc.add_argument("--time-limit", type=float, metavar="S", help="HiGHS time limit per solve, seconds")
    _add_force(macc)
    macc.set_defaults(func=_macc)


def _add_force(parser: argparse.ArgumentParser | argparse._MutuallyExclusiveGroup) -> None:
    parser.add_argument(
        "--force",
        action="store_true",
        help="replace --out even if this tool did not write it (its contents are deleted; never a link)",
    )


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
    scenario = load_scenario(args.scenario or default_scenario())  # a bad path or key stops here, before solving
    from optimizer.runner import solve_scenario, write_run

    out = args.out or child(RESULTS, scenario.name, str(scenario.path))
    check_replaceable(out, "run", args.force)  # before solving: a refusal costs no time
    log.info("solving %s (%s)", scenario.name, scenario.path)
    run = solve_scenario(
        scenario, time_limit=args.time_limit, write_mps=args.write_mps, with_reference=not args.no_reference
    )
    report = not args.no_report and run.result.optimal
    if report:
        from optimizer.report.cli import progress_bar, report_steps

        log.info("writing %s and drawing its report (%d charts, report.html, iamc.csv) …", out,
                 report_steps(run.tables) - 2)  # fmt: skip
        clock = time.perf_counter()
        with progress_bar(report_steps(run.tables), quiet=args.quiet) as progress:
            write_run(run, out, report=True, force=args.force, progress=progress)
        report_seconds = time.perf_counter() - clock
    else:
        write_run(run, out, force=args.force)
    timings = run.summary["timings"]
    phases = ", ".join(f"{name} {seconds:.2f} s" for name, seconds in timings.items())
    if not run.result.optimal:
        log.error("%s: %s", run.status, run.diagnosis["message"] if run.diagnosis else run.status)
        log.error("diagnosis written to %s", out / "diagnosis.json")
        return 1
    final_year = run.data.years[-1]
    log.info(
        "%s: objective %s %s; emissions %d: %s MtCO2/yr (%s)",
        run.status,
        f"{run.result.objective:,.0f}",
        run.summary["objective_unit"],
        final_year,
        f"{run.summary['emissions'][str(final_year)]:,.1f}",
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
    if report:
        phases += f"; report {report_seconds:.1f} s"
    log.info("timings: %s", phases)
    log.info("results written to %s", out)
    if report:
        log.info("report: %s", out / "report.html")
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
            "%s: valid (%s, %s)",
            path,
            plural(len(tables["technologies"]), "technology", "technologies"),
            plural(len(tables["commodities"]), "commodity", "commodities"),
        )
        return 0
    from optimizer.data.model_data import load_model_data

    data, _ = load_model_data(path)
    log.info(
        "%s: valid (%s, %s, years %d–%d)",
        path,
        plural(len(data.technologies), "technology", "technologies"),
        plural(len(data.regions), "region"),
        data.years[0],
        data.years[-1],
    )
    return 0


@command
def _batch(args: argparse.Namespace) -> int:
    from optimizer.batch.scenarios import run_batch

    runs = run_batch(args.scenarios, args.out, workers=args.workers, force=args.force)
    log.info("%s", runs.to_string(index=False))
    log.info("results written to %s", args.out)
    return 0 if (runs["status"] == "optimal").all() else 1


@command
def _sweep(args: argparse.Namespace) -> int:
    from optimizer.batch.analysis import write_analysis
    from optimizer.batch.config import load_sweep
    from optimizer.batch.execute import run_sweep

    sweep = load_sweep(args.sweep)
    out = args.out or child(RESULTS, sweep.name, str(args.sweep))

    def run(folder: Path) -> pd.DataFrame:
        runs = run_sweep(
            sweep, folder, workers=args.workers, scheduler=args.scheduler, resume=args.resume, progress=not args.quiet
        )
        write_analysis(sweep, runs, folder)
        return runs

    if args.resume or check_replaceable(out, "sweep", args.force).state in ("absent", "empty"):
        runs = run(out)  # in place, point by point: a killed sweep can be resumed
    else:
        with staged(out, "sweep", args.force, mark=False) as folder:  # beside it, swapped in when complete
            runs = run(folder)
    failed = int((runs["status"] != "optimal").sum())
    log.info("%d points, %d failed; results in %s (runs.parquet, runs.csv, tables/, plots/)", len(runs), failed, out)
    return 0 if failed == 0 else 1


@command
def _compare(args: argparse.Namespace) -> int:
    from optimizer.pathways.compare import compare_runs

    out = args.out or RESULTS / "compare"
    comparison = compare_runs(args.runs, out, charts=not args.no_charts, reference=args.reference, force=args.force)
    last = comparison.common_years[-1]
    unit = comparison.cost_unit
    log.info("reference: %s; cumulative costs %d–%d, present value in %s", comparison.reference,
             *comparison.span, unit)  # fmt: skip
    for row in comparison.key_numbers.to_dict("records"):
        delta = row["delta_cost_discounted"]
        log.info(
            "%-24s emissions %d: %s MtCO2/yr  cumulative cost (PV): %s %s  (%s %s against %s)",
            row["run"],
            last,
            f"{row[f'emissions_{last}']:9,.1f}",
            f"{row['cumulative_cost_discounted']:,.0f}",
            unit,
            f"{delta:+,.0f}",
            unit,
            comparison.reference,
        )
    log.info("comparison written to %s (compare.html)", out)
    return 0


def _targets(args: argparse.Namespace) -> list[tuple[str, str, str]]:
    senses = ("min", "max") if args.sense == "both" else (args.sense,)
    named = [("lever", name) for name in args.lever] + [("technology", name) for name in args.technology]
    return [(kind, name, sense) for kind, name in (named or [("lever", "ccus")]) for sense in senses]


@command
def _mga(args: argparse.Namespace) -> int:
    from optimizer.pathways.mga import run_mga

    scenario = load_scenario(args.scenario)
    out = args.out or child(RESULTS, f"{scenario.name}-mga", str(args.scenario))
    outcome = run_mga(
        scenario, args.slack, _targets(args), out, time_limit=args.time_limit, force=args.force, slack_of=args.slack_of
    )
    if not outcome.optimum.result.optimal:
        log.error("the scenario has no optimum (%s): no alternative solved; see %s", outcome.optimum.status, out)
        return 1
    log.info("optimum: %s %s", _number(outcome.optimum.summary["objective"]), outcome.optimum.summary["objective_unit"])
    for row in outcome.table().to_dict("records"):
        increase = row["cost_increase_pct"]
        log.info(
            "%-28s %-8s target %s %s (at the optimum %s), cost %s",
            row["folder"],
            row["status"],
            _number(row["target_value"]),
            row["target_unit"],
            _number(row["optimum_target_value"]),
            f"{increase:+.2f} % against the optimum" if increase is not None else "–",
        )
    log.info("alternatives written to %s", out)
    return 0 if outcome.all_optimal else 1


@command
def _macc(args: argparse.Namespace) -> int:
    from optimizer.pathways.macc import DEFAULT_CAPS, run_macc

    scenario = load_scenario(args.scenario)
    out = args.out or child(RESULTS, f"{scenario.name}-macc", str(args.scenario))
    outcome = run_macc(scenario, args.caps or DEFAULT_CAPS, out, time_limit=args.time_limit, force=args.force)
    solved = [run for run in outcome.runs.values() if run.result.optimal]
    price_unit = str(solved[0].tables["carbon_price"]["unit"].iloc[0]) if solved else ""
    cost_unit = solved[0].summary["objective_unit"] if solved else ""
    log.info("final-year cap (MtCO2/yr), status, carbon price (%s), objective (%s):", price_unit, cost_unit)
    for row in outcome.table.to_dict("records"):
        log.info(
            "cap %8s  %-10s carbon price %10s  objective %s",
            f"{row['cap']:,g}",
            row["status"],
            _number(row.get("carbon_price")),
            _number(row["objective"]),
        )
    log.info("MACC written to %s", out)
    return 0 if outcome.all_optimal else 1


def _number(value: float | None) -> str:
    """A number for the console: thousands separators, digits that matter, '–' for none.

    >>> _number(154958400.32503533), _number(32.443), _number(0.01234), _number(None)
    ('154,958,400', '32.4', '0.0123', '–')
    """
    if value is None or value != value:
        return "–"
    magnitude = abs(value)
    if magnitude >= 1000:
        return f"{value:,.0f}"
    if magnitude >= 1:
        return f"{value:,.1f}"
    return f"{value:.3g}"


def main(argv: list[str] | None = None) -> int:
    """Entry point of `optimizer` and `python -m optimizer`; returns the exit code."""
    argv = sys.argv[1:] if argv is None else list(argv)
    args = _parser(argv).parse_args(argv)
    log_to_console(quiet=getattr(args, "quiet", False))
    return args.func(args)
