"""Command line of the pathway comparisons: `compare`, `mga` and `macc` (issue 6).

`add_parsers(subparsers)` registers the three commands on the main parser's subparsers and
`run(args)` carries one out, returning the exit code: 0 done, 1 a solve ended without an
optimum (its folder and summary are written all the same), 2 bad input (the InputError's
message, every problem listed). `main(argv)` runs them standalone::

    python -c "import sys; from optimizer.pathways_cli import main; sys.exit(main(sys.argv[1:]))" compare A B
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from optimizer.errors import InputError

if TYPE_CHECKING:
    from optimizer.data.scenario import Scenario

log = logging.getLogger("optimizer")
COMMANDS = ("compare", "mga", "macc")


def _caps(text: str) -> list[float]:
    try:
        caps = [float(part) for part in text.split(",") if part.strip()]
    except ValueError:
        message = f"--caps takes numbers separated by commas, e.g. 450,900,1800; got {text!r}"
        raise argparse.ArgumentTypeError(message) from None
    if not caps or any(cap < 0 for cap in caps):
        raise argparse.ArgumentTypeError(f"--caps needs one or more numbers ≥ 0, got {text!r}")
    return caps


def add_parsers(subparsers: argparse._SubParsersAction) -> None:
    """Register `compare`, `mga` and `macc` on the main parser's subparsers."""
    compare = subparsers.add_parser("compare", help="compare run folders: aligned differences, charts, a page")
    compare.add_argument("runs", nargs="+", type=Path, metavar="RUN_DIR", help="run folders (or folders holding them)")
    compare.add_argument("--out", type=Path, help="output folder (default: results/compare)")
    compare.add_argument("--no-charts", action="store_true", help="tables and compare.json only")

    mga = subparsers.add_parser("mga", help="near-optimal alternatives within a cost slack")
    mga.add_argument("scenario", type=Path, help="scenario TOML")
    mga.add_argument("--slack", type=float, default=0.05, help="allowed cost increase as a fraction (default 0.05)")
    mga.add_argument("--lever", action="append", default=[], metavar="NAME", help="lever to push (repeatable)")
    mga.add_argument("--technology", action="append", default=[], metavar="NAME", help="technology to push")
    mga.add_argument("--sense", choices=("min", "max", "both"), default="min", help="minimise, maximise or both")
    mga.add_argument("--out", type=Path, help="output folder (default: results/<scenario>-mga)")
    mga.add_argument("--time-limit", type=float, metavar="S", help="HiGHS time limit per solve, seconds")

    macc = subparsers.add_parser("macc", help="carbon price and abatement for a ladder of final-year caps")
    macc.add_argument("scenario", type=Path, help="scenario TOML")
    macc.add_argument("--caps", type=_caps, default=[450.0, 900.0, 1800.0], help="MtCO2, e.g. 450,900,1800")
    macc.add_argument("--out", type=Path, help="output folder (default: results/<scenario>-macc)")
    macc.add_argument("--time-limit", type=float, metavar="S", help="HiGHS time limit per solve, seconds")


def _compare(args: argparse.Namespace) -> int:
    from optimizer.pathways.compare import compare_runs

    out = args.out or Path("results") / "compare"
    comparison = compare_runs(args.runs, out, charts=not args.no_charts)
    numbers = comparison.key_numbers
    last = comparison.common_years[-1]
    for row in numbers.to_dict("records"):
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


def _mga(args: argparse.Namespace) -> int:
    from optimizer.pathways.mga import run_mga

    scenario = _scenario(args.scenario)
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


def _macc(args: argparse.Namespace) -> int:
    from optimizer.pathways.macc import run_macc

    scenario = _scenario(args.scenario)
    out = args.out or Path("results") / f"{scenario.name}-macc"
    outcome = run_macc(scenario, args.caps, out, time_limit=args.time_limit)
    for row in outcome.table.to_dict("records"):
        price = row.get("carbon_price", float("nan"))
        log.info("cap %8g  %-10s carbon price %10.1f  objective %s", row["cap"], row["status"], price, row["objective"])
    log.info("MACC written to %s", out)
    return 0 if outcome.all_optimal else 1


def _scenario(path: Path) -> Scenario:
    from optimizer.data.scenario import load_scenario

    return load_scenario(path)


def run(args: argparse.Namespace) -> int:
    """Carry out `compare`, `mga` or `macc`; return the exit code (0, 1 no optimum, 2 bad input)."""
    if not logging.getLogger().handlers:
        logging.basicConfig(level=logging.INFO, format="%(message)s", stream=sys.stderr)
        logging.getLogger("pyomo").setLevel(logging.WARNING)
    handlers = {"compare": _compare, "mga": _mga, "macc": _macc}
    try:
        return handlers[args.command](args)
    except InputError as error:
        log.error("%s", error.report())
        return 2
    except OSError as error:
        log.error("cannot read or write %s: %s", getattr(error, "filename", "") or "", error.strerror or error)
        return 2


def main(argv: list[str] | None = None) -> int:
    """Standalone entry point (until the main command line registers these commands)."""
    parser = argparse.ArgumentParser(prog="optimizer", description="Compare least-cost pathways.")
    add_parsers(parser.add_subparsers(dest="command", required=True))
    return run(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
